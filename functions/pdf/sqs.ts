/** SQS batch ⇄ the PDF worker: one run per batch (one invalidation), partial batch failures reported (FIFO order kept for the catalog queue). */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { imageRechecks, type PdfJob } from '../shared/changes/pdf-jobs.js';
import type { Logger, Queue } from '../shared/ports.js';
import { batchResponse, readBatch } from '../shared/sqs-batch.js';
import type { PdfWorker } from './worker.js';

/** A job from a message body, or undefined when it is not one (it then fails, and ends in the DLQ). */
export function parsePdfJob(body: string): PdfJob | undefined {
  try {
    const job = JSON.parse(body) as Partial<PdfJob> & Record<string, unknown>;
    if (typeof job?.correlationId !== 'string') return undefined;
    if (job.kind === 'sheet' && typeof job.sku === 'string' && /^[A-Za-z0-9._-]{1,50}$/.test(job.sku)) return job as PdfJob;
    if (job.kind === 'catalog') return job as PdfJob;
    if (job.kind === 'content' && typeof job.entryId === 'string') return job as PdfJob;
    return undefined;
  } catch {
    return undefined;
  }
}

/**
 * The Lambda handler over a PDF worker: failed jobs (and unreadable messages) go back to the queue.
 * Sheets published with a placeholder for an image whose host failed go to `rechecks` (a delayed
 * send), a bounded number of times; a failure to send them only costs the re-check.
 */
export function createPdfHandler(worker: Pick<PdfWorker, 'run'>, logger: Logger, rechecks?: Queue<PdfJob>) {
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const { messages: byMessage, failed } = readBatch(event, parsePdfJob, logger, 'PDF job');
    try {
      const result = await worker.run([...byMessage.values()]);
      const failedJobs = new Set(result.failed.map((f) => f.job));
      for (const [messageId, job] of byMessage) if (failedJobs.has(job)) failed.add(messageId);
      const again = imageRechecks(result.degraded);
      if (rechecks && again.length) await rechecks.send(again).catch((error: unknown) => logger.warn('could not queue image re-checks', { error: String(error), jobs: again.length }));
      logger.info('PDF run', { rendered: result.rendered.length, uploaded: result.uploaded.length, unchanged: result.unchanged.length, deleted: result.deleted.length, invalidated: result.invalidated.length, enqueued: result.enqueued, failed: failed.size, correlation_ids: [...new Set([...byMessage.values()].map((j) => j.correlationId))] });
    } catch (error) {
      logger.error('PDF run failed; the whole batch returns to the queue', { error: String(error) });
      for (const messageId of byMessage.keys()) failed.add(messageId);
    }
    return batchResponse(event, failed);
  };
}
