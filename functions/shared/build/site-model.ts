/**
 * Content snapshot + catalog → the site: a flat list of page specs (URL, layout, data) each with the
 * dependency keys of what it read (`deps`), which the dependency index of targeted rebuilds is made
 * of. One builder per page type (./model/), over a shared context.
 */
import type { Product } from '../catalog/product.js';
import type { ContentSnapshot } from '../content/snapshot.js';
import { dep } from './deps.js';
import { addBlogPages } from './model/blog.js';
import { addCategoryPages } from './model/categories.js';
import { addCmsPages } from './model/cms-pages.js';
import { modelContext } from './model/context.js';
import { addSiteFiles } from './model/files.js';
import { addHomePage } from './model/home.js';
import { addProductPages } from './model/products.js';
import type { PageSelector, PageSpec, SiteConfig, SiteModel } from './model/types.js';

export { displayProduct, keyForUrl, RESERVED_SLUGS } from './model/display.js';
export * from './model/types.js';

/** Every page of the site listed (`outline.pages` empty), and the data of any of them on demand. */
export interface SiteOutline {
  outline: SiteModel;
  /** The selected pages with their data and deps, in listing order. */
  pagesFor(select?: PageSelector): PageSpec[];
}

/**
 * Lists the site once: a targeted run plans against the list, then asks for the data of the
 * candidate pages alone, without enumerating the store a second time.
 */
export function outlineSite(content: ContentSnapshot, catalog: readonly Product[], config: SiteConfig): SiteOutline {
  const ctx = modelContext(content, catalog, config);
  addProductPages(ctx);
  addCategoryPages(ctx);
  addCmsPages(ctx);
  const posts = addBlogPages(ctx);
  addHomePage(ctx, posts);
  addSiteFiles(ctx);
  return {
    outline: { site: ctx.site, shell: ctx.shell, pages: [], all: ctx.all, warnings: ctx.warnings },
    pagesFor(select) {
      const pages = ctx.pagesFor(select);
      // Every HTML page shares the shell (site name, navigation, footer): a settings change rebuilds
      // everything, and so does a change to what the shell links to (a category leaving the menu).
      for (const page of pages) {
        if (page.layout === 'sitemap' || page.layout === 'sitemapIndex' || page.layout === 'robots') continue;
        page.deps.push(dep.settings);
        page.shell = ctx.shell;
      }
      return pages;
    },
  };
}

/**
 * Builds the site model. Pure: same inputs, same model. With `select`, only the selected pages get
 * their data and deps computed (the expensive part); every page is still listed in `all`.
 */
export function buildSiteModel(content: ContentSnapshot, catalog: readonly Product[], config: SiteConfig, select?: PageSelector): SiteModel {
  const { outline, pagesFor } = outlineSite(content, catalog, config);
  return { ...outline, pages: pagesFor(select) };
}
