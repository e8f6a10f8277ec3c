/**
 * Category listings, `listingPageSize` cards a page: one card per item group (a product without a
 * group is its own), standing where its first member is in the order by title then sku (no price
 * or stock change alters it).
 */
import { nextPriceChange, type Product } from '../../catalog/product.js';
import { fill } from '../../markets/messages.js';
import { dep, type DepKey } from '../deps.js';
import { cardGroups } from '../variants.js';
import { earliest, type ModelContext } from './context.js';

/** Listing order by title: `localeCompare(b, 'en')`'s order, without building a collator per comparison. */
const byTitle = new Intl.Collator('en').compare;

export const listingOrder = (a: Product, b: Product) => byTitle(a.title, b.title) || (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0);

export const categoryUnit = (slug: string) => `category:${slug}`;

export function addCategoryPages(ctx: ModelContext): void {
  for (const members of ctx.byCategory.values()) members.sort(listingOrder);
  for (const slug of ctx.categoriesBySlug.keys()) ctx.unit(categoryUnit(slug), () => addCategoryListing(ctx, slug));
}

/** One category's listing pages (its unit), over its members as `ctx.byCategory` holds them (in listing order). */
export function addCategoryListing(ctx: ModelContext, slug: string): void {
  const { config, title } = ctx;
  const category = ctx.categoriesBySlug.get(slug)!;

  const cards = cardGroups(ctx.byCategory.get(slug) ?? []);
  const pageCount = Math.max(1, Math.ceil(cards.length / config.listingPageSize));
  const baseUrl = ctx.urls.get(category.sys.id)!;
  // The description (first page only) is made with the page: what it links to may change while the listing stays.
  const description = () => {
    const deps = new Set<DepKey>();
    return { html: ctx.richText(ctx.content.field(category, 'description'), deps), deps };
  };
  for (let n = 1; n <= pageCount; n++) {
    const slice = cards.slice((n - 1) * config.listingPageSize, n * config.listingPageSize);
    const shown = slice.flat();
    const pageUrl = (k: number) => (k === 1 ? baseUrl : `${baseUrl}page/${k}/`);
    const twin = n === 1 ? dep.entry(category.sys.id) : `${dep.entry(category.sys.id)}#${n}`;
    ctx.add(pageUrl(n), 'category', n === 1 ? title(category) : fill(ctx.t.pageTitle, { title: title(category), n }), n === 1 ? dep.entry(category.sys.id) : undefined, () => {
      const shownDescription = n === 1 ? description() : { html: '', deps: [] };
      return {
        data: {
          category: { id: category.sys.id, title: title(category), descriptionHtml: shownDescription.html },
          products: slice.map((group) => ctx.groupCard(group)),
          pagination: { page: n, pageCount, total: cards.length, prev: n > 1 ? pageUrl(n - 1) : null, next: n < pageCount ? pageUrl(n + 1) : null },
          alternates: ctx.alternates(twin),
        },
        deps: [dep.entry(category.sys.id), dep.listing(slug), ...shownDescription.deps, ...shown.map((p) => dep.sku(p.sku))],
        validUntil: earliest(shown.map((p) => nextPriceChange(p, config.now))),
      };
    }, twin);
  }
}
