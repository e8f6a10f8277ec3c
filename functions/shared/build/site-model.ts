/**
 * Content snapshot + catalog → the site: a flat list of page specs (URL, layout, data) each with the
 * entities and skus it read (`deps`), which the dependency index of targeted rebuilds is made of.
 */
import { createHash } from 'node:crypto';
import { nextPriceChange, type Product } from '../catalog/product.js';
import { renderRichText, type RichTextContext } from '../content/rich-text.js';
import type { ContentSnapshot } from '../content/snapshot.js';
import type { ContentEntity, RichNode } from '../content/types.js';
import { removeControlChars } from '../plain-text.js';
import { decodeEntities } from './html.js';
import { isSlug, toSlug } from '../slug.js';
import { cardView, productPageData, productUrl, type CardView } from './product-view.js';

export type PageLayout = 'home' | 'category' | 'product' | 'page' | 'blog' | 'post' | 'notFound' | 'sitemap' | 'sitemapIndex' | 'robots';

export interface PageSpec {
  url: string;
  /** Bucket key of the output (`products/x/index.html`). */
  key: string;
  layout: PageLayout;
  title: string;
  data: Record<string, unknown>;
  /** What the page read: `entry:<id>`, `asset:<id>`, `sku:<sku>`, `settings`, `urlset`. */
  deps: string[];
  /** The next instant (epoch ms) at which the page's data changes with time alone (a sale starting or ending). */
  validUntil?: number;
  /** Hash of the site-wide shell the page is rendered in (name, navigation, footer links); HTML pages only. */
  shell?: string;
}

/** Every page of the site, without its data: cheap to enumerate, used to diff URL sets. */
export interface PageRef {
  url: string;
  key: string;
  layout: PageLayout;
  /** The record the page is about (`sku:<sku>`, `entry:<id>`), used to detect slug changes. */
  primary?: string;
}

/** Products per listing page (category pages): part of the URL layout, so one value everywhere. */
export const LISTING_PAGE_SIZE = 24;

export interface SiteConfig {
  baseUrl: string;
  /** Currencies in display order; the first is the listing currency. */
  currencies: string[];
  listingPageSize: number;
  /** Clock for sale windows (injected: builds are reproducible). */
  now: Date;
  /**
   * Who owns each URL in the live site (URL → `sku:<sku>` / `entry:<id>`, from the site state): when
   * products collide on a slug, the live owner keeps its URL. Without it, the lowest sku wins.
   */
  owners?: ReadonlyMap<string, string>;
}

export interface ModelWarning {
  subject: string;
  field: string;
  message: string;
}

export interface SiteModel {
  site: { name: string; baseUrl: string; lang: string; nav: Array<{ title: string; url: string }>; footer: Array<{ title: string; url: string }> };
  /** Hash of `site`: when it changes, every HTML page changes. */
  shell: string;
  /** The selected pages with their data (all pages when no selector was given). */
  pages: PageSpec[];
  /** Every page of the site. */
  all: PageRef[];
  warnings: ModelWarning[];
}

/** Chooses which pages get their data computed (targeted rebuilds); others are only enumerated. */
export type PageSelector = (ref: PageRef) => boolean;

/** Top-level path segments owned by the pipeline; a CMS page may not take them. */
export const RESERVED_SLUGS = new Set(['products', 'categories', 'blog', 'assets', 'feeds', 'pdf', 'sitemaps', 'sitemap-xml', 'robots-txt', '404', '_restatic', '_hooks', '_local', '_status']);
const SITEMAP_CHUNK = 40_000;
/** The service pages the footer links to, in order, when they are published. */
const FOOTER_PAGES = ['/shipping/', '/about/'];
/** Listing order by title: `localeCompare(b, 'en')`'s order, without building a collator per comparison. */
const byTitle = new Intl.Collator('en').compare;

export const keyForUrl = (url: string) => (url.endsWith('/') ? `${url.slice(1)}index.html` : url.slice(1));

/** Catalog text fields as pages show them: entities decoded once, `<`, `>`, `&` kept as written (escaped by the templates). */
const DISPLAY_TEXT = ['title', 'brand', 'color', 'size', 'mpn'] as const;
export function displayProduct(product: Product): Product {
  let copy: Product | undefined;
  for (const field of DISPLAY_TEXT) {
    const value = product[field];
    if (value === undefined) continue;
    const decoded = decodeEntities(value);
    // Validation already removed control characters; only a decoded reference (`&#1;`) can add one.
    if (decoded !== value) (copy ??= { ...product })[field] = removeControlChars(decoded);
  }
  return copy ?? product;
}

/**
 * Builds the site model. Pure: same inputs, same model. With `select`, only the selected pages get
 * their data and deps computed (the expensive part); every page is still listed in `all`.
 */
export function buildSiteModel(content: ContentSnapshot, rawCatalog: readonly Product[], config: SiteConfig, select?: PageSelector): SiteModel {
  // Pages, feeds and PDFs read catalog text the same way (a title `Caf&eacute;` is `Café` in all three).
  const catalog = rawCatalog.map(displayProduct);
  const warnings: ModelWarning[] = [];
  const pages: PageSpec[] = [];
  const all: PageRef[] = [];
  const warn = (subject: string, field: string, message: string) => warnings.push({ subject, field, message });
  const title = (e: ContentEntity) => String(content.field(e, 'title') ?? content.field(e, 'name') ?? content.field(e, 'siteName') ?? e.sys.id);

  // Entry id → URL, with CMS slugs normalised and checked for collisions and reserved sections.
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

  const richText = (doc: unknown, deps: Set<string>): string => {
    const ctx: RichTextContext = {
      entry: (id) => content.entries.get(id),
      asset: (id) => content.assets.get(id),
      urlOf: (e) => urls.get(e.sys.id),
      titleOf: title,
      field: (e, name) => content.field(e, name),
      track: (kind, id) => deps.add(`${kind}:${id}`),
    };
    return renderRichText(doc as RichNode | undefined, ctx);
  };
  const add = (url: string, layout: PageLayout, pageTitle: string, primary: string | undefined, make: () => { data: Record<string, unknown>; deps: Iterable<string>; validUntil?: number | undefined }) => {
    const ref: PageRef = { url, key: keyForUrl(url), layout, ...(primary ? { primary } : {}) };
    all.push(ref);
    if (select && !select(ref)) return;
    const { data, deps, validUntil } = make();
    pages.push({ url, key: ref.key, layout, title: pageTitle, data, deps: [...new Set(deps)].sort(), ...(validUntil !== undefined ? { validUntil } : {}) });
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
  const groups = groupBy(products, (p) => p.itemGroupId);
  const byCategory = groupBy(products, (p) => p.category);

  for (const p of products) {
    const category = p.category ? categoriesBySlug.get(p.category) : undefined;
    if (p.category && !category) warn(`product ${p.sku}`, 'category', `no published category "${p.category}"; product is not listed`);
    add(productUrl(p), 'product', p.title, `sku:${p.sku}`, () => {
      const deps = new Set([`sku:${p.sku}`]);
      if (category) deps.add(`entry:${category.sys.id}`);
      // Whether its category has a page at all: a category published (again) later must show up.
      if (p.category) deps.add(`url:/categories/${p.category}/`);
      const story = stories.get(p.sku);
      deps.add(`story:${p.sku}`);
      if (story) deps.add(`entry:${story.sys.id}`);
      if (p.itemGroupId) deps.add(`group:${p.itemGroupId}`);
      const variants = (p.itemGroupId ? groups.get(p.itemGroupId)! : []).map((v) => {
        deps.add(`sku:${v.sku}`);
        return { sku: v.sku, url: productUrl(v), label: [v.color, v.size].filter(Boolean).join(' / ') || v.sku, current: v.sku === p.sku };
      });
      const data = {
        ...productPageData(p, config.baseUrl, config.currencies, config.now, category && title(category)),
        category: category ? { title: title(category), url: urls.get(category.sys.id) } : null,
        variants,
        storyHtml: story ? richText(content.field(story, 'story'), deps) : '',
      };
      return { data, deps, validUntil: nextPriceChange(p, config.now) };
    });
  }

  // Category listings, 24 per page; order by title then sku, which no price or stock change alters.
  for (const [slug, category] of categoriesBySlug) {
    const members = (byCategory.get(slug) ?? []).sort((a, b) => byTitle(a.title, b.title) || (a.sku < b.sku ? -1 : 1));
    const pageCount = Math.max(1, Math.ceil(members.length / config.listingPageSize));
    const baseUrl = urls.get(category.sys.id)!;
    const descriptionDeps = new Set<string>();
    const descriptionHtml = richText(content.field(category, 'description'), descriptionDeps);
    for (let n = 1; n <= pageCount; n++) {
      const slice = members.slice((n - 1) * config.listingPageSize, n * config.listingPageSize);
      const pageUrl = (k: number) => (k === 1 ? baseUrl : `${baseUrl}page/${k}/`);
      add(pageUrl(n), 'category', n === 1 ? title(category) : `${title(category)} – page ${n}`, n === 1 ? `entry:${category.sys.id}` : undefined, () => ({
        data: {
          category: { id: category.sys.id, title: title(category), descriptionHtml: n === 1 ? descriptionHtml : '' },
          products: slice.map((p) => card(p.sku)),
          pagination: { page: n, pageCount, total: members.length, prev: n > 1 ? pageUrl(n - 1) : null, next: n < pageCount ? pageUrl(n + 1) : null },
        },
        deps: [`entry:${category.sys.id}`, `listing:${slug}`, ...descriptionDeps, ...slice.map((p) => `sku:${p.sku}`)],
        validUntil: earliest(slice.map((p) => nextPriceChange(p, config.now))),
      }));
    }
  }

  for (const page of content.ofType('page')) {
    const url = urls.get(page.sys.id);
    if (!url) continue;
    add(url, 'page', title(page), `entry:${page.sys.id}`, () => {
      const deps = new Set([`entry:${page.sys.id}`]);
      return { data: { bodyHtml: richText(content.field(page, 'body'), deps) }, deps };
    });
  }

  const posts = content.ofType('blogPost').filter((p) => urls.has(p.sys.id)).map((post) => {
    const deps = new Set([`entry:${post.sys.id}`]);
    const authorRef = content.field<{ sys: { id: string } }>(post, 'author');
    const author = authorRef?.sys?.id ? content.entries.get(authorRef.sys.id) : undefined;
    if (authorRef?.sys?.id) deps.add(`entry:${authorRef.sys.id}`);
    const heroRef = content.field<{ sys: { id: string } }>(post, 'heroImage');
    const heroHtml = heroRef?.sys?.id ? richText({ nodeType: 'document', data: {}, content: [{ nodeType: 'embedded-asset-block', data: { target: heroRef }, content: [] }] }, deps) : '';
    const date = content.field<string>(post, 'publishDate');
    const publishDate = typeof date === 'string' && !Number.isNaN(Date.parse(date)) ? date.slice(0, 10) : '';
    return { entry: post, url: urls.get(post.sys.id)!, title: title(post), publishDate, authorId: authorRef?.sys?.id, author: author ? { name: String(content.field(author, 'name') ?? ''), bio: String(content.field(author, 'bio') ?? '') } : null, heroHtml, deps };
  }).sort((a, b) => b.publishDate.localeCompare(a.publishDate) || a.url.localeCompare(b.url));
  for (const post of posts) {
    add(post.url, 'post', post.title, `entry:${post.entry.sys.id}`, () => {
      const bodyHtml = richText(content.field(post.entry, 'body'), post.deps);
      return { data: { publishDate: post.publishDate, author: post.author, heroHtml: post.heroHtml, bodyHtml }, deps: post.deps };
    });
  }
  const summaries = posts.map((p) => ({ url: p.url, title: p.title, publishDate: p.publishDate, author: p.author?.name ?? '' }));
  add('/blog/', 'blog', 'Journal', undefined, () => ({
    data: { posts: summaries },
    deps: ['urlset:blog', ...posts.flatMap((p) => [`entry:${p.entry.sys.id}`, ...(p.authorId ? [`entry:${p.authorId}`] : [])])],
  }));

  // Home: intro, featured products (by sku from site settings), categories, latest posts.
  const homeDeps = new Set<string>(['urlset:blog', 'urlset:categories']);
  const featuredSkus = (settings && content.field<string[]>(settings, 'featuredSkus')) || [];
  // Every sku the settings feature, present or not: a featured product created later must appear.
  for (const sku of featuredSkus) homeDeps.add(`sku:${sku}`);
  const featured = featuredSkus.filter((s) => bySku.has(s));
  // The category chips and latest posts show titles and URLs (any post may become one of the
  // latest): the home page reads those entries.
  for (const c of categoriesBySlug.values()) homeDeps.add(`entry:${c.sys.id}`);
  for (const post of posts) {
    homeDeps.add(`entry:${post.entry.sys.id}`);
    if (post.authorId) homeDeps.add(`entry:${post.authorId}`);
  }
  add('/', 'home', siteName, undefined, () => ({
    data: {
      introHtml: settings ? richText(content.field(settings, 'homeIntro'), homeDeps) : '',
      featured: featured.map(card),
      categories: [...categoriesBySlug.values()].map((c) => ({ title: title(c), url: urls.get(c.sys.id)! })),
      posts: summaries.slice(0, 3),
    },
    deps: homeDeps,
    validUntil: earliest(featured.map((sku) => nextPriceChange(bySku.get(sku)!, config.now))),
  }));

  add('/404.html', 'notFound', 'Page not found', undefined, () => ({ data: {}, deps: [] }));
  addSitemaps(all, config.baseUrl, add);
  add('/robots.txt', 'robots', 'robots.txt', undefined, () => ({ data: { sitemap: `${config.baseUrl.replace(/\/$/, '')}/sitemap.xml` }, deps: [] }));

  // Every HTML page shares the shell (site name, navigation, footer): a settings change rebuilds
  // everything, and so does a change to what the shell links to (a category leaving the menu).
  for (const page of pages) {
    if (page.layout === 'sitemap' || page.layout === 'sitemapIndex' || page.layout === 'robots') continue;
    page.deps.push('settings');
    page.shell = shell;
  }
  return { site, shell, pages, all, warnings };
}

/** The earliest of some instants, ignoring absent ones. */
function earliest(instants: ReadonlyArray<number | undefined>): number | undefined {
  let min: number | undefined;
  for (const t of instants) if (t !== undefined && (min === undefined || t < min)) min = t;
  return min;
}

/**
 * Gives every product a URL of its own. A slug several products claim stays with the product that
 * owns the live URL (`owners`), else with the lowest sku; each other claimant gets `<slug>-<sku>`
 * (then `-2`, `-3`… if that is taken too) and a warning. Returns copies where a slug changed: the
 * caller's (possibly cached) catalog keeps its slugs.
 */
function uniqueSlugs(products: Product[], owners: ReadonlyMap<string, string> | undefined, warn: (subject: string, field: string, message: string) => void): Product[] {
  const claims = groupBy(products, (p) => p.slug);
  const taken = new Set(claims.keys());
  const renamed = new Map<string, Product>();
  const losers: Array<{ product: Product; owner: Product }> = [];
  for (const [slug, claimants] of claims) {
    if (claimants.length === 1) continue;
    const owner = claimants.find((p) => owners?.get(productUrlOf(slug)) === `sku:${p.sku}`) ?? claimants[0]!;
    for (const p of claimants) if (p !== owner) losers.push({ product: p, owner });
  }
  losers.sort((a, b) => (a.product.sku < b.product.sku ? -1 : 1));
  for (const { product, owner } of losers) {
    const base = `${product.slug}-${toSlug(product.sku)}`;
    let unique = base;
    for (let n = 2; taken.has(unique); n++) unique = `${base}-${n}`;
    taken.add(unique);
    warn(`product ${product.sku}`, 'slug', `slug "${product.slug}" belongs to product ${owner.sku}; using "${unique}"`);
    renamed.set(product.sku, { ...product, slug: unique });
  }
  return renamed.size ? products.map((p) => renamed.get(p.sku) ?? p) : products;
}

const productUrlOf = (slug: string) => `/products/${slug}/`;

/** Products by a key, in their order; those without one are left out. */
function groupBy(products: readonly Product[], keyOf: (p: Product) => string | undefined): Map<string, Product[]> {
  const groups = new Map<string, Product[]>();
  for (const p of products) {
    const key = keyOf(p);
    if (!key) continue;
    const group = groups.get(key);
    if (group) group.push(p);
    else groups.set(key, [p]);
  }
  return groups;
}

type AddPage = (url: string, layout: PageLayout, t: string, primary: undefined, make: () => { data: Record<string, unknown>; deps: string[] }) => void;

function addSitemaps(all: readonly PageRef[], baseUrl: string, add: AddPage): void {
  const base = baseUrl.replace(/\/$/, '');
  const listed = (p: PageRef) => p.layout !== 'notFound' && p.url.endsWith('/');
  // Counted now (it decides the files), listed and sorted only when a sitemap is selected.
  let count = 0;
  for (const p of all) if (listed(p)) count++;
  let sorted: string[] | undefined;
  const locations = () => (sorted ??= all.filter(listed).map((p) => `${base}${p.url}`).sort());
  // One file holds up to 50,000 URLs (sitemaps.org); beyond a chunk, write an index of chunks.
  if (count <= SITEMAP_CHUNK) {
    add('/sitemap.xml', 'sitemap', 'sitemap', undefined, () => ({ data: { urls: locations() }, deps: ['urlset'] }));
    return;
  }
  const chunks: string[] = [];
  for (let i = 0; i * SITEMAP_CHUNK < count; i++) {
    const url = `/sitemaps/sitemap-${i + 1}.xml`;
    add(url, 'sitemap', 'sitemap', undefined, () => ({ data: { urls: locations().slice(i * SITEMAP_CHUNK, (i + 1) * SITEMAP_CHUNK) }, deps: ['urlset'] }));
    chunks.push(`${base}${url}`);
  }
  add('/sitemap.xml', 'sitemapIndex', 'sitemap index', undefined, () => ({ data: { sitemaps: chunks }, deps: ['urlset'] }));
}
