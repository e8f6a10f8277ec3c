/** The files beside the pages: the 404 page, the sitemaps (an index above one file's worth) and robots.txt. */
import { dep } from '../deps.js';
import type { ModelContext } from './context.js';
import type { PageRef } from './types.js';

/** URLs per sitemap file (sitemaps.org allows 50,000). */
const SITEMAP_CHUNK = 40_000;

/** Each market has its 404 page, search page and sitemap; robots.txt (the default market's) names every market's sitemap. */
export function addSiteFiles(ctx: ModelContext): void {
  const { config } = ctx;
  ctx.add(ctx.path('/404.html'), 'notFound', ctx.t.notFoundTitle, undefined, () => ({ data: {}, deps: [] }));
  // Results come from the search index in the browser: the page itself reads nothing.
  ctx.add(ctx.path('/search/'), 'search', ctx.t.search, undefined, () => ({ data: { alternates: ctx.alternates('search') }, deps: [] }), 'search');
  addSitemaps(ctx.all, config.baseUrl, ctx.add, ctx.path);
  const base = config.baseUrl.replace(/\/$/, '');
  if (ctx.isDefault) ctx.add('/robots.txt', 'robots', 'robots.txt', undefined, () => ({ data: { sitemaps: config.markets.map((m) => `${base}${m.prefix}sitemap.xml`), ...(config.preview ? { preview: true } : {}) }, deps: [] }));
}

function addSitemaps(all: readonly PageRef[], baseUrl: string, add: ModelContext['add'], path: (url: string) => string): void {
  const base = baseUrl.replace(/\/$/, '');
  // Not the 404 or the search page (noindex: results are no content of their own).
  const listed = (p: PageRef) => p.layout !== 'notFound' && p.layout !== 'search' && p.url.endsWith('/');
  // Counted now (it decides the files), listed and sorted only when a sitemap is selected.
  let count = 0;
  for (const p of all) if (listed(p)) count++;
  let sorted: string[] | undefined;
  const locations = () => (sorted ??= all.filter(listed).map((p) => `${base}${p.url}`).sort());
  // One file holds up to 50,000 URLs (sitemaps.org); beyond a chunk, write an index of chunks.
  if (count <= SITEMAP_CHUNK) {
    add(path('/sitemap.xml'), 'sitemap', 'sitemap', undefined, () => ({ data: { urls: locations() }, deps: [dep.urlset] }));
    return;
  }
  const chunks: string[] = [];
  for (let i = 0; i * SITEMAP_CHUNK < count; i++) {
    const url = path(`/sitemaps/sitemap-${i + 1}.xml`);
    add(url, 'sitemap', 'sitemap', undefined, () => ({ data: { urls: locations().slice(i * SITEMAP_CHUNK, (i + 1) * SITEMAP_CHUNK) }, deps: [dep.urlset] }));
    chunks.push(`${base}${url}`);
  }
  add(path('/sitemap.xml'), 'sitemapIndex', 'sitemap index', undefined, () => ({ data: { sitemaps: chunks }, deps: [dep.urlset] }));
}
