/** The home page: intro, featured products (by sku from site settings), categories, latest posts. */
import { nextPriceChange } from '../../catalog/product.js';
import { dep, type DepKey } from '../deps.js';
import { summaries, type PostSummary } from './blog.js';
import { earliest, type ModelContext } from './context.js';
import { jsonForScript } from '../html.js';
import { absoluteUrl } from '../product-view.js';

export function addHomePage(ctx: ModelContext, posts: readonly PostSummary[]): void {
  const { content, settings, config } = ctx;
  const homeDeps = new Set<DepKey>([dep.urlsetOf('blog'), dep.urlsetOf('categories')]);
  const featuredSkus = (settings && content.field<string[]>(settings, 'featuredSkus')) || [];
  // Every sku the settings feature, present or not: a featured product created later must appear.
  for (const sku of featuredSkus) homeDeps.add(dep.sku(sku));
  const featured = featuredSkus.filter((s) => ctx.bySku.has(s));
  // The category chips and latest posts show titles and URLs (any post may become one of the
  // latest): the home page reads those entries.
  for (const c of ctx.categoriesBySlug.values()) homeDeps.add(dep.entry(c.sys.id));
  for (const post of posts) {
    homeDeps.add(dep.entry(post.entry.sys.id));
    if (post.authorId) homeDeps.add(dep.entry(post.authorId));
  }
  ctx.add(ctx.path('/'), 'home', ctx.site.name, undefined, () => ({
    data: {
      introHtml: settings ? ctx.richText(content.field(settings, 'homeIntro'), homeDeps) : '',
      featured: featured.map(ctx.card),
      categories: [...ctx.categoriesBySlug.values()].map((c) => ({ title: ctx.title(c), url: ctx.urls.get(c.sys.id)! })),
      posts: summaries(posts).slice(0, 3),
      alternates: ctx.alternates('home'),
      organizationLd: jsonForScript({ '@context': 'https://schema.org', '@type': 'Organization', name: ctx.site.name, url: absoluteUrl(config.baseUrl, ctx.market.prefix) }),
    },
    deps: homeDeps,
    validUntil: earliest(featured.map((sku) => nextPriceChange(ctx.bySku.get(sku)!, config.now))),
  }), 'home');
}
