/** The local edge: CloudFront-like serving from a real S3 protocol server. */
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createLocalEdgeCdn } from '../../local/edge-cdn.js';
import { createS3ObjectStore } from '../../functions/shared/adapters/s3-object-store.js';
import { silentLogger } from '../../functions/shared/logger.js';
import type { ObjectStore } from '../../functions/shared/ports.js';
import { metaForKey } from '../../functions/shared/publish/headers.js';
import { writeRedirects } from '../../functions/shared/publish/redirects.js';
import { EdgeServer } from '../../local/edge-server.js';
import { freshBucket, s3Client } from '../fixtures/aws.js';

let edge: EdgeServer | undefined;
afterEach(async () => edge?.close());

async function start(files: Record<string, string>, options: Pick<ConstructorParameters<typeof EdgeServer>[0], 'maxBodyBytes' | 'functionOrigins' | 'errorTtlMs'> = {}): Promise<{ url: string; store: ObjectStore }> {
  const client = s3Client();
  const store = createS3ObjectStore({ bucket: await freshBucket(client), client });
  for (const [key, body] of Object.entries(files)) await store.put(key, body, metaForKey(key));
  edge = new EdgeServer({ store, logger: silentLogger, ...options });
  return { url: await edge.listen(0), store };
}

const SITE = { 'index.html': 'home', 'a/b/index.html': 'page ab', '404.html': 'custom 404', 'sitemap.xml': '<urlset/>', '_restatic/manifest.json.gz': 'secret' };

describe('edge server', () => {
  it('serves /a/b/ from a/b/index.html with the stored headers, and redirects /a/b to /a/b/', async () => {
    // Prepare
    const { url } = await start(SITE);
    // Act
    const page = await fetch(`${url}/a/b/`);
    const bare = await fetch(`${url}/a/b?x=1`, { redirect: 'manual' });
    const xml = await fetch(`${url}/sitemap.xml`);
    // Assess
    expect(page.status).toBe(200);
    expect(await page.text()).toBe('page ab');
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('cache-control')).toBe('public, max-age=60, s-maxage=31536000');
    expect(page.headers.get('etag')).toMatch(/^"[0-9a-f]{32}"$/);
    expect(bare.status).toBe(301);
    expect(bare.headers.get('location')).toBe('/a/b/');
    expect(xml.headers.get('content-type')).toBe('application/xml; charset=utf-8');
  });

  it('answers /_img/ from its function origin, caching a 200 as CloudFront does, a 4xx briefly, and a failure not at all', async () => {
    // Prepare: a function that answers by path and fails once
    const calls: string[] = [];
    let failNext = true;
    const { url } = await start(SITE, { errorTtlMs: 60_000, functionOrigins: { '/_img/': async (path) => {
      calls.push(path);
      if (path.includes('boom') && failNext) { failNext = false; throw new Error('S3 unavailable'); }
      if (path.includes('bad')) return { status: 400, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'public, max-age=60' }, body: Buffer.from('bad width\n') };
      return { status: 200, headers: { 'content-type': 'image/webp', 'cache-control': 'public, max-age=31536000, immutable' }, body: Buffer.from('RIFF') };
    } } });
    // Act
    const first = await fetch(`${url}/_img/320w/webp/assets/a.png`);
    const second = await fetch(`${url}/_img/320w/webp/assets/a.png`);
    const bad = [await fetch(`${url}/_img/bad`), await fetch(`${url}/_img/bad`)];
    const failed = await fetch(`${url}/_img/boom`);
    const retried = await fetch(`${url}/_img/boom`);
    // Assess
    expect([first.status, first.headers.get('content-type'), first.headers.get('x-cache')]).toEqual([200, 'image/webp', 'Miss from edge']);
    expect(second.headers.get('x-cache')).toBe('Hit from edge');
    expect(bad.map((r) => r.status)).toEqual([400, 400]);
    expect([failed.status, retried.status]).toEqual([502, 200]);
    expect(calls).toEqual(['/_img/320w/webp/assets/a.png', '/_img/bad', '/_img/boom', '/_img/boom']);
  });

  it('serves an encoded spelling of a path from the same cache entry, so one invalidation refreshes both', async () => {
    // Prepare: both spellings cached with the old page
    const { url, store } = await start({ ...SITE, 'products/same/index.html': 'old price' });
    await fetch(`${url}/products/same/`);
    await fetch(`${url}/products/sam%65/`);
    await store.put('products/same/index.html', 'new price', metaForKey('products/same/index.html'));
    // Act: the pipeline invalidates the object's one path
    await createLocalEdgeCdn(url).invalidate(['/products/same/index.html'], 'ref');
    const plain = await (await fetch(`${url}/products/same/`)).text();
    const encoded = await (await fetch(`${url}/products/sam%65/`)).text();
    const dotted = await (await fetch(`${url}/products/x/%2e%2e/same/`)).text();
    // Assess
    expect([plain, encoded, dotted]).toEqual(['new price', 'new price', 'new price']);
  });

  it('answers 404 with the body of /404.html, and never serves state or walks out of the bucket', async () => {
    // Prepare
    const { url } = await start(SITE);
    // Act
    const responses = await Promise.all(['/nope/', '/_restatic/manifest.json.gz', '/a/../_restatic/manifest.json.gz', '/%2e%2e/x', '/a%00b'].map((p) => fetch(`${url}${p}`)));
    // Assess
    for (const response of responses) {
      expect(response.status).toBe(404);
      expect(await response.text()).toBe('custom 404');
    }
  });

  it('caches like a CDN and honours invalidations posted by the local Cdn adapter', async () => {
    // Prepare
    const { url, store } = await start(SITE);
    await fetch(`${url}/a/b/`);
    await store.put('a/b/index.html', 'page ab v2', metaForKey('a/b/index.html'));
    // Act
    const stale = await fetch(`${url}/a/b/`);
    await createLocalEdgeCdn(url).invalidate(['/a/b/index.html'], 'ref');
    const fresh = await fetch(`${url}/a/b/`);
    // Assess
    expect(stale.headers.get('x-cache')).toBe('Hit from edge');
    expect(await stale.text()).toBe('page ab');
    expect(await fresh.text()).toBe('page ab v2');
    expect(fresh.headers.get('x-cache')).toBe('Miss from edge');
  });

  it('answers recorded redirects with 301 and Location, reloaded on invalidation', async () => {
    // Prepare
    const { url, store } = await start(SITE);
    await writeRedirects(store, { '/products/old/': '/products/new/' });
    await createLocalEdgeCdn(url).invalidate(['/products/old/'], 'ref');
    // Act
    const response = await fetch(`${url}/products/old/`, { redirect: 'manual' });
    const bare = await fetch(`${url}/products/old`, { redirect: 'manual' });
    // Assess
    expect(response.status).toBe(301);
    expect(response.headers.get('location')).toBe('/products/new/');
    expect(bare.headers.get('location')).toBe('/products/new/');
  });

  it('supports HEAD and conditional GET, refuses other methods', async () => {
    // Prepare
    const { url } = await start(SITE);
    const first = await fetch(`${url}/`);
    // Act
    const head = await fetch(`${url}/`, { method: 'HEAD' });
    const conditional = await fetch(`${url}/`, { headers: { 'if-none-match': first.headers.get('etag')! } });
    const post = await fetch(`${url}/`, { method: 'POST' });
    // Assess
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe('4');
    expect(conditional.status).toBe(304);
    expect(post.status).toBe(405);
  });

  it('limits control-route bodies (413) and answers malformed JSON with 400', async () => {
    // Prepare
    const { url } = await start(SITE, { maxBodyBytes: 100 });
    // Act
    const big = await fetch(`${url}/_local/invalidations`, { method: 'POST', body: 'x'.repeat(200) });
    const bad = await fetch(`${url}/_local/invalidations`, { method: 'POST', body: '{not json' });
    const unknown = await fetch(`${url}/_local/nothing`);
    // Assess
    expect(big.status).toBe(413);
    expect(bad.status).toBe(400);
    expect(unknown.status).toBe(404);
  });

  it('answers 404, not 502, for a path with a segment or key longer than any object can have', async () => {
    // Prepare
    const { url } = await start(SITE);
    // Act
    const segment = await fetch(`${url}/products/${'a'.repeat(250)}x${'b'.repeat(10)}/`);
    const key = await fetch(`${url}/${'abcdefgh/'.repeat(130)}`);
    // Assess
    expect(segment.status).toBe(404);
    expect(key.status).toBe(404);
  });
});

/** A raw request, with headers fetch would not let a caller set (Host). */
function raw(url: string, method: string, path: string, headers: Record<string, string>, body = ''): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => { text += c; }).on('end', () => resolve({ status: res.statusCode!, body: text }));
    });
    req.on('error', reject).end(body);
  });
}

describe('edge control routes', () => {
  const withRoutes = async () => {
    const { url } = await start(SITE);
    const calls: string[] = [];
    edge!.route('POST', '/_local/feeds', async () => { calls.push('feeds'); return { status: 200, body: { ran: true } }; });
    edge!.route('PUT', '/_local/products/{sku}', async (_req, _body, params) => { calls.push(params.sku!); return { status: 202, body: {} }; });
    edge!.route('POST', '/_hooks/contentful', async () => { calls.push('hook'); return { status: 202, body: {} }; });
    return { url, calls, port: new URL(url).port };
  };

  it.each([
    ['a foreign Host (DNS rebinding)', { host: 'evil.example:80' }],
    ['a cross-site browser request', { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example', 'content-type': 'text/plain' }],
    ['a foreign Origin without Sec-Fetch headers', { origin: 'https://evil.example' }],
    ['an opaque Origin', { origin: 'null' }],
  ])('refuses %s with 403 on /_local/*, running nothing', async (_label, headers) => {
    // Prepare
    const { url, calls } = await withRoutes();
    // Act
    const feeds = await raw(url, 'POST', '/_local/feeds', headers as Record<string, string>, '{}');
    const put = await raw(url, 'PUT', '/_local/products/SKU-1', headers as Record<string, string>, '{}');
    // Assess
    expect([feeds.status, put.status]).toEqual([403, 403]);
    expect(calls).toEqual([]);
  });

  it('serves local clients (curl, the CLI, this machine\'s own pages) and keeps the signed webhook route open', async () => {
    // Prepare
    const { url, calls, port } = await withRoutes();
    // Act
    const cli = await fetch(`${url}/_local/feeds`, { method: 'POST' });
    const named = await raw(url, 'POST', '/_local/feeds', { host: `localhost:${port}` });
    const samePage = await raw(url, 'POST', '/_local/feeds', { host: `127.0.0.1:${port}`, origin: `http://127.0.0.1:${port}`, 'sec-fetch-site': 'same-origin' });
    const hook = await raw(url, 'POST', '/_hooks/contentful', { host: 'hooks.example.net' });
    // Assess
    expect([cli.status, named.status, samePage.status, hook.status]).toEqual([200, 200, 200, 202]);
    expect(calls).toEqual(['feeds', 'feeds', 'feeds', 'hook']);
  });

  it.each(['%E0', '%ZZ', '%C0%AF'])('answers 400, not 502, to the malformed percent-escape %s in a route parameter', async (escape) => {
    // Prepare
    const { url, calls } = await withRoutes();
    // Act
    const response = await fetch(`${url}/_local/products/${escape}`, { method: 'PUT', body: '{}' });
    // Assess
    expect(response.status).toBe(400);
    expect(calls).toEqual([]);
  });
});
