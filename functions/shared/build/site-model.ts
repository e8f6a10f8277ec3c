/**
 * Content snapshot + catalog → the site: a flat list of page specs (URL, layout, data) each with the
 * dependency keys of what it read (`deps`), which the dependency index of targeted rebuilds is made
 * of. One builder per page type (./model/), over a shared context.
 */
import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { Product } from '../catalog/product.js';
import type { ContentSnapshot } from '../content/snapshot.js';
import { localeChain, marketProduct } from '../markets/localize.js';
import type { Market, ProductSlugs } from '../markets/markets.js';
import { dep } from './deps.js';
import { addBlogPages, type PostSummary } from './model/blog.js';
import { addCategoryPages } from './model/categories.js';
import { addCmsPages } from './model/cms-pages.js';
import { modelContext, type ContentParts, type ModelContext } from './model/context.js';
import { displayProduct } from './model/display.js';
import { addSiteFiles } from './model/files.js';
import { addHomePage } from './model/home.js';
import { canPatch, joinDeltas, patchCatalog, patchContent, type OutlineDelta } from './model/patch.js';
import { addProductPages } from './model/products.js';
import type { ModelWarning, PageRef, PageSelector, PageSpec, SiteConfig, SiteModel } from './model/types.js';

export type { OutlineDelta } from './model/patch.js';
export type { ProductSlugs } from '../markets/markets.js';

export { displayProduct, keyForUrl, RESERVED_SLUGS } from './model/display.js';
export * from './model/types.js';

/** Every page of the site listed (`outline.pages` empty), and the data of any of them on demand. */
export interface SiteOutline {
  /** `all` and `warnings` follow patches. */
  outline: SiteModel;
  /** The selected pages with their data and deps, in listing order. */
  pagesFor(select?: PageSelector): PageSpec[];
  /** The page listed at a URL. */
  ref(url: string): PageRef | undefined;
  /** The pages listed at `urls`, with their data and deps (what `pagesFor` gives, without a pass over the site). */
  pagesAt(urls: Iterable<string>): PageSpec[];
  /**
   * Applies catalog changes (sku → product, or undefined when gone) in place, at instant `now`,
   * re-listing only what they reach; afterwards the outline equals a fresh one of the new catalog.
   * Undefined (nothing changed) when a change reaches beyond its own products' URLs: outline afresh.
   */
  patch(changes: ReadonlyMap<string, Product | undefined>, now: Date): OutlineDelta | undefined;
  /**
   * Takes the content of `content` (the outline's content with a sync delta applied; `changedKeys`
   * names what it changed: `entry:<id>`, `asset:<id>`) in place, at instant `now`, re-listing only
   * the units that read content when listed; afterwards the outline equals a fresh one of the new
   * content. Undefined, the outline untouched, when the change reaches every page (the navigation
   * or footer changed) or the locales changed: outline afresh.
   */
  patchContent(content: ContentSnapshot, changedKeys: ReadonlySet<string>, now: Date): OutlineDelta | undefined;
  /**
   * Product URLs that are not the product's own slug, by market: market id → sku → the slug its
   * page has (a collision's losers). Markets without any are absent. Patches never change it (a
   * change that would is refused, see `canPatch`).
   */
  renamed(): ProductSlugs;
}


/**
 * Lists the site once: a targeted run plans against the list, then asks for the data of the
 * candidate pages alone, without enumerating the store a second time. Every market lists its own
 * pages (its text, currency and prefix); the default market's come first.
 */
export function outlineSite(content: ContentSnapshot, catalog: readonly Product[], config: SiteConfig): SiteOutline {
  const markets = config.markets.map((market) => marketOutline(content, catalog, config, market));
  const contexts = markets.map((m) => m.ctx);
  for (const ctx of contexts) ctx.markets = contexts;
  for (const m of markets) m.list();
  const sites = Object.fromEntries(contexts.map((ctx) => [ctx.market.id, ctx.site]));
  const shell = contexts.length === 1 ? contexts[0]!.shell : createHash('sha256').update(contexts.map((ctx) => ctx.shell).join(' ')).digest('hex').slice(0, 16);
  const of = (url: string) => contexts.find((ctx) => ctx.ref(url)) ?? contexts[0]!;
  return {
    outline: {
      site: contexts[0]!.site, sites, shell, pages: [],
      get all() { return contexts.length === 1 ? contexts[0]!.all : contexts.flatMap((ctx) => ctx.all); },
      get warnings() { return uniqueWarnings(contexts.flatMap((ctx) => ctx.warnings)); },
    },
    ref: (url) => of(url).ref(url),
    pagesAt: (urls) => {
      if (contexts.length === 1) return markets[0]!.pagesAt(urls);
      const pages: PageSpec[] = [];
      for (const url of urls) {
        const m = markets.find((x) => x.ctx.ref(url));
        if (m) pages.push(...m.pagesAt([url]));
      }
      return pages;
    },
    patch: (changes, now) => {
      // A market sees a change only where its view of the product changed: a USD price change
      // leaves the EUR market's pages (and its home and listings) as they are.
      const views = markets.map((m) => {
        const seen = new Map<string, Product | undefined>();
        for (const [sku, p] of changes) {
          const v = p && m.view(p);
          if (!sameView(m.ctx.bySku.get(sku), v && displayProduct(v))) seen.set(sku, v);
        }
        return seen;
      });
      // All or nothing: one market refusing (a slug collision there) must leave every market as it was.
      if (!markets.every((m, i) => canPatch(m.ctx, views[i]!))) return undefined;
      const deltas = markets.map((m, i) => (views[i]!.size > 0 ? m.patch(views[i]!, now)! : m.tick(now)));
      const joined = joinDeltas(deltas);
      return { ...joined, warnings: uniqueWarnings(joined.warnings) };
    },
    patchContent: (next, changedKeys, now) => {
      // The locales decide how every market reads every product: no patch reaches that far.
      if (JSON.stringify(next.locales) !== JSON.stringify(content.locales)) return undefined;
      const parts = markets.map((m) => m.ctx.contentParts(next.inLocale(m.ctx.market.locale)));
      // A new shell is on every page: nothing to save by patching.
      if (parts.some((p, i) => p.shell !== markets[i]!.ctx.shell)) return undefined;
      const deltas = markets.map((m, i) => m.patchContent(parts[i]!, changedKeys, now));
      const joined = joinDeltas(deltas);
      return { ...joined, warnings: uniqueWarnings(joined.warnings) };
    },
    pagesFor: (select) => markets.flatMap((m) => m.pagesFor(select)),
    renamed: () => Object.fromEntries(contexts.filter((ctx) => ctx.renamed.size).map((ctx) => [ctx.market.id, Object.fromEntries(ctx.renamed)])),
  };
}

/** Whether a market shows the product as it did (its record's timestamp is on no page). */
function sameView(before: Product | undefined, after: Product | undefined): boolean {
  if (!before || !after) return before === after;
  const { updatedAt: _b, ...b } = before;
  const { updatedAt: _a, ...a } = after;
  return isDeepStrictEqual(a, b);
}

/** The same warning from several markets (a product's unknown category) is reported once. */
function uniqueWarnings(warnings: ModelWarning[]): ModelWarning[] {
  const seen = new Set<string>();
  return warnings.filter((w) => {
    const key = `${w.subject}\n${w.field}\n${w.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

interface MarketOutline {
  ctx: ModelContext;
  /** The product as this market shows it, or undefined where it does not sell it. */
  view(p: Product): Product | undefined;
  /** Lists the market's pages (once every market's context exists: pages link to their twins). */
  list(): void;
  pagesAt(urls: Iterable<string>): PageSpec[];
  pagesFor(select?: PageSelector): PageSpec[];
  patch(changes: ReadonlyMap<string, Product | undefined>, now: Date): OutlineDelta | undefined;
  patchContent(parts: ContentParts, changedKeys: ReadonlySet<string>, now: Date): OutlineDelta;
  /** Moves the market's clock to `now` without a change to list (cards are priced at `now`). */
  tick(now: Date): OutlineDelta;
}

function marketOutline(content: ContentSnapshot, catalog: readonly Product[], config: SiteConfig, market: Market): MarketOutline {
  const chain = localeChain(content.locales, market.locale);
  const view = (p: Product) => marketProduct(p, market, chain, content.defaultLocale);
  const sold: Product[] = [];
  for (const p of catalog) {
    const v = view(p);
    if (v) sold.push(v);
  }
  const ctx = modelContext(content.inLocale(market.locale), sold, config, market);
  const unsold = catalog.length - sold.length;
  if (unsold > 0 && !ctx.isDefault) {
    const examples = catalog.filter((p) => !view(p)).slice(0, 3).map((p) => p.sku).join(', ');
    ctx.warn(`market ${market.id}`, 'price', `${unsold} product(s) have no ${market.currency} price and are not sold in this market (${examples}${unsold > 3 ? ', …' : ''})`);
  }
  let posts: PostSummary[] = [];
  // Every HTML page shares the shell (site name, navigation, footer): a settings change rebuilds
  // everything, and so does a change to what the shell links to (a category leaving the menu).
  const withShell = (pages: PageSpec[]) => {
    for (const page of pages) {
      if (page.layout === 'sitemap' || page.layout === 'sitemapIndex' || page.layout === 'robots') continue;
      page.deps.push(dep.settings);
      page.shell = ctx.shell;
    }
    return pages;
  };
  const home = () => ctx.unit('home', () => addHomePage(ctx, posts));
  const files = () => ctx.unit('files', () => addSiteFiles(ctx));
  // The home page reads featured products by sku; the sitemaps count and list every URL.
  const relistSite = (urlsetChanged: boolean) => {
    const delta = home();
    return urlsetChanged ? joinDeltas([delta, files()]) : delta;
  };
  const cms = () => ctx.unit('cms', () => addCmsPages(ctx));
  const blog = () => ctx.unit('blog', () => (posts = addBlogPages(ctx)));
  return {
    ctx,
    view,
    list: () => {
      addProductPages(ctx);
      addCategoryPages(ctx);
      cms();
      blog();
      home();
      files();
    },
    pagesAt: (urls) => withShell(ctx.pagesAt(urls)),
    pagesFor: (select) => withShell(ctx.pagesFor(select)),
    tick: (now) => {
      ctx.config.now = now;
      ctx.resetCards();
      return { before: [], after: [], warnings: [] };
    },
    patch: (changes, now) => patchCatalog(ctx, changes, now, relistSite),
    // The home page is re-listed by relistSite, after the journal it lists.
    patchContent: (parts, changedKeys, now) => patchContent(ctx, parts, changedKeys, now, () => joinDeltas([cms(), blog()]), relistSite),
  };
}

/**
 * The shell hash of the site `content` makes under `config` (the site name, navigation and footer
 * every HTML page shows, in every market): the catalog plays no part, so it is made without one.
 */
export function shellOf(content: ContentSnapshot, config: SiteConfig): string {
  return outlineSite(content, [], config).outline.shell;
}

/**
 * Builds the site model. Pure: same inputs, same model. With `select`, only the selected pages get
 * their data and deps computed (the expensive part); every page is still listed in `all`.
 */
export function buildSiteModel(content: ContentSnapshot, catalog: readonly Product[], config: SiteConfig, select?: PageSelector): SiteModel {
  const { outline, pagesFor } = outlineSite(content, catalog, config);
  return { site: outline.site, sites: outline.sites, shell: outline.shell, all: outline.all, warnings: outline.warnings, pages: pagesFor(select) };
}
