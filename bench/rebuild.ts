/**
 * Targeted-rebuild rows of the bench: the local stack over a large demo store, then one price
 * change, one description change, one author rename, and a webhook load test from a separate
 * process (autocannon), each measured as the system reports it (the loop's run results).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { RebuildResult } from '../functions/rebuild/worker.js';
import type { Product } from '../functions/shared/catalog/product.js';
import { silentLogger } from '../functions/shared/logger.js';
import { createProgress } from '../cli/progress.js';
import { readLocalConfig } from '../local/config.js';
import { startLocalStack } from '../local/stack.js';
import { cmaEntry, cmaEntryFrom, signedWebhook } from '../test/fixtures/webhooks.js';
import { createExportContentSource } from '../functions/shared/adapters/contentful-export-source.js';
import { DEMO_SPACE_FILE } from '../local/demo-space.js';
import { benchPreview, type PreviewBench } from './preview.js';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export interface RebuildBench {
  /** The stack's first, cold full build + publish of the same store: what "rebuild everything" costs. */
  fullBuildMs: number;
  priceLatencyMs: number;
  price: RebuildResult;
  /** A EUR price change of German-translated products: PUT → the new `/de/` page at the edge, median. */
  eurLatencyMs: number;
  eur: RebuildResult;
  /** A price change that ends a sale: PUT → the product gone from the Black Friday page at the edge, median of 3; its run. */
  saleEndedLatencyMs: number;
  saleEnded: RebuildResult;
  /** An en-US description change of a product whose German description stands: only `/` may render. */
  englishDescription: RebuildResult;
  description: RebuildResult;
  author: RebuildResult;
  /** An editor publishing a blog post's new title: webhook → the new title on its page at the edge, median of 3; the last run. */
  editorLatencyMs: number;
  editor: RebuildResult;
  webhook: { p99: number; p50: number; requests: number; errors: number; non2xx: number; accepted: number; pending: number };
  /** Sustained repricing: `rate` price changes a second for `seconds`, each a different product. */
  sustained: {
    rate: number; seconds: number; changes: number; live: number; p50: number; p95: number; runs: number; deadLetters: number; edgeChecked: number; edgeStale: number;
    /** The median run of the window: products it changed, pages it rendered, and each stage's milliseconds (where a slow row's time went). */
    run: { products: number; pages: number; read: number; build: number; publish: number; commit: number };
    /** The slowest run of the window, the same figures and its mode: what a p95 well above the median is made of. */
    slowest: { products: number; pages: number; read: number; build: number; publish: number; commit: number; mode: string };
    /** Runs of the window that planned on the whole site (not the warm outline), and attempts that threw (retried). */
    listed: number; failedRuns: number;
    /** Documents the compactor folded beside the worker, its runs' mean wall ms, and runs whose own commit folded (the compactor had not kept up). */
    compacted: number; compactionMs: number; inlineFolds: number;
  };
  /** A sale ending a few seconds ahead, nothing else changing: from its instant to the regular price at the edge (page, listing), and to the new spec sheet. */
  saleEnd: { pageMs: number; listingMs: number; sheetMs: number; jsonLdAgrees: boolean };
  /** The private preview on the same stack, after the rest (bench/preview.ts). */
  preview: PreviewBench;
  /** The search index: the start-up refresh (every searchable page indexed), and the last refresh the bench's changes asked for. */
  search: { first: { ms: number; records: number; files: number }; afterChanges: { ms: number; skipped: string } };
}

/** A row's figure as soon as it is measured: a long run (100,000 products) that is stopped still tells what it saw. */
const say = (row: string) => process.stderr.write(`  measured: ${row}\n`);

const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] ?? Number.NaN;

/**
 * Price changes at a steady rate, each to a different product, sent without waiting for the
 * pipeline: save → live is from the PUT to the end of the run that invalidated the product's page
 * (the edge serves the new bytes from then on); a sample of pages is read back at the edge.
 */
async function sustainedRepricing(
  stack: Awaited<ReturnType<typeof startLocalStack>>, products: readonly Product[],
  put: (p: Product, changes: Partial<Product>) => Promise<Response>, dataDir: string,
): Promise<RebuildBench['sustained']> {
  const rate = Number(process.env.BENCH_SUSTAINED_RATE ?? 50);
  const seconds = Number(process.env.BENCH_SUSTAINED_SECONDS ?? 60);
  const targets = products.slice(0, rate * seconds);
  const sentAt = new Map<string, number>();
  const runs: RebuildResult[] = [];
  const unwatch = stack.loop.watch((result) => runs.push(result));
  const failedBefore = stack.loop.failedRuns;
  const compactedBefore = stack.compactor.state.folded;
  const compactionRunsBefore = stack.compactor.state.runs;
  const compactionMsBefore = stack.compactor.state.ms;
  const start = performance.now();
  const puts: Array<Promise<unknown>> = [];
  for (const [i, product] of targets.entries()) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    sentAt.set(product.sku, Date.now());
    puts.push(put(product, { price: { ...product.price, USD: 3000 + (i % 500) } }).then((r) => r.arrayBuffer()));
    if (i % rate === 0) process.stderr.write(`\r  sustained repricing: ${i}/${targets.length} sent`);
  }
  await Promise.all(puts);
  await stack.loop.idle();
  process.stderr.write(`\r  sustained repricing: ${targets.length}/${targets.length} sent\n`);
  const liveAt = new Map<string, number>();
  unwatch();
  for (const run of runs) {
    const at = Date.parse(run.stages.invalidated ?? run.stages.uploaded ?? '');
    for (const sku of run.changedProducts) if (sentAt.has(sku) && !liveAt.has(sku)) liveAt.set(sku, at);
  }
  const latencies = [...liveAt].map(([sku, at]) => at - sentAt.get(sku)!);
  const of = (f: (r: RebuildResult) => number) => percentile(runs.map(f), 0.5);
  const run = {
    products: of((r) => r.changedProducts.length), pages: of((r) => r.rendered.length),
    read: of((r) => r.timings.read), build: of((r) => r.timings.build), publish: of((r) => r.timings.publish), commit: of((r) => r.timings.commit),
  };
  const folded = (doc: string, io: { folds: number; foldReason?: string } | undefined) => (io?.folds ? `, its commit folded the ${doc}: ${io.foldReason ?? 'a whole write'}` : '');
  const total = (r: RebuildResult) => r.timings.read + r.timings.build + r.timings.publish + r.timings.commit;
  const worst = runs.reduce<RebuildResult | undefined>((a, r) => (!a || total(r) > total(a) ? r : a), undefined);
  const slowest = worst
    ? {
      products: worst.changedProducts.length, pages: worst.rendered.length, ...worst.timings,
      mode: `${worst.mode}${worst.planning ? `, ${worst.planning}` : ''}${folded('state', worst.state)}${folded('manifest', worst.manifest)}`,
    }
    : { products: 0, pages: 0, read: 0, build: 0, publish: 0, commit: 0, mode: 'none' };
  // Read back a sample at the edge: the page shows the price the last PUT set.
  let edgeStale = 0;
  const sample = targets.filter((_, i) => i % Math.max(1, Math.floor(targets.length / 50)) === 0);
  for (const product of sample) {
    const i = targets.indexOf(product);
    const html = await (await fetch(`${stack.url}/products/${product.slug}/`)).text();
    if (!html.includes(`$${((3000 + (i % 500)) / 100).toFixed(2)}`)) edgeStale++;
  }
  const deadFile = join(dataDir, 'changes', 'dead-letters.jsonl');
  const deadLetters = existsSync(deadFile) ? readFileSync(deadFile, 'utf8').split('\n').filter(Boolean).length : 0;
  return {
    rate, seconds, changes: targets.length, live: liveAt.size, p50: percentile(latencies, 0.5), p95: percentile(latencies, 0.95), runs: runs.length,
    deadLetters, edgeChecked: sample.length, edgeStale, run, slowest,
    listed: runs.filter((r) => r.planning === 'listed').length, failedRuns: stack.loop.failedRuns - failedBefore,
    compacted: stack.compactor.state.folded - compactedBefore,
    compactionMs: (stack.compactor.state.ms - compactionMsBefore) / Math.max(1, stack.compactor.state.runs - compactionRunsBefore), inlineFolds: runs.filter((r) => (r.state?.folds ?? 0) + (r.manifest?.folds ?? 0) > 0).length,
  };
}

export async function benchRebuild(products: number): Promise<RebuildBench> {
  const dataDir = mkdtempSync(join(tmpdir(), 'restatic-bench-stack-'));
  const stack = await startLocalStack(readLocalConfig({ PORT: '0', RESTATIC_DATA_DIR: dataDir, DEMO_PRODUCTS: String(products), LOG_LEVEL: 'silent' }), { logger: silentLogger, progress: createProgress() });
  // The start-up refresh indexed every searchable page.
  const startup = stack.search.state;
  const firstSearch = startup.indexed && startup.last && 'ms' in startup.last ? { ms: startup.last.ms, records: startup.indexed.records, files: startup.indexed.files } : { ms: Number.NaN, records: 0, files: 0 };
  say(`stack up: full build + publish ${Math.round(stack.firstBuild.timings.total)} ms; search start-up ${firstSearch.records} pages ${Math.round(firstSearch.ms)} ms`);
  try {
    const all = (await stack.services.catalog.scanAll()).products.filter((p) => p.salePrice === undefined && p.category);
    const put = (p: Product, changes: Partial<Product>) =>
      fetch(`${stack.url}/_local/products/${encodeURIComponent(p.sku)}`, { method: 'PUT', body: JSON.stringify({ ...p, slug: undefined, ...changes }) });

    // Price change: from PUT to the new page served by the edge, five products, median.
    const latencies: number[] = [];
    let price: RebuildResult | undefined;
    for (const [i, product] of all.slice(0, 5).entries()) {
      const cents = 1000 + i;
      const expected = `$${(cents / 100).toFixed(2)}`;
      const t0 = performance.now();
      await put(product, { price: { ...product.price, USD: cents } });
      for (;;) {
        const html = await (await fetch(`${stack.url}/products/${product.slug}/`)).text();
        if (html.includes(expected)) break;
        await new Promise((r) => setTimeout(r, 5));
      }
      latencies.push(performance.now() - t0);
      await stack.loop.idle();
      price = stack.loop.recent.at(-1);
    }
    say(`price change PUT → edge, median of 5: ${Math.round(median(latencies))} ms; pages rendered ${price?.rendered.length}`);

    // EUR price changes of German-translated products, untouched by the other scenarios.
    const german = all.slice(30, 100).filter((p) => p.price.EUR !== undefined && p.translations?.['de-DE']?.description);
    const euro = new Intl.NumberFormat('de-DE', { style: 'currency', currency: 'EUR' });
    const eurLatencies: number[] = [];
    let eur: RebuildResult | undefined;
    for (const [i, product] of german.slice(0, 5).entries()) {
      const cents = 1000 + i;
      const expected = euro.format(cents / 100);
      const url = `${stack.url}/de/products/${product.translations?.['de-DE']?.slug ?? product.slug}/`;
      const t0 = performance.now();
      await put(product, { price: { ...product.price, EUR: cents } });
      for (;;) {
        const html = (await (await fetch(url)).text()).replaceAll('&nbsp;', '\u00a0').replaceAll('&#160;', '\u00a0');
        if (html.includes(expected)) break;
        await new Promise((r) => setTimeout(r, 5));
      }
      eurLatencies.push(performance.now() - t0);
      await stack.loop.idle();
      eur = stack.loop.recent.at(-1);
    }
    say(`EUR price change PUT → edge, median: ${Math.round(median(eurLatencies))} ms`);
    if (!eur) throw new Error('bench: expected German-translated products with a EUR price among the demo products, found none');
    await put(german[5]!, { description: 'A brand new English description.' });
    await stack.loop.idle();
    const englishDescription = stack.loop.recent.at(-1)!;

    // A price change that ends a sale: PUT → the product gone from the Black Friday page's collection at the edge.
    const onSale = new Map((await stack.services.catalog.scanAll()).products.filter((p) => p.salePrice).map((p) => [p.slug, p]));
    const blackFriday = () => fetch(`${stack.url}/black-friday/`).then((r) => r.text());
    const saleEndLatencies: number[] = [];
    let saleEnded: RebuildResult | undefined;
    for (let i = 0; i < 3; i++) {
      const shown = [...(await blackFriday()).matchAll(/<li class="card"[^>]*>\s*<a href="\/products\/([^/]+)\/">/g)].map((m) => m[1]!);
      const product = shown.map((slug) => onSale.get(slug)).find((p) => p !== undefined);
      if (!product) throw new Error('bench: expected products on sale on the Black Friday page, found none');
      onSale.delete(product.slug);
      const t0 = performance.now();
      await put(product, { salePrice: undefined, saleStart: undefined, saleEnd: undefined });
      while ((await blackFriday()).includes(`/products/${product.slug}/"`)) await new Promise((r) => setTimeout(r, 5));
      saleEndLatencies.push(performance.now() - t0);
      await stack.loop.idle();
      saleEnded = stack.loop.recent.at(-1);
    }
    say(`sale-ending price change off Black Friday, median: ${Math.round(median(saleEndLatencies))} ms`);

    const sustained = await sustainedRepricing(stack, all.slice(100), put, dataDir);
    say(`sustained repricing: ${sustained.live}/${sustained.changes} live in ${sustained.runs} runs; p50 / p95 ${Math.round(sustained.p50)} / ${Math.round(sustained.p95)} ms; dead letters ${sustained.deadLetters}; stale ${sustained.edgeStale}/${sustained.edgeChecked}`);
    const r = sustained.run;
    say(`sustained repricing, the median run: ${r.products} products, ${r.pages} pages; read / plan + render / publish / commit ${[r.read, r.build, r.publish, r.commit].map(Math.round).join(' / ')} ms`);
    const w = sustained.slowest;
    say(`sustained repricing: runs that listed the whole site ${sustained.listed}; attempts that threw ${sustained.failedRuns}`);
    say(`sustained repricing: documents compacted beside the worker ${sustained.compacted} (a compaction run's mean ${Math.round(sustained.compactionMs)} ms); runs whose commit folded the segments itself ${sustained.inlineFolds}`);
    say(`sustained repricing, the slowest run (${w.mode}): ${w.products} products, ${w.pages} pages; read / plan + render / publish / commit ${[w.read, w.build, w.publish, w.commit].map(Math.round).join(' / ')} ms`);

    await put(all[10]!, { description: 'A brand new description.' });
    await stack.loop.idle();
    const description = stack.loop.recent.at(-1)!;

    const renamed = signedWebhook('Entry.publish', cmaEntry('author-mara', 'author', { name: 'Mara Lindqvist-Berg', bio: 'Guide.' }, new Date(Date.now() + 1000).toISOString()), { path: '/_hooks/contentful' });
    await fetch(`${stack.url}/_hooks/contentful`, { method: 'POST', headers: renamed.headers, body: renamed.body });
    await stack.loop.idle();
    const author = stack.loop.recent.at(-1)!;

    // An editor publishes a blog post's new title: the signed webhook → the new title at the edge, three saves.
    const posts = (await createExportContentSource(DEMO_SPACE_FILE).sync()).entries;
    const post = posts.find((e) => e.sys.id === 'post-5')!;
    const postUrl = `${stack.url}/blog/${String(post.fields.slug!['en-US'])}/`;
    const editorLatencies: number[] = [];
    let editor: RebuildResult | undefined;
    for (let i = 1; i <= 3; i++) {
      const title = `Layering for the cold, take ${i}`;
      const hook = signedWebhook('Entry.publish', cmaEntryFrom(post, title, Date.now() + i), { path: '/_hooks/contentful' });
      const t0 = performance.now();
      await fetch(`${stack.url}/_hooks/contentful`, { method: 'POST', headers: hook.headers, body: hook.body });
      while (!(await (await fetch(postUrl)).text()).includes(title)) await new Promise((r) => setTimeout(r, 5));
      editorLatencies.push(performance.now() - t0);
      await stack.loop.idle();
      editor = stack.loop.recent.at(-1);
    }
    say(`blog post title published → edge, median of 3: ${Math.round(median(editorLatencies))} ms; pages rendered ${editor?.rendered.length}; planning ${editor?.planning}`);

    // A sale ending 6 s ahead: from the instant to the regular price at the edge, three products.
    const page: number[] = [];
    const listing: number[] = [];
    const sheet: number[] = [];
    let jsonLdAgrees = true;
    for (const [i, product] of all.slice(20, 23).entries()) {
      const sheetVersion = async () => (await stack.services.store.metadata(`pdf/products/${product.sku}.pdf`))?.['data-version'];
      const v0 = await sheetVersion();
      const end = Date.now() + 6000;
      const sale = 500 + i;
      await put(product, { price: { ...product.price, USD: 2000 }, salePrice: { USD: sale }, saleEnd: new Date(end).toISOString() });
      await stack.loop.idle();
      // The sheet with the sale on, first: the flip's sheet is the next version after it.
      let versionBefore = v0;
      while (versionBefore === v0 && Date.now() < end) {
        await new Promise((r) => setTimeout(r, 20));
        versionBefore = await sheetVersion();
      }
      let listingUrl: string | undefined;
      for (let n = 1; !listingUrl && n < 1000; n++) {
        const url = n === 1 ? `/categories/${product.category}/` : `/categories/${product.category}/page/${n}/`;
        const response = await fetch(`${stack.url}${url}`);
        if (response.status !== 200) break;
        if ((await response.text()).includes(`/products/${product.slug}/`)) listingUrl = url;
      }
      const flip = end + 1;
      const waitUntil = async (check: () => Promise<boolean>) => {
        for (;;) {
          if (await check()) return performance.timeOrigin + performance.now() - flip;
          await new Promise((r) => setTimeout(r, 5));
        }
      };
      const productPage = () => fetch(`${stack.url}/products/${product.slug}/`).then((r) => r.text());
      const [p, l, sh] = await Promise.all([
        waitUntil(async () => (await productPage()).includes('$20.00') && !(await productPage()).includes(`$${(sale / 100).toFixed(2)}`)),
        listingUrl ? waitUntil(async () => !(await (await fetch(`${stack.url}${listingUrl}`)).text()).includes(`$${(sale / 100).toFixed(2)}`)) : Promise.resolve(Number.NaN),
        waitUntil(async () => (await sheetVersion()) !== versionBefore),
      ]);
      page.push(p);
      listing.push(l);
      sheet.push(sh);
      const html = await productPage();
      jsonLdAgrees &&= html.includes('"price":"20.00"') && !html.includes(`"price":"${(sale / 100).toFixed(2)}"`);
    }
    say(`sale ending on time: instant → page / listing ${Math.round(median(page))} / ${Math.round(median(listing))} ms`);

    // Webhook receiver under load, from another process: 200 requests/s for 10 s, every one signed.
    const load = signedWebhook('Entry.publish', cmaEntry('page-about', 'page', { title: 'Load test', slug: 'about' }, new Date(Date.now() + 2000).toISOString()));
    const args = ['node_modules/autocannon/autocannon.js', '-j', '-R', '200', '-d', '10', '-c', '20', '-m', 'POST', '-b', load.body,
      ...Object.entries(load.headers).flatMap(([k, v]) => ['-H', `${k}=${v}`]), `${stack.url}/_hooks/contentful`];
    const { stdout } = await promisify(execFile)(process.execPath, args, { maxBuffer: 16 * 1024 * 1024 });
    const report = JSON.parse(stdout) as { latency: { p99: number; p50: number }; requests: { total: number }; errors: number; non2xx: number; '2xx': number };
    say(`webhook receiver at 200 req/s: p50 / p99 ${report.latency.p50} / ${report.latency.p99} ms`);
    await stack.loop.idle();
    const pendingAfter = (stack.loop as unknown as { journal: { pending(): { envelopes: unknown[] } } }).journal.pending().envelopes.length;
    // Search: the last refresh the runs above asked for (records made and compared; re-indexed
    // where words changed: descriptions, an author).
    await stack.search.idle();
    const last = stack.search.state.last;
    const again = last && 'ms' in last ? last : { ms: Number.NaN, skipped: undefined };
    const preview = await benchPreview(stack, 'restatic-site');
    return {
      preview,
      search: { first: firstSearch, afterChanges: { ms: again.ms, skipped: again.skipped ?? 'no' } },
      fullBuildMs: stack.firstBuild.timings.total, priceLatencyMs: median(latencies), price: price!, description,
      eurLatencyMs: median(eurLatencies), eur, englishDescription, author, editorLatencyMs: median(editorLatencies), editor: editor!, sustained, saleEndedLatencyMs: median(saleEndLatencies), saleEnded: saleEnded!,
      saleEnd: { pageMs: median(page), listingMs: median(listing), sheetMs: median(sheet), jsonLdAgrees },
      webhook: { p99: report.latency.p99, p50: report.latency.p50, requests: report.requests.total, errors: report.errors, non2xx: report.non2xx, accepted: report['2xx'], pending: pendingAfter },
    };
  } finally {
    await stack.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
