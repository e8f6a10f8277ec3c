/** Lambda: products table stream (NEW_AND_OLD_IMAGES) → change envelopes on the rebuild queue, PDF jobs on the PDF queues. */
import { SQSClient } from '@aws-sdk/client-sqs';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { createPdfJobQueues } from '../shared/adapters/pdf-job-queues.js';
import { createSqsQueue } from '../shared/adapters/sqs-queue.js';
import { requireEnv } from '../shared/env.js';
import { forwardStreamRecord } from './stream.js';

const logger = new Logger({ serviceName: 'restatic-catalog-stream' });
const sqs = new SQSClient({});
const queue = createSqsQueue({ queueUrl: requireEnv('CHANGES_QUEUE_URL'), client: sqs });
// PDF fan-out: one job per affected PDF, only for fields a PDF shows.
const pdfJobs = createPdfJobQueues({ client: sqs, jobsQueueUrl: requireEnv('PDF_QUEUE_URL'), catalogQueueUrl: requireEnv('PDF_CATALOG_QUEUE_URL'), windowSeconds: Number(process.env.PDF_CATALOG_WINDOW_SECONDS ?? 60) });
const processor = new BatchProcessor(EventType.DynamoDBStreams);

async function recordHandler(record: DynamoDBRecord): Promise<void> {
  await forwardStreamRecord({ queue, pdfJobs, logger }, record);
}

export const handler = (event: DynamoDBStreamEvent) => processPartialResponse(event, recordHandler, processor);
