/**
 * The rebuild worker's cold start and what it holds, in its own process (`--expose-gc`): a store of
 * BENCH_PRODUCTS products published into memory (pages rendered as stubs: only the state and
 * manifest matter here), then a worker that has just started takes one price change (it reads the
 * state, turns the page index around and outlines the site: what a Lambda's first run pays, and a
 * full-build run at its end), then five more warm; then another worker is started as a provisioned
 * Lambda environment starts (it reads the live site before any change) and takes one. Prints one
 * JSON line.
 *
 * The heap the warm worker holds (after a full GC, less the in-memory bucket and table it reads
 * from) is what sizes the worker Lambda's memory (`infra/lib/worker-memory.ts`).
 */
import { RebuildWorker } from '../functions/rebuild/worker.js';
import { createExportContentSource } from '../functions/shared/adapters/contentful-export-source.js';
import { fullBuild } from '../functions/shared/build/full-build.js';
import type { PageRenderer } from '../functions/shared/build/render-pool.js';
import { sha256 } from '../functions/shared/build/render.js';
import { validateProduct, type Product } from '../functions/shared/catalog/product.js';
import { demoProducts } from '../functions/shared/demo/products.js';
import { silentLogger } from '../functions/shared/logger.js';
import { DEMO_MARKETS } from '../functions/shared/markets/markets.js';
import { DEMO_SPACE_FILE } from '../local/demo-space.js';
import { productChange } from '../test/fixtures/events.js';
import { MemoryCatalog, MemoryRootPointers, MemoryStore } from '../test/fixtures/memory.js';
import { readBenchConfig } from './config.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('bench/worker-memory.ts needs node --expose-gc');
const heapMb = () => { gc(); gc(); return process.memoryUsage().heapUsed / 2 ** 20; };
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const products = readBenchConfig().BENCH_PRODUCTS;
const site = { baseUrl: 'https://shop.example.com', markets: DEMO_MARKETS, listingPageSize: 24 };
const now = new Date('2026-11-20T00:00:00Z');
const [store, roots, catalog, cdn] = [new MemoryStore(), new MemoryRootPointers(), new MemoryCatalog(), { invalidate: async () => 'id' }];
for (const raw of demoProducts(products)) { const p = validateProduct(raw); catalog.items.set(p.sku, p); }
const content = createExportContentSource(DEMO_SPACE_FILE);
// Each page's body is its URL: the worker's own runs render real pages; the build only has to leave a state and manifest.
const stubs: PageRenderer = {
  async render(pages, _context, onChunk) {
    for (let i = 0; i < pages.length; i += 500) {
      await onChunk(pages.slice(i, Math.min(i + 500, pages.length)).map((p) => { const body = Buffer.from(p.url); return { url: p.url, key: p.key, body, hash: sha256(body) }; }));
    }
  },
};
const built = await fullBuild({ content, catalog, store, roots, cdn, logger: silentLogger, renderer: stubs }, { site: { ...site, now }, demoImages: false });
const before = heapMb();

const newWorker = () => new RebuildWorker({ content, catalog, store, roots, cdn, logger: silentLogger, clock: () => now, fullBuild: async () => { throw new Error('the bench\'s changes never need a full build'); } }, { site, demoImages: false });
const worker = newWorker();
const skus = [...catalog.items.keys()];
let version = 1;
const reprice = async (sku: string, by = worker) => {
  const p = catalog.items.get(sku)!;
  catalog.items.set(sku, { ...p, price: Object.fromEntries(Object.entries(p.price).map(([currency, cents]) => [currency, cents + 100])) as Product['price'] });
  const t0 = performance.now();
  const result = await by.run([productChange(sku, ++version)]);
  if (result.mode !== 'targeted' || result.rendered.length === 0) throw new Error(`expected a targeted run rendering the repriced ${sku}, got mode ${result.mode} with ${result.rendered.length} pages`);
  return { ms: performance.now() - t0, result };
};
const cold = await reprice(skus[Math.floor(skus.length / 3)]!);
const held = heapMb() - before;
const warm: number[] = [];
for (let i = 1; i <= 5; i++) warm.push((await reprice(skus[(i * 7919) % skus.length]!)).ms);
// Started ahead of its first change (provisioned concurrency: warm-start.ts), a worker reads the live site while it starts.
const provisioned = newWorker();
const w0 = performance.now();
await provisioned.warm();
const warmUpMs = performance.now() - w0;
const afterWarmUp = await reprice(skus[Math.floor((skus.length * 2) / 3)]!, provisioned);

process.stdout.write(`${JSON.stringify({
  products, pages: built.pages, coldMs: cold.ms, coldReadMs: cold.result.timings.read, coldBuildMs: cold.result.timings.build, coldPlanning: cold.result.planning,
  warmMs: median(warm), warmUpMs, afterWarmUpMs: afterWarmUp.ms, afterWarmUpStateRead: afterWarmUp.result.state?.bytesRead ?? 0, heldMb: held, rssMb: process.memoryUsage().rss / 2 ** 20,
})}\n`);
process.exit(0);
