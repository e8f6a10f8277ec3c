/**
 * The local event source mapping of the products table's stream: reads the stream log the capture
 * appends to (local/dynamodb-stream.ts) in batches of up to 100 records, in order, and hands each
 * batch to the same stream handler core as the Lambda, as Lambda's poller would: a batch whose
 * records all succeed is checkpointed; on a reported failure the stream is retried from the first
 * failed record, and a record that keeps failing goes to the on-failure file after 5 retries
 * (the CDK event source: batchSize 100, retryAttempts 5, ReportBatchItemFailures).
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { Logger } from '../functions/shared/ports.js';
import { sleep } from '../functions/shared/sleep.js';
import type { StreamNotice } from './dynamodb-stream.js';
import { JournalQueue } from './journal-queue.js';

/** The stream event source's settings, shared with the CDK's DynamoEventSource. */
export const STREAM_BATCH_SIZE = 100;
export const STREAM_RETRY_ATTEMPTS = 5;

export interface StreamPollerOptions {
  /** Where records that failed every retry go (the on-failure destination). */
  failuresFile: string;
  batchSize?: number;
  retryAttempts?: number;
  /** Backoff before a retry, ms (doubles per attempt, at most 5 s). @default 100 */
  retryDelayMs?: number;
  /** Without a notice, look at the log this often, ms. @default 1000 */
  idleMs?: number;
}

export class StreamPoller {
  readonly #log: JournalQueue<DynamoDBRecord>;
  readonly #handle: (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | void>;
  readonly #logger: Logger;
  readonly #options: Required<StreamPollerOptions>;
  #running: Promise<void> | undefined;
  #stopped = false;
  #wake: (() => void) | undefined;
  #woken = false;
  /** Failed attempts of the record at the head of the stream (by sequence number). */
  #attempts = new Map<string, number>();
  /** The sequence number of the last record checkpointed, and who waits for one. */
  #handledUpTo = -1n;
  #handledWaiters: Array<{ sequence: bigint; resolve: () => void }> = [];

  constructor(file: string, handle: (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | void>, logger: Logger, options: StreamPollerOptions) {
    this.#log = new JournalQueue<DynamoDBRecord>(file);
    this.#handle = handle;
    this.#logger = logger;
    this.#options = { batchSize: STREAM_BATCH_SIZE, retryAttempts: STREAM_RETRY_ATTEMPTS, retryDelayMs: 100, idleMs: 1000, ...options };
  }

  /**
   * Checkpoints everything in the log now: the records a full build that starts after this call
   * will read anyway (the seed's, or writes left by a stop or crash).
   */
  skipToEnd(): number {
    const { envelopes, end } = this.#log.pending();
    this.#log.commit(end);
    if (envelopes.length) this.#checkpoint(envelopes, envelopes.length, envelopes.map(() => end));
    return envelopes.length;
  }

  /** Records not yet handled. */
  backlog(): number {
    return this.#log.pending().envelopes.length;
  }


  /**
   * Resolves once the record with this sequence number has been handled (its envelope queued, or
   * written to the on-failure file): a writer that must answer "queued" waits for it.
   */
  handled(sequenceNumber: string): Promise<void> {
    const sequence = BigInt(sequenceNumber);
    if (sequence <= this.#handledUpTo) return Promise.resolve();
    return new Promise((resolve) => this.#handledWaiters.push({ sequence, resolve }));
  }

  start(): void {
    this.#running ??= this.#loop();
  }

  /** A record was appended: poll now. */
  notify(): void {
    this.#woken = true;
    this.#wake?.();
  }

  async close(): Promise<void> {
    this.#stopped = true;
    this.#wake?.();
    await this.#running;
  }

  async #loop(): Promise<void> {
    while (!this.#stopped) {
      this.#woken = false;
      const handled = await this.poll();
      if (handled === 'retry') await sleep(this.#retryDelay());
      else if (handled === 0 && !this.#woken && !this.#stopped) await this.#idle();
    }
  }

  /** One poll: handles the next batch; the number of records checkpointed, or 'retry'. */
  async poll(): Promise<number | 'retry'> {
    const { envelopes: records, ends } = this.#log.pending(this.#options.batchSize);
    if (records.length === 0) return 0;
    let failedAt: number;
    try {
      const response = await this.#handle({ Records: records });
      const failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
      failedAt = records.findIndex((r) => failed.has(r.dynamodb?.SequenceNumber ?? ''));
    } catch (error) {
      this.#logger.warn('stream batch failed; retrying it', { records: records.length, error: String(error) });
      failedAt = 0;
    }
    if (failedAt < 0) {
      this.#checkpoint(records, records.length, ends);
      this.#attempts.clear();
      return records.length;
    }
    // The stream resumes at the first failed record: those before it are done.
    if (failedAt > 0) this.#checkpoint(records, failedAt, ends);
    const head = records[failedAt]!;
    const key = head.dynamodb?.SequenceNumber ?? '';
    const attempts = (this.#attempts.get(key) ?? 0) + 1;
    this.#attempts.clear();
    if (attempts <= this.#options.retryAttempts) {
      this.#attempts.set(key, attempts);
      return failedAt > 0 ? failedAt : 'retry';
    }
    mkdirSync(dirname(this.#options.failuresFile), { recursive: true });
    appendFileSync(this.#options.failuresFile, `${JSON.stringify({ failedAt: new Date().toISOString(), attempts, record: head })}\n`);
    this.#logger.error('stream record failed every retry; written to the on-failure file', { sku: head.dynamodb?.Keys?.sku?.S, sequenceNumber: key, file: this.#options.failuresFile });
    this.#checkpoint(records, failedAt + 1, ends);
    return failedAt + 1;
  }

  /** Commits the first `count` records of the batch and wakes who waited for them. */
  #checkpoint(records: readonly DynamoDBRecord[], count: number, ends: readonly number[]): void {
    this.#log.commit(ends[count - 1]!);
    const last = records[count - 1]?.dynamodb?.SequenceNumber;
    if (last && /^\d+$/.test(last) && BigInt(last) > this.#handledUpTo) this.#handledUpTo = BigInt(last);
    const ready = this.#handledWaiters.filter((w) => w.sequence <= this.#handledUpTo);
    this.#handledWaiters = this.#handledWaiters.filter((w) => w.sequence > this.#handledUpTo);
    for (const w of ready) w.resolve();
  }

  #retryDelay(): number {
    const attempts = Math.max(1, ...this.#attempts.values());
    return Math.min(5000, this.#options.retryDelayMs * 2 ** (attempts - 1));
  }

  #idle(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.#options.idleMs);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = () => { this.#wake = undefined; done(); };
    });
  }
}

/**
 * Lets a local writer learn which stream record its write made: it asks before writing, and the
 * next notice for that sku answers (writes of one key are recorded in commit order).
 */
export class StreamReceipts {
  readonly #waiting = new Map<string, Array<(notice: StreamNotice | undefined) => void>>();

  /**
   * Expects a write of `sku`: `notice` is the next notice for it (undefined after `timeoutMs`
   * without one); `cancel` withdraws the expectation (the write failed before reaching the table).
   */
  expect(sku: string, timeoutMs = 10_000): { notice: Promise<StreamNotice | undefined>; cancel(): void } {
    let answer!: (notice: StreamNotice | undefined) => void;
    const notice = new Promise<StreamNotice | undefined>((resolve) => {
      answer = (n) => {
        clearTimeout(timer);
        resolve(n);
      };
    });
    const withdraw = () => {
      const rest = (this.#waiting.get(sku) ?? []).filter((w) => w !== answer);
      if (rest.length) this.#waiting.set(sku, rest);
      else this.#waiting.delete(sku);
      answer(undefined);
    };
    const timer = setTimeout(withdraw, timeoutMs);
    timer.unref();
    this.#waiting.set(sku, [...(this.#waiting.get(sku) ?? []), answer]);
    return { notice, cancel: withdraw };
  }

  deliver(notice: StreamNotice): void {
    const queue = this.#waiting.get(notice.sku);
    const first = queue?.shift();
    if (queue && queue.length === 0) this.#waiting.delete(notice.sku);
    first?.(notice);
  }
}
