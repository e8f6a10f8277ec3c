/**
 * Fanned-out full builds as executions of the build state machine (infra/lib/builds.ts: plan, a
 * Distributed Map of shard functions, commit). One at a time: a run first waits for executions
 * already running (a build planned earlier must not commit after ours), then starts its own,
 * named after the build id, and polls it to the end. A start repeated with the same name and
 * input while the execution runs is Step Functions' own no-op, so a retried caller follows the
 * same build instead of starting a second.
 */
import {
  DescribeExecutionCommand, DescribeMapRunCommand, ExecutionAlreadyExists, ListExecutionsCommand, ListMapRunsCommand, StartExecutionCommand, type SFNClient,
} from '@aws-sdk/client-sfn';
import { isBuildFor } from '../build/build-id.js';
import { BuildFailedError, BuildStillRunningError } from '../errors.js';
import type { BuildFanOut, BuildSummary, Logger } from '../ports.js';
import { sleep } from '../sleep.js';

export interface StepFunctionsBuildsOptions {
  client: SFNClient;
  stateMachineArn: string;
  logger: Logger;
  /** Between status polls. @default 2000 */
  pollMs?: number;
}

/** An execution's ARN from its state machine's and its name (`…:stateMachine:X` → `…:execution:X:name`). */
export function executionArn(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}

export function createStepFunctionsBuilds(options: StepFunctionsBuildsOptions): BuildFanOut {
  const { client, stateMachineArn, logger } = options;
  const pollMs = options.pollMs ?? 2000;

  async function progress(arn: string, onProgress?: (done: number, total: number) => void): Promise<void> {
    if (!onProgress) return;
    const runs = await client.send(new ListMapRunsCommand({ executionArn: arn }));
    const mapRunArn = runs.mapRuns?.[0]?.mapRunArn;
    if (!mapRunArn) return;
    const run = await client.send(new DescribeMapRunCommand({ mapRunArn }));
    const counts = run.itemCounts;
    if (counts?.total) onProgress(counts.succeeded ?? 0, counts.total);
  }

  async function wait(arn: string, onProgress?: (done: number, total: number) => void, waitUntil = Number.POSITIVE_INFINITY): Promise<BuildSummary | undefined> {
    for (;;) {
      const execution = await client.send(new DescribeExecutionCommand({ executionArn: arn }));
      switch (execution.status) {
        case 'RUNNING':
        case 'PENDING_REDRIVE':
          await progress(arn, onProgress);
          if (Date.now() + pollMs > waitUntil) {
            throw new BuildStillRunningError(`Expected build ${execution.name ?? arn} to end within the caller's time, it is still running (started ${execution.startDate?.toISOString() ?? 'at an unknown time'}): it goes on, and the caller's retry follows it`);
          }
          await sleep(pollMs);
          continue;
        case 'SUCCEEDED':
          return execution.output ? JSON.parse(execution.output) as BuildSummary : undefined;
        default:
          throw new BuildFailedError(`Expected build ${execution.name} (${arn}) to succeed, it ended ${execution.status}: ${execution.error ?? 'no error'}${execution.cause ? ` — ${execution.cause}` : ''}`,
            { retryable: execution.status !== 'FAILED' });
      }
    }
  }

  return {
    async run(request, onProgress, runOptions = {}) {
      const name = request.buildId;
      const arn = executionArn(stateMachineArn, name);
      const running = await client.send(new ListExecutionsCommand({ stateMachineArn, statusFilter: 'RUNNING' }));
      for (const other of running.executions ?? []) {
        if (other.name === name || !other.executionArn) continue;
        logger.info('full build: waiting for the build already running', { correlation_id: request.correlationId, build: other.name });
        await wait(other.executionArn, undefined, runOptions.waitUntil).catch((error: unknown) => {
          // Out of time: ours must not start before it ends (the retry waits again).
          if (error instanceof BuildStillRunningError) throw error;
          logger.warn('full build: the earlier build failed', { build: other.name, error: (error as Error).message });
        });
      }
      try {
        await client.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(request) }));
        logger.info('full build: started', { correlation_id: request.correlationId, build: name });
      } catch (error) {
        // Started before (a retried caller): follow it rather than start a second build.
        if (!(error instanceof ExecutionAlreadyExists)) throw error;
      }
      const summary = await wait(arn, onProgress, runOptions.waitUntil);
      if (!summary) throw new BuildFailedError(`Expected build ${name} to end with a summary, it ended with no output`);
      return summary;
    },

    async follow(correlationId, followOptions = {}) {
      const deadline = Date.now() + (followOptions.appearWithinMs ?? 15 * 60_000);
      for (;;) {
        // Newest first: the requested build is among the latest started.
        const listed = await client.send(new ListExecutionsCommand({ stateMachineArn, maxResults: 100 }));
        const found = (listed.executions ?? []).find((e) => e.name && isBuildFor(e.name, correlationId));
        if (found?.executionArn && found.name) {
          followOptions.onStarted?.(found.name);
          const summary = await wait(found.executionArn, followOptions.onProgress);
          if (!summary) throw new BuildFailedError(`Expected build ${found.name} to end with a summary, it ended with no output`);
          return summary;
        }
        if (Date.now() > deadline) {
          throw new BuildFailedError(`Expected the worker to start a build for change ${correlationId} within ${Math.round((followOptions.appearWithinMs ?? 900_000) / 1000)} s, none started (is the changes queue draining? see its dead letters)`, { retryable: true });
        }
        await sleep(pollMs);
      }
    },
  };
}
