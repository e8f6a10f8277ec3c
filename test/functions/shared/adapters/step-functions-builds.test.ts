/** Fanned-out full builds as state machine executions (client mocked: no AWS here). */
import {
  DescribeExecutionCommand, DescribeMapRunCommand, ExecutionAlreadyExists, ListExecutionsCommand, ListMapRunsCommand, SFNClient, StartExecutionCommand, StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createStepFunctionsBuilds, executionArn } from '../../../../functions/shared/adapters/step-functions-builds.js';
import { BuildFailedError, BuildStillRunningError } from '../../../../functions/shared/errors.js';
import { silentLogger } from '../../../../functions/shared/logger.js';
import type { BuildSummary } from '../../../../functions/shared/ports.js';

const stateMachineArn = 'arn:aws:states:eu-west-1:123456789012:stateMachine:restatic-prod-full-build';
const mock = mockClient(SFNClient);
afterEach(() => mock.reset());
const builds = () => createStepFunctionsBuilds({ client: new SFNClient({ region: 'eu-west-1' }), stateMachineArn, logger: silentLogger, pollMs: 1 });
const summary: BuildSummary = { buildId: 'b2', pages: 1000, products: 900, uploaded: 12, unchanged: 988, deleted: 0, invalidated: 3, rejected: 0, warnings: 0, generation: 7, ms: 4000 };

describe('Step Functions full builds', () => {
  it('waits for the build already running, then starts its own, reports shard progress and returns its summary', async () => {
    // Prepare
    const earlier = executionArn(stateMachineArn, 'b1');
    const ours = executionArn(stateMachineArn, 'b2');
    mock.on(ListExecutionsCommand).resolves({ executions: [{ executionArn: earlier, name: 'b1', stateMachineArn, status: 'RUNNING', startDate: new Date() }] });
    mock.on(DescribeExecutionCommand, { executionArn: earlier }).resolvesOnce({ executionArn: earlier, name: 'b1', status: 'RUNNING', stateMachineArn, startDate: new Date(), input: '{}' })
      .resolves({ executionArn: earlier, name: 'b1', status: 'SUCCEEDED', stateMachineArn, startDate: new Date(), output: JSON.stringify({ ...summary, buildId: 'b1' }) });
    mock.on(DescribeExecutionCommand, { executionArn: ours }).resolvesOnce({ executionArn: ours, name: 'b2', status: 'RUNNING', stateMachineArn, startDate: new Date() })
      .resolves({ executionArn: ours, name: 'b2', status: 'SUCCEEDED', stateMachineArn, startDate: new Date(), output: JSON.stringify(summary) });
    mock.on(StartExecutionCommand).resolves({ executionArn: ours, startDate: new Date() });
    mock.on(ListMapRunsCommand).resolves({ mapRuns: [{ mapRunArn: 'arn:aws:states:eu-west-1:123456789012:mapRun:restatic-prod-full-build/Shards:x', executionArn: ours, stateMachineArn, startDate: new Date() }] });
    mock.on(DescribeMapRunCommand).resolves({ itemCounts: { succeeded: 40, total: 200, pending: 0, running: 160, failed: 0, timedOut: 0, aborted: 0, resultsWritten: 0 } } as never);
    const progress: Array<[number, number]> = [];

    // Act
    const result = await builds().run({ buildId: 'b2', correlationId: 'c-1' }, (done, total) => progress.push([done, total]));

    // Assess
    expect(result).toEqual(summary);
    // Ours starts only once the earlier build has ended.
    const calls = mock.calls().map((c) => c.args[0]);
    const started = calls.findIndex((c) => c instanceof StartExecutionCommand);
    const earlierEnded = calls.findLastIndex((c) => c instanceof DescribeExecutionCommand && c.input.executionArn === earlier);
    expect(started).toBeGreaterThan(earlierEnded);
    expect(mock.commandCalls(DescribeExecutionCommand, { executionArn: earlier }).length).toBe(2);
    expect(mock.commandCalls(StartExecutionCommand)[0]!.args[0].input).toEqual({ stateMachineArn, name: 'b2', input: JSON.stringify({ buildId: 'b2', correlationId: 'c-1' }) });
    expect(progress).toEqual([[40, 200]]);
  });

  it('follows the execution a retried caller started before instead of starting a second', async () => {
    // Prepare
    const ours = executionArn(stateMachineArn, 'b2');
    mock.on(ListExecutionsCommand).resolves({ executions: [] });
    mock.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} }));
    mock.on(DescribeExecutionCommand).resolves({ executionArn: ours, name: 'b2', status: 'SUCCEEDED', stateMachineArn, startDate: new Date(), output: JSON.stringify(summary) });
    // Act
    const result = await builds().run({ buildId: 'b2', correlationId: 'c-1' });
    // Assess
    expect(result.generation).toBe(7);
    expect(mock.commandCalls(StartExecutionCommand)).toHaveLength(1);
  });

  it('fails with BuildFailedError naming the build, its status and the cause when the execution fails', async () => {
    // Prepare
    mock.on(ListExecutionsCommand).resolves({ executions: [] });
    mock.on(StartExecutionCommand).resolves({ executionArn: executionArn(stateMachineArn, 'b3'), startDate: new Date() });
    mock.on(DescribeExecutionCommand).resolves({ name: 'b3', status: 'FAILED', stateMachineArn, executionArn: executionArn(stateMachineArn, 'b3'), startDate: new Date(), error: 'RenderError', cause: 'page /products/x/ failed' });
    // Act
    const failure = await builds().run({ buildId: 'b3', correlationId: 'c' }).catch((e: unknown) => e);
    // Assess
    expect(failure).toBeInstanceOf(BuildFailedError);
    expect((failure as Error).message).toMatch(/build b3 .* ended FAILED: RenderError — page \/products\/x\/ failed/);
    expect((failure as BuildFailedError).retryable).toBe(false);
  });

  it('stops following a build still running at `waitUntil` with a retryable BuildStillRunningError, leaving it running', async () => {
    // Prepare
    const ours = executionArn(stateMachineArn, 'b4');
    mock.on(ListExecutionsCommand).resolves({ executions: [] });
    mock.on(StartExecutionCommand).resolves({ executionArn: ours, startDate: new Date() });
    mock.on(DescribeExecutionCommand).resolves({ executionArn: ours, name: 'b4', status: 'RUNNING', stateMachineArn, startDate: new Date('2026-11-27T06:00:00Z') });
    // Act
    const failure = await builds().run({ buildId: 'b4', correlationId: 'c-4' }, undefined, { waitUntil: Date.now() - 1 }).catch((e: unknown) => e);
    // Assess
    expect(failure).toBeInstanceOf(BuildStillRunningError);
    expect((failure as BuildStillRunningError).retryable).toBe(true);
    expect((failure as Error).message).toMatch(/build b4 .*still running \(started 2026-11-27T06:00:00.000Z\)/);
    expect(mock.commandCalls(DescribeExecutionCommand)).toHaveLength(1);
    expect(mock.commandCalls(StopExecutionCommand)).toHaveLength(0);
  });

  it('does not start its own build while an earlier one it ran out of time waiting for is still running', async () => {
    // Prepare
    const earlier = executionArn(stateMachineArn, 'b1');
    mock.on(ListExecutionsCommand).resolves({ executions: [{ executionArn: earlier, name: 'b1', stateMachineArn, status: 'RUNNING', startDate: new Date() }] });
    mock.on(DescribeExecutionCommand).resolves({ executionArn: earlier, name: 'b1', status: 'RUNNING', stateMachineArn, startDate: new Date() });
    // Act
    const failure = await builds().run({ buildId: 'b5', correlationId: 'c-5' }, undefined, { waitUntil: Date.now() - 1 }).catch((e: unknown) => e);
    // Assess
    expect(failure).toBeInstanceOf(BuildStillRunningError);
    expect(mock.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });
});
