/* eslint-disable @typescript-eslint/no-unused-vars -- CloudFront calls `handler` by name; its runtime wants a catch binding. */
// CloudFront Function (cloudfront-js-2.0), viewer request of the private preview distribution.
// Kept as plain JS: CloudFront runs this file's text as is. Every request needs a preview token
// (functions/shared/preview/token.ts, the same rule; the test runs both over the same tokens): in
// the `token` query parameter, which is checked, set as a cookie and dropped from the URL by a
// redirect, or in that cookie. The HMAC key is the KeyValueStore's `preview-key`. The preview has a
// host of its own, so its pages' root-relative links work as they are: `/_preview/a/b/` and `/a/b/`
// are the same page, the bucket's `a/b/index.html` (the preview bucket holds the site at the live
// site's keys). `/_preview/open` goes on to its origin (the function that finds an entry's page).
import cf from 'cloudfront';
import crypto from 'crypto';

const kvs = cf.kvs();
const ROOT = '/_preview/';
const COOKIE = 'restatic_preview';

function deny(status, message) {
  return {
    statusCode: status, statusDescription: status === 401 ? 'Unauthorized' : 'Forbidden',
    headers: { 'content-type': { value: 'text/plain; charset=utf-8' }, 'cache-control': { value: 'no-store' }, 'x-robots-tag': { value: 'noindex, nofollow' } },
    body: { encoding: 'text', data: message + '\n' },
  };
}

function equal(a, b) {
  if (a.length !== b.length) return false;
  var diff = 0;
  for (var i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

function verify(key, token, path, now) {
  if (!token) return { ok: false, status: 401, message: 'this preview needs a token: open it from a preview link' };
  var parts = token.split('.');
  if (parts.length !== 4 || parts[0] !== 'v1' || !/^\d{1,12}$/.test(parts[1]) || !/^[A-Za-z0-9_-]+$/.test(parts[2]) || !/^[0-9a-f]{64}$/.test(parts[3])) {
    return { ok: false, status: 403, message: 'expected a preview token of the form v1.<expiry>.<scope>.<signature>' };
  }
  var expires = Number(parts[1]);
  // base64url → base64 (the runtime's Buffer is only documented for base64).
  var scope = Buffer.from(parts[2].replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8');
  var expected = crypto.createHmac('sha256', key).update(scope + '\n' + expires).digest('hex');
  if (!equal(expected, parts[3])) return { ok: false, status: 403, message: 'the preview token is not signed by this site' };
  if (expires <= now) return { ok: false, status: 403, message: 'the preview link expired at ' + new Date(expires * 1000).toISOString() + ': ask for a new one' };
  if (path.indexOf(scope) !== 0) return { ok: false, status: 403, message: 'the preview token covers ' + scope + ' only' };
  return { ok: true, expires: expires };
}

async function handler(event) {
  const request = event.request;
  var uri = request.uri;
  if (uri.indexOf(ROOT) !== 0) uri = uri === '/_preview' ? ROOT : ROOT + uri.replace(/^\/+/, '');
  var key;
  try {
    key = await kvs.get('preview-key');
  } catch (e) {
    return deny(403, 'the preview is not configured (no key)');
  }
  const query = request.querystring || {};
  const fromQuery = query.token && query.token.value;
  const cookies = request.cookies || {};
  const token = fromQuery || (cookies[COOKIE] && cookies[COOKIE].value);
  const now = Math.floor(Date.now() / 1000);
  const verdict = verify(key, token, uri, now);
  if (!verdict.ok) return deny(verdict.status, verdict.message);
  if (fromQuery) {
    // The token leaves the address bar (and the Referer of what the page loads) for a cookie.
    var rest = Object.keys(query).filter(function (k) { return k !== 'token'; }).map(function (k) { return k + '=' + query[k].value; });
    return {
      statusCode: 302, statusDescription: 'Found',
      headers: { location: { value: uri + (rest.length ? '?' + rest.join('&') : '') }, 'cache-control': { value: 'no-store' } },
      cookies: { restatic_preview: { value: token, attributes: 'Path=/; Max-Age=' + (verdict.expires - now) + '; HttpOnly; SameSite=Lax; Secure' } },
    };
  }
  if (uri === ROOT + 'open') {
    request.uri = uri;
    return request;
  }
  var path = uri.slice(ROOT.length - 1);
  if (path.endsWith('/')) request.uri = path + 'index.html';
  else if (path.lastIndexOf('.') < path.lastIndexOf('/')) {
    return { statusCode: 301, statusDescription: 'Moved Permanently', headers: { location: { value: uri + '/' }, 'cache-control': { value: 'no-store' } } };
  } else request.uri = path;
  return request;
}
