/**
 * Planning a targeted rebuild, purely: from the records that changed to the pages that may change
 * (the dependency index), and from the old and new URL sets to deletions and slug redirects.
 */
import type { Product } from '../shared/catalog/product.js';
import type { PageRef } from '../shared/build/site-model.js';
import type { PageIndexEntry } from '../shared/state/site-state.js';

/** Product fields a listing card shows, or that decide a listing's membership and order. */
const LISTING_FIELDS: ReadonlyArray<keyof Product> = ['title', 'slug', 'price', 'salePrice', 'saleStart', 'saleEnd', 'availability', 'images', 'category'];

/** Dependency keys touched by a product changing from `before` to `after` (either may be absent). */
export function productChangeKeys(sku: string, before: Product | undefined, after: Product | undefined): string[] {
  const keys = [`sku:${sku}`];
  const listingChanged = !before || !after || LISTING_FIELDS.some((f) => JSON.stringify(before[f]) !== JSON.stringify(after[f]));
  if (listingChanged) {
    // Membership or order may move it across listing pages: the whole category is a candidate; the
    // data-hash check then keeps only the listing pages whose content really changed.
    for (const category of new Set([before?.category, after?.category])) if (category) keys.push(`listing:${category}`);
  }
  return keys;
}

export interface PagePlan {
  /** URLs whose data must be computed and compared (dependents of changed keys, and new pages). */
  candidates: Set<string>;
  /** URLs that no longer exist. */
  removed: string[];
  /** Old URL → new URL, for pages whose record moved to another URL (slug change). */
  redirects: Record<string, string>;
}

/**
 * Plans the pages of a run from the changed keys, the previous page index, and the new site's
 * page list. URL-set changes add the pages that list URLs (sitemap, blog index, home).
 */
export function planPages(changedKeys: Iterable<string>, previous: Record<string, PageIndexEntry>, next: readonly PageRef[]): PagePlan {
  const keys = new Set(changedKeys);
  const nextUrls = new Set(next.map((p) => p.url));
  const added = next.filter((p) => !previous[p.url]);
  const removed = Object.keys(previous).filter((url) => !nextUrls.has(url));
  if (added.length || removed.length) {
    keys.add('urlset');
    if ([...added.map((p) => p.url), ...removed].some((u) => u.startsWith('/blog/'))) keys.add('urlset:blog');
    if ([...added.map((p) => p.url), ...removed].some((u) => u.startsWith('/categories/'))) keys.add('urlset:categories');
  }
  // One pass over the index, asking each page whether it read a changed key: a change touches a
  // few keys, and building the whole reverse index (a set per key, ~10,000 pages) cost more than
  // the rest of planning.
  const candidates = new Set(added.map((p) => p.url));
  for (const [url, entry] of Object.entries(previous)) {
    if (!nextUrls.has(url)) continue;
    for (const dep of entry.deps) {
      if (keys.has(dep)) {
        candidates.add(url);
        break;
      }
    }
  }

  const redirects: Record<string, string> = {};
  const newByPrimary = new Map(added.filter((p) => p.primary).map((p) => [p.primary!, p.url]));
  for (const url of removed) {
    const primary = previous[url]!.primary;
    const target = primary ? newByPrimary.get(primary) : undefined;
    if (target) redirects[url] = target;
  }
  return { candidates, removed, redirects };
}

/**
 * Merges new redirects into the existing map: chains are collapsed (a → b, b → c gives a → c),
 * and a URL that exists again stops redirecting.
 */
export function mergeRedirects(existing: Record<string, string>, added: Record<string, string>, liveUrls: ReadonlySet<string>): Record<string, string> {
  const merged: Record<string, string> = { ...existing, ...added };
  for (const [from, to] of Object.entries(merged)) {
    let target = to;
    for (let hops = 0; merged[target] && hops < 10; hops++) target = merged[target]!;
    if (liveUrls.has(from) || target === from) delete merged[from];
    else merged[from] = target;
  }
  return merged;
}
