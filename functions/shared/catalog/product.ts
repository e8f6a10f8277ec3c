/**
 * The product item of docs/contracts.md §4 and its validation. Validation returns a normalised copy:
 * control characters stripped from text, slug normalised (never trusted as given), defaults filled.
 */
import { ValidationError } from '../errors.js';
import { removeControlChars } from '../plain-text.js';
import { chooseSlug, toSlug } from '../slug.js';

export const AVAILABILITIES = ['in_stock', 'out_of_stock', 'preorder', 'backorder'] as const;
export const CONDITIONS = ['new', 'refurbished', 'used'] as const;
export type Availability = (typeof AVAILABILITIES)[number];
export type Condition = (typeof CONDITIONS)[number];
/** Minor units per ISO 4217 currency code, e.g. `{ USD: 12999 }`. */
export type Money = Record<string, number>;

export interface Product {
  sku: string;
  slug: string;
  title: string;
  description: string;
  brand?: string;
  gtin?: string;
  mpn?: string;
  identifierExists?: boolean;
  price: Money;
  salePrice?: Money;
  saleStart?: string;
  saleEnd?: string;
  availability: Availability;
  availabilityDate?: string;
  stock?: number;
  condition: Condition;
  category?: string;
  images: string[];
  googleProductCategory?: string;
  productType?: string;
  itemGroupId?: string;
  color?: string;
  size?: string;
  shippingWeightGrams?: number;
  updatedAt?: string;
  /** Per Contentful locale code (`de-DE`): the fields a market in that locale shows instead; each optional. */
  translations?: Record<string, ProductTranslation>;
}

/** What a product says in another locale; a missing field falls back along the locale's fallback chain. */
export interface ProductTranslation {
  title?: string;
  description?: string;
  slug?: string;
}

const LOCALE_PATTERN = /^[a-z]{2}(-[A-Z][A-Za-z]{1,3})?$/;

const SKU_PATTERN = /^[A-Za-z0-9._-]{1,50}$/;
const CURRENCY_PATTERN = /^[A-Z]{3}$/;
const MAX_TEXT = { title: 500, description: 20000, short: 200 } as const;

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  const json = JSON.stringify(value);
  return `${json && json.length > 60 ? `${json.slice(0, 57)}...` : json} (${Array.isArray(value) ? 'array' : typeof value})`;
}

class Checker {
  constructor(
    private readonly item: Record<string, unknown>,
    private readonly subject: string,
  ) {}

  fail(field: string, expected: string, value: unknown): never {
    throw new ValidationError(field, `expected \`${field}\` to be ${expected}, got ${describe(value)}`, this.subject);
  }

  text(field: string, required: true, max?: number): string;
  text(field: string, required: false, max?: number): string | undefined;
  text(field: string, required: boolean, max: number = MAX_TEXT.short): string | undefined {
    const value = this.item[field];
    if (value === undefined || value === null) {
      if (required) this.fail(field, 'a non-empty string', value);
      return undefined;
    }
    if (typeof value !== 'string') this.fail(field, 'a string', value);
    // Controls, lone surrogates and non-characters break XML, PDFs and terminals; no editor means them.
    const clean = removeControlChars(value).trim();
    if (clean.length === 0) {
      if (required) this.fail(field, 'a non-empty string', value);
      return undefined;
    }
    if ([...clean].length > max) this.fail(field, `at most ${max} characters`, `${clean.slice(0, 20)}… (${clean.length} chars)`);
    return clean;
  }

  /** An optional text field of a nested object, reported under its full path (`translations.de-DE.title`). */
  textAt(field: string, path: string, max: number): string | undefined {
    const value = this.item[field];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') this.fail(path, 'a string', value);
    const clean = removeControlChars(value).trim();
    if (clean.length === 0) return undefined;
    if ([...clean].length > max) this.fail(path, `at most ${max} characters`, `${clean.slice(0, 20)}… (${clean.length} chars)`);
    return clean;
  }

  oneOf<T extends string>(field: string, allowed: readonly T[], fallback?: T): T {
    const value = this.item[field];
    if (value === undefined && fallback !== undefined) return fallback;
    if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
      this.fail(field, `one of ${allowed.join(' | ')}`, value);
    }
    return value as T;
  }

  date(field: string): string | undefined {
    const value = this.item[field];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value) || Number.isNaN(Date.parse(value))) {
      this.fail(field, 'an ISO 8601 date-time such as 2026-11-27T00:00:00Z', value);
    }
    return value;
  }

  integer(field: string, min: number): number | undefined {
    const value = this.item[field];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) this.fail(field, `an integer ≥ ${min}`, value);
    return value;
  }

  money(field: string, required: boolean): Money | undefined {
    const value = this.item[field];
    if (value === undefined || value === null) {
      if (required) this.fail(field, 'an object of minor units per currency, e.g. {"USD":12999}', value);
      return undefined;
    }
    if (typeof value !== 'object' || Array.isArray(value)) this.fail(field, 'an object of minor units per currency, e.g. {"USD":12999}', value);
    const entries = Object.entries(value as Record<string, unknown>);
    if (required && entries.length === 0) this.fail(field, 'at least one currency', value);
    const money: Money = {};
    for (const [currency, amount] of entries) {
      if (!CURRENCY_PATTERN.test(currency)) this.fail(`${field}.${currency}`, 'keyed by an ISO 4217 code such as USD', currency);
      if (typeof amount !== 'number' || !Number.isSafeInteger(amount) || amount < 0) {
        this.fail(`${field}.${currency}`, 'a non-negative integer amount in minor units', amount);
      }
      money[currency] = amount;
    }
    return money;
  }
}

/** Whether an image reference is safe to put in `src`: https/http URL or a site-relative path. */
export function isSafeImageUrl(url: string): boolean {
  if (url.startsWith('/') && !url.startsWith('//')) return !/(^|\/)\.\.(\/|$)/.test(url) && !/[\s"'<>\\]/.test(url);
  try {
    const parsed = new URL(url);
    return (parsed.protocol === 'https:' || parsed.protocol === 'http:') && !/[\s"'<>\\]/.test(url);
  } catch {
    return false;
  }
}

/**
 * Validates one raw item (from DynamoDB, a request body or the generator) against docs/contracts.md §4.
 *
 * @throws ValidationError naming the field, e.g. `expected \`price.USD\` to be a non-negative integer…`
 */
export function validateProduct(raw: unknown): Product {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ValidationError('(item)', `expected a product object, got ${describe(raw)}`);
  }
  const item = raw as Record<string, unknown>;
  const skuValue = item.sku;
  if (typeof skuValue !== 'string' || !SKU_PATTERN.test(skuValue)) {
    throw new ValidationError('sku', `expected \`sku\` to be 1–50 characters of [A-Za-z0-9._-], got ${describe(skuValue)}`);
  }
  // Explicit type: TS only narrows after never-returning calls through annotated references.
  const c: Checker = new Checker(item, `product ${skuValue}`);
  const title = c.text('title', true, MAX_TEXT.title);
  const slugInput = c.text('slug', false);
  const product: Product = {
    sku: skuValue,
    slug: chooseSlug(slugInput, title, skuValue),
    title,
    description: c.text('description', true, MAX_TEXT.description),
    price: c.money('price', true)!,
    availability: c.oneOf('availability', AVAILABILITIES),
    condition: c.oneOf('condition', CONDITIONS, 'new'),
    images: [],
  };
  const images: unknown = item.images ?? [];
  if (!Array.isArray(images)) c.fail('images', 'an array of URLs', images);
  (images as unknown[]).forEach((url, i) => {
    if (typeof url !== 'string' || !isSafeImageUrl(url)) c.fail(`images[${i}]`, 'an http(s) URL or a site-relative path', url);
    product.images.push(url);
  });
  const optionalText = ['brand', 'gtin', 'mpn', 'category', 'googleProductCategory', 'productType', 'itemGroupId', 'color', 'size'] as const;
  for (const field of optionalText) {
    const raw = item[field];
    const value = typeof raw === 'number' && field === 'googleProductCategory' ? String(raw) : c.text(field, false);
    if (value !== undefined) product[field] = value;
  }
  if (product.gtin !== undefined && !/^\d{8,14}$/.test(product.gtin.replace(/[\s-]/g, ''))) c.fail('gtin', '8 to 14 digits', item.gtin);
  if (product.category !== undefined) product.category = chooseSlug(product.category, '', '');
  if (item.identifierExists !== undefined) {
    const value = item.identifierExists;
    if (typeof value !== 'boolean') c.fail('identifierExists', 'a boolean', value);
    product.identifierExists = value;
  }
  const salePrice = c.money('salePrice', false);
  if (salePrice) product.salePrice = salePrice;
  for (const field of ['saleStart', 'saleEnd', 'availabilityDate', 'updatedAt'] as const) {
    const value = c.date(field);
    if (value !== undefined) product[field] = value;
  }
  if (product.saleStart && product.saleEnd && Date.parse(product.saleStart) > Date.parse(product.saleEnd)) {
    c.fail('saleEnd', `a date after saleStart (${product.saleStart})`, product.saleEnd);
  }
  const stock = c.integer('stock', 0);
  if (stock !== undefined) product.stock = stock;
  const weight = c.integer('shippingWeightGrams', 0);
  if (weight !== undefined) product.shippingWeightGrams = weight;
  const translations = item.translations;
  if (translations !== undefined && translations !== null) {
    if (typeof translations !== 'object' || Array.isArray(translations)) c.fail('translations', 'an object keyed by locale code, e.g. {"de-DE":{"title":"…"}}', translations);
    const out: Record<string, ProductTranslation> = {};
    for (const [locale, value] of Object.entries(translations as Record<string, unknown>)) {
      if (!LOCALE_PATTERN.test(locale)) c.fail(`translations.${locale}`, 'keyed by a locale code such as de-DE', locale);
      if (typeof value !== 'object' || value === null || Array.isArray(value)) c.fail(`translations.${locale}`, 'an object of title, description and slug (each optional)', value);
      const t: Checker = new Checker(value as Record<string, unknown>, `product ${skuValue}`);
      const prefixed = (field: string) => `translations.${locale}.${field}`;
      const known = ['title', 'description', 'slug'];
      const unknown = Object.keys(value as object).find((k) => !known.includes(k));
      if (unknown) c.fail(prefixed(unknown), 'absent (a translation holds title, description and slug only)', (value as Record<string, unknown>)[unknown]);
      const entry: ProductTranslation = {};
      const title = t.textAt('title', prefixed('title'), MAX_TEXT.title);
      const description = t.textAt('description', prefixed('description'), MAX_TEXT.description);
      const slug = t.textAt('slug', prefixed('slug'), MAX_TEXT.short);
      if (title !== undefined) entry.title = title;
      if (description !== undefined) entry.description = description;
      // Like the default slug, never trusted as given; a translated title gives one when absent.
      if (slug !== undefined || title !== undefined) {
        const chosen = toSlug(slug ?? title!);
        if (chosen) entry.slug = chosen;
      }
      if (Object.keys(entry).length) out[locale] = entry;
    }
    if (Object.keys(out).length) product.translations = out;
  }
  return product;
}

/**
 * The sale price in a currency when a sale is on at `now` (inside its optional window and below
 * the regular price), else `undefined`.
 */
export function activeSalePrice(product: Product, currency: string, now: Date): number | undefined {
  const sale = product.salePrice?.[currency];
  const price = product.price[currency];
  if (sale === undefined || price === undefined || sale >= price) return undefined;
  if (product.saleStart && Date.parse(product.saleStart) > now.getTime()) return undefined;
  if (product.saleEnd && Date.parse(product.saleEnd) < now.getTime()) return undefined;
  return sale;
}

/**
 * The next instant (epoch ms) after `now` at which `activeSalePrice` changes in some currency: the
 * sale's start, or the millisecond after its end. `undefined` when time alone changes nothing.
 */
export function nextPriceChange(product: Product, now: Date): number | undefined {
  if (!product.salePrice || !Object.keys(product.salePrice).some((c) => product.salePrice![c]! < (product.price[c] ?? 0))) return undefined;
  const t = now.getTime();
  const start = product.saleStart ? Date.parse(product.saleStart) : undefined;
  const end = product.saleEnd ? Date.parse(product.saleEnd) + 1 : undefined;
  if (start !== undefined && start > t) return start;
  if (end !== undefined && end > t) return end;
  return undefined;
}
