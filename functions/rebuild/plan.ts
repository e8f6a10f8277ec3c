/**
 * Planning a targeted rebuild, purely: from the records that changed to the pages that may change
 * (the dependency index), and from the old and new URL sets to deletions and slug redirects.
 */
import { dep } from '../shared/build/deps.js';
import { collectionChangeKeys } from '../shared/build/model/collections.js';
import type { Product } from '../shared/catalog/product.js';
import type { PageRef } from '../shared/build/site-model.js';
import { redirectsFor } from '../shared/publish/redirects.js';
import type { PageIndexEntry } from '../shared/state/site-state.js';

/**
 * Product fields that decide a listing's membership and order (by title, then sku; a market lists
 * by its translated title; an item group's members share one card). What a card shows (price,
 * stock, image, URL, colour, size) reaches only the page showing the card, which reads the sku of
 * every member on it; but the currencies it is priced in decide which markets list it at all.
 */
const LISTING_FIELDS: ReadonlyArray<keyof Product> = ['title', 'category', 'translations', 'itemGroupId'];
const pricedIn = (p: Product) => Object.keys(p.price ?? {}).sort().join(',');

/** Dependency keys touched by a product changing from `before` to `after` (either may be absent). */
export function productChangeKeys(sku: string, before: Product | undefined, after: Product | undefined): string[] {
  const keys: string[] = [dep.sku(sku)];
  // Variant chips on every page of its group (old and new) show it.
  for (const group of new Set([before?.itemGroupId, after?.itemGroupId])) if (group) keys.push(dep.group(group));
  const listingChanged = !before || !after || pricedIn(before) !== pricedIn(after) || LISTING_FIELDS.some((f) => JSON.stringify(before[f]) !== JSON.stringify(after[f]));
  if (listingChanged) {
    // Membership or order may move it across listing pages: the whole category is a candidate; the
    // data-hash check then keeps only the listing pages whose content really changed.
    for (const category of new Set([before?.category, after?.category])) if (category) keys.push(dep.listing(category));
  }
  // Collections embedded in pages (on sale, a category, a brand) may gain, lose or reorder it.
  keys.push(...collectionChangeKeys(before, after));
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

/** How the URL sets of two outlines differ. */
export interface OutlineDiff {
  /** Pages listed now at URLs the live index does not have. */
  added: PageRef[];
  /** Live URLs no longer listed. */
  removed: string[];
  /** Pages listed at a live URL that another record owned (a slug passed between products). */
  moved: PageRef[];
}

/** What planning asks of the live page index. */
export interface DependencyLookup {
  /** The live URLs whose pages read any of `keys`. */
  dependents(keys: ReadonlySet<string>): Iterable<string>;
  /** The live URLs whose data changes with time at or before `now` (epoch ms). */
  expired(now: number): Iterable<string>;
}

/** The diff of a whole new outline against the live index. */
export function diffOutline(previous: Record<string, PageIndexEntry>, next: readonly PageRef[]): OutlineDiff {
  const nextUrls = new Set(next.map((p) => p.url));
  return {
    added: next.filter((p) => !previous[p.url]),
    removed: Object.keys(previous).filter((url) => !nextUrls.has(url)),
    moved: next.filter((ref) => previous[ref.url] !== undefined && previous[ref.url]!.primary !== ref.primary),
  };
}

/** The diff of re-listed units (`before` → `after`) against the live index; the rest of the site is unchanged. */
export function diffUnits(previous: Record<string, PageIndexEntry>, before: readonly PageRef[], after: readonly PageRef[]): OutlineDiff {
  const afterUrls = new Set(after.map((p) => p.url));
  return {
    added: after.filter((p) => !previous[p.url]),
    removed: [...new Set(before.map((p) => p.url))].filter((url) => !afterUrls.has(url) && previous[url] !== undefined),
    moved: after.filter((ref) => previous[ref.url] !== undefined && previous[ref.url]!.primary !== ref.primary),
  };
}

/** A lookup that passes over the whole index: for a one-off plan, where building the reverse index would cost more. */
export function scanLookup(previous: Record<string, PageIndexEntry>): DependencyLookup {
  return {
    *dependents(keys) {
      for (const [url, entry] of Object.entries(previous)) if (entry.deps.some((d) => keys.has(d))) yield url;
    },
    *expired(now) {
      for (const [url, entry] of Object.entries(previous)) if (entry.validUntil !== undefined && entry.validUntil <= now) yield url;
    },
  };
}

/**
 * Plans the pages of a run from the changed keys, the previous page index, and the new site's
 * page list. URL-set changes add the pages that list URLs (sitemap, blog index, home); a URL that
 * now belongs to another record and a page whose time came (a sale starting or ending) are
 * candidates too.
 */
export function planPages(changedKeys: Iterable<string>, previous: Record<string, PageIndexEntry>, next: readonly PageRef[], context: PlanContext = { now: new Date(0) }): PagePlan {
  const diff = diffOutline(previous, next);
  if (context.all) {
    const keys = new Set(changedKeys);
    expandKeys(keys, diff, previous);
    return { candidates: new Set(next.map((p) => p.url)), added: diff.added.map((p) => p.url), removed: diff.removed, redirects: redirectsFor(diff.removed, previous, next) };
  }
  const removed = new Set(diff.removed);
  return planChange(changedKeys, previous, diff, scanLookup(previous), (url) => !removed.has(url), next, context.now);
}

/**
 * Plans from a diff and a lookup: what a warm worker does with its patched outline and reverse
 * index, so that a change costs what it touches. `listed` tells whether a live URL is still listed;
 * `relisted` holds the pages a removed URL's record may have moved to.
 */
export function planChange(
  changedKeys: Iterable<string>, previous: Record<string, PageIndexEntry>, diff: OutlineDiff, lookup: DependencyLookup,
  listed: (url: string) => boolean, relisted: readonly PageRef[], now: Date,
): PagePlan {
  const keys = new Set(changedKeys);
  expandKeys(keys, diff, previous);
  const candidates = new Set(diff.added.map((p) => p.url));
  // A URL whose record changed (a slug passed from one product to another) shows someone else now.
  for (const ref of diff.moved) candidates.add(ref.url);
  for (const url of lookup.expired(now.getTime())) if (listed(url)) candidates.add(url);
  for (const url of lookup.dependents(keys)) if (listed(url)) candidates.add(url);
  return { candidates, added: diff.added.map((p) => p.url), removed: diff.removed, redirects: redirectsFor(diff.removed, previous, relisted) };
}

// Under any market's prefix (`/de/blog/…`).
const BLOG_URL = /^\/(?:[a-z0-9-]+\/)?blog\//;
const CATEGORY_URL = /^\/(?:[a-z0-9-]+\/)?categories\//;

/**
 * URL-set changes touch the pages that list URLs; a record whose URL appeared, vanished or moved,
 * and a URL that appeared, vanished or changed hands (`url:<path>`), touch every page that links
 * to it, or would.
 */
function expandKeys(keys: Set<string>, diff: OutlineDiff, previous: Record<string, PageIndexEntry>): void {
  const { added, removed } = diff;
  if (added.length || removed.length) {
    keys.add(dep.urlset);
    const urls = [...added.map((p) => p.url), ...removed];
    if (urls.some((u) => BLOG_URL.test(u))) keys.add(dep.urlsetOf('blog'));
    if (urls.some((u) => CATEGORY_URL.test(u))) keys.add(dep.urlsetOf('categories'));
  }
  for (const p of added) {
    keys.add(dep.url(p.url));
    if (p.primary) keys.add(p.primary);
  }
  for (const url of removed) {
    keys.add(dep.url(url));
    if (previous[url]!.primary) keys.add(previous[url]!.primary!);
  }
  for (const ref of diff.moved) {
    const before = previous[ref.url]!.primary;
    if (before === undefined) continue;
    keys.add(before);
    keys.add(dep.url(ref.url));
    if (ref.primary) keys.add(ref.primary);
  }
}
