/**
 * The shared half of every SQS-fed handler: read a batch's messages (an unreadable one fails on its
 * own and, after maxReceiveCount, reaches the dead-letter queue), and answer with the partial batch
 * failures — for a FIFO queue, every message after the first failure too, keeping the group's order.
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { Logger } from './ports.js';

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
