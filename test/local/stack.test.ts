/**
 * The local stack end to end (`npm start` in-process): embedded servers, seeding, full build and
 * publish through the worker pool, the edge, /_status, and a catalog change reaching the edge.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../functions/shared/logger.js';
import { readLocalConfig } from '../../local/config.js';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { dynamoCompatibleConfig } from '../../functions/shared/adapters/dynamodb-catalog.js';
import { startLocalStack, type LocalStack } from '../../local/stack.js';
import { cmaEntry, signedWebhook } from '../fixtures/webhooks.js';

let stack: LocalStack;
// poppler-utils (.ci/run installs it): read the sheet's text when available.
const hasPdftotext = (() => { try { execFileSync('pdftotext', ['-v'], { stdio: 'ignore' }); return true; } catch { return false; } })();
let dataDir: string;

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'restatic-stack-'));
  const config = readLocalConfig({ PORT: '0', RESTATIC_DATA_DIR: dataDir, DEMO_PRODUCTS: '60', LOG_LEVEL: 'silent' });
  stack = await startLocalStack(config, { logger: silentLogger, windowMs: 20, searchIntervalMs: 200, searchCostFactor: 0 });
}, 180_000);

afterAll(async () => {
  await stack?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('local stack', () => {
  it('seeds the demo store, publishes every page and serves them at the edge', async () => {
    // Act
    const home = await fetch(`${stack.url}/`);
    const category = await fetch(`${stack.url}/categories/running-shoes/`);
    const missing = await fetch(`${stack.url}/products/does-not-exist/`);
    const sitemap = await (await fetch(`${stack.url}/sitemap.xml`)).text();
    // Assess
    expect(stack.firstBuild.products).toBe(60);
    expect(stack.firstBuild.assets).toBeGreaterThan(0);
    expect(stack.firstBuild.uploaded).toBe(stack.firstBuild.pages + stack.firstBuild.assets);
    expect(home.status).toBe(200);
    expect(await home.text()).toContain('Restatic Outfitters');
    expect(category.status).toBe(200);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('Page not found');
    const productUrl = /<loc>[^<]*(\/products\/[^<]+)<\/loc>/.exec(sitemap)![1]!;
    const product = await fetch(`${stack.url}${productUrl}`);
    expect(product.status).toBe(200);
    const css = /href="(\/assets\/style-[0-9a-f]+\.css)"/.exec(await product.text())![1]!;
    expect((await fetch(`${stack.url}${css}`)).headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  });

  it('lists the first full build in /_status', async () => {
    // Act
    const body = (await (await fetch(`${stack.url}/_status`)).json()) as { changes: Array<{ source: { kind: string }; stages: Record<string, string>; pagesRebuilt: number }> };
    // Assess
    const first = body.changes.at(-1)!;
    expect(first.source.kind).toBe('full-build');
    expect(first.stages).toHaveProperty('received');
    expect(first.stages).toHaveProperty('uploaded');
    expect(first.pagesRebuilt).toBe(stack.firstBuild.pages);
    // Each stage at the time it ended, not one instant stamped on all of them
    const { received, built, uploaded, invalidated } = first.stages as Record<string, string>;
    expect(Date.parse(built!)).toBeGreaterThan(Date.parse(received!));
    expect(Date.parse(uploaded!)).toBeGreaterThanOrEqual(Date.parse(built!));
    expect(Date.parse(invalidated!)).toBeGreaterThanOrEqual(Date.parse(uploaded!));
    expect(new Set([received, built, uploaded, invalidated]).size).toBeGreaterThan(2);
  });

  it('answers /_status with an HTML page to a browser (its changes, pages as links) and JSON otherwise', async () => {
    // Prepare
    const browserAccept = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';
    // Act
    const html = await fetch(`${stack.url}/_status`, { headers: { accept: browserAccept } });
    const json = await fetch(`${stack.url}/_status`, { headers: { accept: '*/*' } });
    // Assess
    expect(html.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(html.headers.get('vary')).toBe('Accept');
    const page = await html.text();
    expect(page).toContain('full build (start)');
    expect(page).toMatch(/<ol class="timeline"><li style="--at:0\.0%"><span class="stage">received<\/span>/);
    expect(json.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(((await json.json()) as { changes: unknown[] }).changes.length).toBeGreaterThan(0);
  });

  it('refuses an invalid product with 400 naming the field, and publishes a valid change', async () => {
    // Prepare
    const sku = 'TEST-NEW-1';
    const put = (body: unknown) => fetch(`${stack.url}/_local/products/${sku}`, { method: 'PUT', body: JSON.stringify(body) });
    // Act
    const bad = await put({ title: 'x', description: 'y', price: { USD: 'free' }, availability: 'in_stock' });
    const malformed = await fetch(`${stack.url}/_local/products/${sku}`, { method: 'PUT', body: '{oops' });
    const good = await put({ title: 'Brand New Tent', description: 'Dry.', price: { USD: 19999 }, availability: 'in_stock', category: 'tents' });
    // Assess
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ field: 'price.USD' });
    expect(malformed.status).toBe(400);
    expect(good.status).toBe(202);
    const page = await waitFor(async () => {
      const response = await fetch(`${stack.url}/products/brand-new-tent/`);
      return response.status === 200 ? response.text() : undefined;
    });
    expect(page).toContain('$199.99');
  });
});

describe('local stack: pictures resized at the edge', () => {
  it('serves the srcset variants a page names (AVIF, WebP, the original\'s format) and keeps none in the bucket, before or after a change', async () => {
    // Prepare: a product with a site picture, and a price change to it
    const product = (await stack.services.catalog.scanAll()).products.find((p) => p.images[0]?.startsWith('/assets/') && p.price.USD !== undefined && p.salePrice === undefined)!;
    await fetch(`${stack.url}/_local/products/${product.sku}`, { method: 'PATCH', body: JSON.stringify({ price: { ...product.price, USD: product.price.USD! + 1 } }) });
    const page = await waitFor(async () => {
      const html = await (await fetch(`${stack.url}/products/${product.slug}/`)).text();
      return html.includes(`$${((product.price.USD! + 1) / 100).toFixed(2)}`) ? html : undefined;
    });
    const sources = [...page.matchAll(/<source type="(image\/\w+)" srcset="([^"]+)"/g)].map((m) => [m[1], m[2]!.split(', ')[0]!.split(' ')[0]!]);
    // Act
    const answers = await Promise.all(sources.map(async ([, url]) => fetch(`${stack.url}${url}`)));
    // Assess
    expect(sources.slice(0, 2).map(([type]) => type)).toEqual(['image/avif', 'image/webp']);
    expect(answers.map((r) => r.status)).toEqual(sources.map(() => 200));
    expect(answers.map((r) => r.headers.get('content-type'))).toEqual(sources.map(([type]) => type));
    const keys: string[] = [];
    for await (const key of stack.services.store.list('_img/')) keys.push(key);
    expect(keys).toEqual([]);
  });
});

describe('local stack: editing products', () => {
  it('answers GET with the item as stored (no derived slug), 404 for an unknown sku', async () => {
    // Prepare
    const [product] = (await stack.services.catalog.scanAll()).products;
    // Act
    const found = await fetch(`${stack.url}/_local/products/${product!.sku}`);
    const missing = await fetch(`${stack.url}/_local/products/NO-SUCH-SKU`);
    // Assess
    expect(found.status).toBe(200);
    const item = (await found.json()) as Record<string, unknown>;
    expect(item).toMatchObject({ sku: product!.sku, title: product!.title, price: product!.price });
    expect(item.slug).toBeUndefined();
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: expect.stringContaining('NO-SUCH-SKU') });
  });

  it('PATCHes one field as a JSON merge patch, keeping every other field, and the page shows it', async () => {
    // Prepare
    const product = (await stack.services.catalog.scanAll()).products.find((p) => p.price.EUR !== undefined && p.images.length > 0 && p.brand && p.salePrice === undefined)!;
    const before = await (await fetch(`${stack.url}/_local/products/${product.sku}`)).json() as Record<string, unknown>;
    // Act
    const response = await fetch(`${stack.url}/_local/products/${product.sku}`, { method: 'PATCH', headers: { 'content-type': 'application/merge-patch+json' }, body: JSON.stringify({ price: { USD: 4321 } }) });
    await stack.loop.idle();
    const after = await (await fetch(`${stack.url}/_local/products/${product.sku}`)).json() as Record<string, unknown>;
    // Assess: objects merge member by member (the EUR price stays), everything else as it was
    expect(response.status).toBe(202);
    expect(after).toEqual({ ...before, price: { ...(before.price as object), USD: 4321 } });
    expect(await (await fetch(`${stack.url}/products/${product.slug}/`)).text()).toContain('$43.21');
  });

  it('removes a field patched to null, refuses a patch whose result breaks the rules (400 naming the field) and leaves the item, 404 for an unknown sku', async () => {
    // Prepare
    const product = (await stack.services.catalog.scanAll()).products.find((p) => p.brand && p.salePrice === undefined)!;
    const patch = (body: string, sku = product.sku) => fetch(`${stack.url}/_local/products/${sku}`, { method: 'PATCH', body });
    // Act
    const removed = await patch(JSON.stringify({ brand: null }));
    const invalid = await patch(JSON.stringify({ price: { USD: 'free' } }));
    const notObject = await patch('[1]');
    const unknown = await patch('{"title":"x"}', 'NO-SUCH-SKU');
    // The accepted patch's run must end here: a run still in flight would read the next test's write
    // (reads are strongly consistent) and leave that write's own run nothing to invalidate.
    await stack.loop.idle();
    const stored = await (await fetch(`${stack.url}/_local/products/${product.sku}`)).json() as Record<string, unknown>;
    // Assess
    expect(removed.status).toBe(202);
    expect(stored.brand).toBeUndefined();
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toMatchObject({ field: 'price.USD' });
    expect(stored.price).toEqual(product.price);
    expect(notObject.status).toBe(400);
    expect(unknown.status).toBe(404);
    expect(await stack.services.catalog.get('NO-SUCH-SKU')).toBeUndefined();
  });
});

describe('local stack: the demo checkout', () => {
  it('shows what the cart handed over (titles, quantities, the total at today\'s prices), and names a malformed hand-off', async () => {
    // Prepare
    const product = (await stack.services.catalog.scanAll()).products.find((p) => p.salePrice === undefined && p.price.USD !== undefined)!;
    // Act
    const ok = await fetch(`${stack.url}/_local/checkout?items=${product.sku}:2&currency=USD&market=us`);
    const bad = await fetch(`${stack.url}/_local/checkout?items=${product.sku}:0`);
    const html = await ok.text();
    // Assess
    expect(ok.status).toBe(200);
    expect(html).toContain(`<td>${product.sku}</td>`);
    expect(html).toContain(`Total: ${((2 * product.price.USD!) / 100).toFixed(2)} USD`);
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('expected items=SKU:QTY');
  });
});

describe('local stack: any client writing to the local DynamoDB', () => {
  it('rebuilds a product\'s page after an SDK PutItem to the printed endpoint, through the table\'s stream', async () => {
    // Prepare
    const product = (await stack.services.catalog.scanAll()).products.find((p) => p.salePrice === undefined)!;
    const item = (await stack.services.catalog.getItem(product.sku))!;
    const client = new DynamoDBClient(dynamoCompatibleConfig(stack.dynamoEndpoint));
    // Act
    await client.send(new PutItemCommand({ TableName: 'products', Item: marshall({ ...item, title: 'Imported Through The SDK' }, { removeUndefinedValues: true }) }));
    const page = await waitFor(async () => {
      const text = await (await fetch(`${stack.url}/products/${product.slug}/`)).text();
      return text.includes('Imported Through The SDK') ? text : undefined;
    });
    await stack.loop.idle();
    client.destroy();
    // Assess
    expect(page).toContain('Imported Through The SDK');
    const record = stack.status.list().find((r) => r.source.kind === 'catalog' && r.source.sku === product.sku)!;
    expect(record.source).toMatchObject({ kind: 'catalog', eventName: 'MODIFY' });
    expect(record.stages.invalidated).toBeDefined();
  });
});

describe('local stack: markets', () => {
  it('rebuilds only /de/ pages for a EUR price change, and /_status names each rebuilt page\'s market', async () => {
    // Prepare
    const product = (await stack.services.catalog.scanAll()).products.find((p) => p.price.EUR !== undefined && p.salePrice === undefined && p.category)!;
    // Act
    const response = await fetch(`${stack.url}/_local/products/${product.sku}`, { method: 'PUT', body: JSON.stringify({ ...product, price: { ...product.price, EUR: 4242 } }) });
    const { correlationId } = (await response.json()) as { correlationId: string };
    await stack.loop.idle();
    const status = (await (await fetch(`${stack.url}/_status`)).json()) as { changes: Array<{ correlationId: string; pages: Array<{ url: string; market: string }>; pagesByMarket: Record<string, number> }> };
    // Assess
    const record = status.changes.find((c) => c.correlationId === correlationId)!;
    expect(record.pages.length).toBeGreaterThan(0);
    expect(record.pages).toContainEqual({ url: `/de/products/${product.translations?.['de-DE']?.slug ?? product.slug}/`, market: 'de' });
    for (const page of record.pages) expect(page.url.startsWith('/de/') && page.market === 'de', page.url).toBe(true);
    expect(record.pagesByMarket).toEqual({ de: record.pages.length });
  });
});

describe('local stack: correctness over time and URLs', () => {
  it('refuses (400) an explicit slug that is another live product\'s URL, and leaves that page alone', async () => {
    // Prepare
    const [owner] = (await stack.services.catalog.scanAll()).products;
    const before = await (await fetch(`${stack.url}/products/${owner!.slug}/`)).text();
    // Act
    const response = await fetch(`${stack.url}/_local/products/NEWCOMER-1`, { method: 'PUT', body: JSON.stringify({ title: 'Newcomer', slug: owner!.slug, description: 'x', price: { USD: 100 }, availability: 'in_stock' }) });
    // Assess
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ field: 'slug' });
    expect(await stack.services.catalog.get('NEWCOMER-1')).toBeUndefined();
    expect(await (await fetch(`${stack.url}/products/${owner!.slug}/`)).text()).toBe(before);
  });

  it('ends a sale at its instant with no other change: the page at the edge shows the regular price', async () => {
    // Prepare: a sale that ends 1.5 s from now
    const end = new Date(Date.now() + 1500).toISOString();
    await fetch(`${stack.url}/_local/products/SALE-ENDS-1`, { method: 'PUT', body: JSON.stringify({ title: 'Flash Sale Lantern', description: 'Bright.', price: { USD: 5000 }, salePrice: { USD: 2500 }, saleEnd: end, availability: 'in_stock', category: 'headlamps' }) });
    const during = await waitFor(async () => {
      const r = await fetch(`${stack.url}/products/flash-sale-lantern/`);
      return r.status === 200 ? r.text() : undefined;
    });
    // Act: only the clock moves
    const after = await waitFor(async () => {
      const text = await (await fetch(`${stack.url}/products/flash-sale-lantern/`)).text();
      return text.includes('$25.00') ? undefined : text;
    }, 15_000);
    await stack.loop.idle();
    // Assess
    expect(during).toContain('$25.00');
    expect(after).toContain('$50.00');
    expect(stack.status.list().some((r) => r.source.kind === 'time' && r.stages.invalidated)).toBe(true);
  });

  it('takes a product off the Black Friday page when a price change ends its sale, and puts it back when one starts another', async () => {
    // Prepare: the best discount on sale now heads the page's collection
    const page = () => fetch(`${stack.url}/black-friday/`).then((r) => r.text());
    const collection = (html: string) => html.slice(html.indexOf('<section class="collection"'), html.indexOf('</section>'));
    const deal = { title: 'Deal Of The Year Lamp', description: 'Bright.', price: { USD: 10000 }, salePrice: { USD: 100 }, availability: 'in_stock', category: 'headlamps' };
    await fetch(`${stack.url}/_local/products/DEAL-1`, { method: 'PUT', body: JSON.stringify(deal) });
    await stack.loop.idle();
    const listed = collection(await page());
    // Act
    await fetch(`${stack.url}/_local/products/DEAL-1`, { method: 'PATCH', headers: { 'content-type': 'application/merge-patch+json' }, body: JSON.stringify({ salePrice: null }) });
    await stack.loop.idle();
    const ended = collection(await page());
    await fetch(`${stack.url}/_local/products/DEAL-1`, { method: 'PATCH', headers: { 'content-type': 'application/merge-patch+json' }, body: JSON.stringify({ salePrice: { USD: 200 } }) });
    await stack.loop.idle();
    const again = collection(await page());
    // Assess
    expect(listed).toMatch(/^<section class="collection"[^]*?<li class="card"[^>]*>\s*<a href="\/products\/deal-of-the-year-lamp\/">/);
    expect(ended).not.toContain('deal-of-the-year-lamp');
    expect(ended.match(/<li class="card"/g)?.length ?? 0).toBe(listed.match(/<li class="card"/g)!.length - 1);
    expect(again).toContain('/products/deal-of-the-year-lamp/');
    expect(stack.loop.recent.at(-1)!.rendered).toEqual(expect.arrayContaining(['/black-friday/']));
  });
});

describe('local stack: Contentful webhooks', () => {
  const post = (request: ReturnType<typeof signedWebhook>) => fetch(`${stack.url}${request.path}`, { method: 'POST', headers: request.headers, body: request.body });

  it('publishes a signed page change live at the edge and records its stages in /_status', async () => {
    // Prepare
    const at = new Date(Date.now() + 1000).toISOString();
    const request = signedWebhook('Entry.publish', cmaEntry('page-about', 'page', { title: 'About the crew', slug: 'about' }, at));
    // Act
    const response = await post(request);
    const body = (await response.json()) as { correlationId: string };
    await stack.loop.idle();
    const page = await (await fetch(`${stack.url}/about/`)).text();
    const status = (await (await fetch(`${stack.url}/_status`)).json()) as { changes: Array<{ correlationId: string; stages: Record<string, string>; pagesRebuilt: number }> };
    // Assess
    expect(response.status).toBe(202);
    expect(page).toContain('About the crew');
    const record = status.changes.find((c) => c.correlationId === body.correlationId)!;
    expect(Object.keys(record.stages)).toEqual(expect.arrayContaining(['received', 'built', 'uploaded', 'invalidated']));
    expect(record.pagesRebuilt).toBeGreaterThan(0);
  });

  it('unpublishing a page answers 404 at the edge and removes it from the sitemap', async () => {
    // Prepare
    const tombstone = { sys: { id: 'page-shipping', type: 'DeletedEntry', deletedAt: new Date(Date.now() + 2000).toISOString(), space: { sys: { id: 'restatic-demo' } }, environment: { sys: { id: 'master' } } } };
    // Act
    const response = await post(signedWebhook('Entry.unpublish', tombstone));
    await stack.loop.idle();
    // Assess
    expect(response.status).toBe(202);
    expect((await fetch(`${stack.url}/shipping/`)).status).toBe(404);
    expect(await (await fetch(`${stack.url}/sitemap.xml`)).text()).not.toContain('/shipping/');
  });

  it('refuses a badly signed webhook with 401', async () => {
    const request = signedWebhook('Entry.publish', cmaEntry('page-about', 'page', { title: 'Hacked', slug: 'about' }));
    const response = await post({ ...request, headers: { ...request.headers, 'x-contentful-signature': '0'.repeat(64) } });
    expect(response.status).toBe(401);
  });
});

describe('local stack: reconciliation', () => {
  it('rebuilds a product changed behind the pipeline\'s back when asked to reconcile', async () => {
    // Prepare: a table write with no stream record (as if the event was lost)
    const product = (await stack.services.catalog.scanAll()).products.find((p) => p.sku !== 'TEST-NEW-1')!;
    await stack.services.catalog.put({ ...product, slug: undefined, description: 'Found by reconciliation.' });
    // Act
    const response = await fetch(`${stack.url}/_local/reconcile`, { method: 'POST' });
    await stack.loop.idle();
    // Assess
    expect(response.status).toBe(202);
    expect(await (await fetch(`${stack.url}/products/${product.slug}/`)).text()).toContain('Found by reconciliation.');
  });
});

describe('local stack: bursts and slug changes', () => {
  it('a burst of 200 product changes is all live after a few coalesced runs', async () => {
    // Prepare
    const runsBefore = stack.loop.runCount;
    const skus = Array.from({ length: 200 }, (_, i) => `BURST-${String(i).padStart(3, '0')}`);
    // Act
    const responses = await Promise.all(skus.map((sku, i) => fetch(`${stack.url}/_local/products/${sku}`, {
      method: 'PUT', body: JSON.stringify({ title: `Burst tent ${i}`, description: 'Dry.', price: { USD: 10000 + i }, availability: 'in_stock', category: 'tents' }),
    })));
    await stack.loop.idle();
    // Assess
    expect(responses.every((r) => r.status === 202)).toBe(true);
    const runs = stack.loop.runCount - runsBefore;
    expect(runs).toBeLessThanOrEqual(10);
    const sitemap = await (await fetch(`${stack.url}/sitemap.xml`)).text();
    for (const i of [0, 57, 199]) {
      expect(sitemap).toContain(`/products/burst-tent-${i}/`);
      expect((await fetch(`${stack.url}/products/burst-tent-${i}/`)).status).toBe(200);
    }
  });

  it('answers the old URL with 301 to the new one after a slug change', async () => {
    // Prepare
    const product = (await stack.services.catalog.scanAll()).products.find((p) => p.sku.startsWith('BURST-1'))!;
    // Act
    await fetch(`${stack.url}/_local/products/${product.sku}`, { method: 'PUT', body: JSON.stringify({ ...product, slug: 'renamed-burst-tent' }) });
    await stack.loop.idle();
    const old = await fetch(`${stack.url}/products/${product.slug}/`, { redirect: 'manual' });
    // Assess
    expect(old.status).toBe(301);
    expect(old.headers.get('location')).toBe('/products/renamed-burst-tent/');
    expect((await fetch(`${stack.url}/products/renamed-burst-tent/`)).status).toBe(200);
  });
});

describe('local stack: search', () => {
  it('publishes a search index of the live site at start, a search page per market, and indexes a new product after a refresh', async () => {
    // Prepare
    const words = async () => {
      const texts: string[] = [];
      for await (const key of stack.services.store.list('pagefind/fragment/')) {
        // A refresh running meanwhile (earlier tests asked for some) deletes the bundle-before-last's files between LIST and GET.
        const object = await stack.services.store.get(key);
        if (object) texts.push(gunzipSync(object.body).toString('utf8'));
      }
      return texts.join('\n');
    };
    const script = await fetch(`${stack.url}/pagefind/pagefind.js`);
    const entry = await (await fetch(`${stack.url}/pagefind/pagefind-entry.json`)).json() as { languages: Record<string, unknown> };
    const searchPage = await (await fetch(`${stack.url}/de/search/`)).text();
    const before = await words();
    // Act
    await fetch(`${stack.url}/_local/products/ZEPHYR-1`, { method: 'PUT', body: JSON.stringify({ title: 'Zephyrus Lantern', description: 'Bright.', price: { USD: 5000, EUR: 4500 }, availability: 'in_stock', category: 'headlamps' }) });
    await stack.loop.idle();
    await stack.search.idle();
    const forced = await stack.search.refresh();
    const status = (await (await fetch(`${stack.url}/_status`)).json()) as { search: { running: boolean; indexed: { records: number } } };
    // Assess
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toContain('text/javascript');
    expect(Object.keys(entry.languages).sort()).toEqual(['de', 'en']);
    expect(searchPage).toContain('<html lang="de-DE"');
    expect(searchPage).toMatch(/<script type="module" src="\/assets\/search-[0-9a-f]{10}\.js"><\/script>/);
    expect(searchPage).toContain('<meta name="robots" content="noindex">');
    expect(before).not.toContain('Zephyrus Lantern');
    expect(await words()).toContain('Zephyrus Lantern');
    // The change's own runs asked for a refresh: by the time it is idle, the forced one finds the index current.
    expect(forced.skipped).toBe('unchanged');
    expect(status.search).toMatchObject({ running: false, indexed: { records: expect.any(Number) } });
    expect(status.search.indexed.records).toBeGreaterThan(60);
  });
});

describe('local stack: Google Shopping feeds', () => {
  it('serves both feeds, their gzip and reports, and shows a price change after POST /_local/feeds', async () => {
    // Prepare
    const product = (await stack.services.catalog.scanAll()).products.find((p) => p.sku.startsWith('RUN') || p.price.USD)!;
    await fetch(`${stack.url}/_local/products/${product.sku}`, { method: 'PUT', body: JSON.stringify({ ...product, slug: undefined, price: { ...product.price, USD: 3131 } }) });
    // Act
    const run = await fetch(`${stack.url}/_local/feeds`, { method: 'POST' });
    const us = await fetch(`${stack.url}/feeds/google/us.xml`);
    const gz = await fetch(`${stack.url}/feeds/google/us.xml.gz`);
    const report = await fetch(`${stack.url}/feeds/google/de.report.json`);
    // Assess
    expect(run.status).toBe(200);
    expect(us.headers.get('content-type')).toBe('application/xml; charset=utf-8');
    expect(await us.text()).toContain('<g:price>31.31 USD</g:price>');
    expect(gz.headers.get('content-type')).toBe('application/gzip');
    expect(((await report.json()) as { target: string }).target).toBe('de');
    // What the CLI's progress bar ends on: every item read, not the last throttled update.
    const status = (await (await fetch(`${stack.url}/_status`)).json()) as { feeds: { itemsIn: number; running: boolean } };
    const { products } = await stack.services.catalog.scanAll();
    expect(status.feeds).toMatchObject({ running: false, itemsIn: products.length });
  });

  it('links every de feed item to a live German page showing the price the item states, in its text and in its JSON-LD', async () => {
    // Prepare: a newcomer with another product's titles (both markets) loses the slug: its page is `<slug>-<sku>`
    const original = (await stack.services.catalog.scanAll()).products.find((p) => p.price.EUR !== undefined && p.translations?.['de-DE']?.title)!;
    const { slug: _slug, translations, ...rest } = original;
    const twin = { ...rest, sku: 'TWIN-1', gtin: undefined, translations: { 'de-DE': { title: translations!['de-DE']!.title } } };
    expect((await fetch(`${stack.url}/_local/products/TWIN-1`, { method: 'PUT', body: JSON.stringify(twin) })).status).toBe(202);
    await stack.loop.idle();
    expect((await fetch(`${stack.url}/de/products/${translations!['de-DE']!.slug}-twin-1/`)).status).toBe(200);
    // Act
    await fetch(`${stack.url}/_local/feeds`, { method: 'POST' });
    const xml = await (await fetch(`${stack.url}/feeds/google/de.xml`)).text();
    // Assess
    const items = [...xml.matchAll(/<item>([\s\S]*?)<\/item>/g)].map((m) => m[1]!);
    expect(items.length).toBeGreaterThan(20);
    const euro = new Intl.NumberFormat('de-DE', { style: 'currency', currency: 'EUR' });
    for (const item of items) {
      const tag = (name: string) => new RegExp(`<g:${name}>([^<]*)</g:${name}>`).exec(item)?.[1];
      const path = new URL(tag('link')!).pathname;
      expect(path, tag('id')).toMatch(/^\/de\/products\/[^/]+\/$/);
      const page = await fetch(`${stack.url}${path}`);
      expect(page.status, `${tag('id')} links to ${path}`).toBe(200);
      const html = await page.text();
      expect(html, path).toContain('<html lang="de-DE"');
      expect(html, `${path} is the page of ${tag('id')}`).toContain(`"sku":"${tag('id')}"`);
      // The price at this instant: the sale price while its window is open, else the regular one.
      const window = tag('sale_price_effective_date')?.split('/').map(Date.parse);
      const onSale = tag('sale_price') !== undefined && (!window || (window[0]! <= Date.now() && Date.now() < window[1]!));
      const [amount, currency] = (onSale ? tag('sale_price')! : tag('price')!).split(' ');
      expect(currency).toBe('EUR');
      expect(html.replaceAll('&nbsp;', '\u00a0'), `${path} shows ${amount} €`).toContain(euro.format(Number(amount)));
      expect(html, `${path} offers ${amount} EUR`).toContain(`"priceCurrency":"EUR","price":"${amount}"`);
    }
  });

  it('reports unknown skus asked for on POST /_local/pdfs as unknown (404 when all are), not as unchanged', async () => {
    // Prepare
    const [known] = (await stack.services.catalog.scanAll()).products;
    const ask = (skus: string[]) => fetch(`${stack.url}/_local/pdfs`, { method: 'POST', body: JSON.stringify({ skus }) });
    // Act
    const none = await ask(['NOPE-123']);
    const some = await ask([known!.sku, 'NOPE-456']);
    // Assess
    expect(none.status).toBe(404);
    expect(await none.json()).toMatchObject({ error: expect.stringContaining('unknown SKU NOPE-123'), unknown: ['NOPE-123'] });
    expect(some.status).toBe(200);
    expect(await some.json()).toMatchObject({ unknown: ['NOPE-456'] });
  });

  it('publishes every PDF at start, and a price change reaches the spec sheet and then the catalog', async () => {
    // Prepare
    const product = (await stack.services.catalog.scanAll()).products.find((p) => p.price.USD !== undefined && p.salePrice === undefined)!;
    const sheetUrl = `${stack.url}/pdf/products/${product.sku}.pdf`;
    const before = Buffer.from(await (await fetch(sheetUrl)).arrayBuffer());
    const catalogBefore = await (await fetch(`${stack.url}/pdf/catalog.pdf`)).arrayBuffer();
    // Act
    await fetch(`${stack.url}/_local/products/${product.sku}`, { method: 'PUT', body: JSON.stringify({ ...product, slug: undefined, price: { ...product.price, USD: 7777 } }) });
    const after = await waitFor(async () => {
      const response = await fetch(sheetUrl);
      const bytes = Buffer.from(await response.arrayBuffer());
      return bytes.equals(before) ? undefined : { response, bytes };
    });
    await stack.pdfs.idle();
    // Assess
    expect(before.subarray(0, 5).toString()).toBe('%PDF-');
    expect(after.response.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await (await fetch(`${stack.url}/pdf/catalog.pdf`)).arrayBuffer()).equals(Buffer.from(catalogBefore))).toBe(false);
    expect(stack.pdfs.state).toMatchObject({ deadLettered: 0 });
    if (hasPdftotext) expect(execFileSync('pdftotext', ['-', '-'], { input: after.bytes, encoding: 'utf8' })).toContain('$77.77');
  }, 60_000);
});
