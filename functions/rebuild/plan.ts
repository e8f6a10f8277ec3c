/**
 * Planning a targeted rebuild, purely: from the records that changed to the pages that may change
 * (the dependency index), and from the old and new URL sets to deletions and slug redirects.
 */
import { dep } from '../shared/build/deps.js';
import type { Product } from '../shared/catalog/product.js';
import type { PageRef } from '../shared/build/site-model.js';
import type { PageIndexEntry } from '../shared/state/site-state.js';

/** Product fields a listing card shows, or that decide a listing's membership and order. */
const LISTING_FIELDS: ReadonlyArray<keyof Product> = ['title', 'slug', 'price', 'salePrice', 'saleStart', 'saleEnd', 'availability', 'images', 'category'];

/** Dependency keys touched by a product changing from `before` to `after` (either may be absent). */
export function productChangeKeys(sku: string, before: Product | undefined, after: Product | undefined): string[] {
  const keys: string[] = [dep.sku(sku)];
  // Variant chips on every page of its group (old and new) show it.
  for (const group of new Set([before?.itemGroupId, after?.itemGroupId])) if (group) keys.push(dep.group(group));
  const listingChanged = !before || !after || LISTING_FIELDS.some((f) => JSON.stringify(before[f]) !== JSON.stringify(after[f]));
  if (listingChanged) {
    // Membership or order may move it across listing pages: the whole category is a candidate; the
    // data-hash check then keeps only the listing pages whose content really changed.
    for (const category of new Set([before?.category, after?.category])) if (category) keys.push(dep.listing(category));
  }
  return keys;
}

export interface PagePlan {
  /** URLs whose data must be computed and compared (dependents of changed keys, and new pages). */
  candidates: Set<string>;
  /** URLs that did not exist before. */
  added: string[];
  /** URLs that no longer exist. */
  removed: string[];
  /** Old URL → new URL, for pages whose record moved to another URL (slug change). */
  redirects: Record<string, string>;
}

export interface PlanContext {
  /** The run's instant: pages whose data changes with time at or before it are candidates. */
  now: Date;
  /** Every page is a candidate: the shell (navigation, footer) changed, or a reconciliation asks. */
  all?: boolean;
}

/**
 * Plans the pages of a run from the changed keys, the previous page index, and the new site's
 * page list. URL-set changes add the pages that list URLs (sitemap, blog index, home); a URL that
 * now belongs to another record and a page whose time came (a sale starting or ending) are
 * candidates too.
 */
export function planPages(changedKeys: Iterable<string>, previous: Record<string, PageIndexEntry>, next: readonly PageRef[], context: PlanContext = { now: new Date(0) }): PagePlan {
  const keys = new Set(changedKeys);
  const nextUrls = new Set(next.map((p) => p.url));
  const added = next.filter((p) => !previous[p.url]);
  const removed = Object.keys(previous).filter((url) => !nextUrls.has(url));
  if (added.length || removed.length) {
    keys.add(dep.urlset);
    if ([...added.map((p) => p.url), ...removed].some((u) => u.startsWith('/blog/'))) keys.add(dep.urlsetOf('blog'));
    if ([...added.map((p) => p.url), ...removed].some((u) => u.startsWith('/categories/'))) keys.add(dep.urlsetOf('categories'));
  }
  // A record whose URL appeared, vanished or moved, and a URL that appeared, vanished or changed
  // hands (`url:<path>`): every page that links to it, or would, must follow.
  for (const p of added) {
    keys.add(dep.url(p.url));
    if (p.primary) keys.add(p.primary);
  }
  for (const url of removed) {
    keys.add(dep.url(url));
    if (previous[url]!.primary) keys.add(previous[url]!.primary!);
  }
  for (const ref of next) {
    const before = previous[ref.url]?.primary;
    if (before !== undefined && before !== ref.primary) {
      keys.add(before);
      keys.add(dep.url(ref.url));
      if (ref.primary) keys.add(ref.primary);
    }
  }
  if (context.all) return { candidates: nextUrls, added: added.map((p) => p.url), removed, redirects: redirectsFor(removed, previous, next) };
  const candidates = new Set(added.map((p) => p.url));
  // A URL whose record changed (a slug passed from one product to another) shows someone else now.
  for (const ref of next) if (previous[ref.url] && previous[ref.url]!.primary !== ref.primary) candidates.add(ref.url);
  // One pass over the index, asking each page whether it read a changed key or its time came: a
  // change touches a few keys, and building the whole reverse index (a set per key, ~10,000 pages)
  // cost more than the rest of planning.
  const now = context.now.getTime();
  for (const [url, entry] of Object.entries(previous)) {
    if (!nextUrls.has(url)) continue;
    if (entry.validUntil !== undefined && entry.validUntil <= now) {
      candidates.add(url);
      continue;
    }
    for (const dep of entry.deps) {
      if (keys.has(dep)) {
        candidates.add(url);
        break;
      }
    }
  }
  return { candidates, added: added.map((p) => p.url), removed, redirects: redirectsFor(removed, previous, next) };
}

/** Old URL → the record's new URL, for removed pages whose record lives on elsewhere (slug change). */
function redirectsFor(removed: readonly string[], previous: Record<string, PageIndexEntry>, next: readonly PageRef[]): Record<string, string> {
  const redirects: Record<string, string> = {};
  if (removed.length === 0) return redirects;
  const byPrimary = new Map<string, string>();
  for (const p of next) if (p.primary) byPrimary.set(p.primary, p.url);
  for (const url of removed) {
    const primary = previous[url]!.primary;
    const target = primary ? byPrimary.get(primary) : undefined;
    if (target) redirects[url] = target;
  }
  return redirects;
}

/**
 * Merges new redirects into the existing map: a URL that exists again stops redirecting, chains
 * are collapsed (a → b, b → c gives a → c), and a redirect whose target no longer exists goes (the
 * old URL then answers 404 like any other gone page, instead of redirecting to one).
 */
export function mergeRedirects(existing: Record<string, string>, added: Record<string, string>, liveUrls: ReadonlySet<string>): Record<string, string> {
  const candidates: Record<string, string> = {};
  for (const [from, to] of Object.entries({ ...existing, ...added })) if (!liveUrls.has(from)) candidates[from] = to;
  const merged: Record<string, string> = {};
  for (const [from, to] of Object.entries(candidates)) {
    let target = to;
    for (let hops = 0; candidates[target] && hops < 10; hops++) target = candidates[target]!;
    if (target !== from && liveUrls.has(target)) merged[from] = target;
  }
  return merged;
}
