/**
 * Where PDF jobs go in AWS: sheet and CMS jobs to the PDF queue (standard: any number of workers),
 * catalog jobs to a FIFO queue with a queue-level delay equal to the coalescing window and one
 * de-duplication id per window — so the catalog renders at most once per window, always after the
 * changes that asked for it.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import { pdfJobKey, type PdfJob } from '../changes/pdf-jobs.js';
import type { Queue } from '../ports.js';
import { createSqsQueue } from './sqs-queue.js';

export interface PdfJobQueuesOptions {
  client: SQSClient;
  jobsQueueUrl: string;
  catalogQueueUrl: string;
  /** The catalog's coalescing window (the FIFO queue's DelaySeconds should match it). */
  windowSeconds: number;
  now?: () => number;
}

export function createPdfJobQueues(options: PdfJobQueuesOptions): Queue<PdfJob> {
  const now = options.now ?? Date.now;
  const jobs = createSqsQueue<PdfJob>({ queueUrl: options.jobsQueueUrl, client: options.client, describe: pdfJobKey });
  const catalog = createSqsQueue<PdfJob>({
    queueUrl: options.catalogQueueUrl, client: options.client, groupId: 'catalog', describe: pdfJobKey,
    dedupId: () => `catalog@${Math.floor(now() / (options.windowSeconds * 1000))}`,
  });
  return {
    async send(messages) {
      const catalogJobs = messages.filter((m) => m.kind === 'catalog');
      const others = messages.filter((m) => m.kind !== 'catalog');
      await Promise.all([others.length ? jobs.send(others) : undefined, catalogJobs.length ? catalog.send(catalogJobs.slice(0, 1)) : undefined]);
    },
  };
}
