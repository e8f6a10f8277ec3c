/**
 * The local search refresh in its own thread, as it runs in its own Lambda: indexing the whole live
 * site is seconds of work that must not stall the edge or the next rebuild. The main thread's
 * handle (`ThreadedSearch`) coalesces requests: one refresh at a time, at most one every
 * `intervalMs`, and a request during a refresh makes one more after it (with the newest state).
 * While the site's own runs are busy (`busy`), a refresh waits, up to `maxDelayMs` after it was
 * asked for: indexing the whole site must not take the cores a burst of changes needs. A refresh
 * costs the store, not the change (it outlines the whole site), so the interval also grows with
 * what the last one took: a refresh keeps the search thread busy at most a fifth of the time (at
 * 10,000 products a refresh that only compares records takes seconds, one that re-indexes ~30 s).
 */
import { refreshSearch, type SearchJobResult } from '../functions/search/job.js';
import { closePagefind, createPagefindIndexer } from '../functions/shared/adapters/pagefind-indexer.js';
import type { SiteConfig } from '../functions/shared/build/site-model.js';
import { createJsonLogger } from '../functions/shared/logger.js';
import type { Logger } from '../functions/shared/ports.js';
import { StateStore } from '../functions/shared/state/state-store.js';
import { type HostedServices, hostedPorts } from './compose.js';
import { ThreadHost } from './thread-host.js';

export interface HostedSearchConfig extends HostedServices {
  site: Omit<SiteConfig, 'now' | 'owners'>;
}

/** The thread's operations (thread.js builds them from the configuration). */
export function searchThread(config: HostedSearchConfig) {
  const logger = createJsonLogger({ service: 'restatic-search', level: config.logLevel });
  const { store, roots, cdn } = hostedPorts(config);
  const deps = { states: new StateStore(store, roots), store, cdn, logger, indexer: createPagefindIndexer() };
  return {
    refresh: (args: { force?: boolean } | undefined) => refreshSearch(deps, { site: config.site, now: new Date(), ...(args?.force ? { force: true } : {}) }),
    close: () => closePagefind(),
  };
}

/** Where the search index is: for `/_status`. */
export interface SearchStatus {
  running: boolean;
  /** The last refresh, whatever it did. */
  last?: { at: string } & (SearchJobResult | { error: string });
  /** The last refresh that published an index: what search finds now. */
  indexed?: { at: string; records: number; files: number };
}

export class ThreadedSearch {
  readonly #call: (force: boolean) => Promise<SearchJobResult>;
  readonly #host: ThreadHost | undefined;
  readonly state: SearchStatus = { running: false };
  #running: Promise<unknown> | undefined;
  #again = false;
  #timer: NodeJS.Timeout | undefined;
  #lastStart = Number.NEGATIVE_INFINITY;
  /** When the last refresh ended, and how long it took. */
  #lastEnd = Number.NEGATIVE_INFINITY;
  #lastMs = 0;
  /** When the request now waiting was first made. */
  #askedAt: number | undefined;
  #closed = false;
  readonly #intervalMs: number;
  readonly #busy: () => boolean;
  readonly #maxDelayMs: number;
  /** How many times its own length a refresh waits after the last one ended (0: the interval alone). @default 4 */
  readonly #costFactor: number;

  /** `run` stands in for the search thread (tests of the scheduling). */
  constructor(config: HostedSearchConfig, private readonly logger: Logger, options: { intervalMs?: number; busy?: () => boolean; maxDelayMs?: number; costFactor?: number; run?: (force: boolean) => Promise<SearchJobResult> } = {}) {
    const host = options.run ? undefined : new ThreadHost({ name: 'search', module: './search-host.ts', factory: 'searchThread', config, background: true });
    this.#host = host;
    this.#call = options.run ?? ((force) => host!.call<SearchJobResult>('refresh', force ? { force } : undefined));
    this.#intervalMs = options.intervalMs ?? 30_000;
    this.#busy = options.busy ?? (() => false);
    this.#maxDelayMs = options.maxDelayMs ?? 4 * this.#intervalMs;
    this.#costFactor = options.costFactor ?? 4;
  }

  /** The longest a refresh is ever held back by its own cost. */
  static readonly MAX_COST_WAIT_MS = 10 * 60_000;

  /** When the next refresh may start: an interval after the last started, and `costFactor` times its length after it ended. */
  #nextStart(): number {
    return Math.max(this.#lastStart + this.#intervalMs, this.#lastEnd + Math.min(this.#costFactor * this.#lastMs, ThreadedSearch.MAX_COST_WAIT_MS));
  }

  /** Asks for a refresh: now if none ran within the interval, else once the interval has passed. */
  request(): void {
    if (this.#closed) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    if (this.#timer) return;
    this.#askedAt ??= Date.now();
    this.#arm(Math.max(0, this.#nextStart() - Date.now()));
  }

  #arm(wait: number): void {
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      // Busy with the site's own changes: later, unless the index has waited long enough (beyond what its cost makes it wait).
      if (this.#busy() && Date.now() - Math.max(this.#askedAt!, this.#nextStart()) < this.#maxDelayMs) {
        this.#arm(Math.min(1000, this.#intervalMs));
        return;
      }
      this.#askedAt = undefined;
      void this.refresh().catch(() => undefined);
    }, wait);
    this.#timer.unref();
  }

  /** Refreshes now (after a refresh in progress), whatever the interval: start-up, tests. */
  async refresh(force = false): Promise<SearchJobResult> {
    while (this.#running) await this.#running.catch(() => undefined);
    this.#lastStart = Date.now();
    this.state.running = true;
    const run = this.#call(force);
    this.#running = run;
    try {
      const result = await run;
      const at = new Date().toISOString();
      this.state.last = { at, ...result };
      if (!result.skipped) this.state.indexed = { at, records: result.records, files: result.files };
      return result;
    } catch (error) {
      this.state.last = { at: new Date().toISOString(), error: (error as Error).message };
      this.logger.error('search refresh failed; the published index stays', { error: (error as Error).message });
      throw error;
    } finally {
      this.#lastEnd = Date.now();
      this.#lastMs = this.#lastEnd - this.#lastStart;
      this.#running = undefined;
      this.state.running = false;
      if (this.#again) {
        this.#again = false;
        this.request();
      }
    }
  }

  /** Resolves once no refresh is running or waiting. */
  async idle(): Promise<void> {
    for (;;) {
      if (this.#running) await this.#running.catch(() => undefined);
      else if (this.#timer || this.#again) await new Promise((r) => setTimeout(r, 20));
      else return;
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    if (this.#running) await this.#running.catch(() => undefined);
    if (this.#host) {
      await this.#host.call('close', undefined).catch(() => undefined);
      await this.#host.close();
    }
  }
}
