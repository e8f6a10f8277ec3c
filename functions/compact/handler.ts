/**
 * Lambda: the compactor, fed by its FIFO queue (one message group: one compaction at a time). The
 * rebuild worker asks when a commit leaves the segments due; a batch of requests is one compaction,
 * and a request that finds nothing due costs a few small reads.
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import * as aws from '../compose/aws.js';
import { readAwsConfig } from '../compose/config.js';
import { lambdaHandler, observability } from '../compose/lambda.js';
import { requestCorrelationId } from '../shared/changes/compaction-request.js';
import { runCompaction } from './job.js';

const config = readAwsConfig();
const o = observability('restatic-compact');
const deps = { store: aws.store(config), roots: aws.roots(config), logger: o.logger };

// A failed compaction throws: the whole batch returns to the queue (its requests are all the same).
export const handler = lambdaHandler(o, async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const first = event.Records[0];
  await runCompaction(deps, { correlationId: first ? requestCorrelationId(first.body, first.messageId) : 'compaction' });
  return { batchItemFailures: [] };
});
