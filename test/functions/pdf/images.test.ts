/** Where the PDFs' images come from: the bucket (real S3 protocol server), allowed hosts (a stub fetch). */
import { describe, expect, it } from 'vitest';
import { imageLoader, type ImageLoaderOptions, retryAfterMs } from '../../../functions/pdf/images.js';
import { ImageFetchError } from '../../../functions/shared/errors.js';
import { createS3ObjectStore } from '../../../functions/shared/adapters/s3-object-store.js';
import { freshBucket, s3Client } from '../../fixtures/aws.js';

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 7)]);
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(64, 9)]);

type Answer = Response | Error | ((url: URL) => Response);
/** A fetch that answers from a table by URL (or throws), and records what it was asked. */
function stubFetch(answers: Record<string, Answer[] | Answer>) {
  const asked: string[] = [];
  const fetch = (async (input: URL | string) => {
    const url = new URL(String(input));
    asked.push(url.href);
    const entry = answers[url.href] ?? answers[`${url.origin}${url.pathname}`];
    const answer = Array.isArray(entry) ? entry.shift() : entry;
    if (!answer) return new Response('not found', { status: 404 });
    if (answer instanceof Error) throw answer;
    return typeof answer === 'function' ? answer(url) : answer;
  }) as typeof globalThis.fetch;
  return { fetch, asked };
}

async function setup(answers: Record<string, Answer[] | Answer> = {}, options: Partial<ImageLoaderOptions> = {}) {
  const s3 = s3Client();
  const store = createS3ObjectStore({ bucket: await freshBucket(s3), client: s3 });
  const { fetch, asked } = stubFetch(answers);
  const missing: Array<[string, string]> = [];
  // Waits are recorded, not slept: the retry tests assert the backoff without taking its time.
  const waited: number[] = [];
  const sleep = async (ms: number) => { waited.push(ms); };
  const load = imageLoader({ store, siteOrigin: 'https://shop.example.com', fetch, sleep, ...options, onMissing: (src, reason) => missing.push([src, reason]) });
  return { store, load, asked, missing, waited };
}

describe('PDF image loader', () => {
  it('reads site paths and URLs on the site from the bucket, without fetching', async () => {
    // Prepare
    const { store, load, asked } = await setup();
    await store.put('assets/img/tent.png', PNG, { contentType: 'image/png', cacheControl: 'no-cache' });
    // Act
    const byPath = await load('/assets/img/tent.png');
    const byUrl = await load('https://shop.example.com/assets/img/tent.png?v=2');
    // Assess
    expect(byPath).toEqual(PNG);
    expect(byUrl).toEqual(PNG);
    expect(asked).toEqual([]);
  });

  it('fetches from Contentful at the size asked, and from hosts the store allows as they are', async () => {
    // Prepare
    const { load, asked } = await setup({
      'https://images.ctfassets.net/space/asset/id/tent.jpg': new Response(JPEG),
      'https://cdn.example.com/tent.png': new Response(PNG),
    }, { hosts: ['CDN.example.com'] });
    // Act
    const contentful = await load('//images.ctfassets.net/space/asset/id/tent.jpg', 1000);
    const cdn = await load('https://cdn.example.com/tent.png', 1000);
    // Assess
    expect(contentful).toEqual(JPEG);
    expect(cdn).toEqual(PNG);
    expect(asked).toEqual(['https://images.ctfassets.net/space/asset/id/tent.jpg?w=1000&h=1000', 'https://cdn.example.com/tent.png']);
  });

  it('degrades without fetching for hosts not allowed, plain http and things that are not URLs', async () => {
    // Prepare
    const { load, asked, missing } = await setup({}, { hosts: ['cdn.example.com'] });
    // Act
    const results = await Promise.all(['https://evil.example.net/x.png', 'http://cdn.example.com/x.png', 'https://169.254.169.254/latest/meta-data', 'javascript:alert(1)', 'not a url'].map((src) => load(src)));
    // Assess
    expect(results).toEqual([undefined, undefined, undefined, undefined, undefined]);
    expect(asked).toEqual([]);
    expect(missing.map(([, reason]) => reason)).toEqual([
      'evil.example.net is not an allowed image host', 'only https images are fetched', '169.254.169.254 is not an allowed image host', 'only https images are fetched', 'not a URL or site path',
    ]);
  });

  it('degrades for a 404, a body that is not PNG or JPEG, a body over the limit, and a redirect off the list', async () => {
    // Prepare
    const { load, missing } = await setup({
      'https://cdn.example.com/gone.png': new Response('gone', { status: 404 }),
      'https://cdn.example.com/page.png': new Response('<html>login</html>', { headers: { 'content-type': 'text/html' } }),
      'https://cdn.example.com/huge.png': new Response(Buffer.concat([PNG, Buffer.alloc(4096)])),
      'https://cdn.example.com/moved.png': new Response(null, { status: 302, headers: { location: 'https://evil.example.net/x.png' } }),
    }, { hosts: ['cdn.example.com'], maxBytes: 1024 });
    // Act
    const results = await Promise.all(['gone', 'page', 'huge', 'moved'].map((name) => load(`https://cdn.example.com/${name}.png`)));
    // Assess
    expect(results).toEqual([undefined, undefined, undefined, undefined]);
    expect(Object.fromEntries(missing)).toEqual({
      'https://cdn.example.com/gone.png': 'expected 200, got 404',
      'https://cdn.example.com/page.png': 'expected a PNG or JPEG image',
      'https://cdn.example.com/huge.png': 'more than the 1024 bytes accepted',
      'https://cdn.example.com/moved.png': 'redirected to evil.example.net, which is not an allowed image host',
    });
  });

  it('follows a redirect to an allowed host', async () => {
    // Prepare
    const { load, asked } = await setup({
      'https://cdn.example.com/old.png': new Response(null, { status: 301, headers: { location: '/new.png' } }),
      'https://cdn.example.com/new.png': new Response(PNG),
    }, { hosts: ['cdn.example.com'] });
    // Act
    const image = await load('https://cdn.example.com/old.png');
    // Assess
    expect(image).toEqual(PNG);
    expect(asked).toEqual(['https://cdn.example.com/old.png', 'https://cdn.example.com/new.png']);
  });

  it('throws a retryable error for failures that may pass, and tries again on the next call', async () => {
    // Prepare: no retries within a call, so each call meets one failure
    const { load } = await setup({
      'https://cdn.example.com/busy.png': [new Response('busy', { status: 503 }), new Response('slow down', { status: 429 }), new TypeError('fetch failed'), new Response(PNG)],
    }, { hosts: ['cdn.example.com'], retries: 0 });
    const src = 'https://cdn.example.com/busy.png';
    // Act
    const failures = [await load(src).catch((e: unknown) => e), await load(src).catch((e: unknown) => e), await load(src).catch((e: unknown) => e)];
    const image = await load(src);
    const cached = await load(src);
    // Assess
    for (const failure of failures) expect(failure).toMatchObject({ retryable: true, message: expect.stringContaining(src) });
    expect(failures[0]).toBeInstanceOf(ImageFetchError);
    expect((failures[0] as Error).message).toContain('expected 200, got 503');
    expect(image).toEqual(PNG);
    expect(cached).toBe(image);
  });

  it('gives up on a host that does not answer within the timeout, as retryable', async () => {
    // Prepare: a fetch that never answers unless aborted
    const s3 = s3Client();
    const store = createS3ObjectStore({ bucket: await freshBucket(s3), client: s3 });
    let attempts = 0;
    const hanging = ((_: URL, init?: RequestInit) => { attempts++; return new Promise((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal!.reason))); }) as typeof fetch;
    const load = imageLoader({ store, hosts: ['cdn.example.com'], fetch: hanging, timeoutMs: 50, sleep: async () => {} });
    // Act
    const failure = await load('https://cdn.example.com/slow.png').catch((e: unknown) => e);
    // Assess: each of the three attempts timed out
    expect(failure).toBeInstanceOf(ImageFetchError);
    expect(failure).toMatchObject({ retryable: true });
    expect(attempts).toBe(3);
  });

  it('tries an image host again after failures that may pass, backing off, and not after a 404', async () => {
    // Prepare
    const { load, asked, waited, missing } = await setup({
      'https://cdn.example.com/flaky.png': [new Response('busy', { status: 503 }), new TypeError('fetch failed'), new Response(PNG)],
      'https://cdn.example.com/gone.png': [new Response('gone', { status: 404 }), new Response(PNG)],
    }, { hosts: ['cdn.example.com'], retryDelayMs: 100 });
    // Act
    const image = await load('https://cdn.example.com/flaky.png');
    const gone = await load('https://cdn.example.com/gone.png');
    // Assess: three attempts, waits of 50–100 then 100–200 ms; the 404 asked once and degraded
    expect(image).toEqual(PNG);
    expect(asked.filter((u) => u.endsWith('flaky.png'))).toHaveLength(3);
    expect(waited).toHaveLength(2);
    expect(waited[0]).toBeGreaterThanOrEqual(50);
    expect(waited[0]).toBeLessThanOrEqual(100);
    expect(waited[1]).toBeGreaterThanOrEqual(100);
    expect(waited[1]).toBeLessThanOrEqual(200);
    expect(gone).toBeUndefined();
    expect(asked.filter((u) => u.endsWith('gone.png'))).toHaveLength(1);
    expect(missing).toEqual([['https://cdn.example.com/gone.png', 'expected 200, got 404']]);
  });

  it('gives up after its retries with the last failure, and the next call starts afresh', async () => {
    // Prepare
    const busy = () => new Response('busy', { status: 503 });
    const { load, asked } = await setup({ 'https://cdn.example.com/down.png': [busy(), busy(), new Response('bad gateway', { status: 502 }), new Response(PNG)] }, { hosts: ['cdn.example.com'], retries: 2 });
    // Act
    const failure = await load('https://cdn.example.com/down.png').catch((e: unknown) => e);
    const later = await load('https://cdn.example.com/down.png');
    // Assess
    expect(failure).toBeInstanceOf(ImageFetchError);
    expect(failure).toMatchObject({ retryable: true, message: expect.stringContaining('expected 200, got 502') });
    expect(later).toEqual(PNG);
    expect(asked).toHaveLength(4);
  });

  it('waits as long as Retry-After asks, and leaves a longer pause to the queue', async () => {
    // Prepare
    const { load, asked, waited } = await setup({
      'https://cdn.example.com/throttled.png': [new Response('slow down', { status: 429, headers: { 'retry-after': '2' } }), new Response(PNG)],
      'https://cdn.example.com/maintenance.png': [new Response('later', { status: 503, headers: { 'retry-after': '120' } }), new Response(PNG)],
    }, { hosts: ['cdn.example.com'] });
    // Act
    const image = await load('https://cdn.example.com/throttled.png');
    const failure = await load('https://cdn.example.com/maintenance.png').catch((e: unknown) => e);
    // Assess
    expect(image).toEqual(PNG);
    expect(waited).toEqual([2000]);
    expect(failure).toMatchObject({ retryable: true, message: expect.stringContaining('expected 200, got 503') });
    expect(asked.filter((u) => u.endsWith('maintenance.png'))).toHaveLength(1);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-11-27T09:00:00Z');
    expect(retryAfterMs('7', now)).toBe(7000);
    expect(retryAfterMs('Fri, 27 Nov 2026 09:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('Fri, 27 Nov 2026 08:59:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });
});
