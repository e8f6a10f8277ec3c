/**
 * PDF scenarios, one per process: prints one JSON line.
 * Usage: node bin/run-ts.js bench/pdf-scenarios.ts pdf-sheets <count> <threads> <warm-up per thread>
 *        node bin/run-ts.js bench/pdf-scenarios.ts pdf-catalog <count>
 */
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderCatalog } from '../functions/pdf/catalog.js';
import { catalogSections, pdfContent, sheetData } from '../functions/pdf/data.js';
import { loadPdfFonts } from '../functions/pdf/fonts.js';
import { createSheetPool } from '../functions/pdf/pool.js';
import { createExportContentSource } from '../functions/shared/adapters/contentful-export-source.js';
import { validateProduct } from '../functions/shared/catalog/product.js';
import { ContentSnapshot } from '../functions/shared/content/snapshot.js';
import { allDemoImages } from '../functions/shared/demo/images.js';
import { demoProducts } from '../functions/shared/demo/products.js';
import { DEMO_SPACE_FILE } from '../local/stack.js';

const [name = '', countArg = '1000', threadsArg = '2', warmArg = '0'] = process.argv.slice(2);
const count = Number(countArg);
const source = createExportContentSource(DEMO_SPACE_FILE);
const snapshot = new ContentSnapshot(await source.locales());
snapshot.apply(await source.sync());
const content = pdfContent(snapshot, { baseUrl: 'https://shop.example.com', currencies: ['USD', 'EUR'] });
const images = new Map(allDemoImages().filter((a) => Buffer.isBuffer(a.body)).map((a) => [`/${a.key}`, a.body as Buffer]));
// Sheets rendered before the clock starts, per render thread, from other products than the timed
// ones (so the timed words are not already shaped). With a warm-up this measures a long-lived
// pool's steady state (the local stack's, a warm Lambda's), after V8 has optimised the render
// path; without, the JIT's first seconds, which compile on the spare core with one thread and
// compete with the second render thread otherwise.
// At least a few each, so that every thread has loaded its fonts before the clock starts.
const warmUpPerThread = Math.max(4, Number(warmArg));
const threads = Number(threadsArg);
const generated = demoProducts(count + (name === 'pdf-sheets' ? warmUpPerThread * threads : 0))[Symbol.iterator]();
const products = Array.from({ length: count }, () => validateProduct(generated.next().value!));

let result: Record<string, number>;
if (name === 'pdf-sheets') {
  const pool = createSheetPool(threads);
  const data = products.map((p) => sheetData(p, content));
  // Warm-up products are generated in batches and dropped, and the heap collected (the bench runs
  // this with --expose-gc), so no garbage from the set-up is left for the timed run's GC.
  for (;;) {
    const batch: Array<ReturnType<typeof sheetData>> = [];
    for (let r = generated.next(); !r.done; r = generated.next()) {
      batch.push(sheetData(validateProduct(r.value), content));
      if (batch.length === 500) break;
    }
    if (batch.length === 0) break;
    await Promise.all(batch.map((d) => pool.render(d, content.siteName, images.get(d.image ?? ''))));
  }
  (globalThis as { gc?: () => void }).gc?.();
  const t0 = performance.now();
  let bytes = 0;
  await Promise.all(data.map(async (d) => {
    const pdf = await pool.render(d, content.siteName, images.get(d.image ?? ''));
    bytes += pdf.length;
  }));
  result = { ms: performance.now() - t0, sheets: data.length, threads: pool.size, bytes };
  await pool.close();
} else if (name === 'pdf-catalog') {
  const dir = mkdtempSync(join(tmpdir(), 'restatic-bench-catalog-'));
  const fonts = loadPdfFonts();
  const t0 = performance.now();
  const r = await renderCatalog(catalogSections(products, content), { fonts, siteName: content.siteName, image: async (src) => images.get(src) }, createWriteStream(join(dir, 'catalog.pdf')));
  result = { ms: performance.now() - t0, pages: r.pages, products: r.products };
  rmSync(dir, { recursive: true, force: true });
} else {
  process.stderr.write(`bench: unknown PDF scenario ${name}; pdf-sheets or pdf-catalog\n`);
  process.exit(2);
}
process.stdout.write(`${JSON.stringify({ ...result, rssMb: process.resourceUsage().maxRSS / 1024 })}\n`);
process.exit(0);
