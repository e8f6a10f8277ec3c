/** The site model's shapes: pages with their data and dependencies, and the configuration they are built for. */
import type { Market } from '../../markets/markets.js';
import type { Messages } from '../../markets/messages.js';
import type { DepKey } from '../deps.js';

export type PageLayout = 'home' | 'category' | 'product' | 'page' | 'blog' | 'post' | 'notFound' | 'search' | 'sitemap' | 'sitemapIndex' | 'robots';

export interface PageSpec {
  url: string;
  /** Bucket key of the output (`products/x/index.html`). */
  key: string;
  layout: PageLayout;
  title: string;
  data: Record<string, unknown>;
  /** What the page read (dependency keys, `deps.ts`). */
  deps: DepKey[];
  /** The next instant (epoch ms) at which the page's data changes with time alone (a sale starting or ending). */
  validUntil?: number;
  /** Hash of the site-wide shell the page is rendered in (name, navigation, footer links); HTML pages only. */
  shell?: string;
  /** The market (id) whose storefront the page belongs to: its shell, language and currency. */
  market: string;
}

/** Every page of the site, without its data: cheap to enumerate, used to diff URL sets. */
export interface PageRef {
  url: string;
  key: string;
  layout: PageLayout;
  /** The record the page is about (`sku:<sku>`, `entry:<id>`), used to detect slug changes. */
  primary?: string;
  /** The market (id) the page belongs to, when not the default market (which owns the unprefixed paths). */
  market?: string;
}

/** Products per listing page (category pages): part of the URL layout, so one value everywhere. */
export const LISTING_PAGE_SIZE = 24;

export interface SiteConfig {
  baseUrl: string;
  /** The storefronts, the default market first (`markets.ts`): each lists every page type under its prefix. */
  markets: readonly Market[];
  listingPageSize: number;
  /** Clock for sale windows (injected: builds are reproducible). */
  now: Date;
  /**
   * Who owns each URL in the live site (URL → `sku:<sku>` / `entry:<id>`, from the site state): when
   * products collide on a slug, the live owner keeps its URL. Without it, the lowest sku wins.
   */
  owners?: ReadonlyMap<string, string>;
  /** The private preview of drafts: every page says so and asks not to be indexed; robots.txt disallows all. */
  preview?: boolean;
  /** The store's checkout: the cart hands its items there (`items=SKU:QTY,…&currency=…&market=…`); no cart without it. */
  checkoutUrl?: string;
}

export interface ModelWarning {
  subject: string;
  field: string;
  message: string;
}

/** What every HTML page of one market shows around its content. */
export interface SiteShell {
  name: string;
  baseUrl: string;
  /** The market's id, locale (`lang`, as BCP 47) and path prefix. */
  market: string;
  lang: string;
  prefix: string;
  /** The market's home page and sitemap (`/`, `/de/`). */
  home: string;
  nav: Array<{ title: string; url: string }>;
  footer: Array<{ title: string; url: string }>;
  /** The storefront's own words in the market's language. */
  t: Messages;
  /** Set on the preview site only (so the live site's shell, and its pages, are as before). */
  preview?: true;
  /** Where the cart checks out, when the store has a checkout. */
  checkout?: string;
}

export interface SiteModel {
  /** The default market's shell. */
  site: SiteShell;
  /** Every market's shell, by market id. */
  sites: Record<string, SiteShell>;
  /** Hash of the shells: when it changes, every HTML page may change. */
  shell: string;
  /** The selected pages with their data (all pages when no selector was given). */
  pages: PageSpec[];
  /** Every page of the site. */
  all: PageRef[];
  warnings: ModelWarning[];
}

/** Chooses which pages get their data computed (targeted rebuilds); others are only enumerated. */
export type PageSelector = (ref: PageRef) => boolean;
