/**
 * Redirect records (old slug → new slug), kept in the bucket at `_restatic/redirects.json`. The
 * local edge reads them directly; in AWS the same map is written to a CloudFront KeyValueStore.
 */
import type { ObjectStore } from '../ports.js';

export const REDIRECTS_KEY = '_restatic/redirects.json';

/** Path → target path. Both start with `/`. */
export type RedirectMap = Record<string, string>;

export async function readRedirects(store: ObjectStore): Promise<RedirectMap> {
  const object = await store.get(REDIRECTS_KEY);
  if (!object) return {};
  try {
    const parsed = JSON.parse(object.body.toString('utf8')) as unknown;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as RedirectMap) : {};
  } catch {
    return {};
  }
}

export async function writeRedirects(store: ObjectStore, redirects: RedirectMap): Promise<void> {
  const sorted = Object.fromEntries(Object.entries(redirects).sort(([a], [b]) => a.localeCompare(b)));
  await store.put(REDIRECTS_KEY, JSON.stringify(sorted, null, 1), { contentType: 'application/json; charset=utf-8', cacheControl: 'no-store' });
}
