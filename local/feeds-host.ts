/**
 * The local feed job in threads, as it runs in Lambda: one thread per market (one invocation per
 * market's schedule in AWS), so the markets' feeds are written side by side and a run over a large
 * catalog never stalls the edge or the webhook receiver. Each thread builds its own clients from
 * plain configuration (`feedsThread`); the main thread's handle (`ThreadedFeedJob`) serialises
 * runs (a second waits for the first), runs the markets together and relays their progress.
 */
import { feedRunFor, feedRuns, runFeedJob, type FeedJobResult } from '../functions/feeds/job.js';
import { FEED_YOUNG_GENERATION_MB } from '../functions/feeds/runtime.js';
import { createJsonLogger } from '../functions/shared/logger.js';
import type { Progress } from '../functions/shared/ports.js';
import { type HostedContent, type HostedServices, hostedContentSource, hostedPorts } from './compose.js';
import { ThreadHost, throttled } from './thread-host.js';
import { syncedSnapshot } from '../functions/shared/content/catalog-content.js';
import { feedTargetsOf, type Market } from '../functions/shared/markets/markets.js';
import { StateStore } from '../functions/shared/state/state-store.js';

export interface HostedFeedConfig extends HostedServices, HostedContent {
  siteUrl: string;
  siteName: string;
  /** The storefronts: one feed per target of each. */
  markets: Market[];
  /** The market whose feeds this thread writes (every market's when absent). */
  market?: string;
}

/** Where a running feed job is: for `/_status` and the CLI's progress bar. */
export interface FeedProgress {
  running: boolean;
  itemsIn: number;
  /** 0 when unknown. */
  total: number;
  last?: { at: string; ms: number; feeds: FeedJobResult['feeds'] } | { at: string; error: string };
}

/** Runs one feed job inside the thread, on clients built there. */
export function createHostedFeedJob(config: HostedFeedConfig): (onProgress: (itemsIn: number, total: number) => void) => Promise<FeedJobResult> {
  const logger = createJsonLogger({ service: 'restatic-feeds', level: config.logLevel });
  const { store, catalog, cdn, roots } = hostedPorts(config);
  const states = new StateStore(store, roots);
  const content = syncedSnapshot(hostedContentSource(config));
  return (onProgress) => {
    let total = 0;
    let itemsIn = 0;
    const progress: Progress = {
      start(_label, t) { total = t; itemsIn = 0; onProgress(0, total); },
      advance(n) { itemsIn += n; onProgress(itemsIn, total); },
      stop() {},
    };
    const targets = feedTargetsOf(config.markets);
    return runFeedJob({ catalog, store, cdn, logger, progress, content, productSlugs: () => states.renamed() }, {
      targets: config.market === undefined ? targets : feedRunFor(targets, config.markets, config.market).targets,
      markets: config.markets, baseUrl: config.siteUrl, siteName: config.siteName, now: new Date(),
    });
  };
}

type FeedUpdate = { itemsIn: number; total: number };

/** The thread's operations (thread.js builds them from the configuration). */
export function feedsThread(config: HostedFeedConfig) {
  const run = createHostedFeedJob(config);
  return {
    run: (_args: undefined, progress: (update: FeedUpdate) => void) => {
      // The first update (the total) always goes; after that ~10 a second, not one per thousand items.
      const send = throttled(progress, (p) => p.itemsIn === 0);
      return run((itemsIn, total) => send({ itemsIn, total }));
    },
  };
}

/** The main thread's handle on the feed thread. */
export class ThreadedFeedJob {
  readonly #hosts: ThreadHost[];
  #queue: Promise<unknown> = Promise.resolve();
  readonly state: FeedProgress = { running: false, itemsIn: 0, total: 0 };

  constructor(config: HostedFeedConfig) {
    // The young generation the feeds Lambda gets through NODE_OPTIONS (see functions/feeds/runtime.ts).
    this.#hosts = feedRuns(feedTargetsOf(config.markets), config.markets).map(({ market }) => new ThreadHost({
      name: `feed-${market}`, module: './feeds-host.ts', factory: 'feedsThread', config: { ...config, market }, resourceLimits: { maxYoungGenerationSizeMb: FEED_YOUNG_GENERATION_MB * 3 }, background: true,
    }));
  }

  /** Runs the feed job; a call while one runs waits for it (runs never interleave). */
  run(progress?: Progress): Promise<FeedJobResult> {
    const next = this.#queue.then(() => this.#run(progress), () => this.#run(progress));
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async #run(progress?: Progress): Promise<FeedJobResult> {
    Object.assign(this.state, { running: true, itemsIn: 0, total: 0 });
    // Each market's thread reads the whole catalog: the run has read an item once every market has.
    const perMarket = this.#hosts.map(() => ({ itemsIn: 0, total: 0 }));
    let started = false;
    const update = () => {
      const shown = started ? this.state.itemsIn : 0;
      Object.assign(this.state, { itemsIn: Math.min(...perMarket.map((m) => m.itemsIn)), total: Math.max(...perMarket.map((m) => m.total)) });
      if (!started) {
        started = true;
        progress?.start('feeds', this.state.total);
      }
      if (this.state.itemsIn > shown) progress?.advance(this.state.itemsIn - shown);
    };
    try {
      // Every market's run ends before this one does (a failed market leaves the others' feeds published).
      const settled = await Promise.allSettled(this.#hosts.map((host, i) => host.call<FeedJobResult, FeedUpdate>('run', undefined, (u) => {
        perMarket[i] = u;
        update();
      })));
      const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
      if (failed) throw failed.reason;
      const results = settled.map((s) => (s as PromiseFulfilledResult<FeedJobResult>).value);
      const result: FeedJobResult = { feeds: results.flatMap((r) => r.feeds), invalidated: results.flatMap((r) => r.invalidated), ms: Math.max(...results.map((r) => r.ms)) };
      // Updates are throttled: the last one may not have said how many items there were in all.
      const itemsIn = result.feeds[0]?.itemsIn ?? this.state.itemsIn;
      if (started && itemsIn > this.state.itemsIn) progress?.advance(itemsIn - this.state.itemsIn);
      Object.assign(this.state, { itemsIn, total: Math.max(this.state.total, itemsIn) });
      this.state.last = { at: new Date().toISOString(), ms: Math.round(result.ms), feeds: result.feeds };
      return result;
    } catch (error) {
      this.state.last = { at: new Date().toISOString(), error: (error as Error).message };
      throw error;
    } finally {
      progress?.stop();
      this.state.running = false;
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.#hosts.map((host) => host.close()));
  }
}
