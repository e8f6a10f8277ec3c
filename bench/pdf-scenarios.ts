/**
 * PDF scenarios, one per process: prints one JSON line.
 * Usage: node bin/run-ts.js bench/pdf-scenarios.ts pdf-sheets <count> <threads> <warm-up per thread>
 *        node bin/run-ts.js bench/pdf-scenarios.ts pdf-sheets-paired <count> <rounds> <warm-up per thread>
 *        node bin/run-ts.js bench/pdf-scenarios.ts pdf-catalog <count>
 */
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PQueue from 'p-queue';
import { renderCatalog } from '../functions/pdf/catalog.js';
import { catalogSections, pdfContent, sheetData } from '../functions/pdf/data.js';
import { loadPdfFonts } from '../functions/pdf/fonts.js';
import { createSheetPool, type SheetPool } from '../functions/pdf/pool.js';
import { createExportContentSource } from '../functions/shared/adapters/contentful-export-source.js';
import { validateProduct } from '../functions/shared/catalog/product.js';
import { ContentSnapshot } from '../functions/shared/content/snapshot.js';
import { allDemoImages } from '../functions/shared/demo/images.js';
import { demoProducts } from '../functions/shared/demo/products.js';
import { DEMO_SPACE_FILE } from '../local/demo-space.js';
import { peakRssMb } from './peak-rss.js';

/** Sale windows are read against a fixed instant. */
const NOW = new Date('2026-11-20T00:00:00Z');

// The third argument is the thread count for pdf-sheets, the number of rounds for pdf-sheets-paired.
const [name = '', countArg = '1000', threadsOrRounds = '2', warmArg = '0'] = process.argv.slice(2);
const count = Number(countArg);
const source = createExportContentSource(DEMO_SPACE_FILE);
const snapshot = new ContentSnapshot(await source.locales());
snapshot.apply(await source.sync());
const content = pdfContent(snapshot, { baseUrl: 'https://shop.example.com' });
const images = new Map(allDemoImages().filter((a) => Buffer.isBuffer(a.body)).map((a) => [`/${a.key}`, a.body as Buffer]));
type Sheet = ReturnType<typeof sheetData>;
const generated = demoProducts(Number.MAX_SAFE_INTEGER)[Symbol.iterator]();
/** The next `n` products' sheet data: every call gives products no thread has rendered yet. */
const nextSheets = (n: number): Sheet[] => Array.from({ length: n }, () => sheetData(validateProduct(generated.next().value!), content, NOW));
const products = name === 'pdf-catalog' ? Array.from({ length: count }, () => validateProduct(generated.next().value!)) : [];

/**
 * The timed sheets, made before the pools start and kept as JSON text until their round. Making
 * sheet data runs the bench's own code (the product generator, validation, hashing) hot on this
 * thread, and V8 goes on compiling it on its background threads for a while after: made just
 * before each clock, that compilation ran inside the timed round, on the core the second render
 * thread needs. Text, because a few MB of flat strings cost the collector nothing to mark, where
 * thousands of sheet objects would be marked again at every collection of this thread's heap.
 */
const timedInputs = (rounds: number): Array<() => Sheet[]> => Array.from({ length: rounds }, () => JSON.stringify(nextSheets(count))).map((text) => () => JSON.parse(text) as Sheet[]);

/**
 * Renders `sheets` on `pool` as the PDF worker feeds it (a p-queue of 8 jobs in flight); wall time
 * and bytes. The sheets are made before the clock starts and the heap is collected then (the bench
 * runs with --expose-gc), so the clock measures rendering, not the collection of the bench's own
 * input: a worker makes each sheet's data when its job starts, not a thousand ahead.
 */
async function timed(pool: SheetPool, sheets: Sheet[]): Promise<{ ms: number; bytes: number }> {
  (globalThis as { gc?: () => void }).gc?.();
  const queue = new PQueue({ concurrency: 8 });
  const t0 = performance.now();
  let bytes = 0;
  await Promise.all(sheets.map((d) => queue.add(async () => {
    const pdf = await pool.render(d, content.siteName, images.get(d.image ?? ''));
    bytes += pdf.length;
  })));
  return { ms: performance.now() - t0, bytes };
}

/**
 * Sheets rendered before any clock starts, per render thread, from other products than the timed
 * ones (so the timed words are not already shaped), in batches that are dropped (`timed` collects
 * the heap before every clock it starts). With a long warm-up this measures a long-lived
 * pool's steady state (the local stack's, a warm Lambda's) after V8 has optimised the render path;
 * with a short one, the JIT's first seconds, which compile on the spare core with one thread and
 * compete with the second render thread otherwise. At least a few, so every thread has its fonts.
 */
async function warmUp(pool: SheetPool, perThread: number): Promise<void> {
  for (let left = Math.max(4, perThread) * pool.size; left > 0; left -= 500) await timed(pool, nextSheets(Math.min(500, left)));
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

let result: Record<string, number>;
if (name === 'pdf-sheets') {
  // One pool, fresh threads: `count` sheets after the warm-up.
  const [input] = timedInputs(1);
  const pool = createSheetPool(Number(threadsOrRounds));
  await warmUp(pool, Number(warmArg));
  const run = await timed(pool, input!());
  result = { ...run, sheets: count, threads: pool.size };
  await pool.close();
} else if (name === 'pdf-sheets-paired') {
  // A one-thread pool and a two-thread pool, both warmed alike, take turns on fresh products, a
  // second or so each: a slow spell on this shared machine then hits both sides of a round's
  // ratio, which separate processes minutes apart cannot promise. Rounds alternate which pool goes
  // first (one-two, two-one, …) so that a machine slowing down or speeding up over a round favours
  // neither side. Medians over the rounds.
  const inputs = timedInputs(Number(threadsOrRounds) * 2);
  const one = createSheetPool(1);
  const two = createSheetPool(2);
  await warmUp(one, Number(warmArg));
  await warmUp(two, Number(warmArg));
  const ones: number[] = [];
  const twos: number[] = [];
  const ratios: number[] = [];
  let bytes = 0;
  for (let round = 0; round < Number(threadsOrRounds); round++) {
    const oneFirst = round % 2 === 0;
    const first = await timed(oneFirst ? one : two, inputs[round * 2]!());
    const second = await timed(oneFirst ? two : one, inputs[round * 2 + 1]!());
    const [a, b] = oneFirst ? [first, second] : [second, first];
    ones.push(a.ms);
    twos.push(b.ms);
    ratios.push(a.ms / b.ms);
    bytes = b.bytes;
  }
  result = { oneMs: median(ones), twoMs: median(twos), ratio: median(ratios), minRatio: Math.min(...ratios), maxRatio: Math.max(...ratios), rounds: ratios.length, sheets: count, bytes };
  await Promise.all([one.close(), two.close()]);
} else if (name === 'pdf-catalog') {
  const dir = mkdtempSync(join(tmpdir(), 'restatic-bench-catalog-'));
  const fonts = loadPdfFonts();
  const t0 = performance.now();
  const r = await renderCatalog(catalogSections(products, content, NOW), { fonts, siteName: content.siteName, image: async (src) => images.get(src) }, createWriteStream(join(dir, 'catalog.pdf')));
  result = { ms: performance.now() - t0, pages: r.pages, products: r.products };
  rmSync(dir, { recursive: true, force: true });
} else {
  process.stderr.write(`bench: unknown PDF scenario ${name}; pdf-sheets, pdf-sheets-paired or pdf-catalog\n`);
  process.exit(2);
}
process.stdout.write(`${JSON.stringify({ ...result, rssMb: peakRssMb() })}\n`);
process.exit(0);
