/**
 * One product → one Google Shopping item for one target (country, language, currency), validated
 * per Google's product data specification: an invalid attribute is dropped with a warning when the
 * item stays valid without it; an item missing something required is excluded with an error.
 */
import type { Product } from '../shared/catalog/product.js';
import { toDecimalString } from '../shared/build/money.js';
import { checkGtin } from './gtin.js';
import { graphemeLength, plainText, truncateGraphemes } from './text.js';

export interface FeedTarget {
  /** Path segment of the feed: `/feeds/google/{id}.xml`. */
  id: string;
  country: string;
  language: string;
  currency: string;
  feedLabel: string;
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
  now: Date;
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

/** ISO 8601 as Google wants it: `YYYY-MM-DDThh:mmZ`. */
function isoMinute(value: string): string {
  return `${new Date(value).toISOString().slice(0, 16)}Z`;
}

/** Target-independent part of a product's items, computed once for all targets of a feed run. */
export interface PreparedItem {
  product: Product;
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
  const { product } = prepared;
  const issues = [...prepared.issues];
  const item: FeedItem = [...prepared.head];
  const price = product.price[target.currency];
  if (price === undefined) issues.push({ id: product.sku, attribute: 'price', rule: `no price in ${target.currency}, the currency of target ${target.id}`, severity: 'error' });
  else {
    item.push(['price', `${toDecimalString(price, target.currency)} ${target.currency}`]);
    const sale = product.salePrice?.[target.currency];
    if (sale !== undefined) {
      if (sale >= price) issues.push({ id: product.sku, attribute: 'sale_price', rule: 'must be lower than price: dropped', value: `${toDecimalString(sale, target.currency)} ${target.currency}`, severity: 'warning' });
      else {
        item.push(['sale_price', `${toDecimalString(sale, target.currency)} ${target.currency}`]);
        if (product.saleStart && product.saleEnd) item.push(['sale_price_effective_date', `${isoMinute(product.saleStart)}/${isoMinute(product.saleEnd)}`]);
        else if (product.saleStart || product.saleEnd) issues.push({ id: product.sku, attribute: 'sale_price_effective_date', rule: 'needs both a start and an end: dropped', severity: 'warning' });
      }
    }
  }
  for (const entry of prepared.tail) item.push(entry);
  return prepared.excluded || issues.some((i) => i.severity === 'error') ? { issues } : { item, issues };
}

/** Everything about an item that does not depend on the target (text, links, identifiers). */
export function prepareItem(product: Product, ctx: ItemContext): PreparedItem {
  const issues: FeedIssue[] = [];
  const id = product.sku;
  const error = (attribute: string, rule: string, value?: string) => issues.push({ id, attribute, rule, severity: 'error', ...(value !== undefined ? { value } : {}) });
  const warn = (attribute: string, rule: string, value?: string) => issues.push({ id, attribute, rule, severity: 'warning', ...(value !== undefined ? { value } : {}) });
  const item: FeedItem = [];
  const text = (attribute: string, raw: string | undefined, max: number, required: boolean, truncate: boolean): string | undefined => {
    const value = raw === undefined ? '' : plainText(raw);
    if (!value) {
      if (required) error(attribute, 'required', raw);
      return undefined;
    }
    // A string of at most `max` UTF-16 units has at most `max` graphemes: segment only longer ones.
    if (value.length <= max || graphemeLength(value) <= max) return value;
    if (truncate) {
      warn(attribute, `longer than ${max} characters: truncated`, value.slice(0, 60));
      return truncateGraphemes(value, max);
    }
    warn(attribute, `longer than ${max} characters: dropped`, value.slice(0, 60));
    return undefined;
  };

  if (id.length > LIMITS.id && graphemeLength(id) > LIMITS.id) error('id', `longer than ${LIMITS.id} characters`, id);
  item.push(['id', id]);
  const title = text('title', product.title, LIMITS.title, true, true);
  if (title) item.push(['title', title]);
  const description = text('description', product.description, LIMITS.description, true, true);
  if (description) item.push(['description', description]);

  const link = absoluteAsciiUrl(ctx.baseUrl, `/products/${product.slug}/`);
  if (!link || link.length > LIMITS.link) error('link', 'an absolute http(s) URL of at most 2,000 characters is required', link);
  else item.push(['link', link]);

  const images = product.images.map((src) => absoluteAsciiUrl(ctx.baseUrl, src)).filter((u): u is string => u !== undefined && u.length <= LIMITS.link);
  const usable = images.filter((u) => IMAGE_FORMATS.test(new URL(u).pathname));
  for (const u of images) if (!IMAGE_FORMATS.test(new URL(u).pathname)) warn('image_link', 'format must be JPEG, PNG, GIF, WebP, BMP or TIFF', u);
  if (usable.length === 0) error('image_link', 'required: at least one image in an accepted format');
  else {
    item.push(['image_link', usable[0]!]);
    const more = usable.slice(1);
    if (more.length > LIMITS.additionalImages) warn('additional_image_link', `at most ${LIMITS.additionalImages} values: extra ones dropped`, String(more.length));
    for (const u of more.slice(0, LIMITS.additionalImages)) item.push(['additional_image_link', u]);
  }

  item.push(['availability', product.availability]);
  if (product.availability === 'preorder' || product.availability === 'backorder') {
    if (product.availabilityDate) item.push(['availability_date', isoMinute(product.availabilityDate)]);
    else error('availability_date', `required for ${product.availability}`);
  }

  const head = item.splice(0);

  const brand = text('brand', product.brand, LIMITS.brand, false, false);
  if (brand) item.push(['brand', brand]);
  let gtin: string | undefined;
  if (product.gtin) {
    const checked = checkGtin(product.gtin);
    if ('gtin' in checked) gtin = checked.gtin;
    else warn('gtin', `invalid GTIN (${checked.problem}): dropped`, product.gtin);
  }
  if (gtin) item.push(['gtin', gtin]);
  const mpn = text('mpn', product.mpn, LIMITS.mpn, false, false);
  if (mpn) item.push(['mpn', mpn]);
  if (product.identifierExists === false || (!gtin && !mpn)) item.push(['identifier_exists', 'no']);
  item.push(['condition', product.condition]);
  if (product.googleProductCategory) item.push(['google_product_category', plainText(product.googleProductCategory)]);
  // A comma splits product_type into several values: keep one path per value.
  const productType = text('product_type', product.productType?.replace(/,/g, ' '), LIMITS.productType, false, false);
  if (productType) item.push(['product_type', productType]);
  const group = text('item_group_id', product.itemGroupId, LIMITS.itemGroupId, false, false);
  if (group) item.push(['item_group_id', group]);
  const color = text('color', product.color, LIMITS.color, false, false);
  if (color) item.push(['color', color]);
  const size = text('size', product.size, LIMITS.size, false, false);
  if (size) item.push(['size', size]);
  if (product.shippingWeightGrams !== undefined) item.push(['shipping_weight', `${product.shippingWeightGrams} g`]);

  return { product, head, tail: item, issues, excluded: issues.some((i) => i.severity === 'error') };
}
