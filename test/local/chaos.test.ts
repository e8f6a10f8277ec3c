/**
 * Chaos: 300 changes, some of them poison, through the local change loop and the PDF worker while
 * the bucket, the CDN, the catalog and an image host fail at random (transient and permanent).
 * Afterwards every good change is live (after one replay once the faults stop), every poison change
 * is dead-lettered with its reason, nothing is lost, and the site is what a full build would make.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PdfWorker, sheetKey } from '../../functions/pdf/worker.js';
import { pendingInvalidationsPrefix } from '../../functions/shared/publish/owned.js';
import { pdfContent, sheetData } from '../../functions/pdf/data.js';
import { RebuildWorker } from '../../functions/rebuild/worker.js';
import { fullBuild } from '../../functions/shared/build/full-build.js';
import { inProcessRenderer } from '../../functions/shared/build/render-pool.js';
import type { Product } from '../../functions/shared/catalog/product.js';
import type { ChangeEnvelope } from '../../functions/shared/changes/envelope.js';
import { imageRechecks, pdfJobsFor, type PdfJob } from '../../functions/shared/changes/pdf-jobs.js';
import { ContentSnapshot } from '../../functions/shared/content/snapshot.js';
import { Prng } from '../../functions/shared/demo/prng.js';
import { CatalogError, CdnError, ImageFetchError, ObjectStoreError, ValidationError } from '../../functions/shared/errors.js';
import { silentLogger } from '../../functions/shared/logger.js';
import type { Catalog, Cdn, ObjectStore } from '../../functions/shared/ports.js';
import { readState, urlOwners } from '../../functions/shared/state/site-state.js';
import { ChangeLoop } from '../../local/change-loop.js';
import { JournalQueue } from '../../local/journal-queue.js';
import { StatusLog } from '../../local/status.js';
import { entry, paragraph, richDoc, textNode } from '../fixtures/content.js';
import { MemoryCatalog, MemoryContent, MemoryStore } from '../fixtures/memory.js';
import { DEMO_MARKETS } from '../../functions/shared/markets/markets.js';

const SITE = { baseUrl: 'https://shop.example.com', markets: [DEMO_MARKETS[0]!], listingPageSize: 6 };
const NOW = new Date('2026-11-20T00:00:00Z');
/**
 * Seeds of the fault pattern: each reached a different failure once (a commit reported failed
 * after its root was written, a page a failed run created left live, a split batch's first half lost).
 */
const SEEDS = process.env.CHAOS_SEED ? [Number(process.env.CHAOS_SEED)] : [20261202, 3, 6];
const SKUS = Array.from({ length: 30 }, (_, i) => `CH-${String(i).padStart(3, '0')}`);
const CATEGORIES = ['tents', 'boots', 'packs'];

/** Faults at random while `on`: transient ones (retryable), and now and then a permanent one. */
class Faults {
  on = true;
  readonly counts = { transient: 0, permanent: 0, image: 0 };
  constructor(private readonly prng: Prng, private readonly rate: number) {}

  maybe(what: string, make: (message: string, retryable: boolean) => Error): void {
    if (!this.on) return;
    if (this.prng.chance(this.rate)) {
      this.counts.transient++;
      throw make(`${what}: SlowDown (injected)`, true);
    }
    if (this.prng.chance(this.rate / 10)) {
      this.counts.permanent++;
      throw make(`${what}: AccessDenied (injected)`, false);
    }
  }
}

/** A catalog whose importer can write items that break the product rules (the table accepts them). */
class ChaosCatalog extends MemoryCatalog {
  readonly broken = new Set<string>();
  override async get(sku: string) {
    if (this.broken.has(sku)) throw new ValidationError('price.USD', `product ${sku}: expected \`price.USD\` to be a positive integer, got -5`, `product ${sku}`);
    return super.get(sku);
  }
  override async scanAll() {
    const all = await super.scanAll();
    return { products: all.products.filter((p) => !this.broken.has(p.sku)), rejected: [...this.broken].map((sku) => ({ sku, field: 'price.USD', message: 'broken' })) };
  }
}

function faultyStore(store: ObjectStore, faults: Faults): ObjectStore {
  const fail = (op: string, key: string) => faults.maybe(`S3 ${op} ${key}`, (m, retryable) => new ObjectStoreError(m, { retryable }));
  return {
    put: async (key, body, meta) => { fail('PUT', key); return store.put(key, body, meta); },
    putFile: (key, file, meta) => store.putFile(key, file, meta),
    get: async (key) => { fail('GET', key); return store.get(key); },
    head: async (key) => { fail('HEAD', key); return store.head(key); },
    metadata: async (key) => { fail('HEAD', key); return store.metadata(key); },
    deleteMany: async (keys) => { fail('DELETE', keys[0] ?? ''); return store.deleteMany(keys); },
    list: (prefix) => store.list(prefix),
  };
}

describe('chaos', () => {
  it.each(SEEDS)('keeps every good change, dead-letters every poison one with its reason, and loses nothing while S3, CloudFront, DynamoDB and an image host fail (seed %i)', async (SEED) => {
    // Prepare: a published store of 30 products and a few pages
    const prng = new Prng(SEED);
    const faults = new Faults(prng, 0.02);
    const store = new MemoryStore();
    const catalog = new ChaosCatalog();
    const content = new MemoryContent([
      entry('page-about', 'page', { title: 'About', slug: 'about', body: richDoc(paragraph(textNode('Hello.'))) }),
      ...CATEGORIES.map((slug) => entry(`cat-${slug}`, 'category', { title: slug, slug })),
    ]);
    const price = new Map<string, number>();
    const put = async (sku: string) => {
      const cents = prng.int(1000, 9999);
      price.set(sku, cents);
      catalog.broken.delete(sku);
      await catalog.put({ sku, slug: sku.toLowerCase(), title: `Item ${sku}`, description: `About ${sku}.`, price: { USD: cents }, availability: 'in_stock', category: CATEGORIES[SKUS.indexOf(sku) % 3], images: [`https://img.example.com/${sku}.png`] });
    };
    for (const sku of SKUS) await put(sku);
    const cdnCalls: string[][] = [];
    const cdn: Cdn = { invalidate: async (paths) => { faults.maybe('CloudFront CreateInvalidation', (m, r) => new CdnError(m, { retryable: r })); cdnCalls.push([...paths]); return 'id'; } };
    const chaosCatalog = { get: async (sku: string) => { faults.maybe(`DynamoDB GetItem ${sku}`, (m, r) => new CatalogError(m, { retryable: r })); return catalog.get(sku); }, scanAll: () => catalog.scanAll(), stream: () => catalog.stream() } as unknown as Catalog;
    const build = (target: ObjectStore, owners?: ReadonlyMap<string, string>) => fullBuild({ content, catalog, store: target, cdn: { invalidate: async () => 'id' }, logger: silentLogger, renderer: inProcessRenderer }, { site: { ...SITE, now: NOW, ...(owners ? { owners } : {}) }, demoImages: false });
    await build(store);
    const worker = new RebuildWorker(
      { content, catalog: chaosCatalog, store: faultyStore(store, faults), cdn, logger: silentLogger, fullBuild: () => build(store), clock: () => NOW },
      { site: SITE, demoImages: false, consistency: { attempts: 1, baseMs: 0 } },
    );
    const snapshot = async () => { const s = new ContentSnapshot(await content.locales()); s.apply(await content.sync()); return s; };
    const pdfs = new PdfWorker({
      catalog: chaosCatalog, store: faultyStore(store, faults), cdn, logger: silentLogger, fonts: undefined as never, clock: () => NOW,
      content: async () => pdfContent(await snapshot(), { ...SITE }),
      renderSheet: async (data, _site, image) => Buffer.from(`${data.version}${image ? '+image' : ''}`),
      images: async (src) => {
        if (faults.on && prng.chance(0.3)) { faults.counts.image++; throw new ImageFetchError(`Fetching image ${src} failed: ECONNRESET (injected)`, { retryable: true }); }
        return Buffer.from('png');
      },
    });
    const dir = mkdtempSync(join(tmpdir(), 'restatic-chaos-'));
    const journal = new JournalQueue(join(dir, 'journal.jsonl'));
    const deadLetterFile = join(dir, 'dead.jsonl');
    let pdfJobs: PdfJob[] = [];
    const loop = new ChangeLoop(journal, worker, new StatusLog(), silentLogger, {
      windowMs: 1, backoffMs: 1, attempts: 3, maxRedeliveries: 3, deadLetterFile,
      onProcessed: (envelopes, result) => { pdfJobs.push(...pdfJobsFor(envelopes).filter((j) => j.kind === 'sheet'), ...result.changedProducts.map((sku) => ({ kind: 'sheet' as const, sku, correlationId: 'c' }))); },
    });
    const runPdfs = async () => {
      for (let round = 0; pdfJobs.length && round < 20; round++) {
        const batch = pdfJobs;
        pdfJobs = [];
        // A run that throws (the CDN failing after its retries) returns its batch to the queue, as SQS would.
        const result = await pdfs.run(batch).catch(() => undefined);
        if (!result) { pdfJobs.push(...batch); continue; }
        pdfJobs.push(...result.failed.map((f) => f.job), ...imageRechecks(result.degraded));
      }
    };

    // Act: 30 bursts of 10 changes
    let sequence = 1000;
    const poison: ChangeEnvelope[] = [];
    const sent = { good: 0, poison: 0, invalid: 0, deleted: 0, content: 0 };
    const envelope = (kind: ChangeEnvelope['kind'], id: string, topic: string, version = String(++sequence)): ChangeEnvelope => ({ source: kind === 'Product' ? 'catalog' : 'contentful', kind, id, version, topic, correlationId: `chaos-${sequence}-${id}`, receivedAt: NOW.toISOString() });
    for (let burst = 0; burst < 30; burst++) {
      const batch: ChangeEnvelope[] = [];
      for (let i = 0; i < 10; i++) {
        const roll = prng.next();
        const sku = prng.pick(SKUS);
        if (roll < 0.07) {
          const bad = { ...envelope('Entry', 'page-about', 'Entry.publish'), version: prng.pick(['x', '-1', '1e3', '']) };
          poison.push(bad); batch.push(bad); sent.poison++;
        } else if (roll < 0.12) {
          catalog.broken.add(sku); price.delete(sku);
          batch.push(envelope('Product', sku, 'Product.MODIFY')); sent.invalid++;
        } else if (roll < 0.16) {
          await catalog.delete(sku); catalog.broken.delete(sku); price.delete(sku);
          batch.push(envelope('Product', sku, 'Product.REMOVE')); sent.deleted++;
        } else if (roll < 0.24) {
          const at = new Date(NOW.getTime() + sequence * 1000).toISOString();
          content.publish({ ...entry('page-about', 'page', { title: `About ${sequence}`, slug: 'about', body: richDoc(paragraph(textNode(`Hello ${sequence}.`))) }), sys: { ...entry('page-about', 'page', {}).sys, updatedAt: at } });
          batch.push({ ...envelope('Entry', 'page-about', 'Entry.publish'), version: String(Date.parse(at)) }); sent.content++;
        } else {
          await put(sku);
          batch.push(envelope('Product', sku, 'Product.MODIFY')); sent.good++;
        }
      }
      await journal.send(batch);
      await loop.idle();
      await runPdfs();
    }
    // The faults stop; what transient or permanent faults dead-lettered is replayed once.
    faults.on = false;
    const deadBeforeReplay = readFileSync(deadLetterFile, 'utf8').trim().split('\n').filter(Boolean).length;
    await loop.replay();
    await loop.idle();
    await runPdfs();
    await loop.close();

    // Assess: nothing lost or stuck
    expect(journal.pending().envelopes).toEqual([]);
    // Every poison change, and only those, is dead-lettered with its reason.
    const letters = readFileSync(deadLetterFile, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { envelope: ChangeEnvelope; error: string });
    expect(letters.map((l) => l.envelope.correlationId).sort()).toEqual(poison.map((p) => p.correlationId).sort());
    for (const l of letters) expect(l.error).toContain('decimal version');
    // Every good change is live: each product shows its last price; broken and deleted ones are gone.
    const page = (sku: string) => store.objects.get(`products/${sku.toLowerCase()}/index.html`)?.body.toString('utf8');
    for (const sku of SKUS) {
      const cents = price.get(sku);
      if (cents === undefined) expect(page(sku), sku).toBeUndefined();
      else expect(page(sku), sku).toContain(`$${(cents / 100).toFixed(2)}`);
    }
    expect([...loop.rejected.keys()].sort()).toEqual([...catalog.broken].sort());
    // The site is what a full build from the same data makes, byte for byte.
    const reference = new MemoryStore();
    await build(reference, urlOwners((await readState(store))!));
    const site = (s: MemoryStore) => new Map([...s.objects].filter(([key]) => !key.startsWith('_restatic/') && !key.startsWith('pdf/')));
    const live = site(store);
    const expected = site(reference);
    expect([...live.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [key, object] of expected) expect(live.get(key)!.body.equals(object.body), key).toBe(true);
    // Every sheet shows its product's current data with its image (the host answers again).
    const pdf = pdfContent(await snapshot(), { ...SITE });
    for (const p of (await catalog.scanAll()).products as Product[]) {
      expect((await store.metadata(sheetKey(p.sku)))?.['data-version'], p.sku).toBe(sheetData(pdf.view(p)!, pdf, NOW).version);
      expect(store.objects.get(sheetKey(p.sku))!.body.toString(), p.sku).toContain('+image');
    }
    // No invalidation is left undone: every sheet uploaded was invalidated after its upload.
    expect([...store.objects.keys()].filter((k) => k.startsWith(pendingInvalidationsPrefix('pdf')))).toEqual([]);
    console.info(`chaos (seed ${SEED}): ${sent.good} price changes, ${sent.content} CMS publishes, ${sent.deleted} deletions, ${sent.invalid} invalid items, ${sent.poison} poison; faults injected: ${faults.counts.transient} transient, ${faults.counts.permanent} permanent, ${faults.counts.image} image-host; ${deadBeforeReplay} dead letters before the replay, ${letters.length} (all poison) after; ${loop.rejected.size} products rejected`);
  }, 120_000);
});
