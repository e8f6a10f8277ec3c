/**
 * Content snapshot + catalog → the site: a flat list of page specs (URL, layout, data) each with the
 * dependency keys of what it read (`deps`), which the dependency index of targeted rebuilds is made
 * of. One builder per page type (./model/), over a shared context.
 */
import type { Product } from '../catalog/product.js';
import type { ContentSnapshot } from '../content/snapshot.js';
import { dep } from './deps.js';
import { addBlogPages, type PostSummary } from './model/blog.js';
import { addCategoryPages } from './model/categories.js';
import { addCmsPages } from './model/cms-pages.js';
import { modelContext } from './model/context.js';
import { addSiteFiles } from './model/files.js';
import { addHomePage } from './model/home.js';
import { patchCatalog, type OutlineDelta } from './model/patch.js';
import { addProductPages } from './model/products.js';
import type { PageRef, PageSelector, PageSpec, SiteConfig, SiteModel } from './model/types.js';

export type { OutlineDelta } from './model/patch.js';

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
}

/**
 * Lists the site once: a targeted run plans against the list, then asks for the data of the
 * candidate pages alone, without enumerating the store a second time.
 */
export function outlineSite(content: ContentSnapshot, catalog: readonly Product[], config: SiteConfig): SiteOutline {
  const ctx = modelContext(content, catalog, config);
  addProductPages(ctx);
  addCategoryPages(ctx);
  ctx.unit('cms', () => addCmsPages(ctx));
  let posts: PostSummary[] = [];
  ctx.unit('blog', () => (posts = addBlogPages(ctx)));
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
  home();
  files();
  return {
    outline: {
      site: ctx.site, shell: ctx.shell, pages: [],
      get all() { return ctx.all; },
      get warnings() { return ctx.warnings; },
    },
    ref: (url) => ctx.ref(url),
    pagesAt: (urls) => withShell(ctx.pagesAt(urls)),
    patch: (changes, now) => patchCatalog(ctx, changes, now, (urlsetChanged) => {
      // The home page reads featured products by sku; the sitemaps count and list every URL.
      const delta = home();
      if (!urlsetChanged) return delta;
      const site = files();
      return { before: [...delta.before, ...site.before], after: [...delta.after, ...site.after], warnings: [...delta.warnings, ...site.warnings] };
    }),
    pagesFor: (select) => withShell(ctx.pagesFor(select)),
  };
}

/**
 * Builds the site model. Pure: same inputs, same model. With `select`, only the selected pages get
 * their data and deps computed (the expensive part); every page is still listed in `all`.
 */
export function buildSiteModel(content: ContentSnapshot, catalog: readonly Product[], config: SiteConfig, select?: PageSelector): SiteModel {
  const { outline, pagesFor } = outlineSite(content, catalog, config);
  return { site: outline.site, shell: outline.shell, all: outline.all, warnings: outline.warnings, pages: pagesFor(select) };
}
