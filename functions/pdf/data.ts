/**
 * What a PDF shows, and nothing else: the spec sheet's and the catalog entry's inputs are plain
 * values taken from the product and the CMS, hashed into a data version. Only a change to one of
 * these values changes a PDF (a stock or shipping-weight change re-renders nothing), and the same
 * values always render the same bytes.
 */
import { activeSalePrice, type Product } from '../shared/catalog/product.js';
import { formatMoney } from '../shared/build/money.js';
import { sha256 } from '../shared/hash.js';
import { literalText, plainText } from '../shared/plain-text.js';
import { catalogContentByLocale, syncedSnapshot, type CatalogContent, type StoryBlock } from '../shared/content/catalog-content.js';
import type { ContentSnapshot } from '../shared/content/snapshot.js';
import { localeChain, marketProduct } from '../shared/markets/localize.js';
import { DEMO_MARKETS, defaultMarket, type Market } from '../shared/markets/markets.js';
import { fill, messagesFor, type Messages } from '../shared/markets/messages.js';
import type { ContentSource } from '../shared/ports.js';

/** The CMS data one market's PDFs show (category titles, stories, site name in its locale), and where they link to. */
export interface PdfMarketContent extends Omit<CatalogContent, 'entries'> {
  market: Market;
  baseUrl: string;
  /** The market's currency: the one its sheets and catalog show. */
  currency: string;
  /** Object keys of its PDFs start with this (`''`, `de/`). */
  keyPrefix: string;
  t: Messages;
  /** The product as this market shows it (its text and currency), or undefined where it is not sold. */
  view(product: Product): Product | undefined;
}

/** Every market's PDF content (the default market's first, and as the object itself), and what CMS entries reach. */
export interface PdfContent extends PdfMarketContent {
  markets: PdfMarketContent[];
  entries: CatalogContent['entries'];
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
  /** The sheet's words, in the market's language. */
  labels: Messages['pdf'];
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

export interface PdfSite {
  baseUrl: string;
  /** The storefronts: one set of PDFs each. @default DEMO_MARKETS */
  markets?: readonly Market[];
}

/** The CMS data the PDFs of every market need, from the content snapshot the site builds from. */
export function pdfContent(content: ContentSnapshot, site: PdfSite): PdfContent {
  const markets = [...(site.markets ?? DEMO_MARKETS)];
  const first = defaultMarket(markets);
  const ordered = [first, ...markets.filter((m) => m !== first)];
  const baseUrl = site.baseUrl.replace(/\/$/, '');
  const textIn = catalogContentByLocale(content);
  const perMarket = ordered.map((market): PdfMarketContent => {
    const chain = localeChain(content.locales, market.locale);
    const { entries: _entries, ...text } = textIn(market.locale);
    return {
      ...text, market, baseUrl, currency: market.currency, keyPrefix: market.prefix.slice(1), t: messagesFor(market.locale),
      view: (p) => marketProduct(p, market, chain, content.defaultLocale),
    };
  });
  return { ...perMarket[0]!, markets: perMarket, entries: textIn().entries };
}

/**
 * The values a product's spec sheet shows at `now`, in one market (a sale shows only while it is
 * on, as on the site). `product` is the market's view of it (`content.view`): its text and currency.
 */
export function sheetData(product: Product, content: PdfMarketContent, now: Date): SheetData {
  const t = content.t.pdf;
  const locale = content.market.locale;
  const prices = [content.currency].filter((c) => product.price[c] !== undefined).map((currency) => {
    const price = product.price[currency]!;
    const sale = activeSalePrice(product, currency, now);
    const onSale = sale !== undefined;
    return {
      currency,
      price: formatMoney(price, currency, locale),
      ...(onSale ? { sale: formatMoney(sale, currency, locale) } : {}),
      ...(onSale && (product.saleStart || product.saleEnd) ? { saleDates: `${product.saleStart ? day(product.saleStart) : '…'} – ${product.saleEnd ? day(product.saleEnd) : '…'}` } : {}),
    };
  });
  const attributes: Array<[string, string]> = [];
  if (product.color) attributes.push([content.t.colour, product.color]);
  if (product.size) attributes.push([content.t.size, product.size]);
  if (product.itemGroupId) attributes.push([t.model, product.itemGroupId]);
  attributes.push([content.t.condition, content.t.conditions[product.condition]]);
  const label = content.t.availability[product.availability];
  const availability = product.availabilityDate && (product.availability === 'preorder' || product.availability === 'backorder')
    ? fill(t.availableFrom, { availability: label, date: day(product.availabilityDate) })
    : label;
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
    url: `${content.baseUrl}${content.market.prefix}products/${product.slug}/`,
    labels: t,
  };
  return { ...data, version: sha256(JSON.stringify(data)).slice(0, 12) };
}

/** The values a product's catalog entry shows at `now`, in one market's currency and language. */
export function catalogEntry(product: Product, content: PdfMarketContent, now: Date): CatalogEntry {
  const { currency } = content;
  const locale = content.market.locale;
  const price = product.price[currency];
  const sale = activeSalePrice(product, currency, now);
  return {
    sku: product.sku,
    title: literalText(product.title),
    ...(product.brand ? { brand: literalText(product.brand) } : {}),
    ...(product.images[0] ? { image: product.images[0] } : {}),
    price: price === undefined ? content.t.pdf.priceOnRequest : formatMoney(price, currency, locale),
    ...(price !== undefined && sale !== undefined && sale < price ? { sale: formatMoney(sale, currency, locale) } : {}),
    availability: content.t.availability[product.availability],
  };
}

/**
 * One market's catalog sections: one per CMS category (in CMS order) holding the products it
 * sells by title, then "Other products" for those without a published category. `products` are
 * the catalog's records; each is shown as the market shows it.
 */
export function catalogSections(products: Iterable<Product>, content: PdfMarketContent, now: Date): Array<{ title: string; entries: CatalogEntry[] }> {
  const bySlug = new Map<string, CatalogEntry[]>([...content.categories.keys()].map((slug) => [slug, []]));
  const other: CatalogEntry[] = [];
  for (const record of products) {
    const product = content.view(record);
    if (!product) continue;
    const entry = catalogEntry(product, content, now);
    const section = product.category ? bySlug.get(product.category) : undefined;
    if (section) section.push(entry);
    else other.push(entry);
  }
  const collator = new Intl.Collator(content.market.locale);
  const byTitle = (a: CatalogEntry, b: CatalogEntry) => collator.compare(a.title, b.title) || (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0);
  const sections = [...bySlug].map(([slug, entries]) => ({ title: content.categories.get(slug)!, entries: entries.sort(byTitle) }));
  if (other.length) sections.push({ title: content.t.pdf.otherProducts, entries: other.sort(byTitle) });
  return sections;
}

/** The PDFs' CMS data kept current from a content source (sync deltas after the first call). */
export function syncedContent(source: ContentSource, site: PdfSite): () => Promise<PdfContent> {
  const read = syncedSnapshot(source);
  return async () => pdfContent(await read(), site);
}
