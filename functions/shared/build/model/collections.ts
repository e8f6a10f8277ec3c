/**
 * Collections (content type `collection`): a list of products chosen by a rule, embedded in a CMS
 * page's body. The rule is on sale (at the build's instant), a category, a brand, or explicit skus;
 * the order by discount, price or title. Membership is a dependency like any other: the page reads
 * the rule's key (`collection:…`), which every product change that may enter, leave or reorder the
 * collection touches (`collectionChangeKeys`), and its `validUntil` is the next sale instant of any
 * candidate, so a sale that starts or ends moves products in and out on time.
 */
import { activeSalePrice, nextPriceChange, type Product } from '../../catalog/product.js';
import type { ContentEntity } from '../../content/types.js';
import { toSlug } from '../../slug.js';
import type { CardView } from '../product-view.js';
import { dep, type DepKey } from '../deps.js';
import { listingOrder } from './categories.js';
import { earliest, type ModelContext } from './context.js';

export const COLLECTION_RULES = ['onSale', 'category', 'brand', 'skus'] as const;
export const COLLECTION_SORTS = ['discount', 'priceAsc', 'priceDesc', 'title', 'listed'] as const;
export type CollectionRule = (typeof COLLECTION_RULES)[number];
export type CollectionSort = (typeof COLLECTION_SORTS)[number];

/** Products a collection shows when its entry sets no `limit`, and the most it may set. */
export const DEFAULT_LIMIT = 24;
export const MAX_LIMIT = 96;

/** What a page shows of a collection. */
export interface CollectionView {
  id: string;
  title: string;
  products: CardView[];
  /** Members in all (the page shows the first `limit`). */
  total: number;
}

const collectionKey = dep.collection;

/**
 * The collection keys a product change touches: any change of a product that has (or had) a sale
 * price may move it in or out of the on-sale collections or reorder them; any change of a product
 * in a category or of a brand, those collections. (The data-hash check then keeps only the pages
 * whose content really changed.)
 */
export function collectionChangeKeys(before: Product | undefined, after: Product | undefined): DepKey[] {
  const keys = new Set<DepKey>();
  for (const p of [before, after]) {
    if (!p) continue;
    if (p.salePrice) keys.add(collectionKey.onSale);
    if (p.category) keys.add(collectionKey.category(p.category));
    if (p.brand) keys.add(collectionKey.brand(p.brand));
  }
  return [...keys];
}

const oneOf = <T extends string>(values: readonly T[], value: unknown): value is T => typeof value === 'string' && (values as readonly string[]).includes(value);

/** The product's price in the market's currency at `now` (the sale price while a sale is on). */
const currentPrice = (p: Product, currency: string, now: Date) => activeSalePrice(p, currency, now) ?? p.price[currency] ?? Number.POSITIVE_INFINITY;
const discount = (p: Product, currency: string, now: Date) => {
  const sale = activeSalePrice(p, currency, now);
  const regular = p.price[currency];
  return sale === undefined || !regular ? 0 : (regular - sale) / regular;
};

/** A collection entry's settings as read, with what is wrong with them (each problem shows nothing or falls back). */
export interface CollectionSettings {
  rule?: CollectionRule;
  sort: CollectionSort;
  limit: number;
  /** The linked category entry (rule `category`) and its slug, when published. */
  categoryId?: string;
  categorySlug?: string;
  brand?: string;
  skus?: string[];
  problems: Array<{ field: string; message: string }>;
}

/** Reads a collection entry's fields; a malformed one is described in `problems`, never thrown. */
export function collectionSettings(ctx: Pick<ModelContext, 'content'>, entry: ContentEntity): CollectionSettings {
  const { content } = ctx;
  const problems: CollectionSettings['problems'] = [];
  const rawRule = content.field<unknown>(entry, 'rule');
  const rule = oneOf(COLLECTION_RULES, rawRule) ? rawRule : undefined;
  if (!rule) problems.push({ field: 'rule', message: `expected one of ${COLLECTION_RULES.join(', ')}, got ${JSON.stringify(rawRule ?? null)}; the collection shows nothing` });
  const sortField = content.field<unknown>(entry, 'sort');
  const fallbackSort: CollectionSort = rule === 'onSale' ? 'discount' : rule === 'skus' ? 'listed' : 'title';
  if (sortField !== undefined && !oneOf(COLLECTION_SORTS, sortField)) problems.push({ field: 'sort', message: `expected one of ${COLLECTION_SORTS.join(', ')}, got ${JSON.stringify(sortField)}; sorted by ${fallbackSort}` });
  const sort: CollectionSort = oneOf(COLLECTION_SORTS, sortField) ? sortField : fallbackSort;
  const rawLimit = content.field<unknown>(entry, 'limit');
  const limit = typeof rawLimit === 'number' && Number.isInteger(rawLimit) && rawLimit >= 1 ? Math.min(rawLimit, MAX_LIMIT) : DEFAULT_LIMIT;
  if (rawLimit !== undefined && limit !== rawLimit) problems.push({ field: 'limit', message: `expected a whole number from 1 to ${MAX_LIMIT}, got ${JSON.stringify(rawLimit)}; showing up to ${limit}` });
  const settings: CollectionSettings = { sort, limit, problems, ...(rule ? { rule } : {}) };
  if (rule === 'category') {
    const link = content.field<{ sys?: { id?: unknown } }>(entry, 'category');
    const id = typeof link?.sys?.id === 'string' ? link.sys.id : undefined;
    const category = id ? content.entries.get(id) : undefined;
    // Products name their category by its slug in the default locale.
    const slug = category?.sys.contentType?.sys.id === 'category' ? toSlug(String(content.field(category, 'slug', content.defaultLocale) ?? '')) : '';
    if (id) settings.categoryId = id;
    if (slug) settings.categorySlug = slug;
    else problems.push({ field: 'category', message: `expected a link to a published category, got ${JSON.stringify(id ?? null)}; the collection shows nothing` });
  } else if (rule === 'brand') {
    const brand = content.field<unknown>(entry, 'brand');
    if (typeof brand === 'string' && brand.trim()) settings.brand = brand.trim();
    else problems.push({ field: 'brand', message: `expected a brand name, got ${JSON.stringify(brand ?? null)}; the collection shows nothing` });
  } else if (rule === 'skus') {
    const skus = content.field<unknown>(entry, 'skus');
    if (Array.isArray(skus)) settings.skus = [...new Set(skus.filter((s): s is string => typeof s === 'string' && s.length > 0))];
    else problems.push({ field: 'skus', message: `expected a list of skus, got ${JSON.stringify(skus ?? null)}; the collection shows nothing` });
  }
  return settings;
}

/**
 * Resolves an embedded collection entry as the market shows it at the context's instant; what it
 * read goes into `deps`. A malformed entry shows nothing (its problems are warned of where the page
 * is listed): the rest of the page, and the site, build as before.
 */
export function resolveCollection(ctx: ModelContext, entry: ContentEntity, deps: Set<DepKey>): { view: CollectionView; validUntil: number | undefined } {
  const { config } = ctx;
  const id = entry.sys.id;
  deps.add(dep.entry(id));
  const view: CollectionView = { id, title: ctx.title(entry), products: [], total: 0 };
  const settings = collectionSettings(ctx, entry);
  if (settings.categoryId) deps.add(dep.entry(settings.categoryId));

  // The candidates: every product that may be a member now or at a later instant.
  let candidates: Product[] = [];
  let member: (p: Product) => boolean = () => true;
  const { currency } = ctx.market;
  const now = config.now;
  if (settings.rule === 'onSale') {
    deps.add(collectionKey.onSale);
    candidates = [...ctx.saleSkus].map((sku) => ctx.bySku.get(sku)).filter((p): p is Product => p !== undefined);
    member = (p) => activeSalePrice(p, currency, now) !== undefined;
  } else if (settings.categorySlug) {
    deps.add(collectionKey.category(settings.categorySlug));
    // As the category's own listing: its products while the category has a page.
    deps.add(dep.url(ctx.path(`/categories/${settings.categorySlug}/`)));
    candidates = ctx.categoriesBySlug.has(settings.categorySlug) ? [...(ctx.byCategory.get(settings.categorySlug) ?? [])] : [];
  } else if (settings.brand) {
    deps.add(collectionKey.brand(settings.brand));
    candidates = [...(ctx.byBrand.get(settings.brand.toLowerCase()) ?? [])];
  } else if (settings.skus) {
    // Every sku it names, present or not: a product created later must appear.
    for (const sku of settings.skus) deps.add(dep.sku(sku));
    candidates = settings.skus.map((sku) => ctx.bySku.get(sku)).filter((p): p is Product => p !== undefined);
  }

  const members = candidates.filter(member);
  const { sort } = settings;
  const ordered = sort === 'listed' ? members
    : members.sort(sort === 'title' ? listingOrder
      : sort === 'discount' ? (a, b) => discount(b, currency, now) - discount(a, currency, now) || listingOrder(a, b)
        : sort === 'priceAsc' ? (a, b) => currentPrice(a, currency, now) - currentPrice(b, currency, now) || listingOrder(a, b)
          : (a, b) => currentPrice(b, currency, now) - currentPrice(a, currency, now) || listingOrder(a, b));
  const shown = ordered.slice(0, settings.limit);
  for (const p of shown) deps.add(dep.sku(p.sku));
  view.products = shown.map((p) => ctx.card(p.sku));
  view.total = members.length;
  // Any candidate's sale starting or ending may change who is in, and in what order.
  return { view, validUntil: earliest(candidates.map((p) => nextPriceChange(p, now))) };
}
