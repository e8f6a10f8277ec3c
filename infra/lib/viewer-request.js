/* eslint-disable @typescript-eslint/no-unused-vars -- CloudFront calls `handler` by name; its runtime wants a catch binding. */
// CloudFront Function (cloudfront-js-2.0), viewer request. Kept as plain JS: CloudFront runs this
// file's text as is. It (1) answers slug-change redirects recorded by the pipeline, read from the
// KeyValueStore (key: old path, value: new path), and (2) maps directory URLs to their index
// objects: `/a/b/` → `/a/b/index.html`, and `/a/b` (no extension) → 301 `/a/b/`, as the local edge
// does. The invalidations the pipeline sends name object paths, which are these rewritten URIs.
import cf from 'cloudfront';

const kvs = cf.kvs();

async function redirectFor(uri) {
  try {
    return await kvs.get(uri);
  } catch (e) {
    return null; // no such key (or the store is unavailable): serve the request as is
  }
}

async function handler(event) {
  const request = event.request;
  const uri = request.uri;
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
