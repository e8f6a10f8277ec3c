/**
 * What a PDF shows, and nothing else: the spec sheet's and the catalog entry's inputs are plain
 * values taken from the product and the CMS, hashed into a data version. Only a change to one of
 * these values changes a PDF (a stock or shipping-weight change re-renders nothing), and the same
 * values always render the same bytes.
 */
import { activeSalePrice, type Product } from '../shared/catalog/product.js';
import { formatMoney } from '../shared/build/money.js';
import { AVAILABILITY_LABELS, productUrl } from '../shared/build/product-view.js';
import { sha256 } from '../shared/hash.js';
import { literalText, plainText } from '../shared/plain-text.js';
import { catalogContent, syncedCatalogContent, type CatalogContent, type StoryBlock } from '../shared/content/catalog-content.js';
import type { ContentSnapshot } from '../shared/content/snapshot.js';
import type { ContentSource } from '../shared/ports.js';

/** CMS data the PDFs show (category titles, stories, site name), and where they link to. */
export interface PdfContent extends CatalogContent {
  baseUrl: string;
  currencies: readonly string[];
}

export type { StoryBlock };

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
  return withSite(catalogContent(content), site);
}

function withSite(content: CatalogContent, site: { baseUrl: string; currencies: readonly string[] }): PdfContent {
  return { ...content, baseUrl: site.baseUrl.replace(/\/$/, ''), currencies: site.currencies };
}

/** The values a product's spec sheet shows at `now` (a sale shows only while it is on, as on the site). */
export function sheetData(product: Product, content: PdfContent, now: Date): SheetData {
  const prices = content.currencies.filter((c) => product.price[c] !== undefined).map((currency) => {
    const price = product.price[currency]!;
    const sale = activeSalePrice(product, currency, now);
    const onSale = sale !== undefined;
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
    title: literalText(product.title),
    ...(product.brand ? { brand: literalText(product.brand) } : {}),
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

/** The values a product's catalog entry shows at `now`, in one currency (one catalog per store). */
export function catalogEntry(product: Product, currency: string, now: Date): CatalogEntry {
  const price = product.price[currency];
  const sale = activeSalePrice(product, currency, now);
  return {
    sku: product.sku,
    title: literalText(product.title),
    ...(product.brand ? { brand: literalText(product.brand) } : {}),
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
export function catalogSections(products: Iterable<Product>, content: PdfContent, now: Date): Array<{ title: string; entries: CatalogEntry[] }> {
  const currency = content.currencies[0] ?? 'USD';
  const bySlug = new Map<string, CatalogEntry[]>([...content.categories.keys()].map((slug) => [slug, []]));
  const other: CatalogEntry[] = [];
  for (const product of products) {
    const entry = catalogEntry(product, currency, now);
    const section = product.category ? bySlug.get(product.category) : undefined;
    if (section) section.push(entry);
    else other.push(entry);
  }
  const byTitle = (a: CatalogEntry, b: CatalogEntry) => a.title.localeCompare(b.title, 'en') || (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0);
  const sections = [...bySlug].map(([slug, entries]) => ({ title: content.categories.get(slug)!, entries: entries.sort(byTitle) }));
  if (other.length) sections.push({ title: 'Other products', entries: other.sort(byTitle) });
  return sections;
}

/** The PDFs' CMS data kept current from a content source (sync deltas after the first call). */
export function syncedContent(source: ContentSource, site: { baseUrl: string; currencies: readonly string[] }): () => Promise<PdfContent> {
  const read = syncedCatalogContent(source);
  return async () => withSite(await read(), site);
}
