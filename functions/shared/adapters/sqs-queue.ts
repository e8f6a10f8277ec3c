/**
 * Queue on Amazon SQS. With a FIFO queue all messages share one group, so runs for the site never
 * interleave; the deduplication id (record + version, of each change in a pack) drops Contentful's
 * occasional double delivery within SQS's 5-minute window (the worker's version fence catches the
 * rest). With `pack`, several items travel in one message: a consumer that takes 10 messages at a
 * time then takes up to 10 packs.
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
  /**
   * Up to this many items travel in one SQS message, as a JSON array (the consumer reads both
   * forms): a Lambda takes at most 10 messages of a FIFO queue per batch, so a stream batch's
   * changes packed together let one run take up to 10 × `pack`. @default 1 (one item per message)
   */
  pack?: number;
}

/** Bytes per message body and per SendMessageBatch call, under SQS's 256 KiB limits with room for attributes. */
const MAX_BODY_BYTES = 200_000;

export function createSqsQueue<T = ChangeEnvelope>(options: SqsQueueOptions<T>): Queue<T> {
  const dedupId = options.dedupId ?? ((m: T) => `${recordKey(m as ChangeEnvelope)}@${(m as ChangeEnvelope).version}`);
  const describe = options.describe ?? ((m: T) => (m as ChangeEnvelope).id);
  const fifo = options.queueUrl.endsWith('.fifo');
  const pack = Math.max(1, options.pack ?? 1);
  /** The messages' bodies: single items as they are, packs as arrays no longer than `pack` or `MAX_BODY_BYTES`. */
  const bodies = (items: readonly T[]) => {
    const out: Array<{ body: string; items: T[] }> = [];
    let current: { jsons: string[]; items: T[]; bytes: number } = { jsons: [], items: [], bytes: 2 };
    const close = () => out.push({ body: pack === 1 ? current.jsons[0]! : `[${current.jsons.join(',')}]`, items: current.items });
    for (const m of items) {
      const json = JSON.stringify(m);
      const size = Buffer.byteLength(json) + 1;
      if (current.items.length && (current.items.length === pack || current.bytes + size > MAX_BODY_BYTES)) {
        close();
        current = { jsons: [], items: [], bytes: 2 };
      }
      current.jsons.push(json);
      current.items.push(m);
      current.bytes += size;
    }
    if (current.items.length) close();
    return out;
  };
  return {
    async send(messages) {
      const all = bodies(messages);
      for (let i = 0; i < all.length;) {
        // At most 10 entries and MAX_BODY_BYTES of bodies per call.
        const chunk = [all[i++]!];
        let bytes = Buffer.byteLength(chunk[0]!.body);
        while (i < all.length && chunk.length < 10 && bytes + Buffer.byteLength(all[i]!.body) <= MAX_BODY_BYTES) {
          bytes += Buffer.byteLength(all[i]!.body);
          chunk.push(all[i++]!);
        }
        const entries = chunk.map((m, j) => ({
          Id: String(j),
          MessageBody: m.body,
          ...(options.delaySeconds !== undefined && !fifo ? { DelaySeconds: options.delaySeconds } : {}),
          ...(fifo ? {
            MessageGroupId: options.groupId ?? 'site',
            MessageDeduplicationId: createHash('sha256').update(m.items.map(dedupId).join('\n')).digest('hex').slice(0, 64),
          } : {}),
        }));
        const count = chunk.reduce((n, m) => n + m.items.length, 0);
        let out;
        try {
          out = await options.client.send(new SendMessageBatchCommand({ QueueUrl: options.queueUrl, Entries: entries }));
        } catch (error) {
          throw new QueueError(`SQS SendMessageBatch of ${chunk.length} message(s) (${count} item(s)) failed: ${(error as Error).message}`, { cause: error, retryable: isTransientAwsError(error) });
        }
        if (out.Failed?.length) {
          const first = out.Failed[0]!;
          const refused = chunk[Number(first.Id)];
          throw new QueueError(`SQS refused ${out.Failed.length} message(s), first ${refused === undefined ? '?' : refused.items.map(describe).join(', ')}: ${first.Code} ${first.Message ?? ''}`, { retryable: !first.SenderFault });
        }
      }
    },
  };
}
