/**
 * What every page builder reads: the content and catalog as pages show them, which entry owns
 * which URL, the site shell, and `add`, which lists a page and (when it is selected) computes its
 * data and dependencies.
 */
import { createHash } from 'node:crypto';
import type { Product } from '../../catalog/product.js';
import { renderRichText, type RichTextContext } from '../../content/rich-text.js';
import type { ContentView } from '../../content/snapshot.js';
import type { ContentEntity, RichNode } from '../../content/types.js';
import { defaultMarket, marketPath, type Market } from '../../markets/markets.js';
import { messagesFor, type Messages } from '../../markets/messages.js';
import { isSlug, toSlug } from '../../slug.js';
import { entityDep, type DepKey } from '../deps.js';
import { cardView, groupCardView, type CardView, type MarketView } from '../product-view.js';
import type { ModelWarning, PageLayout, PageRef, PageSelector, PageSpec, SiteConfig, SiteShell } from './types.js';
import { displayProduct, keyForUrl, RESERVED_SLUGS } from './display.js';
import { groupBy, uniqueSlugs } from './slugs.js';

/** The service pages the footer links to, in order, when they are published. */
const FOOTER_PAGES = ['/shipping/', '/about/'];

export interface PageContent {
  data: Record<string, unknown>;
  deps: Iterable<DepKey>;
  validUntil?: number | undefined;
}

/** A page in another market (or this one) that shows the same thing: what `hreflang` links to. */
export interface Alternate {
  hreflang: string;
  /** Absolute, for `<link rel="alternate">`. */
  href: string;
  /** Site-relative, for the visible link to the market. */
  path: string;
  /** The market's language, in itself (`Deutsch`). */
  name: string;
}

/**
 * What a context derives from the content alone. A warm model takes new parts when the content
 * changes (`useContent`); the catalog side (products, slugs, groups) stays as it is.
 */
export interface ContentParts {
  content: ContentView;
  /** Entry id → URL, for the entries that own one. */
  urls: Map<string, string>;
  settings: ContentEntity | undefined;
  site: SiteShell;
  /** Hash of `site`: equal shell, equal navigation and footer on every page. */
  shell: string;
  categoriesBySlug: Map<string, ContentEntity>;
  stories: Map<string, ContentEntity>;
  /** What deriving them warned of (a slug two entries claim, a reserved one). */
  warnings: ModelWarning[];
}

export interface ModelContext {
  /** The content as this market's locale reads it (read it at make time: a warm model's content moves). */
  readonly content: ContentView;
  config: SiteConfig;
  /** The market this context lists pages of. */
  market: Market;
  /** Whether it is the default market (unprefixed paths). */
  isDefault: boolean;
  /** A default-market path in this market (`/blog/` → `/de/blog/`). */
  path(url: string): string;
  /** A product's page URL in this market. */
  productUrl(p: Pick<Product, 'slug'>): string;
  /** The market's words. */
  t: Messages;
  /** The other markets' contexts and this one, in market order (set once all are made). */
  markets: ModelContext[];
  /** The URL this market lists for a twin key (`sku:…`, `entry:…`, `home`…), if any. */
  twin(key: string): string | undefined;
  /** The `hreflang` alternates of the page with twin key `key`: every market listing it, and `x-default`. */
  alternates(key: string | undefined): Alternate[];
  warn(subject: string, field: string, message: string): void;
  /** An entry's display title (title, name or site name, else its id). */
  title(e: ContentEntity): string;
  /** Entry id → URL, for the entries that own one. */
  urls: Map<string, string>;
  /** Rich text as HTML; what it embeds or links to is added to `deps`. `embedBlock` renders embedded entry blocks shown in full. */
  richText(doc: unknown, deps: Set<DepKey>, embedBlock?: (entry: ContentEntity) => string | undefined): string;
  /**
   * Lists a page; `make` runs only when its data is asked for (`pagesFor`). `twin` names what the
   * page shows across markets (default: its primary record), for the alternates.
   */
  add(url: string, layout: PageLayout, title: string, primary: string | undefined, make: () => PageContent, twin?: string): void;
  /**
   * Runs a builder as one unit (`product:<sku>`, `category:<slug>`, …): what it lists and warns of
   * replaces what the unit listed before, so a warm model re-lists only the units a change reaches.
   * Returns the refs the unit listed before and now.
   */
  unit(key: string, build: () => void): { before: PageRef[]; after: PageRef[]; warnings: ModelWarning[] };
  /** Drops a unit (a product that is gone); returns the refs it listed. */
  dropUnit(key: string): PageRef[];
  /** The listed page at a URL. */
  ref(url: string): PageRef | undefined;
  /** The data and dependencies of the listed pages `select` picks (every page without it), in listing order. */
  pagesFor(select?: PageSelector): PageSpec[];
  /** The data and dependencies of the pages listed at `urls` (unlisted ones are left out), in their order. */
  pagesAt(urls: Iterable<string>): PageSpec[];
  readonly settings: ContentEntity | undefined;
  readonly site: SiteShell;
  readonly shell: string;
  categoriesBySlug: Map<string, ContentEntity>;
  /** The parts this market would derive from `content`, without taking them. */
  contentParts(content: ContentView): ContentParts;
  /**
   * Takes new content parts in place: the maps keep their identity (closures made earlier read the
   * new content), and the derivation's warnings replace the old ones. The caller re-lists the units
   * that read the content when they were listed.
   */
  useContent(parts: ContentParts): void;
  /** The catalog sorted by sku, each with a URL of its own, as the context was made (a patch does not update it). */
  products: Product[];
  bySku: Map<string, Product>;
  /** Each product slug as the catalog gives it → the skus claiming it (more than one: a collision). */
  slugClaims: Map<string, string[]>;
  /**
   * Whether two products claim one slug anywhere in the catalog. Fixed for the context's life: a
   * patch is refused whenever it would start or end a collision.
   */
  readonly slugCollisions: boolean;
  /** Products whose URL is not their own slug (collision losers): sku → the slug their page has. */
  readonly renamed: ReadonlyMap<string, string>;
  stories: Map<string, ContentEntity>;
  groups: Map<string, Product[]>;
  byCategory: Map<string, Product[]>;
  /** Products by brand (trimmed, lower case): brand collections. */
  byBrand: Map<string, Product[]>;
  /** Skus of the products with a sale price (on sale now or at some instant): on-sale collections. */
  saleSkus: Set<string>;
  /** How this market shows products: currency, locale, URLs, words, responsive pictures. */
  marketView: MarketView;
  /** A listing card (formatted prices), made once per sku when a selected page shows it. */
  card(sku: string): CardView;
  /** The card of an item group's members in a listing (listing order); a lone product's own card. */
  groupCard(members: readonly Product[]): CardView;
  /** Forgets the cards made so far (the product or the clock changed). */
  resetCards(): void;
  // Collected by `add` and `warn`, in unit order.
  readonly all: PageRef[];
  readonly warnings: ModelWarning[];
}

interface Listed {
  ref: PageRef;
  title: string;
  make: () => PageContent;
  twin: string | undefined;
}

interface Unit {
  listed: Listed[];
  warnings: ModelWarning[];
}

/**
 * The context of one market's pages. `rawCatalog` is the catalog as the market shows it
 * (`marketProduct`: its text, its currency, only what it sells).
 */
export function modelContext(givenContent: ContentView, rawCatalog: readonly Product[], givenConfig: SiteConfig, market: Market = defaultMarket(givenConfig.markets)): ModelContext {
  // Owned: a warm model moves its clock (`config.now`) for the builders' closures to read.
  const config = { ...givenConfig };
  const isDefault = market.id === defaultMarket(config.markets).id;
  const path = (url: string) => marketPath(market, url);
  const productUrl = (p: Pick<Product, 'slug'>) => path(`/products/${p.slug}/`);
  const t = messagesFor(market.locale);
  const twins = new Map<string, string>();
  // Pages, feeds and PDFs read catalog text the same way (a title `Caf&eacute;` is `Café` in all three).
  const catalog = rawCatalog.map(displayProduct);
  const units = new Map<string, Unit>();
  const byUrl = new Map<string, Listed>();
  // Outside `unit`, warnings go to the site's own unit and pages to one listed after the units so far.
  const siteUnit: Unit = { listed: [], warnings: [] };
  let current: Unit | undefined;
  let loose: Unit | undefined;
  let allCache: PageRef[] | undefined;
  let warningsCache: ModelWarning[] | undefined;
  const warn = (subject: string, field: string, message: string) => {
    (current ?? siteUnit).warnings.push({ subject, field, message });
    warningsCache = undefined;
  };
  // A CMS page may not take a path a market's prefix owns.
  const reserved = new Set([...RESERVED_SLUGS, ...(isDefault ? config.markets.filter((m) => m.prefix !== '/').map((m) => m.id) : [])]);
  const contentParts = (view: ContentView): ContentParts => {
    const warnings: ModelWarning[] = [];
    const urlsOf = cmsUrls(view, (subject, field, message) => warnings.push({ subject, field, message }), path, reserved);
    const titleOf = (e: ContentEntity) => entryTitle(view, e);
    // Site settings and navigation: every HTML page depends on them ("settings").
    const settingsEntry = view.ofType('siteSettings')[0];
    const siteName = (settingsEntry && view.field<string>(settingsEntry, 'siteName')) || 'Restatic store';
    const nav: SiteShell['nav'] = [];
    for (const ref of (settingsEntry && view.field<Array<{ sys: { id: string } }>>(settingsEntry, 'navigation')) || []) {
      const target = view.entries.get(ref?.sys?.id);
      const url = target && urlsOf.get(target.sys.id);
      if (target && url) nav.push({ title: titleOf(target), url });
    }
    // Footer links to the store's service pages, while they are published.
    const footer: SiteShell['footer'] = [];
    const footerPages = FOOTER_PAGES.map(path);
    for (const page of view.ofType('page')) {
      const url = urlsOf.get(page.sys.id);
      if (url && footerPages.includes(url)) footer.push({ title: titleOf(page), url });
    }
    footer.sort((a, b) => footerPages.indexOf(a.url) - footerPages.indexOf(b.url));
    const siteShell: SiteShell = { name: siteName, baseUrl: config.baseUrl.replace(/\/$/, ''), market: market.id, lang: market.locale, prefix: market.prefix, home: market.prefix, nav, footer, t, ...(config.preview ? { preview: true as const } : {}), ...(config.checkoutUrl ? { checkout: config.checkoutUrl } : {}) };
    // Products name their category by its slug in the default locale; its URL is in the market's.
    const categories = new Map<string, ContentEntity>();
    for (const c of view.ofType('category')) {
      const slug = urlsOf.has(c.sys.id) ? toSlug(String(view.field(c, 'slug', view.defaultLocale) ?? '')) : '';
      if (slug && !categories.has(slug)) categories.set(slug, c);
    }
    const storiesOf = new Map<string, ContentEntity>();
    for (const story of view.ofType('productContent')) {
      const sku = view.field<string>(story, 'sku');
      if (typeof sku === 'string') storiesOf.set(sku, story);
    }
    return {
      content: view, urls: urlsOf, settings: settingsEntry, site: siteShell, shell: createHash('sha256').update(JSON.stringify(siteShell)).digest('hex').slice(0, 16),
      categoriesBySlug: categories, stories: storiesOf, warnings,
    };
  };
  const initial = contentParts(givenContent);
  let { content, settings, site, shell } = initial;
  // Kept by identity (builders hold them): a new content's parts are copied in.
  const { urls, categoriesBySlug, stories } = initial;
  // What deriving the content warned of: its own unit, first (before the catalog's slug warnings).
  const contentUnit: Unit = { listed: [], warnings: initial.warnings };
  units.set('content', contentUnit);
  units.set('site', siteUnit);
  const title = (e: ContentEntity) => entryTitle(content, e);
  const useContent = (parts: ContentParts) => {
    ({ content, settings, site, shell } = parts);
    const refill = <K, V>(into: Map<K, V>, from: ReadonlyMap<K, V>) => {
      into.clear();
      for (const [k, v] of from) into.set(k, v);
    };
    refill(urls, parts.urls);
    refill(categoriesBySlug, parts.categoriesBySlug);
    refill(stories, parts.stories);
    contentUnit.warnings = parts.warnings;
    warningsCache = undefined;
  };

  const richText = (doc: unknown, deps: Set<DepKey>, embedBlock?: (entry: ContentEntity) => string | undefined): string => {
    const ctx: RichTextContext = {
      entry: (id) => content.entries.get(id),
      asset: (id) => content.assets.get(id),
      urlOf: (e) => urls.get(e.sys.id),
      titleOf: title,
      field: (e, name) => content.field(e, name),
      track: (kind, id) => deps.add(entityDep(kind, id)),
      ...(embedBlock ? { embedBlock } : {}),
    };
    return renderRichText(doc as RichNode | undefined, ctx);
  };
  const add: ModelContext['add'] = (url, layout, pageTitle, primary, givenMake, twinKey = primary) => {
    // The preview's receipt: which save of the page's own entry it shows (the live site's data is as before).
    const entry = config.preview && primary?.startsWith('entry:') ? content.entries.get(primary.slice('entry:'.length)) : undefined;
    const make = entry ? () => { const made = givenMake(); return { ...made, data: { ...made.data, draft: { entry: entry.sys.id, savedAt: String(entry.sys.updatedAt ?? '').replace('T', ' ').slice(0, 19) } } }; } : givenMake;
    const ref: PageRef = { url, key: keyForUrl(url), layout, ...(primary ? { primary } : {}), ...(isDefault ? {} : { market: market.id }) };
    if (!current && !loose) units.set(`loose:${units.size}`, (loose = { listed: [], warnings: [] }));
    const listed: Listed = { ref, title: pageTitle, make, twin: twinKey };
    (current ?? loose!).listed.push(listed);
    byUrl.set(url, listed);
    if (twinKey) twins.set(twinKey, url);
    allCache = undefined;
  };
  const forget = (unit: Unit | undefined): PageRef[] => {
    const refs = unit?.listed.map((l) => l.ref) ?? [];
    for (const l of unit?.listed ?? []) if (l.twin && twins.get(l.twin) === l.ref.url) twins.delete(l.twin);
    for (const ref of refs) if (byUrl.get(ref.url)?.ref === ref) byUrl.delete(ref.url);
    allCache = undefined;
    warningsCache = undefined;
    return refs;
  };
  const unit: ModelContext['unit'] = (key, build) => {
    const before = forget(units.get(key));
    const next: Unit = { listed: [], warnings: [] };
    // Set in place: a unit keeps its position in the listing order.
    units.set(key, next);
    const outer = current;
    current = next;
    loose = undefined;
    try {
      build();
    } finally {
      current = outer;
    }
    return { before, after: next.listed.map((l) => l.ref), warnings: next.warnings };
  };
  const dropUnit: ModelContext['dropUnit'] = (key) => {
    const refs = forget(units.get(key));
    units.delete(key);
    return refs;
  };
  const specOf = ({ ref, title: pageTitle, make }: Listed): PageSpec => {
    const { data, deps, validUntil } = make();
    return { url: ref.url, key: ref.key, layout: ref.layout, market: market.id, title: pageTitle, data, deps: [...new Set(deps)].sort(), ...(validUntil !== undefined ? { validUntil } : {}) };
  };
  const pagesFor = (select?: PageSelector): PageSpec[] => {
    const pages: PageSpec[] = [];
    for (const { listed } of units.values()) for (const l of listed) if (!select || select(l.ref)) pages.push(specOf(l));
    return pages;
  };
  const pagesAt = (urls: Iterable<string>): PageSpec[] => {
    const pages: PageSpec[] = [];
    for (const url of urls) {
      const listed = byUrl.get(url);
      if (listed) pages.push(specOf(listed));
    }
    return pages;
  };

  const slugClaims = new Map<string, string[]>();
  const sorted = [...catalog].sort((a, b) => (a.sku < b.sku ? -1 : 1));
  const products = uniqueSlugs(sorted, config.owners, warn, slugClaims, (slug) => productUrl({ slug }));
  // uniqueSlugs returns the same array when nobody was renamed, and copies of the renamed alone.
  const renamed = new Map<string, string>();
  if (products !== sorted) for (const [i, p] of products.entries()) if (p !== sorted[i]) renamed.set(p.sku, p.slug);
  // Cards (formatted prices) are made when a selected page shows them: a targeted rebuild lists all
  // 10,000 products twice but shows a few dozen, and formatting every price was a third of its time.
  const bySku = new Map(products.map((p) => [p.sku, p]));
  // How this market shows products (cards and product pages alike).
  const marketView: MarketView = { currency: market.currency, locale: market.locale, url: productUrl, t, responsiveImages: !config.preview };
  const cards = new Map<string, CardView>();
  const card = (sku: string): CardView => {
    let view = cards.get(sku);
    if (!view) cards.set(sku, (view = cardView(bySku.get(sku)!, marketView, config.now)));
    return view;
  };
  const groupCard = (members: readonly Product[]): CardView =>
    members.length === 1 ? card(members[0]!.sku) : groupCardView(members, marketView, config.now);
  const self: ModelContext = {
    get content() { return content; },
    get settings() { return settings; },
    get site() { return site; },
    get shell() { return shell; },
    contentParts, useContent,
    config, market, isDefault, path, productUrl, t, markets: [],
    twin: (key) => twins.get(key),
    alternates: (key) => {
      if (!key || self.markets.length < 2) return [];
      const found: Alternate[] = [];
      let fallback: string | undefined;
      for (const other of self.markets) {
        const url = other.twin(key);
        if (!url) continue;
        found.push({ hreflang: other.market.locale, href: `${site.baseUrl}${url}`, path: url, name: other.t.languageName });
        if (other.isDefault) fallback = url;
      }
      if (fallback) found.push({ hreflang: 'x-default', href: `${site.baseUrl}${fallback}`, path: fallback, name: '' });
      return found;
    },
    warn, title, urls, richText, add, unit, dropUnit, ref: (url) => byUrl.get(url)?.ref, pagesFor, pagesAt, categoriesBySlug, products, bySku, slugClaims, stories, card, groupCard, marketView,
    slugCollisions: [...slugClaims.values()].some((skus) => skus.length > 1),
    renamed,
    resetCards: () => cards.clear(),
    groups: groupBy(products, (p) => p.itemGroupId), byCategory: groupBy(products, (p) => p.category),
    byBrand: groupBy(products, brandKey),
    saleSkus: new Set(products.filter((p) => p.salePrice).map((p) => p.sku)),
    get all() {
      return (allCache ??= [...units.values()].flatMap((u) => u.listed.map((l) => l.ref)));
    },
    get warnings() {
      return (warningsCache ??= [...units.values()].flatMap((u) => u.warnings));
    },
  };
  return self;
}

/** An entry's display title: title, name or site name, else its id. */
function entryTitle(content: ContentView, e: ContentEntity): string {
  return String(content.field(e, 'title') ?? content.field(e, 'name') ?? content.field(e, 'siteName') ?? e.sys.id);
}

/** Entry id → URL in a market (`path`), with CMS slugs normalised and checked for collisions and reserved sections. */
function cmsUrls(content: ContentView, warn: ModelContext['warn'], path: (url: string) => string, reservedSlugs: ReadonlySet<string>): Map<string, string> {
  const urls = new Map<string, string>();
  const section = (type: string, prefix: string, reserved: boolean) => {
    const claims = new Map<string, ContentEntity[]>();
    for (const entry of content.ofType(type)) {
      const raw = content.field<string>(entry, 'slug');
      const slug = typeof raw === 'string' ? toSlug(raw) : '';
      if (!slug) { warn(`entry ${entry.sys.id}`, 'slug', `expected a slug of letters and digits, got ${JSON.stringify(raw)}; entry skipped`); continue; }
      if (typeof raw === 'string' && !isSlug(raw)) warn(`entry ${entry.sys.id}`, 'slug', `slug ${JSON.stringify(raw)} normalised to "${slug}"`);
      if (reserved && reservedSlugs.has(slug)) { warn(`entry ${entry.sys.id}`, 'slug', `"${slug}" is reserved for the pipeline; entry skipped`); continue; }
      const claimants = claims.get(slug);
      if (claimants) claimants.push(entry);
      else claims.set(slug, [entry]);
    }
    // A slug two entries claim goes to the lowest entry id: the rule the PDFs and feeds apply to
    // category titles too (catalog-content.ts), so every output names the same category.
    for (const [slug, claimants] of claims) {
      const owner = claimants[0]!;
      urls.set(owner.sys.id, path(`${prefix}${slug}/`));
      for (const e of claimants) if (e !== owner) warn(`entry ${e.sys.id}`, 'slug', `"${slug}" is already used by ${type} ${owner.sys.id}; entry skipped`);
    }
  };
  section('category', '/categories/', false);
  section('page', '/', true);
  section('blogPost', '/blog/', false);
  return urls;
}

/** How brands are grouped: trimmed, in lower case (`Acme ` and `acme` are one brand). */
export const brandKey = (p: Pick<Product, 'brand'>): string | undefined => p.brand?.trim().toLowerCase() || undefined;

/** The earliest of some instants, ignoring absent ones. */
export function earliest(instants: ReadonlyArray<number | undefined>): number | undefined {
  let min: number | undefined;
  for (const t of instants) if (t !== undefined && (min === undefined || t < min)) min = t;
  return min;
}
