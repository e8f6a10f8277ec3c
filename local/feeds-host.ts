/**
 * The local feed job in its own thread, as it runs in its own Lambda: a run over a large catalog is
 * seconds of CPU that must not stall the edge or the webhook receiver. The thread builds its own
 * clients from plain configuration (`runHostedFeedJob`); the main thread's handle
 * (`ThreadedFeedJob`) serialises runs (a second waits for the first) and relays progress.
 */
import { Worker } from 'node:worker_threads';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { runFeedJob, type FeedJobResult } from '../functions/feeds/job.js';
import { FEED_YOUNG_GENERATION_MB } from '../functions/feeds/runtime.js';
import { DEMO_TARGETS } from '../functions/feeds/targets.js';
import { createDynamoDbCatalog } from '../functions/shared/adapters/dynamodb-catalog.js';
import { createLocalEdgeCdn } from '../functions/shared/adapters/local-edge-cdn.js';
import { createS3ObjectStore, s3CompatibleConfig } from '../functions/shared/adapters/s3-object-store.js';
import { fromWireError, type WireError } from '../functions/shared/errors.js';
import { createJsonLogger } from '../functions/shared/logger.js';
import type { Progress } from '../functions/shared/ports.js';
import { dynamoCompatibleConfig } from './embedded.js';
import { type HostedContent, type HostedServices, hostedContentSource, onThreadDeath } from './hosted.js';
import { syncedCatalogContent } from '../functions/shared/content/catalog-content.js';

export interface HostedFeedConfig extends HostedServices, HostedContent {
  siteUrl: string;
  siteName: string;
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
  const store = createS3ObjectStore({ bucket: config.bucket, client: new S3Client(s3CompatibleConfig(config.s3Endpoint)) });
  const catalog = createDynamoDbCatalog({ table: config.table, client: new DynamoDBClient(dynamoCompatibleConfig(config.dynamoEndpoint)) });
  const cdn = createLocalEdgeCdn(config.edgeUrl);
  const content = syncedCatalogContent(hostedContentSource(config));
  return (onProgress) => {
    let total = 0;
    let itemsIn = 0;
    const progress: Progress = {
      start(_label, t) { total = t; itemsIn = 0; onProgress(0, total); },
      advance(n) { itemsIn += n; onProgress(itemsIn, total); },
      stop() {},
    };
    return runFeedJob({ catalog, store, cdn, logger, progress, content }, { targets: DEMO_TARGETS, baseUrl: config.siteUrl, siteName: config.siteName, now: new Date() });
  };
}

type ThreadMessage =
  | { ready: true }
  | { id: number; progress: { itemsIn: number; total: number } }
  | { id: number; result: FeedJobResult }
  | { id: number; error: WireError };

/** The main thread's handle on the feed thread. */
export class ThreadedFeedJob {
  #thread!: Worker;
  #ready!: Promise<void>;
  #closed = false;
  #next = 0;
  #queue: Promise<unknown> = Promise.resolve();
  #current?: { id: number; resolve: (r: FeedJobResult) => void; reject: (e: Error) => void; progress?: Progress; started: boolean };
  readonly state: FeedProgress = { running: false, itemsIn: 0, total: 0 };

  constructor(private readonly config: HostedFeedConfig) {
    this.#spawn();
  }

  /** Starts the thread; if it dies, the run in progress fails (retryable) and a new one starts. */
  #spawn(): void {
    // The young generation the feeds Lambda gets through NODE_OPTIONS (see functions/feeds/runtime.ts).
    const thread = new Worker(new URL('./feeds-thread.js', import.meta.url), { workerData: this.config, resourceLimits: { maxYoungGenerationSizeMb: FEED_YOUNG_GENERATION_MB * 3 } });
    this.#thread = thread;
    this.#ready = new Promise((resolve, reject) => {
      thread.once('error', reject);
      thread.on('message', (message: ThreadMessage) => this.#receive(message, resolve));
    });
    this.#ready.catch(() => undefined);
    onThreadDeath(thread, 'feed', (error) => {
      const call = this.#current;
      this.#current = undefined;
      this.state.running = false;
      call?.progress?.stop();
      call?.reject(error);
      if (!this.#closed) this.#spawn();
    });
  }

  #receive(message: ThreadMessage, ready: () => void): void {
    if ('ready' in message) return ready();
    const call = this.#current;
    if (!call || call.id !== message.id) return;
    if ('progress' in message) {
      const shown = call.started ? this.state.itemsIn : 0;
      Object.assign(this.state, message.progress);
      if (!call.started) {
        call.started = true;
        call.progress?.start('feeds', message.progress.total);
      }
      call.progress?.advance(message.progress.itemsIn - shown);
      return;
    }
    call.progress?.stop();
    this.state.running = false;
    this.#current = undefined;
    if ('error' in message) {
      this.state.last = { at: new Date().toISOString(), error: message.error.message };
      return call.reject(fromWireError(message.error));
    }
    this.state.last = { at: new Date().toISOString(), ms: Math.round(message.result.ms), feeds: message.result.feeds };
    call.resolve(message.result);
  }

  /** Runs the feed job; a call while one runs waits for it (runs never interleave). */
  run(progress?: Progress): Promise<FeedJobResult> {
    const next = this.#queue.then(() => this.#run(progress), () => this.#run(progress));
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async #run(progress?: Progress): Promise<FeedJobResult> {
    await this.#ready;
    const id = this.#next++;
    Object.assign(this.state, { running: true, itemsIn: 0, total: 0 });
    return new Promise((resolve, reject) => {
      this.#current = { id, resolve, reject, started: false, ...(progress ? { progress } : {}) };
      this.#thread.postMessage({ id });
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#thread.terminate();
  }
}
