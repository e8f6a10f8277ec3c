/**
 * What a PDF shows, and nothing else: the spec sheet's and the catalog entry's inputs are plain
 * values taken from the product and the CMS, hashed into a data version. Only a change to one of
 * these values changes a PDF (a stock or shipping-weight change re-renders nothing), and the same
 * values always render the same bytes.
 */
import { documentToPlainTextString } from '@contentful/rich-text-plain-text-renderer';
import type { Document } from '@contentful/rich-text-types';
import type { Product } from '../shared/catalog/product.js';
import { formatMoney } from '../shared/build/money.js';
import { AVAILABILITY_LABELS, productUrl } from '../shared/build/product-view.js';
import { sha256 } from '../shared/hash.js';
import { toSlug } from '../shared/slug.js';
import { plainText } from '../shared/plain-text.js';
import { ContentSnapshot } from '../shared/content/snapshot.js';
import type { ContentSource } from '../shared/ports.js';

/** CMS data the PDFs show: category titles (by slug, in CMS order) and product stories (by sku). */
export interface PdfContent {
  siteName: string;
  baseUrl: string;
  currencies: readonly string[];
  categories: Map<string, string>;
  stories: Map<string, StoryBlock[]>;
  /** CMS entry id → what PDFs it reaches (for expanding a CMS change into PDF jobs). */
  entries: Map<string, { kind: 'category'; slug: string } | { kind: 'story'; sku: string } | { kind: 'settings' }>;
}

/** A paragraph or heading of a product story, as plain text. */
export interface StoryBlock {
  heading: boolean;
  text: string;
}

export interface SheetData {
  sku: string;
  title: string;
  brand?: string;
  /** Site path or URL of the main image. */
  image?: string;
  prices: Array<{ currency: string; price: string; sale?: string; saleDates?: string }>;
  availability: string;
  gtin?: string;
  mpn?: string;
  attributes: Array<[label: string, value: string]>;
  category?: string;
  story?: StoryBlock[];
  description: string;
  url: string;
  /** First 12 hex digits of the sha256 of everything above: printed in the footer. */
  version: string;
}

/** What a catalog entry shows (a subset of the sheet). */
export interface CatalogEntry {
  sku: string;
  title: string;
  brand?: string;
  image?: string;
  price: string;
  sale?: string;
  availability: string;
}

const day = (iso: string) => iso.slice(0, 10);

/** The CMS data the PDFs need, from the content snapshot the site builds from. */
export function pdfContent(content: ContentSnapshot, site: { baseUrl: string; currencies: readonly string[] }): PdfContent {
  const settings = content.ofType('siteSettings')[0];
  const siteName = (settings && content.field<string>(settings, 'siteName')) || 'Restatic store';
  const categories = new Map<string, string>();
  const entries: PdfContent['entries'] = new Map();
  if (settings) entries.set(settings.sys.id, { kind: 'settings' });
  for (const c of content.ofType('category')) {
    // Slugs normalised as the site normalises them (the first entry with a slug keeps it).
    const raw = content.field<string>(c, 'slug');
    const slug = typeof raw === 'string' ? toSlug(raw) : '';
    const title = content.field<string>(c, 'title');
    if (slug && typeof title === 'string' && !categories.has(slug)) {
      categories.set(slug, title);
      entries.set(c.sys.id, { kind: 'category', slug });
    }
  }
  const stories = new Map<string, StoryBlock[]>();
  for (const s of content.ofType('productContent')) {
    const sku = content.field<string>(s, 'sku');
    const story = content.field<Document>(s, 'story');
    if (typeof sku === 'string') entries.set(s.sys.id, { kind: 'story', sku });
    if (typeof sku === 'string' && story?.nodeType === 'document') stories.set(sku, plainStory(story));
  }
  return { siteName, baseUrl: site.baseUrl.replace(/\/$/, ''), currencies: site.currencies, categories, stories, entries };
}

/** Rich text → headings and paragraphs of plain text (PDF text, no markup). */
function plainStory(doc: Document): StoryBlock[] {
  return doc.content
    .map((node) => ({ heading: node.nodeType.startsWith('heading'), text: plainText(documentToPlainTextString(node as never)) }))
    .filter((block) => block.text);
}

/** The values a product's spec sheet shows. */
export function sheetData(product: Product, content: PdfContent): SheetData {
  const prices = content.currencies.filter((c) => product.price[c] !== undefined).map((currency) => {
    const price = product.price[currency]!;
    const sale = product.salePrice?.[currency];
    const onSale = sale !== undefined && sale < price;
    return {
      currency,
      price: formatMoney(price, currency),
      ...(onSale ? { sale: formatMoney(sale, currency) } : {}),
      ...(onSale && (product.saleStart || product.saleEnd) ? { saleDates: `${product.saleStart ? day(product.saleStart) : '…'} – ${product.saleEnd ? day(product.saleEnd) : '…'}` } : {}),
    };
  });
  const attributes: Array<[string, string]> = [];
  if (product.color) attributes.push(['Colour', product.color]);
  if (product.size) attributes.push(['Size', product.size]);
  if (product.itemGroupId) attributes.push(['Model', product.itemGroupId]);
  attributes.push(['Condition', product.condition]);
  const availability = product.availabilityDate && (product.availability === 'preorder' || product.availability === 'backorder')
    ? `${AVAILABILITY_LABELS[product.availability]} (from ${day(product.availabilityDate)})`
    : AVAILABILITY_LABELS[product.availability];
  const category = product.category ? content.categories.get(product.category) : undefined;
  const story = content.stories.get(product.sku);
  const data: Omit<SheetData, 'version'> = {
    sku: product.sku,
    title: plainText(product.title),
    ...(product.brand ? { brand: plainText(product.brand) } : {}),
    ...(product.images[0] ? { image: product.images[0] } : {}),
    prices,
    availability,
    ...(product.gtin ? { gtin: product.gtin } : {}),
    ...(product.mpn ? { mpn: product.mpn } : {}),
    attributes,
    ...(category ? { category } : {}),
    ...(story ? { story } : {}),
    description: plainText(product.description),
    url: `${content.baseUrl}${productUrl(product)}`,
  };
  return { ...data, version: sha256(JSON.stringify(data)).slice(0, 12) };
}

/** The values a product's catalog entry shows, in one currency (one catalog per store). */
export function catalogEntry(product: Product, currency: string): CatalogEntry {
  const price = product.price[currency];
  const sale = product.salePrice?.[currency];
  return {
    sku: product.sku,
    title: plainText(product.title),
    ...(product.brand ? { brand: plainText(product.brand) } : {}),
    ...(product.images[0] ? { image: product.images[0] } : {}),
    price: price === undefined ? 'Price on request' : formatMoney(price, currency),
    ...(price !== undefined && sale !== undefined && sale < price ? { sale: formatMoney(sale, currency) } : {}),
    availability: AVAILABILITY_LABELS[product.availability],
  };
}

/**
 * The catalog's sections: one per CMS category (in CMS order) holding its products by title, then
 * "Other products" for those without a published category. The first of `currencies` is shown.
 */
export function catalogSections(products: Iterable<Product>, content: PdfContent): Array<{ title: string; entries: CatalogEntry[] }> {
  const currency = content.currencies[0] ?? 'USD';
  const bySlug = new Map<string, CatalogEntry[]>([...content.categories.keys()].map((slug) => [slug, []]));
  const other: CatalogEntry[] = [];
  for (const product of products) {
    const entry = catalogEntry(product, currency);
    const section = product.category ? bySlug.get(product.category) : undefined;
    if (section) section.push(entry);
    else other.push(entry);
  }
  const byTitle = (a: CatalogEntry, b: CatalogEntry) => a.title.localeCompare(b.title, 'en') || (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0);
  const sections = [...bySlug].map(([slug, entries]) => ({ title: content.categories.get(slug)!, entries: entries.sort(byTitle) }));
  if (other.length) sections.push({ title: 'Other products', entries: other.sort(byTitle) });
  return sections;
}

/**
 * The PDFs' CMS data kept current from a content source: the whole space once, then the sync delta
 * since the last call (a warm worker pays for changes only).
 */
export function syncedContent(source: ContentSource, site: { baseUrl: string; currencies: readonly string[] }): () => Promise<PdfContent> {
  let snapshot: ContentSnapshot | undefined;
  let token: string | undefined;
  return async () => {
    snapshot ??= new ContentSnapshot(await source.locales());
    const delta = await source.sync(token);
    snapshot.apply(delta);
    token = delta.nextToken;
    return pdfContent(snapshot, site);
  };
}
