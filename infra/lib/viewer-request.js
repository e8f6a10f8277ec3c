/* eslint-disable @typescript-eslint/no-unused-vars -- CloudFront calls `handler` by name; its runtime wants a catch binding. */
// CloudFront Function (cloudfront-js-2.0), viewer request. Kept as plain JS: CloudFront runs this
// file's text as is. It (1) answers slug-change redirects recorded by the pipeline, read from the
// KeyValueStore (key: old path, value: new path), and (2) maps directory URLs to their index
// objects: `/a/b/` → `/a/b/index.html`, and `/a/b` (no extension) → 301 `/a/b/`, as the local edge
// does. The invalidations the pipeline sends name object paths, which are these rewritten URIs.
// First it (0) normalises the URI, so every spelling of a path shares one cache key and one
// invalidation covers them all: functions/shared/publish/cache-key.ts, repeated here in plain JS
// (the test runs both over the same random paths).
import cf from 'cloudfront';

const kvs = cf.kvs();

async function redirectFor(uri) {
  try {
    return await kvs.get(uri);
  } catch (e) {
    return null; // no such key (or the store is unavailable): serve the request as is
  }
}

function normalizePath(path) {
  var decoded = path.replace(/%([0-9A-Fa-f]{2})/g, function (match, hex) {
    var ch = String.fromCharCode(parseInt(hex, 16));
    return /^[A-Za-z0-9\-._~]$/.test(ch) ? ch : '%' + hex.toUpperCase();
  });
  var segments = decoded.split('/');
  var out = [];
  for (var i = 0; i < segments.length; i++) {
    var segment = segments[i];
    var last = i === segments.length - 1;
    if (segment === '.' || segment === '..') {
      if (segment === '..' && out.length > 1) out.pop();
      if (last) out.push('');
      continue;
    }
    out.push(segment);
  }
  var result = out.join('/');
  return result.charAt(0) === '/' ? result : '/' + result;
}

async function handler(event) {
  const request = event.request;
  const uri = normalizePath(request.uri);
  request.uri = uri;
  const target = await redirectFor(uri);
  if (target && target.charAt(0) === '/' && target.charAt(1) !== '/') {
    return { statusCode: 301, statusDescription: 'Moved Permanently', headers: { location: { value: target }, 'cache-control': { value: 'public, max-age=300' } } };
  }
  if (uri.endsWith('/')) {
    request.uri = uri + 'index.html';
  } else if (uri.lastIndexOf('.') < uri.lastIndexOf('/')) {
    const qs = Object.keys(request.querystring || {}).length ? '?' + Object.entries(request.querystring).map(function (kv) { return kv[0] + '=' + kv[1].value; }).join('&') : '';
    return { statusCode: 301, statusDescription: 'Moved Permanently', headers: { location: { value: uri + '/' + qs }, 'cache-control': { value: 'public, max-age=300' } } };
  }
  return request;
}
