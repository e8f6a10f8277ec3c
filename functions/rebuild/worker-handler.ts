/**
 * Lambda: the rebuild worker, fed by the changes queue (SQS, ReportBatchItemFailures); fans CMS
 * changes out to PDF jobs, and keeps the schedule of time instants (sales starting or ending).
 */
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SQSClient } from '@aws-sdk/client-sqs';
import { Logger } from '@aws-lambda-powertools/logger';
import { createEventBridgeInstantSchedule } from '../shared/adapters/eventbridge-instant-schedule.js';
import { createPdfJobQueues } from '../shared/adapters/pdf-job-queues.js';
import { createSqsQueue } from '../shared/adapters/sqs-queue.js';
import { pdfJobsFor } from '../shared/changes/pdf-jobs.js';
import { requireEnv } from '../shared/env.js';
import { workerFromEnv } from './lambda-deps.js';
import { createWorkerHandler } from './sqs.js';

const logger = new Logger({ serviceName: 'restatic-rebuild' });
const { worker } = await workerFromEnv(logger);
const sqs = new SQSClient({});
const pdfJobs = createPdfJobQueues({ client: sqs, jobsQueueUrl: requireEnv('PDF_QUEUE_URL'), catalogQueueUrl: requireEnv('PDF_CATALOG_QUEUE_URL'), windowSeconds: Number(process.env.PDF_CATALOG_WINDOW_SECONDS ?? 60) });

const instants = createEventBridgeInstantSchedule({
  client: new SchedulerClient({}), groupName: requireEnv('SCHEDULE_GROUP'), queueArn: requireEnv('CHANGES_QUEUE_ARN'), roleArn: requireEnv('SCHEDULER_ROLE_ARN'),
});

// CMS changes reach the PDFs that show them (product changes fan out from the stream consumer), and
// so do products whose page changed in the run (a sale that ended, a category renamed). If either
// step fails, the batch is retried: the rebuild is then a fenced no-op and these run again.
export const handler = createWorkerHandler(worker, logger, async (processed, result) => {
  const jobs = [
    ...pdfJobsFor(processed.filter((e) => e.kind !== 'Product')),
    ...result.changedProducts.map((sku) => ({ kind: 'sheet' as const, sku, correlationId: processed[0]?.correlationId ?? 'rebuild' })),
  ];
  if (jobs.length) await pdfJobs.send(jobs);
  if (result.schedule) await instants.sync(result.schedule);
}, { deadLetters: createSqsQueue({ queueUrl: requireEnv('CHANGES_DLQ_URL'), client: sqs }) });
