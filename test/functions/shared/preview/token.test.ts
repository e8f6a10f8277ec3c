/** Preview tokens: HMAC over the path prefix and the expiry; refused when missing, altered, expired or out of scope. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { previewCookie, requestPreviewToken, signPreviewToken, verifyPreviewToken } from '../../../../functions/shared/preview/token.js';

const KEY = 'k'.repeat(48);
const NOW = 1_800_000_000;

describe('preview tokens', () => {
  it('lets a signed token read every preview path until it expires', () => {
    // Prepare
    const token = signPreviewToken(KEY, { expires: NOW + 60 });
    // Act
    const verdicts = ['/_preview/', '/_preview/products/tent/', '/_preview/de/blog/x/'].map((path) => verifyPreviewToken(KEY, token, path, NOW));
    // Assess
    expect(verdicts.every((v) => v.ok)).toBe(true);
    expect(verdicts[0]).toEqual({ ok: true, expires: NOW + 60, scope: '/_preview/' });
  });

  it('refuses a missing, malformed, wrongly signed, expired or out-of-scope token, saying which', () => {
    // Prepare
    const token = signPreviewToken(KEY, { expires: NOW + 60 });
    const [v, expires, scope, signature] = token.split('.');
    const narrow = signPreviewToken(KEY, { expires: NOW + 60, scope: '/_preview/blog/' });
    // Act
    const reason = (t: string | undefined, path = '/_preview/', now = NOW) => {
      const verdict = verifyPreviewToken(KEY, t, path, now);
      return verdict.ok ? 'ok' : verdict.reason;
    };
    // Assess
    expect(reason(undefined)).toBe('missing');
    expect(reason('garbage')).toBe('malformed');
    expect(reason(`${v}.${Number(expires) + 3600}.${scope}.${signature}`)).toBe('signature');
    expect(reason(signPreviewToken('x'.repeat(48), { expires: NOW + 60 }))).toBe('signature');
    expect(reason(token, '/_preview/', NOW + 60)).toBe('expired');
    expect(reason(narrow, '/_preview/products/x/')).toBe('scope');
    expect(reason(narrow, '/_preview/blog/post/')).toBe('ok');
  });

  it('never accepts a token whose signature was changed in any character', () => {
    const token = signPreviewToken(KEY, { expires: NOW + 60 });
    fc.assert(fc.property(fc.integer({ min: 0, max: 63 }), fc.constantFrom(...'0123456789abcdef'), (at, ch) => {
      const signature = token.slice(-64);
      fc.pre(signature[at] !== ch);
      const altered = `${token.slice(0, -64)}${signature.slice(0, at)}${ch}${signature.slice(at + 1)}`;
      expect(verifyPreviewToken(KEY, altered, '/_preview/', NOW)).toMatchObject({ ok: false, reason: 'signature' });
    }));
  });

  it('refuses to sign with a short key or for a path outside the preview', () => {
    expect(() => signPreviewToken('short', { expires: NOW })).toThrow(/at least 32 characters, got 5/);
    expect(() => signPreviewToken(KEY, { expires: NOW, scope: '/products/' })).toThrow(/under \/_preview\//);
  });

  it('reads the token from the query first, else from its cookie; the cookie is HttpOnly, for the preview only, and ends with the token', () => {
    expect(requestPreviewToken(new URLSearchParams('token=a.b'), 'restatic_preview=c.d')).toEqual({ token: 'a.b', fromQuery: true });
    expect(requestPreviewToken(new URLSearchParams(''), 'x=1; restatic_preview=c.d')).toEqual({ token: 'c.d', fromQuery: false });
    expect(requestPreviewToken(new URLSearchParams(''), undefined)).toEqual({ token: undefined, fromQuery: false });
    expect(previewCookie('t', NOW + 90, NOW, false)).toBe('restatic_preview=t; Path=/_preview/; Max-Age=90; HttpOnly; SameSite=Lax');
    expect(previewCookie('t', NOW + 90, NOW, true)).toMatch(/; Secure$/);
  });
});
