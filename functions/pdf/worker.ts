/**
 * The PDF worker's core: runs a batch of PDF jobs with bounded I/O concurrency. A sheet job reads
 * the product and the CMS data, and renders only when the data version it would print differs from
 * the one stored on the published PDF (object metadata: concurrent workers share no state file), so
 * duplicates, replays and changes to fields the sheet does not show render nothing. The catalog job
 * does the same for the whole catalog. A CMS job expands into the sheet jobs it affects. Each job
 * succeeds or fails on its own (SQS partial batch failures).
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PQueue from 'p-queue';
import type { Product } from '../shared/catalog/product.js';
import type { PdfJob } from '../shared/changes/pdf-jobs.js';
import { ValidationError, asError } from '../shared/errors.js';
import type { Catalog, Cdn, Logger, ObjectStore, Queue } from '../shared/ports.js';
import { DOCUMENT_CACHE } from '../shared/publish/headers.js';
import { sha256 } from '../shared/hash.js';
import { OwnedPublisher, VERSION_META } from '../shared/publish/owned.js';
import { catalogVersion, renderCatalog } from './catalog.js';
import { catalogSections, sheetData, type PdfContent, type PdfMarketContent, type SheetData } from './data.js';
import type { PdfFonts } from './fonts.js';
import { imageLoader, type ImageLoader } from './images.js';

/** A spec sheet's object key in a market (`keyPrefix` `''` for the default market, `de/` for `/de/`). */
export const sheetKey = (sku: string, keyPrefix = '') => `${keyPrefix}pdf/products/${sku}.pdf`;
export const catalogKey = (keyPrefix = '') => `${keyPrefix}pdf/catalog.pdf`;
export const CATALOG_KEY = catalogKey();
const PDF_META = { contentType: 'application/pdf', cacheControl: DOCUMENT_CACHE };
/** Marks a stored version whose PDF shows a placeholder for an image that could not be fetched. */
const IMAGE_UNAVAILABLE = '~image-unavailable';

/** Renders a spec sheet (in-process in a Lambda; on a worker-thread pool locally). */
export type SheetRenderer = (data: SheetData, siteName: string, image: Buffer | undefined) => Promise<Buffer>;

export interface PdfWorkerDeps {
  catalog: Pick<Catalog, 'get' | 'scanAll'>;
  /** The CMS data PDFs show, current as of this call. */
  content: () => Promise<PdfContent>;
  store: ObjectStore;
  cdn: Cdn;
  logger: Logger;
  renderSheet: SheetRenderer;
  fonts: PdfFonts;
  /** Where expanded jobs go (a CMS change → its sheets); without it they run in this batch. */
  queue?: Queue<PdfJob>;
  /** Where images come from (default: site paths from `store`, Contentful's image hosts). */
  images?: ImageLoader;
  /** The clock sale windows are read against. @default () => new Date() */
  clock?: () => Date;
}

export interface PdfRunResult {
  rendered: string[];
  uploaded: string[];
  unchanged: string[];
  deleted: string[];
  invalidated: string[];
  /** Jobs sent on (a CMS change expanded into sheet jobs). */
  enqueued: number;
  /**
   * Jobs whose PDF went out with a placeholder for an image whose host failed in a way that may
   * pass: to run again later. Their stored version says so, so any later job tries the image again.
   */
  degraded: PdfJob[];
  failed: Array<{ job: PdfJob; error: Error }>;
}

/**
 * Image sizes asked of an image host that can resize (pixels a side): the sheet's 230 pt box and
 * the catalog's 110 pt cells at about 300 dpi.
 */
const SHEET_IMAGE_PX = 1000;
const CATALOG_IMAGE_PX = 500;

export class PdfWorker {
  readonly #image: ImageLoader;

  constructor(private readonly deps: PdfWorkerDeps, private readonly options: { ioConcurrency?: number } = {}) {
    this.#image = deps.images ?? imageLoader({ store: deps.store, onMissing: (src, reason) => deps.logger.warn('PDF image missing', { src, reason }) });
  }

  /** Runs a batch; `onProgress` hears of each finished job (done, total). */
  async run(jobs: readonly PdfJob[], onProgress?: (done: number, total: number) => void): Promise<PdfRunResult> {
    const result: PdfRunResult = { rendered: [], uploaded: [], unchanged: [], deleted: [], invalidated: [], enqueued: 0, failed: [], degraded: [] };
    const content = await this.deps.content();
    // Products a CMS expansion already read (a whole-catalog scan): sheet jobs use them, not GetItem.
    const known = new Map<string, Product>();
    const expanded = await this.#expand(jobs, content, result, known);
    const io = new PQueue({ concurrency: this.options.ioConcurrency ?? 8 });
    // Many sheets at once collapse to one `/pdf/*` (CloudFront bills per path).
    const publisher = new OwnedPublisher(this.deps, { owner: 'pdf', planner: { maxPaths: 100 } });
    let done = 0;
    onProgress?.(0, expanded.length);
    await Promise.all(expanded.map((job) => io.add(async () => {
      try {
        const unavailable = new Set<string>();
        if (job.kind === 'sheet') await this.#sheet(job.sku, content, result, known, unavailable, publisher);
        else if (job.kind === 'catalog') await this.#catalog(content, result, known, unavailable, publisher);
        if (unavailable.size) result.degraded.push(job);
      } catch (error) {
        result.failed.push({ job, error: asError(error) });
        this.deps.logger.error('PDF job failed', { job, correlation_id: job.correlationId, error: asError(error).message });
      }
      onProgress?.(++done, expanded.length);
    })));
    result.invalidated = (await publisher.finish()).invalidated;
    return result;
  }

  /** CMS jobs → the sheet (and catalog) jobs they reach; sent on through the queue when there is one. */
  async #expand(jobs: readonly PdfJob[], content: PdfContent, result: PdfRunResult, known: Map<string, Product>): Promise<PdfJob[]> {
    const direct = jobs.filter((j) => j.kind !== 'content');
    const cms = jobs.filter((j): j is Extract<PdfJob, { kind: 'content' }> => j.kind === 'content');
    if (cms.length === 0) return direct;
    const more: PdfJob[] = [];
    let products: Awaited<ReturnType<PdfWorkerDeps['catalog']['scanAll']>>['products'] | undefined;
    const all = async () => {
      if (!products) {
        products = (await this.deps.catalog.scanAll()).products;
        for (const p of products) known.set(p.sku, p);
      }
      return products;
    };
    for (const job of cms) {
      const target = job.entryId === '*' ? { kind: 'settings' as const } : content.entries.get(job.entryId);
      // An entry the PDFs do not show (a blog post), or one no longer published: the catalog job's
      // version check covers category titles; sheets converge on the scheduled reconciliation.
      if (!target) { more.push({ kind: 'catalog', correlationId: job.correlationId }); continue; }
      if (target.kind === 'story') more.push({ kind: 'sheet', sku: target.sku, correlationId: job.correlationId });
      else {
        for (const p of await all()) if (target.kind === 'settings' || p.category === target.slug) more.push({ kind: 'sheet', sku: p.sku, correlationId: job.correlationId });
        more.push({ kind: 'catalog', correlationId: job.correlationId });
      }
    }
    const seen = new Set<string>();
    const unique = more.filter((j) => { const key = j.kind === 'sheet' ? j.sku : j.kind; if (seen.has(key)) return false; seen.add(key); return true; });
    if (this.deps.queue) {
      await this.deps.queue.send(unique);
      result.enqueued += unique.length;
      return direct;
    }
    return [...direct, ...unique];
  }

  /**
   * An image for a document. A host failing in a way that may pass (after the loader's own retries)
   * costs this image, not the document: the placeholder is drawn and the source noted in `unavailable`.
   */
  async #imageOrPlaceholder(src: string, size: number, unavailable: Set<string>): Promise<Buffer | undefined> {
    try {
      return await this.#image(src, size);
    } catch (error) {
      unavailable.add(src);
      this.deps.logger.warn('PDF image unavailable; the placeholder is drawn and the document will be rendered again', { src, error: asError(error).message });
      return undefined;
    }
  }

  /** A product as the sheet sees it: an item breaking the product rules has no sheet, as it has no page. */
  async #product(sku: string): Promise<Product | undefined> {
    try {
      return await this.deps.catalog.get(sku);
    } catch (error) {
      if (error instanceof ValidationError && !error.retryable) return undefined;
      throw error;
    }
  }

  /** A product's sheets, one per market that sells it; a market that does not sell it has none. */
  async #sheet(sku: string, content: PdfContent, result: PdfRunResult, known: ReadonlyMap<string, Product>, unavailable: Set<string>, publisher: OwnedPublisher): Promise<void> {
    const product = known.get(sku) ?? await this.#product(sku);
    for (const market of content.markets) await this.#marketSheet(sku, product, market, result, unavailable, publisher);
  }

  async #marketSheet(sku: string, record: Product | undefined, content: PdfMarketContent, result: PdfRunResult, unavailable: Set<string>, publisher: OwnedPublisher): Promise<void> {
    const key = sheetKey(sku, content.keyPrefix);
    const product = record && content.view(record);
    const published = await publisher.published(key);
    if (!product) {
      if (!published) return;
      await publisher.remove([key]);
      result.deleted.push(key);
      return;
    }
    const data = sheetData(product, content, this.deps.clock?.() ?? new Date());
    if (published?.[VERSION_META] === data.version) {
      result.unchanged.push(key);
      return;
    }
    const body = await this.deps.renderSheet(data, content.siteName, data.image ? await this.#imageOrPlaceholder(data.image, SHEET_IMAGE_PX, unavailable) : undefined);
    result.rendered.push(key);
    const version = unavailable.size ? `${data.version}${IMAGE_UNAVAILABLE}` : data.version;
    if (!(await publisher.put({ key, body, hash: sha256(body), meta: PDF_META, version }, published))) {
      result.unchanged.push(key);
      return;
    }
    // The product may have been deleted (or its price in this market dropped) while this sheet
    // rendered, and that change's job may already have found nothing to remove: look again after
    // the upload, so no sheet outlives what it shows.
    const now = await this.#product(sku);
    if (!now || !content.view(now)) {
      await publisher.remove([key]);
      result.deleted.push(key);
      this.deps.logger.info('spec sheet withdrawn: the product was deleted while it rendered', { sku, market: content.market.id });
      return;
    }
    result.uploaded.push(key);
    // One line per sheet is for debugging: a full run publishes thousands, and the run reports its counts.
    this.deps.logger.debug('spec sheet published', { sku, market: content.market.id, version, bytes: body.length });
  }

  /** Every market's catalog, each of the products it sells. */
  async #catalog(content: PdfContent, result: PdfRunResult, known: ReadonlyMap<string, Product>, unavailable: Set<string>, publisher: OwnedPublisher): Promise<void> {
    // A whole-catalog scan made earlier in this run (a CMS expansion) is reused.
    const products = known.size ? [...known.values()] : (await this.deps.catalog.scanAll()).products;
    for (const market of content.markets) await this.#marketCatalog(products, market, result, unavailable, publisher);
  }

  async #marketCatalog(products: readonly Product[], content: PdfMarketContent, result: PdfRunResult, unavailable: Set<string>, publisher: OwnedPublisher): Promise<void> {
    const key = catalogKey(content.keyPrefix);
    const sections = catalogSections(products, content, this.deps.clock?.() ?? new Date());
    const dataVersion = catalogVersion(sections.filter((s) => s.entries.length > 0), { siteName: content.siteName, labels: content.t.pdf });
    const published = await publisher.published(key);
    if (published?.[VERSION_META] === dataVersion) {
      result.unchanged.push(key);
      return;
    }
    // Streamed to a temporary file, then uploaded whole: readers never see a partial catalog.
    const dir = await mkdtemp(join(tmpdir(), 'restatic-catalog-'));
    try {
      const file = join(dir, 'catalog.pdf');
      await renderCatalog(sections, { fonts: this.deps.fonts, siteName: content.siteName, labels: content.t.pdf, image: (src) => this.#imageOrPlaceholder(src, CATALOG_IMAGE_PX, unavailable) }, createWriteStream(file));
      result.rendered.push(key);
      const version = unavailable.size ? `${dataVersion}${IMAGE_UNAVAILABLE}` : dataVersion;
      const size = (await stat(file)).size;
      if (!(await publisher.put({ key, body: { file, size }, hash: await fileHash(file), meta: PDF_META, version }, published))) {
        result.unchanged.push(key);
        return;
      }
      result.uploaded.push(key);
      this.deps.logger.info('catalog published', { market: content.market.id, version, bytes: size, products: sections.reduce((n, s) => n + s.entries.length, 0) });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}

async function fileHash(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
