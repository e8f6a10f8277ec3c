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
      webhook: { p99: report.latency.p99, p50: report.latency.p50, requests: report.requests.total, errors: report.errors, non2xx: report.non2xx, accepted: report['2xx'], pending: pendingAfter },
    };
  } finally {
    await stack.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
