/** Content-Type and Cache-Control per object, decided by key. */
import type { ObjectMeta } from '../ports.js';

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8', css: 'text/css; charset=utf-8', js: 'text/javascript; charset=utf-8',
  json: 'application/json; charset=utf-8', xml: 'application/xml; charset=utf-8', txt: 'text/plain; charset=utf-8',
  svg: 'image/svg+xml', png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', webp: 'image/webp', avif: 'image/avif',
  gif: 'image/gif', ico: 'image/x-icon', woff2: 'font/woff2', pdf: 'application/pdf', gz: 'application/gzip',
};

/** HTML: browsers revalidate after a minute; the CDN keeps it a year because we invalidate it. */
export const HTML_CACHE = 'public, max-age=60, s-maxage=31536000';
/** Content-hashed assets never change under their name. */
export const IMMUTABLE_CACHE = 'public, max-age=31536000, immutable';
/** Feeds, sitemaps, robots: short everywhere, crawlers must see fresh files. */
export const SHORT_CACHE = 'public, max-age=300, s-maxage=300';
/** PDFs: an hour in browsers, long on the CDN (invalidated on change). */
export const DOCUMENT_CACHE = 'public, max-age=3600, s-maxage=31536000';

/** Whether a key is a content-hashed asset (`assets/…-<hex>.<ext>`). */
export function isHashedAsset(key: string): boolean {
  return key.startsWith('assets/') && /-[0-9a-f]{8,}\.[a-z0-9]+$/.test(key);
}

export function metaForKey(key: string): ObjectMeta {
  const ext = /\.([a-z0-9]+)$/i.exec(key)?.[1]?.toLowerCase() ?? '';
  const contentType = TYPES[ext] ?? 'application/octet-stream';
  let cacheControl: string;
  if (isHashedAsset(key)) cacheControl = IMMUTABLE_CACHE;
  else if (ext === 'html') cacheControl = HTML_CACHE;
  else if (ext === 'pdf') cacheControl = DOCUMENT_CACHE;
  else cacheControl = SHORT_CACHE;
  return { contentType, cacheControl };
}
