/** Lambda: the rebuild worker, fed by the changes queue (SQS, ReportBatchItemFailures); fans CMS changes out to PDF jobs. */
import { SQSClient } from '@aws-sdk/client-sqs';
import { Logger } from '@aws-lambda-powertools/logger';
import { createPdfJobQueues } from '../shared/adapters/pdf-job-queues.js';
import { pdfJobsFor } from '../shared/changes/pdf-jobs.js';
import { requireEnv } from '../shared/env.js';
import { workerFromEnv } from './lambda-deps.js';
import { createWorkerHandler } from './sqs.js';

const logger = new Logger({ serviceName: 'restatic-rebuild' });
const { worker } = await workerFromEnv(logger);
const pdfJobs = createPdfJobQueues({ client: new SQSClient({}), jobsQueueUrl: requireEnv('PDF_QUEUE_URL'), catalogQueueUrl: requireEnv('PDF_CATALOG_QUEUE_URL'), windowSeconds: Number(process.env.PDF_CATALOG_WINDOW_SECONDS ?? 60) });

// CMS changes reach the PDFs that show them (product changes fan out from the stream consumer).
export const handler = createWorkerHandler(worker, logger, async (processed) => {
  const jobs = pdfJobsFor(processed.filter((e) => e.kind !== 'Product'));
  if (jobs.length) await pdfJobs.send(jobs);
});
