/**
 * `npm start`: the whole pipeline on one machine. Embedded S3 and DynamoDB servers, the demo store
 * seeded when empty, a full build and publish, then the edge server on 127.0.0.1:PORT and the
 * local control routes, reacting to catalog changes until stopped.
 */
import { serveImageVariant } from '../functions/images/variant.js';
import { createSharpTransformer } from '../functions/shared/adapters/sharp-images.js';
import { IMAGE_ROUTE } from '../functions/shared/images/urls.js';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { fullBuild, type FullBuildResult } from '../functions/shared/build/full-build.js';
import { createWorkerPoolRenderer, type PageRenderer } from '../functions/shared/build/render-pool.js';
import { threadStore } from '../functions/compose/thread-store.js';
import { LISTING_PAGE_SIZE } from '../functions/shared/build/site-model.js';
import type { JsonLogger } from '../functions/shared/logger.js';
import type { Progress } from '../functions/shared/ports.js';
import { ChangeLoop } from './change-loop.js';
import { localCdn, startServices, type LocalServices } from './compose.js';
import type { LocalConfig } from './config.js';
import { EdgeServer } from './edge-server.js';
import { JournalQueue } from './journal-queue.js';
import { ThreadedFeedJob } from './feeds-host.js';
import { ThreadedSearch } from './search-host.js';
import { ThreadedPdfWorker } from './pdf-host.js';
import { LocalPdfQueue } from './pdf-queue.js';
import { pdfJobsFor } from '../functions/shared/changes/pdf-jobs.js';
import { ThreadedRebuildWorker } from './rebuild-host.js';
import { ThreadedCompactor } from './compact-host.js';
import { registerRoutes } from './routes.js';
import { seedDemoCatalog } from './seed.js';
import { StatusLog } from './status.js';
import { StreamPoller, StreamReceipts } from './stream-poller.js';
import { streamLogFile } from './embedded.js';
import { forwardStreamBatch } from '../functions/rebuild/stream.js';
import { DEMO_SPACE_FILE } from './demo-space.js';
import { LocalTimer } from './timer.js';
import { LocalPreview, previewKeyOf } from './preview.js';
import { PREVIEW_PREFIX, previewEdge } from './preview-edge.js';
import { pendingInstants, readState } from '../functions/shared/state/site-state.js';

/** Re-exported for the CLI, which starts the services alone for one-off commands. */
export { startServices, type LocalServices };

export interface LocalStack {
  url: string;
  /** The local DynamoDB-compatible endpoint: any client's writes to the products table reach the pipeline. */
  dynamoEndpoint: string;
  status: StatusLog;
  edge: EdgeServer;
  services: LocalServices;
  loop: ChangeLoop;
  /** The private preview of drafts (started on first use). */
  preview: LocalPreview;
  pdfs: LocalPdfQueue;
  timer: LocalTimer;
  /** The search index, refreshed after the site changed. */
  search: ThreadedSearch;
  /** Folds the state's and manifest's segments beside the rebuild worker, when a run says they are due. */
  compactor: ThreadedCompactor;
  /** What the start-up build did, in figures: a stack runs for days, and its key lists are the size of the store. */
  firstBuild: FirstBuild;
  close(): Promise<void>;
}

export interface FirstBuild {
  pages: number;
  products: number;
  /** Objects uploaded, and how many of them are hashed assets (CSS, JS, fonts). */
  uploaded: number;
  assets: number;
  unchanged: number;
  deleted: number;
  invalidated: number;
  /** Products skipped for breaking the product rules. */
  rejected: number;
  timings: FullBuildResult['timings'];
  stages: FullBuildResult['stages'];
}

/** A full build's result in figures. */
export function summarize(built: FullBuildResult): FirstBuild {
  return {
    pages: built.pages, products: built.products, uploaded: built.uploaded.length, assets: built.uploaded.filter((k) => k.startsWith('assets/')).length,
    unchanged: built.unchanged, deleted: built.deleted.length, invalidated: built.invalidation?.paths.length ?? 0, rejected: built.rejected.length,
    timings: built.timings, stages: built.stages,
  };
}

export interface StackOptions {
  logger: JsonLogger;
  progress?: Progress;
  renderer?: PageRenderer;
  /** Coalescing window for changes, ms. @default 50 */
  windowMs?: number;
  /** The catalog PDF renders at most once per this many ms. @default 5000 */
  pdfCatalogWindowMs?: number;
  /** Preview runs start at least this long apart, ms. @default 2000 */
  previewMinIntervalMs?: number;
  /** The search index refreshes at most once per this many ms after the site changed. @default 30000 */
  searchIntervalMs?: number;
  /** A refresh also waits this many times the last one's length after it ended (0: the interval alone). @default 4 */
  searchCostFactor?: number;
}

/** Runs the local stack; resolves once the site is published and the edge is listening. */
export async function startLocalStack(config: LocalConfig, options: StackOptions): Promise<LocalStack> {
  const { logger } = options;
  const services = await startServices(config);
  const status = new StatusLog(join(config.dataDir, 'status.jsonl'));
  try {
    if (config.demoProducts > 0 && (await services.catalog.isEmpty())) {
      logger.info('seeding demo catalog', { products: config.demoProducts });
      await seedDemoCatalog(services.catalog, config.demoProducts, options.progress);
    }
  } catch (error) {
    await services.servers.close();
    throw error;
  }
  // Pictures resized on first request at /_img/, by the image function's core, as in AWS.
  const transform = createSharpTransformer();
  const edge = new EdgeServer({ store: services.store, logger, functionOrigins: { [IMAGE_ROUTE]: (path) => serveImageVariant(path, { store: services.store, transform, logger }) } });
  // Listen before the first build: `/_status` answers from the start, and with PORT=0 the real
  // port is known before the Cdn adapter needs it.
  let edgeUrl: string;
  try {
    edgeUrl = await edge.listen(config.port);
  } catch (error) {
    await services.servers.close();
    throw error;
  }
  const cdn = localCdn(edgeUrl);
  const preview = new LocalPreview(config, services, edgeUrl, logger, {
    ...(options.windowMs !== undefined ? { windowMs: options.windowMs } : {}),
    ...(options.previewMinIntervalMs !== undefined ? { minIntervalMs: options.previewMinIntervalMs } : {}),
  });
  const previewKey = previewKeyOf(config);
  edge.mount(PREVIEW_PREFIX, previewEdge({ key: previewKey, preview, previewStore: services.preview.store, liveStore: services.store, markets: config.markets }));
  const renderer = options.renderer ?? createWorkerPoolRenderer({ store: threadStore({ bucket: config.bucket, endpoint: services.servers.s3Endpoint }) });
  const site = { baseUrl: config.siteUrl, markets: config.markets, listingPageSize: LISTING_PAGE_SIZE, checkoutUrl: config.checkoutUrl };
  const buildAll = (progress?: Progress) => fullBuild(
    { content: services.content, catalog: services.catalog, store: services.store, roots: services.roots, cdn, logger, renderer, ...(progress ? { progress } : {}) },
    { site: { ...site, now: new Date() }, demoImages: !config.deliveryToken },
  );

  // The worker runs in its own thread, as it runs in its own Lambda: a 10,000-product rebuild is
  // ~0.5 s of CPU that must not stall the edge or the webhook receiver.
  const worker = new ThreadedRebuildWorker({
    s3Endpoint: services.servers.s3Endpoint, dynamoEndpoint: services.servers.dynamoEndpoint, bucket: config.bucket, table: config.table,
    edgeUrl, dataDir: config.dataDir, spaceFile: DEMO_SPACE_FILE, options: { site, demoImages: !config.deliveryToken }, logLevel: config.logLevel,
    ...(config.deliveryToken ? { contentful: { space: config.spaceId, environment: config.environment, accessToken: config.deliveryToken } } : {}),
  });
  const journal = new JournalQueue(join(config.dataDir, 'changes', 'journal.jsonl'));
  // The compactor: its own thread (its own Lambda in AWS, fed by a FIFO queue).
  const compactor = new ThreadedCompactor({
    s3Endpoint: services.servers.s3Endpoint, dynamoEndpoint: services.servers.dynamoEndpoint, bucket: config.bucket, table: config.table, edgeUrl, logLevel: config.logLevel,
  }, logger);
  // The search index: its own thread (its own Lambda in AWS), refreshed off the critical path.
  const search = new ThreadedSearch({
    s3Endpoint: services.servers.s3Endpoint, dynamoEndpoint: services.servers.dynamoEndpoint, bucket: config.bucket, table: config.table, edgeUrl, logLevel: config.logLevel, site,
  }, logger, {
    intervalMs: options.searchIntervalMs ?? 30_000,
    ...(options.searchCostFactor !== undefined ? { costFactor: options.searchCostFactor } : {}),
    // Changes waiting for the rebuild worker: the index can wait (at most four intervals).
    busy: () => journal.hasPending(),
  });
  // PDFs: their own thread (their own Lambda in AWS) rendering on a pool of render threads, fed by
  // the change loop's fan-out through a local queue (SQS in AWS).
  const pdfWorker = new ThreadedPdfWorker({
    s3Endpoint: services.servers.s3Endpoint, dynamoEndpoint: services.servers.dynamoEndpoint, bucket: config.bucket, table: config.table,
    edgeUrl, dataDir: config.dataDir, spaceFile: DEMO_SPACE_FILE, site: { baseUrl: site.baseUrl, markets: config.markets }, logLevel: config.logLevel,
    ...(config.deliveryToken ? { contentful: { space: config.spaceId, environment: config.environment, accessToken: config.deliveryToken } } : {}),
  });
  const pdfs = new LocalPdfQueue((jobs, onProgress) => pdfWorker.run(jobs, onProgress), logger, {
    deadLetterFile: join(config.dataDir, 'changes', 'pdf-dead-letters.jsonl'),
    ...(options.pdfCatalogWindowMs !== undefined ? { catalogWindowMs: options.pdfCatalogWindowMs } : {}),
    // On this machine's shared cores a burst of changes goes live first; sheets follow within 10 s.
    busy: () => journal.hasPending(),
  });
  // Instants at which pages change with time alone (sales starting or ending): EventBridge
  // Scheduler in AWS, a durable timer in the data directory here.
  const timer = new LocalTimer(join(config.dataDir, 'changes', 'timers.json'), {
    send: async (envelopes) => {
      for (const e of envelopes) status.open({ kind: 'time', instant: e.id }, e.correlationId);
      await journal.send(envelopes);
      // The preview shows the same catalog: its sales start and end at the same instants.
      await preview.queue.send(envelopes);
    },
  }, logger);
  const loop = new ChangeLoop(journal, worker, status, logger, {
    deadLetterFile: join(config.dataDir, 'changes', 'dead-letters.jsonl'), ...(options.windowMs !== undefined ? { windowMs: options.windowMs } : {}),
    // A product page that changed (a price, a sale that ended, its category renamed) shows what its
    // spec sheet shows: check those sheets too (each renders only if its data version moved).
    onProcessed: (envelopes, result) => {
      if (result.uploaded.length || result.deleted.length) search.request();
      if (result.compactionDue) compactor.request(envelopes[0]?.correlationId ?? 'rebuild');
      // Catalog records' own sheets were queued by the stream handler, as in AWS.
      pdfs.add([...pdfJobsFor(envelopes.filter((e) => e.kind !== 'Product')), ...result.changedProducts.map((sku) => ({ kind: 'sheet' as const, sku, correlationId: envelopes[0]?.correlationId ?? 'rebuild' }))]);
      // A sale without a complete window goes to Google only while it is on: refresh the feeds at
      // its instant rather than at the next hourly run.
      if (envelopes.some((e) => e.kind === 'Time') && result.changedProducts.length) void runFeeds().catch((error: unknown) => logger.error('feed job failed', { error }));
    },
    onSchedule: (instants) => timer.sync(instants),
  });
  // The feed job also runs in its own thread (its own Lambda in AWS); runs queue behind each other.
  const feeds = new ThreadedFeedJob({
    s3Endpoint: services.servers.s3Endpoint, dynamoEndpoint: services.servers.dynamoEndpoint, bucket: config.bucket, table: config.table,
    edgeUrl, siteUrl: config.siteUrl, siteName: 'Restatic Outfitters', markets: config.markets, logLevel: config.logLevel, dataDir: config.dataDir, spaceFile: DEMO_SPACE_FILE,
    ...(config.deliveryToken ? { contentful: { space: config.spaceId, environment: config.environment, accessToken: config.deliveryToken } } : {}),
  });
  const runFeeds = async (progress?: Progress) => {
    const result = await feeds.run(progress);
    for (const f of result.feeds) logger.info(`feed ${f.target}: ${f.itemsIn} items in, ${f.included} included, ${f.excluded} excluded, ${f.warnings} warnings, ${f.bytes} bytes (${f.gzipBytes} gzipped), ${(result.ms / 1000).toFixed(1)} s${f.uploaded ? '' : ', unchanged'}`);
    return result;
  };
  // The products table's stream: every write to the local DynamoDB (by any client) is a record the
  // stream handler core turns into a queued change, as the stream Lambda does in AWS.
  const stream = {
    receipts: new StreamReceipts(),
    poller: new StreamPoller(streamLogFile(config.dataDir), (event) => forwardStreamBatch({
      queue: {
        send: async (envelopes) => {
          for (const e of envelopes) status.open({ kind: 'catalog', sku: e.id, sequenceNumber: e.version, eventName: e.topic.replace('Product.', '') }, e.correlationId);
          await journal.send(envelopes);
          // The preview shows drafts over the live catalog: it follows the catalog too (once started).
          await preview.queue.send(envelopes);
        },
      },
      pdfJobs: { send: async (jobs) => pdfs.add(jobs) },
      logger,
    }, event), logger, { failuresFile: join(config.dataDir, 'changes', 'stream-failures.jsonl') }),
  };
  services.servers.onStreamRecord((notice) => {
    stream.receipts.deliver(notice);
    if (!notice.unchanged) stream.poller.notify();
  });
  // Records written before this start (the seed's, or left by a stop) are read by its full build.
  stream.poller.skipToEnd();
  registerRoutes(edge, { config, services, status, journal, loop, stream, logger, preview, previewKey, edgeUrl, runFeeds: () => runFeeds(), feedStatus: () => feeds.state, searchStatus: () => search.state, compactionStatus: () => compactor.state, pdfs });

  let firstBuild: FirstBuild;
  const record = status.open({ kind: 'full-build', reason: 'start' }, randomUUID());
  try {
    const built = await buildAll(options.progress);
    firstBuild = summarize(built);
    Object.assign(record.stages, built.stages);
    Object.assign(record, { pagesRebuilt: built.pages, objectsUploaded: built.uploaded.length, objectsDeleted: built.deleted.length, pathsInvalidated: built.invalidation?.paths ?? [] });
    record.warnings = [...built.rejected.map((r) => `product ${r.sku} skipped: ${r.message}`), ...built.warnings.map((w) => `${w.subject}: ${w.message}`)];
    status.save(record);
  } catch (error) {
    record.stages.failed = new Date().toISOString();
    record.errors.push((error as Error).message);
    status.save(record);
    await worker.close();
    await compactor.close();
    await feeds.close();
    await search.close();
    await pdfWorker.close();
    await edge.close();
    await services.servers.close();
    timer.close();
    throw error;
  }
  // Changes queued before a crash or stop are processed now, and instants missed while stopped fire.
  const built = await readState(services.store, services.roots).catch(() => undefined);
  if (built) timer.sync(pendingInstants(built, new Date()));
  loop.start();
  stream.poller.start();
  timer.start();
  // While PDFs and feeds are made, the rebuild thread readies itself for the first edit.
  void worker.warm().catch((error: unknown) => logger.warn('rebuild worker warm-up failed', { error: String(error) }));
  // PDFs: every sheet and the catalog (each skipped when its published data version is current).
  await pdfs.runNow([{ kind: 'content', entryId: '*', correlationId: record.correlationId }], progressRelay(options.progress, 'pdfs'))
    .then((r) => logger.info(`pdfs: ${r.rendered.length} rendered, ${r.uploaded.length} uploaded, ${r.unchanged.length} unchanged, ${r.failed.length} failed`))
    .catch((error: unknown) => logger.error('PDF run failed', { error }));
  // Search: the index of the site just built (a failure leaves search as it was, the site serves on).
  await search.refresh().then((r) => logger.info(r.skipped ? `search index: ${r.skipped}` : `search index: ${r.records} pages, ${r.uploaded} of ${r.files} files uploaded, ${(r.ms / 1000).toFixed(1)} s`)).catch(() => undefined);
  // Feeds: once now (the crawler must find them), then on an interval (EventBridge Scheduler in AWS).
  await runFeeds(options.progress).catch((error: unknown) => logger.error('feed job failed', { error }));
  const feedTimer = setInterval(() => void runFeeds().catch((error: unknown) => logger.error('feed job failed', { error })), config.feedIntervalMinutes * 60_000);
  feedTimer.unref();

  return {
    url: edgeUrl, dynamoEndpoint: services.servers.dynamoEndpoint, status, edge, services, loop, preview, pdfs, timer, search, compactor, firstBuild,
    async close() {
      clearInterval(feedTimer);
      timer.close();
      await stream.poller.close();
      await loop.close();
      await preview.close();
      await pdfs.close();
      await worker.close();
      await compactor.close();
      await feeds.close();
      await search.close();
      await pdfWorker.close();
      await edge.close();
      await services.servers.close();
    },
  };
}

/** Progress of a batch reported as (done, total) shown on a progress bar. */
function progressRelay(progress: Progress | undefined, label: string): ((done: number, total: number) => void) | undefined {
  if (!progress) return undefined;
  let shown = -1;
  return (done, total) => {
    if (shown < 0) { progress.start(label, total); shown = 0; }
    progress.advance(done - shown);
    shown = done;
    if (done === total) progress.stop();
  };
}
