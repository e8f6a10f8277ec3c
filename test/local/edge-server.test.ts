/** The local edge: CloudFront-like serving from a real S3 protocol server. */
import { afterEach, describe, expect, it } from 'vitest';
import { createLocalEdgeCdn } from '../../functions/shared/adapters/local-edge-cdn.js';
import { createS3ObjectStore } from '../../functions/shared/adapters/s3-object-store.js';
import { silentLogger } from '../../functions/shared/logger.js';
import type { ObjectStore } from '../../functions/shared/ports.js';
import { metaForKey } from '../../functions/shared/publish/headers.js';
import { writeRedirects } from '../../functions/shared/publish/redirects.js';
import { EdgeServer } from '../../local/edge-server.js';
import { freshBucket, s3Client } from '../fixtures/aws.js';

let edge: EdgeServer | undefined;
afterEach(async () => edge?.close());

async function start(files: Record<string, string>, options: { maxBodyBytes?: number } = {}): Promise<{ url: string; store: ObjectStore }> {
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
});
