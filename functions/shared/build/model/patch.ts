/**
 * Changes applied to a warm model in place, so that what a change costs follows the change, not the
 * catalog. Catalog changes re-list the product, its item groups and its categories (their units);
 * content changes re-list the units that read the content when listed (CMS pages, the journal,
 * the home page, the categories whose entry changed). Correct only where it agrees with a fresh
 * model of the new data: a catalog change that reaches slug resolution beyond its own product (a
 * collision begins, ends or moves) is refused, and the caller models afresh.
 */
import type { Product } from '../../catalog/product.js';
import { categoryUnit, addCategoryListing, listingOrder } from './categories.js';
import { dep } from '../deps.js';
import { brandKey, type ContentParts, type ModelContext } from './context.js';
import { displayProduct } from './display.js';
import { addProductPage, productUnit } from './products.js';
import type { ModelWarning, PageRef } from './types.js';

export interface OutlineDelta {
  /** What the re-listed units listed before the change, and what they list now. */
  before: PageRef[];
  after: PageRef[];
  /** What the re-listed units warn of now. */
  warnings: ModelWarning[];
}

/** Several re-listings as one delta. */
export function joinDeltas(deltas: readonly OutlineDelta[]): OutlineDelta {
  return { before: deltas.flatMap((d) => d.before), after: deltas.flatMap((d) => d.after), warnings: deltas.flatMap((d) => d.warnings) };
}

/** What a dropped unit listed, as a delta. */
const dropped = (refs: PageRef[]): OutlineDelta => ({ before: refs, after: [], warnings: [] });

/** Whether the re-listed units list another set of URLs than before (the sitemaps count and list them). */
function urlsetChanged(delta: OutlineDelta): boolean {
  const was = new Set(delta.before.map((r) => r.url));
  const is = new Set(delta.after.map((r) => r.url));
  return was.size !== is.size || [...is].some((u) => !was.has(u));
}

const bySkuOrder = (a: Product, b: Product) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0);

/** Inserts `p` into `list` (sorted by `order`) at its place. */
function insertSorted(list: Product[], p: Product, order: (a: Product, b: Product) => number): void {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (order(list[mid]!, p) < 0) lo = mid + 1;
    else hi = mid;
  }
  list.splice(lo, 0, p);
}

function removeSku(groups: Map<string, Product[]>, key: string | undefined, sku: string): void {
  if (!key) return;
  const list = groups.get(key);
  const at = list?.findIndex((p) => p.sku === sku) ?? -1;
  if (at < 0) return;
  list!.splice(at, 1);
  if (list!.length === 0) groups.delete(key);
}

function addTo(groups: Map<string, Product[]>, key: string | undefined, p: Product, order: (a: Product, b: Product) => number): void {
  if (!key) return;
  const list = groups.get(key);
  if (list) insertSorted(list, p, order);
  else groups.set(key, [p]);
}

/**
 * Whether slug resolution stays per product: no changed product's URL depends on another's, and no
 * other product's on it. With a collision anywhere in the catalog (a renamed loser), only changes
 * that keep their own uncontested slug qualify.
 */
export function canPatch(ctx: ModelContext, changes: ReadonlyMap<string, Product | undefined>): boolean {
  const collisions = ctx.slugCollisions;
  const claimed = new Map<string, string>();
  for (const [sku, raw] of changes) {
    const before = ctx.bySku.get(sku);
    if (collisions) {
      if (!before || !raw || before.slug !== raw.slug || ctx.slugClaims.get(raw.slug)?.length !== 1) return false;
      continue;
    }
    if (!raw) continue;
    if (claimed.has(raw.slug)) return false;
    claimed.set(raw.slug, sku);
    if ((ctx.slugClaims.get(raw.slug) ?? []).some((other) => !changes.has(other))) return false;
  }
  return true;
}

/**
 * Applies `changes` (sku → the product now, or undefined when it is gone) and moves the model's
 * clock to `now`. Returns the re-listed refs, or undefined (the model untouched) when the change is
 * beyond a patch. `relistSite` re-lists the units that read the whole catalog (home, and the site
 * files when the URL set changed).
 */
export function patchCatalog(
  ctx: ModelContext, changes: ReadonlyMap<string, Product | undefined>, now: Date,
  relistSite: (urlsetChanged: boolean) => OutlineDelta,
): OutlineDelta | undefined {
  if (!canPatch(ctx, changes)) return undefined;
  ctx.config.now = now;
  ctx.resetCards();
  const categories = new Set<string>();
  for (const [sku, raw] of changes) {
    const before = ctx.bySku.get(sku);
    const after = raw && displayProduct(raw);
    if (before) {
      ctx.bySku.delete(sku);
      removeSku(ctx.groups, before.itemGroupId, sku);
      removeSku(ctx.byCategory, before.category, sku);
      removeSku(ctx.byBrand, brandKey(before), sku);
      ctx.saleSkus.delete(sku);
      const claims = ctx.slugClaims.get(before.slug)?.filter((k) => k !== sku);
      if (claims?.length) ctx.slugClaims.set(before.slug, claims);
      else ctx.slugClaims.delete(before.slug);
      if (before.category) categories.add(before.category);
    }
    if (after) {
      ctx.bySku.set(sku, after);
      addTo(ctx.groups, after.itemGroupId, after, bySkuOrder);
      addTo(ctx.byCategory, after.category, after, listingOrder);
      addTo(ctx.byBrand, brandKey(after), after, bySkuOrder);
      if (after.salePrice) ctx.saleSkus.add(sku);
      const claims = ctx.slugClaims.get(after.slug) ?? [];
      if (!claims.includes(sku)) ctx.slugClaims.set(after.slug, [...claims, sku].sort());
      if (after.category) categories.add(after.category);
    }
  }
  const deltas: OutlineDelta[] = [];
  // Removals first: a URL a product gives up may be listed by another unit in the same change.
  for (const [sku, raw] of changes) if (!raw) deltas.push(dropped(ctx.dropUnit(productUnit(sku))));
  for (const [sku] of changes) {
    const p = ctx.bySku.get(sku);
    if (p) deltas.push(ctx.unit(productUnit(sku), () => addProductPage(ctx, p)));
  }
  for (const slug of categories) if (ctx.categoriesBySlug.has(slug)) deltas.push(ctx.unit(categoryUnit(slug), () => addCategoryListing(ctx, slug)));
  const delta = joinDeltas(deltas);
  return joinDeltas([delta, relistSite(urlsetChanged(delta))]);
}

/**
 * Applies new content parts (see `ModelContext.contentParts`; the caller has checked that the shell
 * is the same) and moves the model's clock to `now`. Re-lists: a category whose slug came or went,
 * whose entry changed (`changedKeys` holds `entry:<id>`) or whose URL moved, with the products
 * naming a category that came or went (their warning); then `relistContent` (the units that read
 * content when listed: CMS pages, the journal, the home page) and `relistSite` (the site files,
 * when the URL set changed). Product pages read the content when they are made, so they stay.
 */
export function patchContent(
  ctx: ModelContext, parts: ContentParts, changedKeys: ReadonlySet<string>, now: Date,
  relistContent: () => OutlineDelta, relistSite: (urlsetChanged: boolean) => OutlineDelta,
): OutlineDelta {
  ctx.config.now = now;
  ctx.resetCards();
  const categoriesBefore = new Map(ctx.categoriesBySlug);
  const urlsBefore = new Map(ctx.urls);
  ctx.useContent(parts);
  const deltas: OutlineDelta[] = [{ before: [], after: [], warnings: parts.warnings }];
  const cameOrWent = new Set<string>();
  for (const slug of categoriesBefore.keys()) {
    if (ctx.categoriesBySlug.has(slug)) continue;
    cameOrWent.add(slug);
    deltas.push(dropped(ctx.dropUnit(categoryUnit(slug))));
  }
  for (const [slug, category] of ctx.categoriesBySlug) {
    const id = category.sys.id;
    const was = categoriesBefore.get(slug);
    if (!was) cameOrWent.add(slug);
    if (was?.sys.id === id && !changedKeys.has(dep.entry(id)) && urlsBefore.get(id) === ctx.urls.get(id)) continue;
    deltas.push(ctx.unit(categoryUnit(slug), () => addCategoryListing(ctx, slug)));
  }
  for (const slug of cameOrWent) for (const p of ctx.byCategory.get(slug) ?? []) deltas.push(ctx.unit(productUnit(p.sku), () => addProductPage(ctx, p)));
  deltas.push(relistContent());
  const delta = joinDeltas(deltas);
  return joinDeltas([delta, relistSite(urlsetChanged(delta))]);
}
