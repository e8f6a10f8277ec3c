/** What a product page and a listing card show, precomputed so templates stay lean and fast. */
import { activeSalePrice, type Product } from '../catalog/product.js';
import { htmlToText, jsonForScript, sanitizeLightHtml } from './html.js';
import { formatMoney, toDecimalString } from './money.js';

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
  price?: PriceView;
  availability: string;
  availabilityLabel: string;
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

export const productUrl = (p: Product) => `/products/${p.slug}/`;

export function absoluteUrl(baseUrl: string, pathOrUrl: string): string {
  return /^https?:\/\//i.test(pathOrUrl) ? pathOrUrl : `${baseUrl.replace(/\/$/, '')}${pathOrUrl}`;
}

/** Prices in the configured currency order (currencies the product lacks are skipped). */
export function priceViews(product: Product, currencies: readonly string[], now: Date): PriceView[] {
  const ordered = [...currencies, ...Object.keys(product.price).filter((c) => !currencies.includes(c)).sort()];
  const views: PriceView[] = [];
  for (const currency of ordered) {
    const regular = product.price[currency];
    if (regular === undefined) continue;
    const sale = activeSalePrice(product, currency, now);
    const view: PriceView = { currency, regular: formatMoney(regular, currency), current: formatMoney(sale ?? regular, currency) };
    if (sale !== undefined) view.sale = formatMoney(sale, currency);
    views.push(view);
  }
  return views;
}

/** The listing card. Only fields a listing shows: a change elsewhere must not rebuild listings. */
export function cardView(product: Product, currencies: readonly string[], now: Date): CardView {
  const card: CardView = {
    sku: product.sku,
    url: productUrl(product),
    title: product.title,
    availability: product.availability,
    availabilityLabel: AVAILABILITY_LABELS[product.availability],
  };
  const price = priceViews(product, currencies, now)[0];
  if (price) card.price = price;
  if (product.images[0]) card.image = product.images[0];
  return card;
}

/** JSON-LD `Product` with one `Offer` per currency, as Google's rich results expect. */
export function productJsonLd(product: Product, baseUrl: string, now: Date, categoryTitle?: string): string {
  const url = absoluteUrl(baseUrl, productUrl(product));
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
  jsonLd: string;
  pdfUrl: string;
}

export function productPageData(product: Product, baseUrl: string, currencies: readonly string[], now: Date, categoryTitle?: string): ProductPageData {
  const summary = htmlToText(product.description);
  return {
    product,
    descriptionHtml: sanitizeLightHtml(product.description),
    summary: summary.length > 160 ? `${summary.slice(0, 157)}…` : summary,
    prices: priceViews(product, currencies, now),
    availabilityLabel: AVAILABILITY_LABELS[product.availability],
    jsonLd: productJsonLd(product, baseUrl, now, categoryTitle),
    pdfUrl: `/pdf/products/${encodeURIComponent(product.sku)}.pdf`,
  };
}
