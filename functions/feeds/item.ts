/**
 * One product → one Google Shopping item for one target (country, language, currency), validated
 * per Google's product data specification: an invalid attribute is dropped with a warning when the
 * item stays valid without it; an item missing something required is excluded with an error.
 */
import type { Product } from '../shared/catalog/product.js';
import type { CatalogContent } from '../shared/content/catalog-content.js';
import { toDecimalString } from '../shared/build/money.js';
import { checkGtin } from './gtin.js';
import { graphemeLength, literalText, plainText, truncateGraphemes } from '../shared/plain-text.js';

export interface FeedTarget {
  /** Path segment of the feed: `/feeds/google/{id}.xml`. */
  id: string;
  country: string;
  language: string;
  currency: string;
  feedLabel: string;
  /** The market (id) whose pages and text its items follow; the default market when absent. */
  market?: string;
}

export interface FeedIssue {
  id: string;
  attribute: string;
  rule: string;
  value?: string;
  severity: 'error' | 'warning';
}

/** Ordered `g:` elements of an item (repeatable ones appear several times). */
export type FeedItem = Array<[name: string, value: string]>;

export interface ItemContext {
  baseUrl: string;
  /** The market's URL prefix (`/`, `/de/`): items link to its pages. @default '/' */
  prefix?: string;
  now: Date;
  /** CMS data joined into items: category titles (product_type fallback) and product stories. */
  content?: Pick<CatalogContent, 'categories' | 'stories'>;
  /** Use the product's CMS story as its description when it has one (a per-store choice). */
  descriptionFromStory?: boolean;
}

const LIMITS = { id: 50, title: 150, description: 5000, link: 2000, brand: 70, mpn: 70, productType: 750, itemGroupId: 50, color: 100, size: 100, additionalImages: 10 } as const;
const IMAGE_FORMATS = /\.(jpe?g|png|gif|webp|bmp|tiff?)$/i;

const SAFE_PATH = /^\/[A-Za-z0-9._~/-]*$/;

/** An absolute, ASCII-only (percent-encoded) URL for a site path or URL, or undefined. */
export function absoluteAsciiUrl(baseUrl: string, pathOrUrl: string): string | undefined {
  // Site paths of unreserved ASCII need no parsing (the feed's hot path: every link and image).
  if (SAFE_PATH.test(pathOrUrl) && !pathOrUrl.includes('//') && !/(^|\/)\.\.?(\/|$)/.test(pathOrUrl)) return `${baseUrl.replace(/\/$/, '')}${pathOrUrl}`;
  try {
    const url = new URL(pathOrUrl, `${baseUrl.replace(/\/$/, '')}/`);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
    return url.href; // WHATWG URL serialisation percent-encodes non-ASCII path and query characters
  } catch {
    return undefined;
  }
}

/**
 * An instant as Google's ISO 8601 form: `YYYY-MM-DDThh:mmZ` on a whole minute (the documented
 * form), with seconds otherwise, so a sale starting at 10:00:30 is not announced at 10:00.
 */
function isoInstant(ms: number): string {
  const iso = new Date(ms).toISOString();
  return ms % 60_000 === 0 ? `${iso.slice(0, 16)}Z` : `${iso.slice(0, 19)}Z`;
}

/**
 * A sale window as Google reads it, never longer than the site's: the start rounded up to the
 * second, the end the first second the site no longer shows the sale (it ends the millisecond
 * after `saleEnd`). Undefined for a window that is empty or reversed.
 */
function saleWindow(start: string, end: string): string | undefined {
  const from = Math.ceil(Date.parse(start) / 1000) * 1000;
  const to = Math.ceil((Date.parse(end) + 1) / 1000) * 1000;
  if (!(from < to)) return undefined;
  return `${isoInstant(from)}/${isoInstant(to)}`;
}

/** ISO 8601 as Google wants it: `YYYY-MM-DDThh:mmZ`. */
function isoMinute(value: string): string {
  // Catalog dates are already UTC ISO strings: cut them instead of parsing (a million times a run).
  if (UTC_ISO.test(value)) return `${value.slice(0, 16)}Z`;
  return `${new Date(value).toISOString().slice(0, 16)}Z`;
}
const UTC_ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?Z$/;

/** Target-independent part of a product's items, computed once for all targets of a feed run. */
export interface PreparedItem {
  product: Product;
  /** The run's instant (epoch ms): a sale that has ended by then is not in the feed. */
  now: number;
  head: FeedItem;
  tail: FeedItem;
  issues: FeedIssue[];
  excluded: boolean;
}

/** One item for one target (prepares the product; use `prepareItem` + `itemFor` for many targets). */
export function feedItem(product: Product, target: FeedTarget, ctx: ItemContext): { item?: FeedItem; issues: FeedIssue[] } {
  return itemFor(prepareItem(product, ctx), target);
}

/** The item of a prepared product for one target: its price attributes, or an exclusion. */
export function itemFor(prepared: PreparedItem, target: FeedTarget): { item?: FeedItem; issues: FeedIssue[] } {
  const issues = [...prepared.issues];
  const price = priceEntries(prepared, target, issues);
  if (prepared.excluded || !price) return { issues };
  return { item: [...prepared.head, ...price, ...prepared.tail], issues };
}

/**
 * The target-dependent attributes (price, sale price and its dates), pushing any issue into
 * `issues`; undefined when the product has no price in the target's currency (excluded).
 */
export function priceEntries(prepared: PreparedItem, target: FeedTarget, issues: FeedIssue[]): FeedItem | undefined {
  const { product } = prepared;
  const price = product.price[target.currency];
  if (price === undefined) {
    issues.push({ id: product.sku, attribute: 'price', rule: `no price in ${target.currency}, the currency of target ${target.id}`, severity: 'error' });
    return undefined;
  }
  const entries: FeedItem = [['price', `${toDecimalString(price, target.currency)} ${target.currency}`]];
  const sale = product.salePrice?.[target.currency];
  if (sale === undefined) return entries;
  if (sale >= price) {
    issues.push({ id: product.sku, attribute: 'sale_price', rule: 'must be lower than price: dropped', value: `${toDecimalString(sale, target.currency)} ${target.currency}`, severity: 'warning' });
    return entries;
  }
  // As the site shows it (activeSalePrice): an ended sale is gone; a complete window goes to Google
  // with its dates (Google applies it at its instants); a half-open one only while it is on.
  if (product.saleEnd && Date.parse(product.saleEnd) < prepared.now) return entries;
  if (product.saleStart && product.saleEnd) {
    const window = saleWindow(product.saleStart, product.saleEnd);
    if (!window) {
      issues.push({ id: product.sku, attribute: 'sale_price_effective_date', rule: 'the sale ends before it starts: sale dropped', value: `${product.saleStart}/${product.saleEnd}`, severity: 'warning' });
      return entries;
    }
    entries.push(['sale_price', `${toDecimalString(sale, target.currency)} ${target.currency}`]);
    entries.push(['sale_price_effective_date', window]);
    return entries;
  }
  if (product.saleStart && Date.parse(product.saleStart) > prepared.now) return entries;
  entries.push(['sale_price', `${toDecimalString(sale, target.currency)} ${target.currency}`]);
  if (product.saleStart || product.saleEnd) issues.push({ id: product.sku, attribute: 'sale_price_effective_date', rule: 'needs both a start and an end: dropped', severity: 'warning' });
  return entries;
}

function note(issues: FeedIssue[], id: string, severity: FeedIssue['severity'], attribute: string, rule: string, value?: string): void {
  issues.push(value === undefined ? { id, attribute, rule, severity } : { id, attribute, rule, severity, value });
}

/** A text attribute: plain, within its limit (truncated or dropped with a warning), or undefined. */
function cleanText(issues: FeedIssue[], id: string, attribute: string, raw: string | undefined, max: number, required: boolean, truncate: boolean): string | undefined {
  // Only the description is light HTML; every other text attribute keeps `<`, `>` and `&` as written.
  const value = raw === undefined ? '' : attribute === 'description' ? descriptionText(raw) : literalText(raw);
  if (!value) {
    if (required) note(issues, id, 'error', attribute, 'required', raw);
    return undefined;
  }
  // A string of at most `max` UTF-16 units has at most `max` graphemes: segment only longer ones.
  if (value.length <= max || graphemeLength(value) <= max) return value;
  if (truncate) {
    note(issues, id, 'warning', attribute, `longer than ${max} characters: truncated`, value.slice(0, 60));
    return truncateGraphemes(value, max);
  }
  note(issues, id, 'warning', attribute, `longer than ${max} characters: dropped`, value.slice(0, 60));
  return undefined;
}

/**
 * A description as plain text. The same description usually comes twice in a row (the product in
 * the next market, where it has no translation): parsed once.
 */
function descriptionText(raw: string): string {
  if (raw !== lastDescription.raw) lastDescription = { raw, text: plainText(raw) };
  return lastDescription.text;
}
let lastDescription = { raw: '', text: '' };

/** The path part of an absolute URL made by `absoluteAsciiUrl` (no parsing for plain site paths). */
function urlPath(src: string, url: string): string {
  return SAFE_PATH.test(src) ? src : new URL(url).pathname;
}

/**
 * Everything about an item that does not depend on the target (text, links, identifiers). Module
 * functions rather than closures: this runs once per product, a million times per feed run.
 */
export function prepareItem(product: Product, ctx: ItemContext): PreparedItem {
  const issues: FeedIssue[] = [];
  const id = product.sku;
  const item: FeedItem = [];

  if (id.length > LIMITS.id && graphemeLength(id) > LIMITS.id) note(issues, id, 'error', 'id', `longer than ${LIMITS.id} characters`, id);
  item.push(['id', id]);
  const title = cleanText(issues, id, 'title', product.title, LIMITS.title, true, true);
  if (title) item.push(['title', title]);
  const story = ctx.descriptionFromStory ? ctx.content?.stories.get(product.sku) : undefined;
  const descriptionSource = story?.length ? story.map((block) => block.text).join(' ') : product.description;
  const description = cleanText(issues, id, 'description', descriptionSource, LIMITS.description, true, true);
  if (description) item.push(['description', description]);

  const link = absoluteAsciiUrl(ctx.baseUrl, `${ctx.prefix ?? '/'}products/${product.slug}/`);
  if (!link || link.length > LIMITS.link) note(issues, id, 'error', 'link', 'an absolute http(s) URL of at most 2,000 characters is required', link);
  else item.push(['link', link]);

  const usable: string[] = [];
  for (const src of product.images) {
    const url = absoluteAsciiUrl(ctx.baseUrl, src);
    // Each unusable link costs itself only: dropped, reported, the others kept.
    if (url === undefined) { note(issues, id, 'warning', 'image_link', 'an http(s) URL or a site path: dropped', src.slice(0, 100)); continue; }
    if (url.length > LIMITS.link) { note(issues, id, 'warning', 'image_link', `longer than ${LIMITS.link} characters: dropped`, url.slice(0, 100)); continue; }
    if (IMAGE_FORMATS.test(urlPath(src, url))) usable.push(url);
    else note(issues, id, 'warning', 'image_link', 'format must be JPEG, PNG, GIF, WebP, BMP or TIFF', url);
  }
  if (usable.length === 0) note(issues, id, 'error', 'image_link', 'required: at least one image in an accepted format');
  else {
    item.push(['image_link', usable[0]!]);
    const more = usable.slice(1);
    if (more.length > LIMITS.additionalImages) note(issues, id, 'warning', 'additional_image_link', `at most ${LIMITS.additionalImages} values: extra ones dropped`, String(more.length));
    for (const u of more.slice(0, LIMITS.additionalImages)) item.push(['additional_image_link', u]);
  }

  item.push(['availability', product.availability]);
  if (product.availability === 'preorder' || product.availability === 'backorder') {
    if (product.availabilityDate) item.push(['availability_date', isoMinute(product.availabilityDate)]);
    else note(issues, id, 'error', 'availability_date', `required for ${product.availability}`);
  }

  const head = item.splice(0);

  const brand = cleanText(issues, id, 'brand', product.brand, LIMITS.brand, false, false);
  if (brand) item.push(['brand', brand]);
  let gtin: string | undefined;
  if (product.gtin) {
    const checked = checkGtin(product.gtin);
    if ('gtin' in checked) gtin = checked.gtin;
    else note(issues, id, 'warning', 'gtin', `invalid GTIN (${checked.problem}): dropped`, product.gtin);
  }
  if (gtin) item.push(['gtin', gtin]);
  const mpn = cleanText(issues, id, 'mpn', product.mpn, LIMITS.mpn, false, false);
  if (mpn) item.push(['mpn', mpn]);
  // `identifier_exists no` next to a valid GTIN contradicts itself (Google disapproves it): the GTIN stands.
  if (product.identifierExists === false && gtin) note(issues, id, 'warning', 'identifier_exists', 'no, while a valid GTIN is sent: dropped', 'no');
  else if (product.identifierExists === false || (!gtin && !mpn)) item.push(['identifier_exists', 'no']);
  item.push(['condition', product.condition]);
  if (product.googleProductCategory) item.push(['google_product_category', literalText(product.googleProductCategory)]);
  // A comma splits product_type into several values: keep one path per value.
  // The catalog's own taxonomy first; else the product's CMS category title.
  const categoryTitle = product.category ? ctx.content?.categories.get(product.category) : undefined;
  const productType = cleanText(issues, id, 'product_type', (product.productType ?? categoryTitle)?.replace(/,/g, ' '), LIMITS.productType, false, false);
  if (productType) item.push(['product_type', productType]);
  const group = cleanText(issues, id, 'item_group_id', product.itemGroupId, LIMITS.itemGroupId, false, false);
  if (group) item.push(['item_group_id', group]);
  const color = cleanText(issues, id, 'color', product.color, LIMITS.color, false, false);
  if (color) item.push(['color', color]);
  const size = cleanText(issues, id, 'size', product.size, LIMITS.size, false, false);
  if (size) item.push(['size', size]);
  if (product.shippingWeightGrams !== undefined) item.push(['shipping_weight', `${product.shippingWeightGrams} g`]);

  return { product, now: ctx.now.getTime(), head, tail: item, issues, excluded: issues.some((i) => i.severity === 'error') };
}
