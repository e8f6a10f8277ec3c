/** What a product page and a listing card show, precomputed so templates stay lean and fast. */
import { activeSalePrice, type Product } from '../catalog/product.js';
import type { Messages } from '../markets/messages.js';
import { htmlToText, jsonForScript, sanitizeLightHtml } from './html.js';
import { formatMoney, toDecimalString } from './money.js';
import { responsiveImage, type ImageWidth, type ResponsiveImage } from '../images/urls.js';
import { bestAvailability, groupTitle, sizeRange, swatchTone } from './variants.js';

export interface PriceView {
  currency: string;
  regular: string;
  /** Present when a sale is on. */
  sale?: string;
  current: string;
}

export interface CardView {
  sku: string;
  url: string;
  title: string;
  image?: string;
  /** The picture's variants resized at the edge (a site picture on the live site). */
  imageSet?: ResponsiveImage;
  price?: PriceView;
  availability: string;
  availabilityLabel: string;
  /** An item group's card: the variants differ in price and this is the lowest one sells at (formatted). */
  priceFrom?: string;
  /** An item group's card: some variant is on sale. */
  onSale?: boolean;
  /** An item group's card: its colours, each linking to a variant of that colour. */
  swatches?: Array<{ label: string; url: string; tone: string }>;
  /** An item group's card: its sizes, as a range (`38–46`). */
  sizes?: string;
}

export const AVAILABILITY_LABELS: Record<Product['availability'], string> = {
  in_stock: 'In stock', out_of_stock: 'Out of stock', preorder: 'Pre-order', backorder: 'Backorder',
};
const SCHEMA_AVAILABILITY: Record<Product['availability'], string> = {
  in_stock: 'https://schema.org/InStock', out_of_stock: 'https://schema.org/OutOfStock',
  preorder: 'https://schema.org/PreOrder', backorder: 'https://schema.org/BackOrder',
};
const SCHEMA_CONDITION: Record<Product['condition'], string> = {
  new: 'https://schema.org/NewCondition', refurbished: 'https://schema.org/RefurbishedCondition', used: 'https://schema.org/UsedCondition',
};

/** A product's page URL in the default market. */
export const productUrl = (p: Pick<Product, 'slug'>) => `/products/${p.slug}/`;

/** How one market shows prices and links: its currency, formatted for its locale, and its URLs and words. */
export interface MarketView {
  currency: string;
  locale: string;
  url(p: Pick<Product, 'slug'>): string;
  t: Messages;
  /** Pictures get `srcset`s of variants resized at the edge (not on the preview, which has no image function). */
  responsiveImages?: boolean;
}

/** Variant widths per slot: a card is at most ~14rem wide (2× and 3× screens), the product picture ~34rem. */
export const CARD_IMAGE_WIDTHS: readonly ImageWidth[] = [160, 320, 480, 640];
export const PRODUCT_IMAGE_WIDTHS: readonly ImageWidth[] = [320, 480, 640, 960, 1280];
export const THUMB_IMAGE_WIDTHS: readonly ImageWidth[] = [160];

/** A picture's responsive sources in a market view, when it has them. */
export function imageSet(src: string | undefined, market: Pick<MarketView, 'responsiveImages'>, widths: readonly ImageWidth[]): ResponsiveImage | undefined {
  return src && market.responsiveImages ? responsiveImage(src, widths) : undefined;
}

/** schema.org BreadcrumbList of a page's trail (home first), as JSON for a script element. */
export function breadcrumbJsonLd(baseUrl: string, trail: ReadonlyArray<{ name: string; url: string }>): string {
  return jsonForScript({
    '@context': 'https://schema.org', '@type': 'BreadcrumbList',
    itemListElement: trail.map((step, i) => ({ '@type': 'ListItem', position: i + 1, name: step.name, item: absoluteUrl(baseUrl, step.url) })),
  });
}

export function absoluteUrl(baseUrl: string, pathOrUrl: string): string {
  return /^https?:\/\//i.test(pathOrUrl) ? pathOrUrl : `${baseUrl.replace(/\/$/, '')}${pathOrUrl}`;
}

/** The product's price in the market's currency (a page shows no other), formatted for its locale. */
export function priceView(product: Product, market: Pick<MarketView, 'currency' | 'locale'>, now: Date): PriceView | undefined {
  const { currency, locale } = market;
  const regular = product.price[currency];
  if (regular === undefined) return undefined;
  const sale = activeSalePrice(product, currency, now);
  const view: PriceView = { currency, regular: formatMoney(regular, currency, locale), current: formatMoney(sale ?? regular, currency, locale) };
  if (sale !== undefined) view.sale = formatMoney(sale, currency, locale);
  return view;
}

/** The listing card. Only fields a listing shows: a change elsewhere must not rebuild listings. */
export function cardView(product: Product, market: MarketView, now: Date): CardView {
  const card: CardView = {
    sku: product.sku,
    url: market.url(product),
    title: product.title,
    availability: product.availability,
    availabilityLabel: market.t.availability[product.availability],
  };
  const price = priceView(product, market, now);
  if (price) card.price = price;
  if (product.images[0]) card.image = product.images[0];
  const set = imageSet(product.images[0], market, CARD_IMAGE_WIDTHS);
  if (set) card.imageSet = set;
  return card;
}

/**
 * The listing card of an item group's members in one listing (listing order, the first leads):
 * the group's name, the first member's picture and page, a swatch per colour, the size range,
 * the price (from the lowest, when the variants' prices differ) and the best availability.
 */
export function groupCardView(members: readonly Product[], market: MarketView, now: Date): CardView {
  const lead = members[0]!;
  if (members.length === 1) return cardView(lead, market, now);
  const availability = bestAvailability(members);
  const card: CardView = {
    sku: lead.sku,
    url: market.url(lead),
    title: groupTitle(members.map((m) => m.title)),
    availability,
    availabilityLabel: market.t.availability[availability],
  };
  if (lead.images[0]) card.image = lead.images[0];
  const set = imageSet(lead.images[0], market, CARD_IMAGE_WIDTHS);
  if (set) card.imageSet = set;
  const prices = members.map((m) => priceView(m, market, now)).filter((v): v is PriceView => v !== undefined);
  if (prices.length > 0) {
    const same = prices.every((v) => v.regular === prices[0]!.regular && v.current === prices[0]!.current);
    if (same && prices.length === members.length) card.price = prices[0]!;
    else {
      const lowest = members.reduce<number | undefined>((min, m) => {
        const cur = activeSalePrice(m, market.currency, now) ?? m.price[market.currency];
        return cur !== undefined && (min === undefined || cur < min) ? cur : min;
      }, undefined)!;
      card.priceFrom = market.t.priceFrom.replace('{price}', formatMoney(lowest, market.currency, market.locale));
      if (prices.some((v) => v.sale !== undefined)) card.onSale = true;
    }
  }
  const colours = new Map<string, string>();
  for (const m of members) if (m.color && !colours.has(m.color)) colours.set(m.color, market.url(m));
  if (colours.size > 1 || (colours.size === 1 && members.some((m) => !m.color))) {
    card.swatches = [...colours].map(([label, url]) => ({ label, url, tone: swatchTone(label) }));
  }
  const sizes = sizeRange(members.map((m) => m.size).filter((s): s is string => !!s));
  if (sizes && members.some((m) => m.size !== lead.size)) card.sizes = sizes;
  return card;
}

/**
 * JSON-LD `Product` with one `Offer` per currency the product has (a market's view of it has its
 * market's alone, the price its page shows), as Google's rich results expect.
 */
export function productJsonLd(product: Product, baseUrl: string, now: Date, categoryTitle?: string, path: string = productUrl(product)): string {
  const url = absoluteUrl(baseUrl, path);
  const description = htmlToText(product.description);
  const offers = Object.keys(product.price).sort().map((currency) => {
    const sale = activeSalePrice(product, currency, now);
    const offer: Record<string, unknown> = {
      '@type': 'Offer',
      url,
      priceCurrency: currency,
      price: toDecimalString(sale ?? product.price[currency]!, currency),
      availability: SCHEMA_AVAILABILITY[product.availability],
      itemCondition: SCHEMA_CONDITION[product.condition],
    };
    if (sale !== undefined && product.saleEnd) offer.priceValidUntil = product.saleEnd.slice(0, 10);
    return offer;
  });
  const ld: Record<string, unknown> = {
    '@context': 'https://schema.org',
    '@type': 'Product',
    name: product.title,
    description,
    sku: product.sku,
    image: product.images.map((i) => absoluteUrl(baseUrl, i)),
    offers,
  };
  if (product.brand) ld.brand = { '@type': 'Brand', name: product.brand };
  if (product.gtin) ld.gtin = product.gtin;
  if (product.mpn) ld.mpn = product.mpn;
  if (product.color) ld.color = product.color;
  if (product.size) ld.size = product.size;
  if (categoryTitle) ld.category = categoryTitle;
  if (product.itemGroupId) ld.inProductGroupWithID = product.itemGroupId;
  return jsonForScript(ld);
}

export interface ProductPageData {
  product: Product;
  descriptionHtml: string;
  summary: string;
  prices: PriceView[];
  availabilityLabel: string;
  conditionLabel: string;
  jsonLd: string;
  pdfUrl: string;
  /** What the cart adds: the price the page shows, in minor units of its currency; absent when it cannot be bought. */
  cart?: { price: number; currency: string };
  /** Per picture (in `product.images` order): its variants for the gallery and for its thumbnail, when resized at the edge. */
  pictures: Array<{ src: string; set?: ResponsiveImage; thumb?: ResponsiveImage }>;
}

/** A product page's data in a market; `pdfPath` is the market's spec sheet path. */
export function productPageData(product: Product, baseUrl: string, market: MarketView, now: Date, categoryTitle: string | undefined, pdfPath: string): ProductPageData {
  const summary = htmlToText(product.description);
  const price = priceView(product, market, now);
  return {
    product,
    descriptionHtml: sanitizeLightHtml(product.description),
    summary: summary.length > 160 ? `${summary.slice(0, 157)}…` : summary,
    prices: price ? [price] : [],
    availabilityLabel: market.t.availability[product.availability],
    conditionLabel: market.t.conditions[product.condition],
    jsonLd: productJsonLd(product, baseUrl, now, categoryTitle, market.url(product)),
    pdfUrl: pdfPath,
    pictures: product.images.map((src) => {
      const set = imageSet(src, market, PRODUCT_IMAGE_WIDTHS);
      const thumb = imageSet(src, market, THUMB_IMAGE_WIDTHS);
      return { src, ...(set ? { set } : {}), ...(thumb ? { thumb } : {}) };
    }),
    ...(price && product.availability !== 'out_of_stock' ? { cart: { price: activeSalePrice(product, market.currency, now) ?? product.price[market.currency]!, currency: market.currency } } : {}),
  };
}
