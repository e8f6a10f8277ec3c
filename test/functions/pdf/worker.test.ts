/** The PDF worker against the real protocol servers, the fan-out rules, the local queue and the SQS handler. */
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { renderCatalog } from '../../../functions/pdf/catalog.js';
import { catalogSections, pdfContent, type PdfContent } from '../../../functions/pdf/data.js';
import { validateProduct } from '../../../functions/shared/catalog/product.js';
import { loadPdfFonts } from '../../../functions/pdf/fonts.js';
import type { ImageLoader } from '../../../functions/pdf/images.js';
import type { Cdn } from '../../../functions/shared/ports.js';
import { renderSheet } from '../../../functions/pdf/sheet.js';
import { encodePng, hexColor } from '../../../functions/shared/demo/png.js';
import { CdnError, ImageFetchError } from '../../../functions/shared/errors.js';
import { createPdfHandler } from '../../../functions/pdf/sqs.js';
import { CATALOG_KEY, PdfWorker, sheetKey, type PdfRunResult } from '../../../functions/pdf/worker.js';
import { createDynamoDbCatalog } from '../../../functions/shared/adapters/dynamodb-catalog.js';
import { createS3ObjectStore } from '../../../functions/shared/adapters/s3-object-store.js';
import { pdfJobsFor, type PdfJob } from '../../../functions/shared/changes/pdf-jobs.js';
import { silentLogger } from '../../../functions/shared/logger.js';
import { DEMO_MARKETS } from '../../../functions/shared/markets/markets.js';
import { LocalPdfQueue } from '../../../local/pdf-queue.js';
import { dynamoClient, freshBucket, freshTable, s3Client } from '../../fixtures/aws.js';
import { demoSnapshot } from '../../fixtures/content.js';
import { entryChange, productChange, sqsEvent } from '../../fixtures/events.js';
import { productItem } from '../../fixtures/products.js';

const fonts = loadPdfFonts();
// One market unless a test is about markets: what a sheet job does, once.
const content = pdfContent(demoSnapshot(), { baseUrl: 'https://shop.example.com', markets: [DEMO_MARKETS[0]!] });
const bothMarkets = pdfContent(demoSnapshot(), { baseUrl: 'https://shop.example.com', markets: DEMO_MARKETS });

async function setup(options: { failSku?: string; images?: ImageLoader; whileRendering?: (sku: string) => Promise<void>; clock?: () => Date; cdn?: Cdn; markets?: boolean; content?: () => PdfContent } = {}) {
  const s3 = s3Client();
  const store = createS3ObjectStore({ bucket: await freshBucket(s3), client: s3 });
  const dynamo = dynamoClient();
  const catalog = createDynamoDbCatalog({ table: await freshTable(dynamo), client: dynamo });
  const invalidations: string[][] = [];
  const renders: string[] = [];
  const worker = new PdfWorker({
    catalog, store, fonts, logger: silentLogger, content: async () => options.content?.() ?? (options.markets ? bothMarkets : content),
    ...(options.images ? { images: options.images } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    cdn: options.cdn ?? { invalidate: async (paths) => { invalidations.push([...paths]); return 'id'; } },
    renderSheet: async (data, siteName, image) => {
      renders.push(data.sku);
      await options.whileRendering?.(data.sku);
      if (data.sku === options.failSku) throw new Error(`render failed for ${data.sku}`);
      return renderSheet(data, { fonts, siteName, ...(image ? { image } : {}) });
    },
  });
  return { store, catalog, worker, invalidations, renders };
}

const sheet = (sku: string): PdfJob => ({ kind: 'sheet', sku, correlationId: `c-${sku}` });

describe('PDF worker', () => {
  it('publishes a sheet per market selling the product, and withdraws a market\'s sheet when its price there goes', async () => {
    // Prepare
    const { store, catalog, worker } = await setup({ markets: true });
    await catalog.put(productItem({ sku: 'M-1', category: 'tents', price: { USD: 1000, EUR: 900 } }));
    await catalog.put(productItem({ sku: 'M-2', category: 'tents', price: { USD: 2000 } }));
    // Act
    const first = await worker.run([sheet('M-1'), sheet('M-2'), { kind: 'catalog', correlationId: 'c' }]);
    await catalog.put(productItem({ sku: 'M-1', category: 'tents', price: { USD: 1000 } }));
    const dropped = await worker.run([sheet('M-1')]);
    // Assess
    expect(first.uploaded.sort()).toEqual(['de/pdf/catalog.pdf', sheetKey('M-1', 'de/'), CATALOG_KEY, sheetKey('M-1'), sheetKey('M-2')].sort());
    expect(await store.get(sheetKey('M-2', 'de/'))).toBeUndefined();
    expect(dropped.deleted).toEqual([sheetKey('M-1', 'de/')]);
    expect(await store.get(sheetKey('M-1', 'de/'))).toBeUndefined();
    expect(await store.get(sheetKey('M-1'))).toBeDefined();
  });

  it('publishes a sheet with its data version, then renders nothing for a duplicate or a field the sheet does not show', async () => {
    // Prepare
    const { store, catalog, worker, invalidations, renders } = await setup();
    await catalog.put(productItem({ sku: 'P-1', category: 'tents' }));

    // Act
    const first = await worker.run([sheet('P-1')]);
    const duplicate = await worker.run([sheet('P-1')]);
    await catalog.put(productItem({ sku: 'P-1', category: 'tents', stock: 3 }));
    const stockOnly = await worker.run([sheet('P-1')]);

    // Assess
    expect(first.uploaded).toEqual([sheetKey('P-1')]);
    expect(invalidations).toEqual([['/pdf/products/P-1.pdf']]);
    const stored = await store.get(sheetKey('P-1'));
    expect(stored).toMatchObject({ contentType: 'application/pdf' });
    expect(stored!.body.subarray(0, 5).toString()).toBe('%PDF-');
    expect(duplicate).toMatchObject({ rendered: [], uploaded: [], unchanged: [sheetKey('P-1')] });
    expect(stockOnly).toMatchObject({ rendered: [], uploaded: [] });
    expect(renders).toEqual(['P-1']);
    expect(pdfJobsFor([productChange('P-1', 5, 'Product.MODIFY', ['stock', 'updatedAt'])])).toEqual([]);
  });

  it('re-renders and invalidates a sheet whose price changed, and deletes the sheet of a removed product', async () => {
    // Prepare
    const { store, catalog, worker, invalidations } = await setup();
    await catalog.put(productItem({ sku: 'P-2' }));
    await catalog.put(productItem({ sku: 'P-3' }));
    await worker.run([sheet('P-2'), sheet('P-3')]);

    // Act
    await catalog.put(productItem({ sku: 'P-2', price: { USD: 5000, EUR: 4500 } }));
    await catalog.delete('P-3');
    const result = await worker.run([sheet('P-2'), sheet('P-3')]);

    // Assess
    expect(result.uploaded).toEqual([sheetKey('P-2')]);
    expect(result.deleted).toEqual([sheetKey('P-3')]);
    expect(invalidations.at(-1)).toEqual(['/pdf/products/P-2.pdf', '/pdf/products/P-3.pdf']);
    expect(await store.get(sheetKey('P-3'))).toBeUndefined();
  });

  it('never leaves a sheet published for a product deleted while it rendered', async () => {
    // Prepare: the product is deleted mid-render, and the delete's own job runs (and finds nothing to remove) before the upload
    let deleteJob: Promise<PdfRunResult> | undefined;
    const { store, catalog, worker, invalidations } = await setup({
      whileRendering: async (sku) => {
        await catalog.delete(sku);
        deleteJob = worker.run([sheet(sku)]);
        await deleteJob;
      },
    });
    await catalog.put(productItem({ sku: 'GONE-1', category: 'tents' }));
    // Act
    const result = await worker.run([sheet('GONE-1')]);
    // Assess
    expect((await deleteJob)?.deleted).toEqual([]);
    expect(await store.metadata(sheetKey('GONE-1'))).toBeUndefined();
    expect(result.uploaded).toEqual([]);
    expect(result.deleted).toEqual([sheetKey('GONE-1')]);
    expect(invalidations.flat()).toContain(`/${sheetKey('GONE-1')}`);
  });

  it('shows a sale on the sheet only while it is on, and re-renders when it ends', async () => {
    // Prepare
    let now = new Date('2026-12-01T23:59:00Z');
    const { store, catalog, worker } = await setup({ clock: () => now });
    await catalog.put(productItem({ sku: 'SALE-1', price: { USD: 10000 }, salePrice: { USD: 7000 }, saleEnd: '2026-12-01T23:59:30Z' }));
    // Act
    await worker.run([sheet('SALE-1')]);
    const during = (await store.metadata(sheetKey('SALE-1')))?.['data-version'];
    now = new Date('2026-12-01T23:59:31Z');
    const after = await worker.run([sheet('SALE-1')]);
    // Assess
    expect(after.uploaded).toEqual([sheetKey('SALE-1')]);
    expect((await store.metadata(sheetKey('SALE-1')))?.['data-version']).not.toBe(during);
  });

  it('fails one job without holding up the others', async () => {
    // Prepare
    const { catalog, worker } = await setup({ failSku: 'BAD' });
    for (const sku of ['OK-1', 'BAD', 'OK-2']) await catalog.put(productItem({ sku }));

    // Act
    const result = await worker.run([sheet('OK-1'), sheet('BAD'), sheet('OK-2')]);

    // Assess
    expect(result.uploaded.sort()).toEqual([sheetKey('OK-1'), sheetKey('OK-2')]);
    expect(result.failed.map((f) => f.job)).toEqual([sheet('BAD')]);
    expect(result.failed[0]!.error.message).toContain('render failed for BAD');
  });

  it('gives each change of a sheet its own invalidation reference (CloudFront ignores a repeated one)', async () => {
    // Prepare: CloudFront treats a CallerReference it has seen with the same paths as the same request
    const seen = new Set<string>();
    const made: string[][] = [];
    const { catalog, worker } = await setup({ cdn: { invalidate: async (paths, reference) => { if (!seen.has(reference)) { seen.add(reference); made.push([...paths]); } return reference; } } });
    await catalog.put(productItem({ sku: 'REF-1', title: 'First title' }));
    await worker.run([sheet('REF-1')]);
    await catalog.put(productItem({ sku: 'REF-1', title: 'Second title' }));
    // Act
    const second = await worker.run([sheet('REF-1')]);
    // Assess: both changes reached the edge
    expect(second.uploaded).toEqual([sheetKey('REF-1')]);
    expect(made).toEqual([['/pdf/products/REF-1.pdf'], ['/pdf/products/REF-1.pdf']]);
  });

  it('keeps an invalidation the CDN refused and makes it on the next run, though the retried sheet is then current', async () => {
    // Prepare: the CDN fails for the whole first run (its own retries included)
    let down = true;
    const { store, catalog, worker: flaky } = await setup({ cdn: { invalidate: async () => { if (down) throw new CdnError('CloudFront CreateInvalidation failed: ServiceUnavailable', { retryable: true }); return 'id'; } } });
    await catalog.put(productItem({ sku: 'INV-1' }));
    // Act
    const first = await flaky.run([sheet('INV-1')]).catch((e: unknown) => e);
    down = false;
    const retry = await flaky.run([sheet('INV-1')]);
    // Assess
    expect(first).toBeInstanceOf(CdnError);
    expect(retry.unchanged).toEqual([sheetKey('INV-1')]);
    expect(retry.invalidated).toEqual(['/pdf/products/INV-1.pdf']);
    expect(await store.get(sheetKey('INV-1'))).toBeDefined();
    const pending: string[] = [];
    for await (const key of store.list('_restatic/pending-invalidations/pdf/')) pending.push(key);
    expect(pending).toEqual([]);
  });

  it('publishes a sheet with the placeholder while its image host fails, and with the image once the host answers', async () => {
    // Prepare: the image host fails (after the loader's own retries) on the first job only
    const png = encodePng(4, 4, hexColor('#336699'), []);
    let calls = 0;
    const images: ImageLoader = async (src) => {
      calls++;
      if (calls === 1) throw new ImageFetchError(`Fetching image ${src}: expected 200, got 503`, { retryable: true });
      return png;
    };
    const { catalog, store, worker } = await setup({ images });
    await catalog.put(productItem({ sku: 'IMG-1' }));

    // Act
    const first = await worker.run([sheet('IMG-1')]);
    const afterFirst = await store.get(sheetKey('IMG-1'));
    const recheck = await worker.run(first.degraded);
    const settled = await worker.run([sheet('IMG-1')]);

    // Assess
    expect(first.failed).toEqual([]);
    expect(first.uploaded).toEqual([sheetKey('IMG-1')]);
    expect(first.degraded).toEqual([sheet('IMG-1')]);
    expect(afterFirst!.body.toString('latin1')).not.toContain('/Subtype /Image');
    expect(recheck.uploaded).toEqual([sheetKey('IMG-1')]);
    expect(recheck.degraded).toEqual([]);
    expect((await store.get(sheetKey('IMG-1')))!.body.toString('latin1')).toContain('/Subtype /Image');
    expect(settled).toMatchObject({ rendered: [], uploaded: [] });
  });

  it('publishes the catalog and every other sheet when one product image host cannot be reached', async () => {
    // Prepare: one product's only image is on a host that never answers
    const images: ImageLoader = async (src) => {
      if (src.includes('dead-host')) throw new ImageFetchError(`Fetching image ${src} failed: getaddrinfo ENOTFOUND dead-host.example`, { retryable: true });
      return undefined;
    };
    const { catalog, store, worker } = await setup({ images });
    await catalog.put(productItem({ sku: 'DEAD-1', category: 'tents', images: ['https://dead-host.example/a.png'] }));
    for (const sku of ['OK-1', 'OK-2']) await catalog.put(productItem({ sku, category: 'tents' }));

    // Act
    const result = await worker.run([sheet('DEAD-1'), sheet('OK-1'), { kind: 'catalog', correlationId: 'c' }, sheet('OK-2')]);

    // Assess
    expect(result.failed).toEqual([]);
    expect(result.uploaded.sort()).toEqual([CATALOG_KEY, sheetKey('DEAD-1'), sheetKey('OK-1'), sheetKey('OK-2')].sort());
    expect(result.degraded.map((j) => j.kind === 'sheet' ? j.sku : j.kind).sort()).toEqual(['DEAD-1', 'catalog']);
    expect((await store.get(CATALOG_KEY))!.body.subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('rejects a catalog whose image read throws, without an unobserved rejection ending the process', async () => {
    // Prepare
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => { unhandled.push(reason); };
    process.on('unhandledRejection', onUnhandled);
    const sections = catalogSections([validateProduct(productItem({ sku: 'X-1', category: 'tents', images: ['https://x/a.png'] }))], content, new Date());
    // Act
    const outcome = await renderCatalog(sections, { fonts, siteName: 'Shop', image: async () => { throw new ImageFetchError('host down', { retryable: true }); } }, new Writable({ write: (_c, _e, cb) => cb() })).catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 50));
    process.off('unhandledRejection', onUnhandled);
    // Assess
    expect(outcome).toBeInstanceOf(Error);
    expect(unhandled).toEqual([]);
  });

  it('re-renders the catalog when only its words change (the site\'s name, which its cover and footer show)', async () => {
    // Prepare
    let current = content;
    const { catalog, worker } = await setup({ content: () => current });
    await catalog.put(productItem({ sku: 'TENT-1', category: 'tents' }));
    await worker.run([{ kind: 'catalog', correlationId: 'c1' }]);
    current = { ...content, siteName: 'Renamed Outfitters', markets: content.markets.map((m) => ({ ...m, siteName: 'Renamed Outfitters' })) };
    // Act
    const renamed = await worker.run([{ kind: 'catalog', correlationId: 'c2' }]);
    const again = await worker.run([{ kind: 'catalog', correlationId: 'c3' }]);
    // Assess
    expect(renamed.uploaded).toEqual([CATALOG_KEY]);
    expect(again.unchanged).toEqual([CATALOG_KEY]);
  });

  it('expands a category change into the sheets of that category and the catalog', async () => {
    // Prepare
    const { store, catalog, worker } = await setup();
    await catalog.put(productItem({ sku: 'TENT-1', category: 'tents' }));
    await catalog.put(productItem({ sku: 'SHOE-1', category: 'running-shoes' }));
    const categoryId = [...content.entries].find(([, v]) => v.kind === 'category' && v.slug === 'tents')![0];

    // Act
    const result = await worker.run([{ kind: 'content', entryId: categoryId, correlationId: 'c' }]);

    // Assess
    expect(result.uploaded.sort()).toEqual([CATALOG_KEY, sheetKey('TENT-1')].sort());
    expect((await store.metadata(CATALOG_KEY))?.['data-version']).toMatch(/^[0-9a-f]{12}$/);
  });
});

describe('PDF fan-out', () => {
  it('makes one job per affected PDF, for fields a PDF shows only', () => {
    // Act
    const jobs = pdfJobsFor([
      productChange('A', 1, 'Product.MODIFY', ['price']),
      productChange('A', 2, 'Product.MODIFY', ['description']),
      productChange('B', 1, 'Product.INSERT'),
      productChange('C', 1, 'Product.MODIFY', ['shippingWeightGrams', 'stock']),
      entryChange('story-1', 3),
    ]);
    // Assess
    expect(jobs).toEqual([
      { kind: 'sheet', sku: 'A', correlationId: expect.any(String) },
      { kind: 'catalog', correlationId: expect.any(String) },
      { kind: 'sheet', sku: 'B', correlationId: expect.any(String) },
      { kind: 'content', entryId: 'story-1', correlationId: expect.any(String) },
    ]);
  });
});

describe('local PDF queue', () => {
  const result = (failed: PdfJob[] = []): PdfRunResult => ({ rendered: [], uploaded: [], unchanged: [], deleted: [], invalidated: [], enqueued: 0, degraded: [], failed: failed.map((job) => ({ job, error: new Error('boom') })) });

  it('retries a failing job, then dead-letters it, while the others run once', async () => {
    // Prepare
    const runs: string[][] = [];
    const deadLetterFile = join(mkdtempSync(join(tmpdir(), 'restatic-pdfq-')), 'dead.jsonl');
    const queue = new LocalPdfQueue(async (jobs) => {
      runs.push(jobs.map((j) => (j.kind === 'sheet' ? j.sku : j.kind)));
      return result(jobs.filter((j) => j.kind === 'sheet' && j.sku === 'BAD'));
    }, silentLogger, { windowMs: 5, backoffMs: 5, attempts: 3, deadLetterFile });

    // Act
    queue.add([sheet('A'), sheet('BAD'), sheet('B')]);
    await queue.idle();

    // Assess
    expect(runs).toEqual([['A', 'BAD', 'B'], ['BAD'], ['BAD']]);
    expect(existsSync(deadLetterFile)).toBe(true);
    expect(JSON.parse(readFileSync(deadLetterFile, 'utf8'))).toMatchObject({ job: sheet('BAD'), attempts: 3, error: 'boom' });
    expect(queue.state.deadLettered).toBe(1);
    await queue.close();
  });

  it('holds jobs, merged, while the site\'s own changes wait, and runs them once those are done or after the longest delay', async () => {
    // Prepare: a rebuild queue that is busy until told otherwise
    const runs: Array<{ jobs: string[]; at: number }> = [];
    let busy = true;
    const t0 = Date.now();
    const queue = new LocalPdfQueue(async (jobs) => { runs.push({ jobs: jobs.map((j) => (j.kind === 'sheet' ? j.sku : j.kind)), at: Date.now() - t0 }); return result(); },
      silentLogger, { windowMs: 5, maxDelayMs: 400, busy: () => busy, deadLetterFile: join(tmpdir(), 'unused.jsonl') });
    // Act: a burst of sheet jobs while busy; the queue frees up at 100 ms
    queue.add([sheet('A')]);
    await new Promise((resolve) => setTimeout(resolve, 30));
    queue.add([sheet('B'), sheet('A')]);
    setTimeout(() => { busy = false; }, 100);
    await queue.idle();
    const freed = runs.slice();
    // Then busy for good: the next job waits the longest delay and no more
    busy = true;
    const asked = Date.now() - t0;
    queue.add([sheet('C')]);
    await queue.idle();
    // Assess
    expect(freed.map((r) => r.jobs)).toEqual([['A', 'B']]);
    expect(freed[0]!.at).toBeGreaterThanOrEqual(100);
    expect(runs.at(-1)!.jobs).toEqual(['C']);
    expect(runs.at(-1)!.at - asked).toBeGreaterThanOrEqual(400);
    expect(runs.at(-1)!.at - asked).toBeLessThan(1500);
    await queue.close();
  });

  it('renders the catalog at most once per window, after the changes that asked for it', async () => {
    // Prepare
    const runs: string[][] = [];
    const queue = new LocalPdfQueue(async (jobs) => { runs.push(jobs.map((j) => (j.kind === 'sheet' ? j.sku : j.kind))); return result(); },
      silentLogger, { windowMs: 5, catalogWindowMs: 300, deadLetterFile: join(tmpdir(), 'unused.jsonl') });

    // Act: a burst of changes, each asking for the catalog
    queue.add([sheet('A'), { kind: 'catalog', correlationId: '1' }]);
    await new Promise((resolve) => setTimeout(resolve, 30));
    queue.add([sheet('B'), { kind: 'catalog', correlationId: '2' }]);
    queue.add([{ kind: 'catalog', correlationId: '3' }]);
    await queue.idle();

    // Assess: the first catalog goes with the first batch; the two later requests become one
    const catalogRuns = runs.filter((r) => r.includes('catalog'));
    expect(catalogRuns).toHaveLength(2);
    expect(runs.flat().filter((j) => j !== 'catalog').sort()).toEqual(['A', 'B']);
    await queue.close();
  });
  it('renders the catalog alone, and a slow catalog at most once per four of its durations (sheets never wait behind it)', async () => {
    // Prepare: a catalog that takes 60 ms, a window of 10 ms
    const runs: Array<{ jobs: string[]; at: number }> = [];
    const queue = new LocalPdfQueue(async (jobs) => {
      runs.push({ jobs: jobs.map((j) => (j.kind === 'sheet' ? j.sku : j.kind)), at: Date.now() });
      if (jobs.some((j) => j.kind === 'catalog')) await new Promise((resolve) => setTimeout(resolve, 60));
      return result();
    }, silentLogger, { windowMs: 5, catalogWindowMs: 10, deadLetterFile: join(tmpdir(), 'unused.jsonl') });

    // Act
    queue.add([sheet('A'), { kind: 'catalog', correlationId: '1' }]);
    await new Promise((resolve) => setTimeout(resolve, 80));
    queue.add([sheet('B'), { kind: 'catalog', correlationId: '2' }]);
    await queue.idle();

    // Assess
    const catalogs = runs.filter((r) => r.jobs.includes('catalog'));
    expect(catalogs.map((r) => r.jobs)).toEqual([['catalog'], ['catalog']]);
    expect(catalogs[1]!.at - catalogs[0]!.at).toBeGreaterThanOrEqual(4 * 60 - 5);
    const b = runs.find((r) => r.jobs.includes('B'))!;
    expect(b.at).toBeLessThan(catalogs[1]!.at);
    await queue.close();
  });
});

describe('PDF Lambda handler', () => {
  it('reports failed jobs and unreadable messages as batch item failures', async () => {
    // Prepare
    const handler = createPdfHandler({ run: async (jobs) => result(jobs.filter((j) => j.kind === 'sheet' && j.sku === 'BAD')) }, silentLogger);
    function result(failed: readonly PdfJob[]): PdfRunResult {
      return { rendered: [], uploaded: [], unchanged: [], deleted: [], invalidated: [], enqueued: 0, degraded: [], failed: failed.map((job) => ({ job, error: new Error('x') })) };
    }
    // Act
    const response = await handler(sqsEvent([JSON.stringify(sheet('OK')), JSON.stringify(sheet('BAD')), '{not json', JSON.stringify({ kind: 'sheet', sku: '../x', correlationId: 'c' })]));
    // Assess
    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['m2', 'm3', 'm4']);
  });

  it('sends a sheet drawn without its image again later, a bounded number of times', async () => {
    // Prepare: every run reports the sheet degraded (the image host stays down)
    const sent: PdfJob[][] = [];
    const handler = createPdfHandler({ run: async (jobs) => ({ rendered: [], uploaded: [], unchanged: [], deleted: [], invalidated: [], enqueued: 0, failed: [], degraded: [...jobs] }) }, silentLogger, { send: async (m) => { sent.push([...m]); } });
    // Act
    let job: PdfJob = sheet('IMG-9');
    for (let i = 0; i < 6; i++) {
      const response = await handler(sqsEvent([JSON.stringify(job)]));
      expect(response.batchItemFailures).toEqual([]);
      job = sent.at(-1)?.[0] ?? job;
    }
    // Assess
    expect(sent.map((m) => m.map((j) => (j.kind === 'sheet' ? j.recheck : undefined)))).toEqual([[1], [2], [3], [4]]);
  });
});

describe('local PDF queue re-checks', () => {
  it('runs a sheet drawn without its image again after the re-check delay, and stops after the last re-check', async () => {
    // Prepare
    const runs: Array<number | undefined> = [];
    const queue = new LocalPdfQueue(async (jobs) => {
      runs.push(...jobs.map((j) => (j.kind === 'sheet' ? j.recheck ?? 0 : -1)));
      return { rendered: [], uploaded: [], unchanged: [], deleted: [], invalidated: [], enqueued: 0, failed: [], degraded: [...jobs] };
    }, silentLogger, { windowMs: 1, recheckMs: 2, deadLetterFile: join(tmpdir(), 'unused.jsonl') });
    // Act
    queue.add([sheet('IMG-8')]);
    await queue.idle();
    // Assess
    expect(runs).toEqual([0, 1, 2, 3, 4]);
    await queue.close();
  });
});
