/**
 * The shared half of every SQS-fed handler: read a batch's messages (an unreadable one fails on its
 * own and, after maxReceiveCount, reaches the dead-letter queue), and answer with the partial batch
 * failures — for a FIFO queue, every message after the first failure too, keeping the group's order.
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { Logger, MessageReturns } from './ports.js';

/** The batch's readable messages by message id, and the ids of those that are not. */
export function readBatch<T>(event: SQSEvent, parse: (body: string) => T | undefined, logger: Logger, what: string): { messages: Map<string, T>; failed: Set<string> } {
  const messages = new Map<string, T>();
  const failed = new Set<string>();
  for (const record of event.Records) {
    const message = parse(record.body);
    if (message !== undefined) messages.set(record.messageId, message);
    else {
      logger.error(`unreadable ${what}`, { messageId: record.messageId, body: record.body.slice(0, 200) });
      failed.add(record.messageId);
    }
  }
  return { messages, failed };
}

/** The partial batch response for the failed message ids. */
export function batchResponse(event: SQSEvent, failed: ReadonlySet<string>): SQSBatchResponse {
  const fifo = event.Records[0]?.eventSourceARN?.endsWith('.fifo') ?? false;
  const firstFailed = event.Records.findIndex((r) => failed.has(r.messageId));
  const ids = fifo && firstFailed >= 0 ? event.Records.slice(firstFailed).map((r) => r.messageId) : event.Records.filter((r) => failed.has(r.messageId)).map((r) => r.messageId);
  return { batchItemFailures: ids.map((itemIdentifier) => ({ itemIdentifier })) };
}

/** Seconds before a failed message's next attempt: 20 after its first receive, doubling with each, at most 15 minutes. */
export function retryDelaySeconds(receiveCount: number): number {
  const attempt = Number.isInteger(receiveCount) && receiveCount > 0 ? receiveCount : 1;
  return Math.min(900, 20 * 2 ** Math.min(attempt - 1, 10));
}

/**
 * Gives the failed messages of `response` back to the queue after their backoff instead of the
 * queue's visibility timeout (90 minutes for a 15-minute function). If that fails, they come back
 * when the timeout ends, as before: a warning, never a failed batch.
 */
export async function returnSooner(event: SQSEvent, response: SQSBatchResponse, returns: MessageReturns | undefined, logger: Logger): Promise<void> {
  if (!returns || response.batchItemFailures.length === 0) return;
  const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
  const messages = event.Records.filter((r) => failed.has(r.messageId)).map((r) => ({ receiptHandle: r.receiptHandle, seconds: retryDelaySeconds(Number(r.attributes?.ApproximateReceiveCount)) }));
  try {
    await returns.retryAfter(messages);
  } catch (error) {
    logger.warn('could not give failed messages back to the queue sooner; they return when its visibility timeout ends', { count: messages.length, error: String(error) });
  }
}
