/** The CloudFront viewer-request function, run in a VM with a stub of CloudFront's KeyValueStore module. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';

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
});
