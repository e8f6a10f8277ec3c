/**
 * Queue on Amazon SQS. With a FIFO queue all messages share one group, so runs for the site never
 * interleave; the deduplication id (record + version) drops Contentful's occasional double delivery
 * within SQS's 5-minute window (the worker's version fence catches the rest).
 */
import { createHash } from 'node:crypto';
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { recordKey, type ChangeEnvelope } from '../changes/envelope.js';
import { RestaticError, isTransientAwsError } from '../errors.js';
import type { Queue } from '../ports.js';

export class QueueError extends RestaticError {}

export function createSqsQueue(options: { queueUrl: string; client: SQSClient; groupId?: string }): Queue<ChangeEnvelope> {
  const fifo = options.queueUrl.endsWith('.fifo');
  return {
    async send(messages) {
      for (let i = 0; i < messages.length; i += 10) {
        const chunk = messages.slice(i, i + 10);
        const entries = chunk.map((m, j) => ({
          Id: String(j),
          MessageBody: JSON.stringify(m),
          ...(fifo ? {
            MessageGroupId: options.groupId ?? 'site',
            MessageDeduplicationId: createHash('sha256').update(`${recordKey(m)}@${m.version}`).digest('hex').slice(0, 64),
          } : {}),
        }));
        let out;
        try {
          out = await options.client.send(new SendMessageBatchCommand({ QueueUrl: options.queueUrl, Entries: entries }));
        } catch (error) {
          throw new QueueError(`SQS SendMessageBatch of ${chunk.length} change(s) failed: ${(error as Error).message}`, { cause: error, retryable: isTransientAwsError(error) });
        }
        if (out.Failed?.length) {
          const first = out.Failed[0]!;
          throw new QueueError(`SQS refused ${out.Failed.length} change(s), first ${chunk[Number(first.Id)]?.id}: ${first.Code} ${first.Message ?? ''}`, { retryable: !first.SenderFault });
        }
      }
    },
  };
}
