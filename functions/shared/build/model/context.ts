/**
 * What every page builder reads: the content and catalog as pages show them, which entry owns
 * which URL, the site shell, and `add`, which lists a page and (when it is selected) computes its
 * data and dependencies.
 */
import { createHash } from 'node:crypto';
import type { Product } from '../../catalog/product.js';
import { renderRichText, type RichTextContext } from '../../content/rich-text.js';
import type { ContentSnapshot } from '../../content/snapshot.js';
import type { ContentEntity, RichNode } from '../../content/types.js';
import { isSlug, toSlug } from '../../slug.js';
import { entityDep, type DepKey } from '../deps.js';
import { cardView, type CardView } from '../product-view.js';
import type { ModelWarning, PageLayout, PageRef, PageSelector, PageSpec, SiteConfig, SiteModel } from './types.js';
import { displayProduct, keyForUrl, RESERVED_SLUGS } from './display.js';
import { groupBy, uniqueSlugs } from './slugs.js';

/** The service pages the footer links to, in order, when they are published. */
const FOOTER_PAGES = ['/shipping/', '/about/'];

export interface PageContent {
  data: Record<string, unknown>;
  deps: Iterable<DepKey>;
  validUntil?: number | undefined;
}

export interface ModelContext {
  content: ContentSnapshot;
  config: SiteConfig;
  warn(subject: string, field: string, message: string): void;
  /** An entry's display title (title, name or site name, else its id). */
  title(e: ContentEntity): string;
  /** Entry id → URL, for the entries that own one. */
  urls: Map<string, string>;
  /** Rich text as HTML; what it embeds or links to is added to `deps`. */
  richText(doc: unknown, deps: Set<DepKey>): string;
  /** Lists a page; `make` runs only when its data is asked for (`pagesFor`). */
  add(url: string, layout: PageLayout, title: string, primary: string | undefined, make: () => PageContent): void;
  /** The data and dependencies of the listed pages `select` picks (every page without it), in listing order. */
  pagesFor(select?: PageSelector): PageSpec[];
  settings: ContentEntity | undefined;
  site: SiteModel['site'];
  shell: string;
  categoriesBySlug: Map<string, ContentEntity>;
  /** The catalog sorted by sku, each with a URL of its own. */
  products: Product[];
  bySku: Map<string, Product>;
  stories: Map<string, ContentEntity>;
  groups: Map<string, Product[]>;
  byCategory: Map<string, Product[]>;
  /** A listing card (formatted prices), made once per sku when a selected page shows it. */
  card(sku: string): CardView;
  // Collected by `add` and `warn`.
  all: PageRef[];
  warnings: ModelWarning[];
}

export function modelContext(content: ContentSnapshot, rawCatalog: readonly Product[], config: SiteConfig): ModelContext {
  // Pages, feeds and PDFs read catalog text the same way (a title `Caf&eacute;` is `Café` in all three).
  const catalog = rawCatalog.map(displayProduct);
  const warnings: ModelWarning[] = [];
  const all: PageRef[] = [];
  const listed: Array<{ ref: PageRef; title: string; make: () => PageContent }> = [];
  const warn = (subject: string, field: string, message: string) => warnings.push({ subject, field, message });
  const title = (e: ContentEntity) => String(content.field(e, 'title') ?? content.field(e, 'name') ?? content.field(e, 'siteName') ?? e.sys.id);
  const urls = cmsUrls(content, warn);

  const richText = (doc: unknown, deps: Set<DepKey>): string => {
    const ctx: RichTextContext = {
      entry: (id) => content.entries.get(id),
      asset: (id) => content.assets.get(id),
      urlOf: (e) => urls.get(e.sys.id),
      titleOf: title,
      field: (e, name) => content.field(e, name),
      track: (kind, id) => deps.add(entityDep(kind, id)),
    };
    return renderRichText(doc as RichNode | undefined, ctx);
  };
  const add: ModelContext['add'] = (url, layout, pageTitle, primary, make) => {
    const ref: PageRef = { url, key: keyForUrl(url), layout, ...(primary ? { primary } : {}) };
    all.push(ref);
    listed.push({ ref, title: pageTitle, make });
  };
  const pagesFor = (select?: PageSelector): PageSpec[] => {
    const pages: PageSpec[] = [];
    for (const { ref, title: pageTitle, make } of listed) {
      if (select && !select(ref)) continue;
      const { data, deps, validUntil } = make();
      pages.push({ url: ref.url, key: ref.key, layout: ref.layout, title: pageTitle, data, deps: [...new Set(deps)].sort(), ...(validUntil !== undefined ? { validUntil } : {}) });
    }
    return pages;
  };

  // Site settings and navigation: every HTML page depends on them ("settings").
  const settings = content.ofType('siteSettings')[0];
  const siteName = (settings && content.field<string>(settings, 'siteName')) || 'Restatic store';
  const nav: SiteModel['site']['nav'] = [];
  for (const ref of (settings && content.field<Array<{ sys: { id: string } }>>(settings, 'navigation')) || []) {
    const target = content.entries.get(ref?.sys?.id);
    const url = target && urls.get(target.sys.id);
    if (target && url) nav.push({ title: title(target), url });
  }
  // Footer links to the store's service pages, while they are published.
  const footer: SiteModel['site']['footer'] = [];
  for (const page of content.ofType('page')) {
    const url = urls.get(page.sys.id);
    if (url && FOOTER_PAGES.includes(url)) footer.push({ title: title(page), url });
  }
  footer.sort((a, b) => FOOTER_PAGES.indexOf(a.url) - FOOTER_PAGES.indexOf(b.url));
  const site: SiteModel['site'] = { name: siteName, baseUrl: config.baseUrl.replace(/\/$/, ''), lang: 'en', nav, footer };
  const shell = createHash('sha256').update(JSON.stringify(site)).digest('hex').slice(0, 16);

  const categoriesBySlug = new Map<string, ContentEntity>();
  for (const c of content.ofType('category')) if (urls.has(c.sys.id)) categoriesBySlug.set(urls.get(c.sys.id)!.split('/')[2]!, c);
  const products = uniqueSlugs([...catalog].sort((a, b) => (a.sku < b.sku ? -1 : 1)), config.owners, warn);
  const stories = new Map<string, ContentEntity>();
  for (const s of content.ofType('productContent')) {
    const sku = content.field<string>(s, 'sku');
    if (typeof sku === 'string') stories.set(sku, s);
  }
  // Cards (formatted prices) are made when a selected page shows them: a targeted rebuild lists all
  // 10,000 products twice but shows a few dozen, and formatting every price was a third of its time.
  const bySku = new Map(products.map((p) => [p.sku, p]));
  const cards = new Map<string, CardView>();
  const card = (sku: string): CardView => {
    let view = cards.get(sku);
    if (!view) cards.set(sku, (view = cardView(bySku.get(sku)!, config.currencies, config.now)));
    return view;
  };
  return {
    content, config, warn, title, urls, richText, add, pagesFor, settings, site, shell, categoriesBySlug, products, bySku, stories, card,
    groups: groupBy(products, (p) => p.itemGroupId), byCategory: groupBy(products, (p) => p.category), all, warnings,
  };
}

/** Entry id → URL, with CMS slugs normalised and checked for collisions and reserved sections. */
function cmsUrls(content: ContentSnapshot, warn: ModelContext['warn']): Map<string, string> {
  const urls = new Map<string, string>();
  const section = (type: string, prefix: string, reserved: boolean) => {
    const claims = new Map<string, ContentEntity[]>();
    for (const entry of content.ofType(type)) {
      const raw = content.field<string>(entry, 'slug');
      const slug = typeof raw === 'string' ? toSlug(raw) : '';
      if (!slug) { warn(`entry ${entry.sys.id}`, 'slug', `expected a slug of letters and digits, got ${JSON.stringify(raw)}; entry skipped`); continue; }
      if (typeof raw === 'string' && !isSlug(raw)) warn(`entry ${entry.sys.id}`, 'slug', `slug ${JSON.stringify(raw)} normalised to "${slug}"`);
      if (reserved && RESERVED_SLUGS.has(slug)) { warn(`entry ${entry.sys.id}`, 'slug', `"${slug}" is reserved for the pipeline; entry skipped`); continue; }
      const claimants = claims.get(slug);
      if (claimants) claimants.push(entry);
      else claims.set(slug, [entry]);
    }
    // A slug two entries claim goes to the lowest entry id: the rule the PDFs and feeds apply to
    // category titles too (catalog-content.ts), so every output names the same category.
    for (const [slug, claimants] of claims) {
      const owner = claimants[0]!;
      urls.set(owner.sys.id, `${prefix}${slug}/`);
      for (const e of claimants) if (e !== owner) warn(`entry ${e.sys.id}`, 'slug', `"${slug}" is already used by ${type} ${owner.sys.id}; entry skipped`);
    }
  };
  section('category', '/categories/', false);
  section('page', '/', true);
  section('blogPost', '/blog/', false);
  return urls;
}

/** The earliest of some instants, ignoring absent ones. */
export function earliest(instants: ReadonlyArray<number | undefined>): number | undefined {
  let min: number | undefined;
  for (const t of instants) if (t !== undefined && (min === undefined || t < min)) min = t;
  return min;
}
