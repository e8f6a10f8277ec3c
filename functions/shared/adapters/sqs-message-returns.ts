/** MessageReturns on Amazon SQS: ChangeMessageVisibilityBatch on the queue the messages came from. */
import { ChangeMessageVisibilityBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { isTransientAwsError } from '../errors.js';
import type { MessageReturns } from '../ports.js';
import { QueueError } from './sqs-queue.js';

/** Entries per ChangeMessageVisibilityBatch call (SQS's limit). */
const BATCH = 10;

export function createSqsMessageReturns({ client, queueUrl }: { client: SQSClient; queueUrl: string }): MessageReturns {
  return {
    async retryAfter(messages) {
      for (let i = 0; i < messages.length; i += BATCH) {
        const chunk = messages.slice(i, i + BATCH);
        let failed;
        try {
          failed = (await client.send(new ChangeMessageVisibilityBatchCommand({
            QueueUrl: queueUrl, Entries: chunk.map((m, n) => ({ Id: String(n), ReceiptHandle: m.receiptHandle, VisibilityTimeout: m.seconds })),
          }))).Failed ?? [];
        } catch (error) {
          throw new QueueError(`SQS ChangeMessageVisibilityBatch on ${queueUrl} failed for ${chunk.length} message(s): ${error instanceof Error ? error.message : String(error)}`, { cause: error, retryable: isTransientAwsError(error) });
        }
        const first = failed[0];
        if (first) throw new QueueError(`Expected SQS to change the visibility of ${chunk.length} message(s) on ${queueUrl}, ${failed.length} failed, first: ${first.Code} ${first.Message ?? ''}`.trim(), { retryable: !first.SenderFault });
      }
    },
  };
}
