/**
 * The local PDF job queue (SQS's role in AWS): jobs are merged by PDF within a short window and run
 * one batch at a time; the catalog job runs at most once per catalog window (a burst of product
 * changes renders it once, after them); a failed job is retried with backoff and, after its last
 * attempt, dead-lettered — without holding up the other jobs.
 */
import { appendFileSync } from 'node:fs';
import { imageRechecks, pdfJobKey, type PdfJob } from '../functions/shared/changes/pdf-jobs.js';
import type { PdfRunResult } from '../functions/pdf/worker.js';
import type { Logger } from '../functions/shared/ports.js';

export interface PdfQueueOptions {
  /** Merge window for sheet jobs, ms. @default 100 */
  windowMs?: number;
  /** The catalog renders at most once per this many ms. @default 5000 */
  catalogWindowMs?: number;
  /** Attempts per job before it is dead-lettered. @default 3 */
  attempts?: number;
  /** First retry delay, ms (doubles per attempt). @default 500 */
  backoffMs?: number;
  /** Delay before a sheet drawn with a placeholder (its image host failing) is tried again, ms; doubles per re-check. @default 30000 */
  recheckMs?: number;
  deadLetterFile: string;
  /**
   * Whether the site's own runs have work waiting (changes queued for the rebuild worker): jobs then
   * wait, merging, up to `maxDelayMs` after the first of them was queued, so a burst of changes
   * gets the cores first (in AWS the PDF function scales out beside the worker instead).
   */
  busy?: () => boolean;
  /** @default 10000 */
  maxDelayMs?: number;
}

export interface PdfQueueState {
  running: boolean;
  done: number;
  total: number;
  pending: number;
  deadLettered: number;
  last?: { at: string; rendered: number; uploaded: number; unchanged: number; failed: number };
}

type Runner = (jobs: readonly PdfJob[], onProgress?: (done: number, total: number) => void) => Promise<PdfRunResult>;

export class LocalPdfQueue {
  readonly #pending = new Map<string, { job: PdfJob; attempt: number }>();
  /** When the oldest waiting job (sheet or catalog) was queued. */
  #waitingSince: number | undefined;
  #catalog: { job: PdfJob; attempt: number } | undefined;
  #lastCatalogAt = Number.NEGATIVE_INFINITY;
  /** How long the last catalog took: a big catalog keeps at most a quarter of a render thread busy. */
  #lastCatalogMs = 0;
  #timer: NodeJS.Timeout | undefined;
  #chain: Promise<unknown> = Promise.resolve();
  #closed = false;
  readonly #retries = new Set<NodeJS.Timeout>();
  readonly state: PdfQueueState = { running: false, done: 0, total: 0, pending: 0, deadLettered: 0 };

  constructor(private readonly run: Runner, private readonly logger: Logger, private readonly options: PdfQueueOptions) {}

  /** Queues jobs (merged with pending ones for the same PDF). */
  add(jobs: readonly PdfJob[], attempt = 1): void {
    if (this.#closed) return;
    for (const job of jobs) {
      if (job.kind === 'catalog') this.#catalog ??= { job, attempt };
      else if (!this.#pending.has(pdfJobKey(job))) this.#pending.set(pdfJobKey(job), { job, attempt });
    }
    this.state.pending = this.#pending.size + (this.#catalog ? 1 : 0);
    if (this.state.pending > 0) this.#waitingSince ??= Date.now();
    this.#schedule();
  }

  /** Runs jobs now (after the batch in progress), bypassing the windows: `restatic pdfs`, start-up. */
  runNow(jobs: readonly PdfJob[], onProgress?: (done: number, total: number) => void): Promise<PdfRunResult> {
    const next = this.#chain.then(() => this.#run(jobs.map((job) => ({ job, attempt: 1 })), onProgress));
    this.#chain = next.catch(() => undefined);
    return next;
  }

  /** Resolves once nothing is pending, scheduled or running. */
  async idle(): Promise<void> {
    for (;;) {
      const chain = this.#chain;
      await chain;
      if (chain === this.#chain && !this.#timer && this.#pending.size === 0 && !this.#catalog && this.#retries.size === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    for (const t of this.#retries) clearTimeout(t);
    this.#retries.clear();
    await this.#chain;
  }

  #schedule(): void {
    if (this.#timer || this.#closed) return;
    const sheetsDue = this.#pending.size > 0 ? this.options.windowMs ?? 100 : Number.POSITIVE_INFINITY;
    const catalogDue = this.#catalog ? Math.max(0, this.#lastCatalogAt + this.#catalogWindow() - Date.now(), this.options.windowMs ?? 100) : Number.POSITIVE_INFINITY;
    const due = Math.min(sheetsDue, catalogDue);
    if (!Number.isFinite(due)) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#chain = this.#chain.then(() => this.#flush()).catch(() => undefined);
    }, due);
  }

  #catalogWindow(): number {
    return Math.max(this.options.catalogWindowMs ?? 5000, 4 * this.#lastCatalogMs);
  }

  async #flush(): Promise<void> {
    if (!this.#closed && this.options.busy?.() && Date.now() - (this.#waitingSince ?? Date.now()) < (this.options.maxDelayMs ?? 10_000)) {
      this.#schedule();
      return;
    }
    this.#waitingSince = undefined;
    const batch = [...this.#pending.values()];
    this.#pending.clear();
    // The catalog runs in a batch of its own, after the sheets: a sheet never waits for it.
    const catalog = this.#catalog && Date.now() - this.#lastCatalogAt >= this.#catalogWindow() ? this.#catalog : undefined;
    if (catalog) this.#catalog = undefined;
    this.state.pending = this.#pending.size + (this.#catalog ? 1 : 0) + (catalog ? 1 : 0);
    if (this.#catalog) this.#waitingSince = Date.now();
    if (batch.length) await this.#run(batch).catch(() => undefined);
    if (catalog) {
      const t0 = Date.now();
      await this.#run([catalog]).catch(() => undefined);
      this.#lastCatalogMs = Date.now() - t0;
    }
    this.#schedule();
  }

  async #run(batch: Array<{ job: PdfJob; attempt: number }>, onProgress?: (done: number, total: number) => void): Promise<PdfRunResult> {
    if (batch.some((b) => b.job.kind === 'catalog')) this.#lastCatalogAt = Date.now();
    Object.assign(this.state, { running: true, done: 0, total: batch.length });
    try {
      const result = await this.run(batch.map((b) => b.job), (done, total) => {
        Object.assign(this.state, { done, total });
        onProgress?.(done, total);
      });
      this.state.last = { at: new Date().toISOString(), rendered: result.rendered.length, uploaded: result.uploaded.length, unchanged: result.unchanged.length, failed: result.failed.length };
      for (const { job, error } of result.failed) this.#retry({ job, attempt: batch.find((b) => b.job === job)?.attempt ?? 1 }, error);
      for (const job of imageRechecks(result.degraded)) this.#later(job, (this.options.recheckMs ?? 30_000) * 2 ** ((job.kind === 'sheet' ? job.recheck ?? 1 : 1) - 1));
      return result;
    } catch (error) {
      // The whole batch failed (the worker thread died, the store is down): every job is retried.
      for (const b of batch) this.#retry(b, error as Error);
      throw error;
    } finally {
      this.state.running = false;
    }
  }

  #retry(entry: { job: PdfJob; attempt: number }, error: Error): void {
    if (entry.attempt >= (this.options.attempts ?? 3)) {
      appendFileSync(this.options.deadLetterFile, `${JSON.stringify({ job: entry.job, error: error.message, attempts: entry.attempt, at: new Date().toISOString() })}\n`);
      this.state.deadLettered++;
      this.logger.error('PDF job dead-lettered', { job: entry.job, correlation_id: entry.job.correlationId, attempts: entry.attempt, error: error.message });
      return;
    }
    this.#later(entry.job, (this.options.backoffMs ?? 500) * 2 ** (entry.attempt - 1), entry.attempt + 1);
  }

  #later(job: PdfJob, ms: number, attempt = 1): void {
    if (this.#closed) return;
    const timer = setTimeout(() => {
      this.#retries.delete(timer);
      this.add([job], attempt);
    }, ms);
    this.#retries.add(timer);
  }
}
