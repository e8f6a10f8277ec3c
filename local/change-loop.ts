/**
 * The local rebuild loop (what SQS + the rebuild Lambda do in AWS): waits a short coalescing window
 * after a change arrives, runs the worker on everything queued, retries a failing run with backoff,
 * re-queues envelopes the content source has not caught up with, dead-letters what keeps failing
 * (`restatic replay` re-drives those), and records each change's stages in the status log.
 */
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { runIsolated } from '../functions/rebuild/isolate.js';
import type { RebuildResult, RebuildWorker } from '../functions/rebuild/worker.js';
import type { ChangeEnvelope } from '../functions/shared/changes/envelope.js';
import { isRetryable } from '../functions/shared/errors.js';
import type { JsonLogger } from '../functions/shared/logger.js';
import type { RejectedProduct } from '../functions/shared/ports.js';
import { sleep } from '../functions/shared/sleep.js';
import type { JournalQueue } from './journal-queue.js';
import { pagesOfRun, type StatusLog } from './status.js';

export interface ChangeLoopOptions {
  /** Coalescing window after the first change of a burst, ms. @default 50 */
  windowMs?: number;
  /**
   * A run starts at least this long after the previous one started, ms (the preview: an editor's
   * auto-saves every few seconds make one run per interval, the latest draft winning). @default 0
   */
  minIntervalMs?: number;
  /** Attempts of a failing run before its changes are dead-lettered. @default 3 */
  attempts?: number;
  /** First backoff between attempts, ms. @default 200 */
  backoffMs?: number;
  /** Re-deliveries of an envelope the content source has not caught up with. @default 5 */
  maxRedeliveries?: number;
  deadLetterFile: string;
  /** Hears of the envelopes each run processed, and its result (fan-out: PDF jobs). */
  onProcessed?: (envelopes: ChangeEnvelope[], result: RebuildResult) => void;
  /** Hears of the instants the last run asks a run for (pages that change with time). */
  onSchedule?: (instants: number[]) => void;
}

/** How many run results the loop keeps (a full build's lists every object it uploaded). */
export const RECENT_RUNS = 50;

export class ChangeLoop {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> = Promise.resolve();
  #closed = false;
  #lastStart = -Infinity;
  /** The results of the last RECENT_RUNS runs, oldest first (a stack runs for days: older ones go). */
  readonly recent: RebuildResult[] = [];
  /** Runs since the loop started. */
  runCount = 0;
  /** Attempts that threw (each retried with backoff, then dead-lettered): a failed run also drops the worker's warm cache. */
  failedRuns = 0;
  readonly #watchers = new Set<(result: RebuildResult) => void>();
  /** Products whose table item breaks the rules (their pages are withdrawn), until a valid write. */
  readonly rejected = new Map<string, RejectedProduct & { at: string; correlationId: string }>();

  constructor(
    private readonly journal: JournalQueue,
    private readonly worker: Pick<RebuildWorker, 'run'>,
    private readonly status: StatusLog,
    private readonly logger: JsonLogger,
    private readonly options: ChangeLoopOptions,
  ) {
    journal.onAppend(() => this.#schedule());
  }

  /** Processes what a previous process left in the journal, then follows new appends. */
  start(): void {
    this.#schedule();
  }

  /** Resolves when everything queued so far has been processed. */
  async idle(): Promise<void> {
    for (;;) {
      const running = this.#running;
      await running;
      if (running === this.#running && !this.#timer) return;
      await sleep(10);
    }
  }

  /** Hears of every run's result from now on, until the returned function is called. */
  watch(listener: (result: RebuildResult) => void): () => void {
    this.#watchers.add(listener);
    return () => this.#watchers.delete(listener);
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  #schedule(): void {
    if (this.#closed || this.#timer) return;
    const wait = Math.max(this.options.windowMs ?? 50, this.#lastStart + (this.options.minIntervalMs ?? 0) - Date.now());
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#running = this.#running.then(() => this.#drain());
    }, wait);
  }

  async #drain(): Promise<void> {
    const { envelopes, end } = this.journal.pending();
    if (envelopes.length === 0) return;
    this.#lastStart = Date.now();
    const attempts = this.options.attempts ?? 3;
    for (let attempt = 1; ; attempt++) {
      try {
        // A change that fails on its own is split off (and dead-lettered below); the rest go live.
        const result = await runIsolated(this.worker, envelopes, this.logger);
        this.runCount++;
        this.recent.push(result);
        if (this.recent.length > RECENT_RUNS) this.recent.shift();
        for (const watcher of this.#watchers) watcher(result);
        this.#record(envelopes, result);
        this.journal.commit(end);
        const failed = new Set(result.failed.map((f) => f.envelope));
        this.options.onProcessed?.(envelopes.filter((e) => !failed.has(e)), result);
        if (result.schedule) this.options.onSchedule?.(result.schedule);
        await this.#redeliver(result.failed);
        return;
      } catch (error) {
        this.failedRuns++;
        this.logger.error('rebuild run failed', { attempt, changes: envelopes.length, error, correlation_ids: envelopes.map((e) => e.correlationId) });
        if (attempt >= attempts) {
          this.#deadLetter(envelopes, error as Error);
          this.journal.commit(end);
          return;
        }
        await sleep((this.options.backoffMs ?? 200) * 2 ** (attempt - 1));
      }
    }
  }

  async #redeliver(failed: RebuildResult['failed']): Promise<void> {
    const again: ChangeEnvelope[] = [];
    for (const { envelope, error } of failed) {
      const attempt = (envelope.attempt ?? 1) + 1;
      // Poison (fails alone, for a reason retrying cannot fix) goes to the dead letters at once.
      if (!isRetryable(error) || attempt > (this.options.maxRedeliveries ?? 5)) this.#deadLetter([envelope], error);
      else again.push({ ...envelope, attempt });
    }
    if (again.length) {
      await sleep(500);
      await this.journal.send(again);
    }
  }

  #record(envelopes: readonly ChangeEnvelope[], result: RebuildResult): void {
    const at = new Date().toISOString();
    const skipped = new Set(result.skipped);
    const failed = new Set(result.failed.map((f) => f.envelope));
    const live = new Set(envelopes.filter((e) => !skipped.has(e) && !failed.has(e)));
    const rejected = new Map((result.rejected ?? []).map((r) => [r.sku, r]));
    for (const e of live) {
      if (e.kind !== 'Product') continue;
      const bad = rejected.get(e.id);
      if (bad) this.rejected.set(e.id, { ...bad, at, correlationId: e.correlationId });
      else this.rejected.delete(e.id);
    }
    for (const envelope of envelopes) {
      const record = this.status.find(envelope.correlationId);
      if (!record) continue;
      if (failed.has(envelope)) {
        record.errors.push(result.failed.find((f) => f.envelope === envelope)!.error.message);
        continue;
      }
      if (skipped.has(envelope)) {
        // Another delivery of the same change in this batch carries it: that one's record says so.
        if ([...live].some((e) => e.correlationId === envelope.correlationId)) continue;
        // Another change of the record in this batch carries it, or what is live is as new already.
        const twin = [...live].find((e) => e.kind === envelope.kind && e.id === envelope.id);
        record.stages.skipped = at;
        record.duplicateOf = `${envelope.kind === 'Product' ? 'sku' : 'entry'} ${envelope.id} version ${twin?.version ?? envelope.version}${twin ? '' : ' (already live)'}`;
        this.status.save(record);
        continue;
      }
      Object.assign(record.stages, result.stages);
      record.warnings.push(...result.warnings);
      const bad = envelope.kind === 'Product' ? rejected.get(envelope.id) : undefined;
      if (bad) record.warnings.push(`${bad.message}: the product's pages are withdrawn until a valid version is written`);
      record.pagesRebuilt = result.fullBuild?.pages ?? result.rendered.length;
      if (result.fullBuild) record.fullBuild = result.fullBuild.reason;
      Object.assign(record, pagesOfRun(result.renderedPages));
      record.objectsUploaded = result.uploaded.length;
      record.objectsDeleted = result.deleted.length;
      record.pathsInvalidated = result.invalidated;
      this.status.save(record);
      this.logger.info('change live', { correlation_id: envelope.correlationId, id: envelope.id, mode: result.mode, pages: result.rendered.length, pages_by_market: record.pagesByMarket, uploaded: result.uploaded.length, invalidated: result.invalidated.length });
    }
  }

  #deadLetter(envelopes: readonly ChangeEnvelope[], error: Error): void {
    const at = new Date().toISOString();
    appendFileSync(this.options.deadLetterFile, envelopes.map((envelope) => `${JSON.stringify({ envelope, error: error.message, at })}\n`).join(''));
    for (const envelope of envelopes) {
      const record = this.status.find(envelope.correlationId);
      if (!record) continue;
      record.stages.deadLettered = at;
      record.errors.push(error.message);
      this.status.save(record);
    }
    this.logger.error('changes dead-lettered', { count: envelopes.length, error: error.message });
  }

  /** Re-queues every dead letter (`restatic replay`); returns how many. */
  async replay(): Promise<number> {
    let text = '';
    try {
      text = readFileSync(this.options.deadLetterFile, 'utf8');
    } catch {
      return 0;
    }
    const envelopes = text.split('\n').filter(Boolean).map((line) => ({ ...(JSON.parse(line) as { envelope: ChangeEnvelope }).envelope, attempt: 1 }));
    writeFileSync(this.options.deadLetterFile, '');
    await this.journal.send(envelopes);
    return envelopes.length;
  }
}
