/** Product pages: one per product, with its category, story and variants. */
import { nextPriceChange, type Product } from '../../catalog/product.js';
import { dep, type DepKey } from '../deps.js';
import { absoluteUrl, breadcrumbJsonLd, productPageData } from '../product-view.js';
import type { ModelContext } from './context.js';
import { variantPicker } from '../variants.js';

export function addProductPages(ctx: ModelContext): void {
  for (const p of ctx.products) ctx.unit(productUnit(p.sku), () => addProductPage(ctx, p));
}

export const productUnit = (sku: string) => `product:${sku}`;

/** One product's page (its unit): the product as the context shows it now. */
export function addProductPage(ctx: ModelContext, p: Product): void {
  // Listing reads only whether its category exists; the page's content is read when it is made (a
  // warm model's content moves under it, see patchContent).
  if (p.category && !ctx.categoriesBySlug.has(p.category)) ctx.warn(`product ${p.sku}`, 'category', `no published category "${p.category}"; product is not listed`);
  ctx.add(ctx.productUrl(p), 'product', p.title, dep.sku(p.sku), () => {
    const { content, config, categoriesBySlug, stories, groups, title, urls } = ctx;
    const category = p.category ? categoriesBySlug.get(p.category) : undefined;
    const deps = new Set<DepKey>([dep.sku(p.sku)]);
    if (category) deps.add(dep.entry(category.sys.id));
    // Whether its category has a page at all: a category published (again) later must show up.
    if (p.category) deps.add(dep.url(ctx.path(`/categories/${p.category}/`)));
    const story = stories.get(p.sku);
    deps.add(dep.story(p.sku));
    if (story) deps.add(dep.entry(story.sys.id));
    if (p.itemGroupId) deps.add(dep.group(p.itemGroupId));
    const members = p.itemGroupId ? groups.get(p.itemGroupId)! : [];
    const variants = members.map((v) => {
      deps.add(dep.sku(v.sku));
      return { sku: v.sku, url: ctx.productUrl(v), label: [v.color, v.size].filter(Boolean).join(' / ') || v.sku, current: v.sku === p.sku };
    });
    const picker = variantPicker(p, members, ctx.productUrl);
    const market = ctx.marketView;
    const data = {
      ...productPageData(p, config.baseUrl, market, config.now, category && title(category), ctx.path(`/pdf/products/${encodeURIComponent(p.sku)}.pdf`)),
      category: category ? { title: title(category), url: urls.get(category.sys.id) } : null,
      variants,
      ...(picker ? { picker } : {}),
      storyHtml: story ? ctx.richText(content.field(story, 'story'), deps) : '',
      alternates: ctx.alternates(dep.sku(p.sku)),
      ...(p.images[0] ? { ogImage: absoluteUrl(config.baseUrl, p.images[0]) } : {}),
      breadcrumbLd: breadcrumbJsonLd(config.baseUrl, [
        { name: ctx.t.home, url: ctx.market.prefix },
        ...(category && urls.get(category.sys.id) ? [{ name: title(category), url: urls.get(category.sys.id)! }] : []),
        { name: p.title, url: ctx.productUrl(p) },
      ]),
    };
    return { data, deps, validUntil: nextPriceChange(p, config.now) };
  });
}
