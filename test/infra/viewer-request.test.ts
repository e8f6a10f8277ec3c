/** The CloudFront viewer-request function, run in a VM with a stub of CloudFront's KeyValueStore module. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizePath } from '../../functions/shared/publish/cache-key.js';

type Request = { uri: string; querystring?: Record<string, { value: string }> };
type Handler = (event: { request: Request }) => Promise<Request | { statusCode: number; headers: Record<string, { value: string }> }>;

function load(redirects: Record<string, string>): Handler {
  const code = readFileSync(join(import.meta.dirname, '..', '..', 'infra', 'lib', 'viewer-request.js'), 'utf8');
  // CloudFront provides `cloudfront` as a module; here a stub whose store misses by throwing, as the real one does.
  const cf = { kvs: () => ({ get: async (key: string) => { if (key in redirects) return redirects[key]; throw new Error('Key not found'); } }) };
  return runInNewContext(`${code.replace(/^import cf from 'cloudfront';$/m, '')}\nhandler;`, { cf, Object }) as Handler;
}

describe('viewer-request CloudFront Function', () => {
  const handler = load({ '/products/old-slug/': '/products/new-slug/', '/evil/': '//evil.example.com/' });

  it('maps directory URLs to their index objects', async () => {
    expect(await handler({ request: { uri: '/products/tent/' } })).toMatchObject({ uri: '/products/tent/index.html' });
    expect(await handler({ request: { uri: '/' } })).toMatchObject({ uri: '/index.html' });
    expect(await handler({ request: { uri: '/feeds/google/us.xml' } })).toMatchObject({ uri: '/feeds/google/us.xml' });
  });

  it('redirects extensionless paths to the directory URL, keeping the query', async () => {
    expect(await handler({ request: { uri: '/blog', querystring: { page: { value: '2' } } } })).toMatchObject({ statusCode: 301, headers: { location: { value: '/blog/?page=2' } } });
  });

  it('answers recorded slug changes with a 301, and never redirects off-site', async () => {
    expect(await handler({ request: { uri: '/products/old-slug/' } })).toMatchObject({ statusCode: 301, headers: { location: { value: '/products/new-slug/' } } });
    expect(await handler({ request: { uri: '/evil/' } })).toMatchObject({ uri: '/evil/index.html' });
  });

  it('gives every spelling of a path one cache key: escapes of unreserved characters decoded, dot segments removed', async () => {
    expect(await handler({ request: { uri: '/products/burst-product-sam%65/' } })).toMatchObject({ uri: '/products/burst-product-same/index.html' });
    expect(await handler({ request: { uri: '/products/./x/../tent/' } })).toMatchObject({ uri: '/products/tent/index.html' });
    expect(await handler({ request: { uri: '/%2e%2e/%2E%2E/sitemap.xml' } })).toMatchObject({ uri: '/sitemap.xml' });
    expect(await handler({ request: { uri: '/products/caf%c3%a9/' } })).toMatchObject({ uri: '/products/caf%C3%A9/index.html' });
    expect(await handler({ request: { uri: '/products/a%2fb/' } })).toMatchObject({ uri: '/products/a%2Fb/index.html' });
  });

  it('normalises exactly as the local edge does (same code, in plain JS for CloudFront)', async () => {
    // Prepare: paths made of segments, dots, escapes (upper and lower case) and raw characters
    const segment = fc.oneof(fc.constantFrom('.', '..', '', 'products', 'a', '%2e', '%2E%2e', '%65', '%C3%A9', '%c3%a9', '%2f', '%7E', '~'), fc.stringMatching(/^[a-z0-9%._-]{0,6}$/));
    const paths = fc.array(segment, { maxLength: 6 }).map((segments) => `/${segments.join('/')}`);
    const run = load({});
    // Act + Assess
    await fc.assert(fc.asyncProperty(paths, async (path) => {
      const result = (await run({ request: { uri: path } })) as Request & { statusCode?: number; headers?: Record<string, { value: string }> };
      const expected = normalizePath(path);
      if (result.statusCode) expect(result.headers!.location!.value).toBe(`${expected}/`);
      else expect(result.uri).toBe(expected.endsWith('/') ? `${expected}index.html` : expected);
      expect(normalizePath(expected)).toBe(expected);
    }), { numRuns: 500, seed: 14 });
  });
});
