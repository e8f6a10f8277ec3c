/** The preview distribution's CloudFront Function, run in a VM with stubs of CloudFront's modules, against the TypeScript token rule. */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { signPreviewToken, verifyPreviewToken } from '../../functions/shared/preview/token.js';

type Request = { uri: string; querystring?: Record<string, { value: string }>; cookies?: Record<string, { value: string }> };
type Response = { statusCode: number; headers: Record<string, { value: string }>; cookies?: Record<string, { value: string; attributes: string }>; body?: { data: string } };
type Handler = (event: { request: Request }) => Promise<Request | Response>;

const KEY = 'p'.repeat(40);

function load(key: string | undefined): Handler {
  const code = readFileSync(join(import.meta.dirname, '..', '..', 'infra', 'lib', 'preview-viewer-request.js'), 'utf8');
  const cf = { kvs: () => ({ get: async (name: string) => { if (name === 'preview-key' && key) return key; throw new Error('Key not found'); } }) };
  const crypto = { createHmac };
  const source = code.replace(/^import cf from 'cloudfront';$/m, '').replace(/^import crypto from 'crypto';$/m, '');
  return runInNewContext(`${source}\nhandler;`, { cf, crypto, Buffer, Date, Number, Object }) as Handler;
}

describe('preview viewer-request CloudFront Function', () => {
  const handler = load(KEY);
  const now = Math.floor(Date.now() / 1000);

  it('trades a token in the query for a cookie and a clean URL', async () => {
    // Prepare
    const token = signPreviewToken(KEY, { expires: now + 600 });
    // Act
    const response = await handler({ request: { uri: '/_preview/products/tent/', querystring: { token: { value: token }, v: { value: '2' } } } }) as Response;
    // Assess
    expect(response.statusCode).toBe(302);
    expect(response.headers.location!.value).toBe('/_preview/products/tent/?v=2');
    expect(response.cookies!.restatic_preview).toMatchObject({ value: token });
    expect(response.cookies!.restatic_preview!.attributes).toMatch(/HttpOnly; SameSite=Lax; Secure/);
  });

  it('serves the preview bucket\'s objects at the live site\'s keys to a request with the cookie, and lets /_preview/open through', async () => {
    const cookies = { restatic_preview: { value: signPreviewToken(KEY, { expires: now + 600 }) } };
    expect(await handler({ request: { uri: '/_preview/products/tent/', cookies } })).toMatchObject({ uri: '/products/tent/index.html' });
    expect(await handler({ request: { uri: '/about/', cookies } })).toMatchObject({ uri: '/about/index.html' });
    expect(await handler({ request: { uri: '/_preview/assets/style.css', cookies } })).toMatchObject({ uri: '/assets/style.css' });
    expect(await handler({ request: { uri: '/_preview/open', cookies } })).toMatchObject({ uri: '/_preview/open' });
  });

  it('refuses a missing (401), wrong, expired (403) token, and everything when no key is configured', async () => {
    const other = signPreviewToken('o'.repeat(40), { expires: now + 600 });
    const expired = signPreviewToken(KEY, { expires: now - 1 });
    expect(await handler({ request: { uri: '/_preview/' } })).toMatchObject({ statusCode: 401 });
    expect(await handler({ request: { uri: '/_preview/', querystring: { token: { value: other } } } })).toMatchObject({ statusCode: 403 });
    expect(await handler({ request: { uri: '/_preview/', cookies: { restatic_preview: { value: expired } } } })).toMatchObject({ statusCode: 403, body: { data: expect.stringContaining('expired') } });
    expect(await load(undefined)({ request: { uri: '/_preview/', querystring: { token: { value: signPreviewToken(KEY, { expires: now + 600 }) } } } })).toMatchObject({ statusCode: 403 });
  });

  it('agrees with the TypeScript rule on any token, altered or not', async () => {
    await fc.assert(fc.asyncProperty(
      fc.integer({ min: -100, max: 100 }), fc.constantFrom('/_preview/', '/_preview/blog/'), fc.constantFrom('/_preview/blog/x/', '/_preview/products/y/'), fc.option(fc.integer({ min: 0, max: 63 })),
      async (offset, scope, path, flip) => {
        let token = signPreviewToken(KEY, { expires: now + offset, scope });
        if (flip !== null) token = `${token.slice(0, -64 + flip)}${token.at(-64 + flip) === 'a' ? 'b' : 'a'}${token.slice(token.length - 63 + flip)}`.slice(0, token.length);
        const expected = verifyPreviewToken(KEY, token, path, now).ok;
        const response = await handler({ request: { uri: path, cookies: { restatic_preview: { value: token } } } });
        expect('statusCode' in response ? false : true).toBe(expected);
      },
    ));
  });
});
