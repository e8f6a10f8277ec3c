/**
 * Preview tokens: who may read the private preview site. A token grants the paths under one
 * prefix (normally the whole preview site, `/_preview/`) until an instant, signed with HMAC-SHA256
 * over both, so neither can be changed. The local edge and the CloudFront Function of the preview
 * distribution (infra/lib/preview-viewer-request.js, the same rule in plain JS) check it; a valid
 * token in the query sets a cookie, so the links of a preview page keep working without it.
 *
 * Form: `v1.<expires: epoch seconds>.<base64url(path prefix)>.<hex HMAC-SHA256 of "prefix\nexpires">`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { ConfigError } from '../errors.js';

/** Where the preview site lives: the same paths as the live site under it. */
export const PREVIEW_ROOT = '/_preview/';
export const PREVIEW_COOKIE = 'restatic_preview';
/** Links for editors last a week unless asked otherwise; a longer one is refused. */
export const DEFAULT_PREVIEW_TTL_SECONDS = 7 * 24 * 3600;
export const MAX_PREVIEW_TTL_SECONDS = 90 * 24 * 3600;
/** An HMAC key shorter than this is refused (it is the only thing keeping drafts private). */
export const MIN_PREVIEW_KEY_LENGTH = 32;

export type PreviewDenial = 'missing' | 'malformed' | 'signature' | 'expired' | 'scope';

export type PreviewVerdict = { ok: true; expires: number; scope: string } | { ok: false; reason: PreviewDenial; message: string };

const b64url = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
const mac = (key: string, scope: string, expires: number) => createHmac('sha256', key).update(`${scope}\n${expires}`).digest('hex');

function checkKey(key: string): void {
  if (key.length < MIN_PREVIEW_KEY_LENGTH) throw new ConfigError('RESTATIC_PREVIEW_KEY', `expected a key of at least ${MIN_PREVIEW_KEY_LENGTH} characters, got ${key.length}`);
}

/** A token for the paths under `scope` until `expires` (epoch seconds). */
export function signPreviewToken(key: string, options: { expires: number; scope?: string }): string {
  checkKey(key);
  const scope = options.scope ?? PREVIEW_ROOT;
  if (!scope.startsWith(PREVIEW_ROOT)) throw new ConfigError('scope', `expected a path under ${PREVIEW_ROOT}, got ${JSON.stringify(scope)}`);
  if (!Number.isSafeInteger(options.expires) || options.expires <= 0) throw new ConfigError('expires', `expected epoch seconds, got ${options.expires}`);
  return `v1.${options.expires}.${b64url(scope)}.${mac(key, scope, options.expires)}`;
}

/** Whether `token` lets a request read `path` at `now` (epoch seconds), and why not. */
export function verifyPreviewToken(key: string, token: string | undefined, path: string, now: number): PreviewVerdict {
  if (!token) return { ok: false, reason: 'missing', message: 'this preview needs a token: open it from a preview link' };
  const parts = token.split('.');
  if (parts.length !== 4 || parts[0] !== 'v1' || !/^\d{1,12}$/.test(parts[1]!) || !/^[A-Za-z0-9_-]+$/.test(parts[2]!) || !/^[0-9a-f]{64}$/.test(parts[3]!)) {
    return { ok: false, reason: 'malformed', message: 'expected a preview token of the form v1.<expiry>.<scope>.<signature>' };
  }
  const expires = Number(parts[1]);
  const scope = Buffer.from(parts[2]!, 'base64url').toString('utf8');
  const expected = Buffer.from(mac(key, scope, expires), 'hex');
  if (!timingSafeEqual(expected, Buffer.from(parts[3]!, 'hex'))) return { ok: false, reason: 'signature', message: 'the preview token is not signed by this site' };
  if (expires <= now) return { ok: false, reason: 'expired', message: `the preview link expired at ${new Date(expires * 1000).toISOString()}: ask for a new one` };
  if (!path.startsWith(scope)) return { ok: false, reason: 'scope', message: `the preview token covers ${scope} only` };
  return { ok: true, expires, scope };
}

/** The cookie a valid token sets: the preview's paths only, never sent cross-site, gone when the token is. */
export function previewCookie(token: string, expires: number, now: number, secure: boolean): string {
  return `${PREVIEW_COOKIE}=${token}; Path=${PREVIEW_ROOT}; Max-Age=${Math.max(0, expires - now)}; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
}

/** The preview token of a request: its `token` query parameter, else its cookie. */
export function requestPreviewToken(query: URLSearchParams, cookieHeader: string | undefined): { token: string | undefined; fromQuery: boolean } {
  const fromQuery = query.get('token');
  if (fromQuery) return { token: fromQuery, fromQuery: true };
  for (const part of (cookieHeader ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === PREVIEW_COOKIE) return { token: value.join('='), fromQuery: false };
  }
  return { token: undefined, fromQuery: false };
}
