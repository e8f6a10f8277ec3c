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

export interface SqsQueueOptions<T> {
  queueUrl: string;
  client: SQSClient;
  /** FIFO only: the message group (one group = strictly one at a time). */
  groupId?: string;
  /** FIFO only: the de-duplication id of a message (default: a change envelope's record + version). */
  dedupId?: (message: T) => string;
  /** Names a message in errors. */
  describe?: (message: T) => string;
  /** Standard queues only: each message becomes visible this many seconds after it is sent (≤ 900). */
  delaySeconds?: number;
}

export function createSqsQueue<T = ChangeEnvelope>(options: SqsQueueOptions<T>): Queue<T> {
  const dedupId = options.dedupId ?? ((m: T) => `${recordKey(m as ChangeEnvelope)}@${(m as ChangeEnvelope).version}`);
  const describe = options.describe ?? ((m: T) => (m as ChangeEnvelope).id);
  const fifo = options.queueUrl.endsWith('.fifo');
  return {
    async send(messages) {
      for (let i = 0; i < messages.length; i += 10) {
        const chunk = messages.slice(i, i + 10);
        const entries = chunk.map((m, j) => ({
          Id: String(j),
          MessageBody: JSON.stringify(m),
          ...(options.delaySeconds !== undefined && !fifo ? { DelaySeconds: options.delaySeconds } : {}),
          ...(fifo ? {
            MessageGroupId: options.groupId ?? 'site',
            MessageDeduplicationId: createHash('sha256').update(dedupId(m)).digest('hex').slice(0, 64),
          } : {}),
        }));
        let out;
        try {
          out = await options.client.send(new SendMessageBatchCommand({ QueueUrl: options.queueUrl, Entries: entries }));
        } catch (error) {
          throw new QueueError(`SQS SendMessageBatch of ${chunk.length} message(s) failed: ${(error as Error).message}`, { cause: error, retryable: isTransientAwsError(error) });
        }
        if (out.Failed?.length) {
          const first = out.Failed[0]!;
          throw new QueueError(`SQS refused ${out.Failed.length} message(s), first ${chunk[Number(first.Id)] === undefined ? '?' : describe(chunk[Number(first.Id)]!)}: ${first.Code} ${first.Message ?? ''}`, { retryable: !first.SenderFault });
        }
      }
    },
  };
}
