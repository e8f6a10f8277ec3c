/**
 * Lambda: scheduled reconciliation (EventBridge Scheduler). Diffs the catalog against the live
 * site's state and re-syncs content, then queues what events missed on the FIFO changes queue — the
 * rebuild worker runs it, so a reconciliation never interleaves with a rebuild — and asks the PDF
 * worker to check every PDF's data version.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { Logger } from '@aws-lambda-powertools/logger';
import { createDynamoDbCatalog } from '../shared/adapters/dynamodb-catalog.js';
import { createPdfJobQueues } from '../shared/adapters/pdf-job-queues.js';
import { createS3ObjectStore } from '../shared/adapters/s3-object-store.js';
import { createSqsQueue } from '../shared/adapters/sqs-queue.js';
import { requireEnv } from '../shared/env.js';
import { readState } from '../shared/state/site-state.js';
import { reconciliationEnvelopes } from './reconcile.js';

const logger = new Logger({ serviceName: 'restatic-reconcile' });
const sqs = new SQSClient({});
const catalog = createDynamoDbCatalog({ table: requireEnv('PRODUCTS_TABLE'), client: new DynamoDBClient({}) });
const store = createS3ObjectStore({ bucket: requireEnv('SITE_BUCKET'), client: new S3Client({}) });
const changes = createSqsQueue({ queueUrl: requireEnv('CHANGES_QUEUE_URL'), client: sqs });
const pdfJobs = createPdfJobQueues({ client: sqs, jobsQueueUrl: requireEnv('PDF_QUEUE_URL'), catalogQueueUrl: requireEnv('PDF_CATALOG_QUEUE_URL'), windowSeconds: Number(process.env.PDF_CATALOG_WINDOW_SECONDS ?? 60) });

export const handler = async () => {
  const correlationId = `reconcile-${Date.now()}`;
  const state = await readState(store);
  // No state yet (the first deploy's full build has not run): one queued change triggers it.
  const envelopes = state
    ? await reconciliationEnvelopes({ catalog, logger }, state)
    : [{ source: 'reconcile' as const, kind: 'Entry' as const, id: '*', version: '0', topic: 'Reconcile.sync', correlationId, receivedAt: new Date().toISOString() }];
  await changes.send(envelopes);
  await pdfJobs.send([{ kind: 'content', entryId: '*', correlationId }]);
  logger.info('reconciliation queued', { correlation_id: correlationId, changes: envelopes.length });
  return { queued: envelopes.length };
};
