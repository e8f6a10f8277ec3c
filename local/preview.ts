/**
 * The local preview pipeline (in AWS: the preview queue, a preview worker Lambda and the preview
 * bucket): the same rebuild worker as the live site, in a thread of its own, over its own bucket and
 * state, reading the drafts the webhooks carried over what is published, and the live catalog. It
 * starts on first use (a draft, a preview request, a preview link) with a full build of the preview
 * (after that, a restart's first build uploads only what changed), then follows drafts, publishes
 * and catalog changes; its runs are at least `minIntervalMs` apart, so an editor's auto-saves make
 * one run per interval and the latest draft wins (the worker fences older versions of an entry).
 * Nothing here writes to the live bucket, the feeds or the PDFs. Its state and manifest have a
 * compactor of their own (a thread, started with the preview), as the live site's do.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { MIN_PREVIEW_KEY_LENGTH } from '../functions/shared/preview/token.js';
import { LISTING_PAGE_SIZE } from '../functions/shared/build/site-model.js';
import type { ChangeEnvelope } from '../functions/shared/changes/envelope.js';
import { buildRequestEnvelope, compareVersions } from '../functions/shared/changes/envelope.js';
import type { JsonLogger } from '../functions/shared/logger.js';
import type { Queue } from '../functions/shared/ports.js';
import { readState, type SiteState } from '../functions/shared/state/site-state.js';
import { StateStore } from '../functions/shared/state/state-store.js';
import { ChangeLoop } from './change-loop.js';
import { ThreadedCompactor, type CompactionStatus } from './compact-host.js';
import { draftsJournal, LOCAL_PREVIEW_ROOTS_TABLE, type LocalServices } from './compose.js';
import type { LocalConfig } from './config.js';
import { DEMO_SPACE_FILE } from './demo-space.js';
import { JournalQueue } from './journal-queue.js';
import { ThreadedRebuildWorker } from './rebuild-host.js';
import { StatusLog } from './status.js';

/** What the preview shows of one entry: the latest draft received, the one shown, and when it was built. */
export interface PreviewEntryReceipt {
  entry: string;
  /** The latest version (its save time, epoch ms) a webhook brought. */
  latestVersion: string;
  latestReceivedAt: string;
  /** The version the preview shows, and when the run that built it ended. */
  shownVersion?: string;
  builtAt?: string;
  /** Set while a run for the latest version is queued or running. */
  pending: boolean;
  error?: string;
}

export interface PreviewOptions {
  /** The first run waits this long after a change, ms. @default 50 */
  windowMs?: number;
  /** Runs start at least this long apart, ms. @default 2000 */
  minIntervalMs?: number;
}

const isDraft = (e: ChangeEnvelope) => e.topic.endsWith('.save') || e.topic.endsWith('.auto_save');

export class LocalPreview {
  readonly status: StatusLog;
  readonly #journal: JournalQueue;
  readonly #config: LocalConfig;
  readonly #services: LocalServices;
  readonly #edgeUrl: string;
  readonly #logger: JsonLogger;
  readonly #options: PreviewOptions;
  readonly #receipts = new Map<string, PreviewEntryReceipt>();
  readonly #states: StateStore;
  #cached: { etag: string; state: SiteState | undefined } | undefined;
  #worker: ThreadedRebuildWorker | undefined;
  #compactor: ThreadedCompactor | undefined;
  #loop: ChangeLoop | undefined;
  /** The first build's request, queued: until it is, the loop has nothing to wait for. */
  #started: Promise<void> = Promise.resolve();

  constructor(config: LocalConfig, services: LocalServices, edgeUrl: string, logger: JsonLogger, options: PreviewOptions = {}) {
    this.#config = config;
    this.#services = services;
    this.#edgeUrl = edgeUrl;
    this.#logger = logger.child({ pipeline: 'preview' });
    this.#options = options;
    this.status = new StatusLog(join(config.dataDir, 'preview-status.jsonl'));
    this.#journal = new JournalQueue(join(config.dataDir, 'changes', 'preview-journal.jsonl'));
    this.#states = new StateStore(services.preview.store, services.preview.roots);
  }

  /** The runs so far (each a batch of changes; the first a full build). */
  get runs(): number {
    return this.#loop?.runCount ?? 0;
  }

  get active(): boolean {
    return this.#loop !== undefined;
  }

  /** What the preview's compactor has done; undefined before the preview's first use. */
  get compaction(): CompactionStatus | undefined {
    return this.#compactor?.state;
  }

  /**
   * Starts the preview on first use: its worker, its loop, and a build of the whole preview (which
   * reads everything current, so what happened before it needs no replay).
   */
  activate(): void {
    if (this.#loop) return;
    const config = this.#config;
    const site = { baseUrl: config.siteUrl, markets: config.markets, listingPageSize: LISTING_PAGE_SIZE, checkoutUrl: config.checkoutUrl, preview: true };
    this.#worker = new ThreadedRebuildWorker({
      s3Endpoint: this.#services.servers.s3Endpoint, dynamoEndpoint: this.#services.servers.dynamoEndpoint,
      bucket: config.previewBucket, table: config.table, rootsTable: LOCAL_PREVIEW_ROOTS_TABLE, uncached: true,
      edgeUrl: this.#edgeUrl, dataDir: config.dataDir, spaceFile: DEMO_SPACE_FILE, draftsFile: draftsJournal(config.dataDir),
      options: { site, demoImages: !config.deliveryToken }, logLevel: config.logLevel,
      ...(config.deliveryToken ? { contentful: { space: config.spaceId, environment: config.environment, accessToken: config.deliveryToken } } : {}),
      // A real space's drafts come from its Preview API; the bundled space's from the webhooks.
      ...(config.deliveryToken && config.previewToken ? { contentfulPreview: { space: config.spaceId, environment: config.environment, accessToken: config.previewToken } } : {}),
    });
    const compactor = new ThreadedCompactor({
      s3Endpoint: this.#services.servers.s3Endpoint, dynamoEndpoint: this.#services.servers.dynamoEndpoint,
      bucket: config.previewBucket, table: config.table, rootsTable: LOCAL_PREVIEW_ROOTS_TABLE, uncached: true, edgeUrl: this.#edgeUrl, logLevel: config.logLevel,
    }, this.#logger);
    this.#compactor = compactor;
    this.#loop = new ChangeLoop(this.#journal, this.#worker, this.status, this.#logger, {
      deadLetterFile: join(config.dataDir, 'changes', 'preview-dead-letters.jsonl'),
      minIntervalMs: this.#options.minIntervalMs ?? 2000,
      ...(this.#options.windowMs !== undefined ? { windowMs: this.#options.windowMs } : {}),
      onProcessed: (envelopes, result) => {
        if (result.compactionDue) compactor.request(envelopes[0]?.correlationId ?? 'preview');
        this.#built(envelopes, result.failed.map((f) => f.envelope));
      },
    });
    const request = buildRequestEnvelope(randomUUID());
    this.status.open({ kind: 'full-build', reason: 'preview started' }, request.correlationId);
    this.#logger.info('preview starting: building the preview site', { bucket: config.previewBucket });
    this.#started = this.#journal.send([request]).catch((error: unknown) => this.#logger.error('preview could not queue its first build', { error }));
    this.#loop.start();
  }

  /** The preview's queue: what the webhook receiver and the catalog's stream send it. */
  readonly queue: Queue<ChangeEnvelope> = {
    send: async (envelopes) => {
      if (envelopes.some(isDraft)) this.activate();
      // Before its first use the preview keeps nothing: its first build reads everything current.
      if (!this.#loop) return;
      const at = new Date().toISOString();
      for (const e of envelopes) {
        if (e.kind === 'Product') this.status.open({ kind: 'catalog', sku: e.id, sequenceNumber: e.version, eventName: e.topic.replace('Product.', '') }, e.correlationId);
        else this.status.open({ kind: 'contentful', entityId: e.id, version: e.version, topic: e.topic }, e.correlationId);
        if (e.kind !== 'Entry') continue;
        const receipt = this.#receipts.get(e.id);
        if (receipt && compareVersions(receipt.latestVersion, e.version) >= 0) continue;
        this.#receipts.set(e.id, { ...receipt, entry: e.id, latestVersion: e.version, latestReceivedAt: at, pending: true });
      }
      await this.#journal.send(envelopes);
    },
  };

  #built(processed: readonly ChangeEnvelope[], failed: readonly ChangeEnvelope[]): void {
    const at = new Date().toISOString();
    for (const e of [...processed, ...failed]) {
      if (e.kind !== 'Entry') continue;
      const receipt = this.#receipts.get(e.id);
      if (!receipt || compareVersions(e.version, receipt.latestVersion) < 0) continue;
      receipt.pending = false;
      if (failed.includes(e)) receipt.error = this.status.find(e.correlationId)?.errors.at(-1) ?? 'the preview run failed';
      else Object.assign(receipt, { shownVersion: e.version, builtAt: at, error: undefined });
    }
  }

  /** Per entry: the latest draft, the one shown and when it was built (newest first). */
  receipts(): PreviewEntryReceipt[] {
    return [...this.#receipts.values()].sort((a, b) => b.latestReceivedAt.localeCompare(a.latestReceivedAt));
  }

  receipt(entryId: string): PreviewEntryReceipt | undefined {
    return this.#receipts.get(entryId);
  }

  /** The preview site's state (its page index), re-read only when its commit moved; undefined before its first build. */
  async state(): Promise<SiteState | undefined> {
    const etag = await this.#states.version();
    if (etag === undefined) return undefined;
    if (this.#cached?.etag !== etag) this.#cached = { etag, state: await readState(this.#services.preview.store, this.#services.preview.roots) };
    return this.#cached.state;
  }

  /** Resolves when everything queued to the preview so far has run. */
  async idle(): Promise<void> {
    await this.#started;
    await this.#loop?.idle();
  }

  async close(): Promise<void> {
    await this.#loop?.close();
    await this.#worker?.close();
    await this.#compactor?.close();
  }
}


/**
 * The HMAC key of preview tokens: `RESTATIC_PREVIEW_KEY`, else one made at the first start and kept
 * (readable by its owner only) in the data directory, so links outlive a restart.
 */
export function previewKeyOf(config: Pick<LocalConfig, 'previewKey' | 'dataDir'>): string {
  if (config.previewKey) return config.previewKey;
  const file = join(config.dataDir, 'preview.key');
  try {
    const key = readFileSync(file, 'utf8').trim();
    if (key.length >= MIN_PREVIEW_KEY_LENGTH) return key;
  } catch {
    // none yet
  }
  const key = randomBytes(32).toString('base64url');
  mkdirSync(config.dataDir, { recursive: true });
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
}
