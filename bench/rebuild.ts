/**
 * Targeted-rebuild rows of the bench: the local stack over a large demo store, then one price
 * change, one description change, one author rename, and a webhook load test from a separate
 * process (autocannon), each measured as the system reports it (the loop's run results).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { RebuildResult } from '../functions/rebuild/worker.js';
import type { Product } from '../functions/shared/catalog/product.js';
import { silentLogger } from '../functions/shared/logger.js';
import { readLocalConfig } from '../local/config.js';
import { startLocalStack } from '../local/stack.js';
import { cmaEntry, signedWebhook } from '../test/fixtures/webhooks.js';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export interface RebuildBench {
  /** The stack's first, cold full build + publish of the same store: what "rebuild everything" costs. */
  fullBuildMs: number;
  priceLatencyMs: number;
  price: RebuildResult;
  description: RebuildResult;
  author: RebuildResult;
  webhook: { p99: number; p50: number; requests: number; errors: number; non2xx: number; accepted: number; pending: number };
  /** A sale ending a few seconds ahead, nothing else changing: from its instant to the regular price at the edge (page, listing), and to the new spec sheet. */
  saleEnd: { pageMs: number; listingMs: number; sheetMs: number; jsonLdAgrees: boolean };
}

export async function benchRebuild(products: number): Promise<RebuildBench> {
  const dataDir = mkdtempSync(join(tmpdir(), 'restatic-bench-stack-'));
  const stack = await startLocalStack(readLocalConfig({ PORT: '0', RESTATIC_DATA_DIR: dataDir, DEMO_PRODUCTS: String(products), LOG_LEVEL: 'silent' }), { logger: silentLogger });
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
      price = stack.loop.runs.at(-1);
    }

    await put(all[10]!, { description: 'A brand new description.' });
    await stack.loop.idle();
    const description = stack.loop.runs.at(-1)!;

    const renamed = signedWebhook('Entry.publish', cmaEntry('author-mara', 'author', { name: 'Mara Lindqvist-Berg', bio: 'Guide.' }, new Date(Date.now() + 1000).toISOString()), { path: '/_hooks/contentful' });
    await fetch(`${stack.url}/_hooks/contentful`, { method: 'POST', headers: renamed.headers, body: renamed.body });
    await stack.loop.idle();
    const author = stack.loop.runs.at(-1)!;

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

    // Webhook receiver under load, from another process: 200 requests/s for 10 s, every one signed.
    const load = signedWebhook('Entry.publish', cmaEntry('page-about', 'page', { title: 'Load test', slug: 'about' }, new Date(Date.now() + 2000).toISOString()));
    const args = ['node_modules/autocannon/autocannon.js', '-j', '-R', '200', '-d', '10', '-c', '20', '-m', 'POST', '-b', load.body,
      ...Object.entries(load.headers).flatMap(([k, v]) => ['-H', `${k}=${v}`]), `${stack.url}/_hooks/contentful`];
    const { stdout } = await promisify(execFile)(process.execPath, args, { maxBuffer: 16 * 1024 * 1024 });
    const report = JSON.parse(stdout) as { latency: { p99: number; p50: number }; requests: { total: number }; errors: number; non2xx: number; '2xx': number };
    await stack.loop.idle();
    const pendingAfter = (stack.loop as unknown as { journal: { pending(): { envelopes: unknown[] } } }).journal.pending().envelopes.length;
    return {
      fullBuildMs: stack.firstBuild.timings.total, priceLatencyMs: median(latencies), price: price!, description, author,
      saleEnd: { pageMs: median(page), listingMs: median(listing), sheetMs: median(sheet), jsonLdAgrees },
      webhook: { p99: report.latency.p99, p50: report.latency.p50, requests: report.requests.total, errors: report.errors, non2xx: report.non2xx, accepted: report['2xx'], pending: pendingAfter },
    };
  } finally {
    await stack.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
