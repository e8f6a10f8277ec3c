/**
 * `restatic build --target aws` against a deployed stack (clients mocked: no AWS here): the build
 * is requested through the changes queue, then followed on the build state machine to its summary.
 */
import { DescribeExecutionCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { requestAwsBuild } from '../../cli/commands.js';
import { readCliAwsConfig } from '../../functions/compose/config.js';
import { createStepFunctionsBuilds } from '../../functions/shared/adapters/step-functions-builds.js';
import { buildIdFor } from '../../functions/shared/build/build-id.js';
import type { ChangeEnvelope } from '../../functions/shared/changes/envelope.js';
import { silentLogger } from '../../functions/shared/logger.js';

const sfn = mockClient(SFNClient);
afterEach(() => { sfn.reset(); vi.restoreAllMocks(); });
const stateMachineArn = 'arn:aws:states:eu-west-1:123456789012:stateMachine:restatic-prod-full-build';

describe('build --target aws', () => {
  it('queues a full-build request (never a build of its own) and prints the summary of the build the worker ran for it', async () => {
    // Prepare
    const sent: ChangeEnvelope[] = [];
    const changes = { send: async (messages: readonly ChangeEnvelope[]) => { sent.push(...messages); } };
    // The worker starts the build only on its second look (it was busy with another change).
    let looks = 0;
    sfn.on(ListExecutionsCommand).callsFake(() => {
      looks++;
      if (looks < 2 || !sent[0]) return { executions: [] };
      const name = buildIdFor(sent[0].correlationId);
      return { executions: [{ name, executionArn: `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`, stateMachineArn, status: 'SUCCEEDED', startDate: new Date() }] };
    });
    sfn.on(DescribeExecutionCommand).resolves({ status: 'SUCCEEDED', output: JSON.stringify({ buildId: 'x', pages: 1234, products: 1000, uploaded: 5, unchanged: 1229, deleted: 1, invalidated: 4, rejected: 2, warnings: 0, generation: 9, ms: 900 }) } as never);
    const out: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => { out.push(String(chunk)); return true; });
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const config = readCliAwsConfig({ RESTATIC_BUILD_STATE_MACHINE_ARN: stateMachineArn, RESTATIC_CHANGES_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/changes.fifo', AWS_REGION: 'eu-west-1' });

    // Act
    const builds = createStepFunctionsBuilds({ client: new SFNClient({ region: 'eu-west-1' }), stateMachineArn, logger: silentLogger, pollMs: 1 });
    const code = await requestAwsBuild(config, silentLogger as never, { changes, builds });

    // Assess
    expect(code).toBe(0);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ source: 'reconcile', kind: 'ContentType', id: '*', topic: 'Build.requested' });
    expect(looks).toBeGreaterThanOrEqual(2);
    expect(out.join('')).toMatch(/^built 1234 pages from 1000 products: 5 uploaded, 1229 unchanged, 1 deleted, 4 path\(s\) invalidated, 2 product\(s\) skipped, \d+\.\d s\n$/);
  });
});
