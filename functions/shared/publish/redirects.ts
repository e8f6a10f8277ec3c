/**
 * Redirect records (old slug → new slug), kept in the bucket at `_restatic/redirects.json`. The
 * local edge reads them directly; in AWS the same map is written to a CloudFront KeyValueStore.
 */
import type { ObjectStore } from '../ports.js';

export const REDIRECTS_KEY = '_restatic/redirects.json';

/** Path → target path. Both start with `/`. */
export type RedirectMap = Record<string, string>;

/** A URL the new site lists: its record (`sku:…`, `entry:…`) and market (absent: the default market's). */
export interface ListedUrl {
  url: string;
  primary?: string;
  market?: string;
}

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

/**
 * Old URL → the record's new URL, for removed pages whose record lives on elsewhere (slug change).
 * A record has a page in every market: the old URL redirects to the new one in its own market.
 */
export function redirectsFor(removed: readonly string[], previous: Readonly<Record<string, { primary?: string }>>, next: readonly ListedUrl[]): RedirectMap {
  const redirects: RedirectMap = {};
  if (removed.length === 0) return redirects;
  // A non-default market's pages live under its prefix (one path segment); the rest is the default's.
  const firstSegment = (url: string) => url.split('/')[1] ?? '';
  const prefixes = new Map<string, string>();
  const byPrimary = new Map<string, string>();
  for (const p of next) {
    if (p.market) prefixes.set(firstSegment(p.url), p.market);
    if (p.primary) byPrimary.set(`${p.market ?? ''} ${p.primary}`, p.url);
  }
  const marketOf = (url: string) => prefixes.get(firstSegment(url)) ?? '';
  for (const url of removed) {
    const primary = previous[url]!.primary;
    const target = primary ? byPrimary.get(`${marketOf(url)} ${primary}`) : undefined;
    if (target) redirects[url] = target;
  }
  return redirects;
}

/**
 * Merges new redirects into the existing map: a URL that exists again stops redirecting, chains
 * are collapsed (a → b, b → c gives a → c), and a redirect whose target no longer exists goes (the
 * old URL then answers 404 like any other gone page, instead of redirecting to one).
 */
export function mergeRedirects(existing: RedirectMap, added: RedirectMap, liveUrls: { has(url: string): boolean }): RedirectMap {
  const candidates: RedirectMap = {};
  for (const [from, to] of Object.entries({ ...existing, ...added })) if (!liveUrls.has(from)) candidates[from] = to;
  const merged: RedirectMap = {};
  for (const [from, to] of Object.entries(candidates)) {
    let target = to;
    for (let hops = 0; candidates[target] && hops < 10; hops++) target = candidates[target]!;
    if (target !== from && liveUrls.has(target)) merged[from] = target;
  }
  return merged;
}

export function sameRedirects(a: RedirectMap, b: RedirectMap): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

/**
 * The redirects after a full build, written when they changed: a record whose URL moved between the
 * `previous` page index and the `next` one redirects from its old URL, in its own market (`sites`:
 * each market's prefix), as a targeted run's do; a redirect whose source is a page again, or whose
 * target is gone, goes. Returns the map now live.
 */
export async function reconcileRedirects(
  store: ObjectStore, previous: Readonly<Record<string, { primary?: string }>>, next: Readonly<Record<string, { primary?: string }>>,
  sites: Readonly<Record<string, { market: string; prefix: string }>>,
): Promise<RedirectMap> {
  const markets = new Map<string, string>();
  for (const site of Object.values(sites)) if (site.prefix !== '/') markets.set(site.prefix.split('/')[1] ?? '', site.market);
  const listed: ListedUrl[] = Object.entries(next).map(([url, entry]) => {
    const market = markets.get(url.split('/')[1] ?? '');
    return { url, ...(entry.primary ? { primary: entry.primary } : {}), ...(market ? { market } : {}) };
  });
  const removed = Object.keys(previous).filter((url) => !Object.hasOwn(next, url));
  const existing = await readRedirects(store);
  const merged = mergeRedirects(existing, redirectsFor(removed, previous, listed), { has: (url) => Object.hasOwn(next, url) });
  if (!sameRedirects(merged, existing)) await writeRedirects(store, merged);
  return merged;
}
