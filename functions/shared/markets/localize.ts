/**
 * A product as a market shows it: text in the market's locale along Contentful's fallback chain
 * (a locale's `fallbackCode`, ending at the default locale, whose text is the product's own
 * fields), and whether the market sells it at all (a price in its currency).
 */
import type { Product } from '../catalog/product.js';
import type { LocaleDef } from '../content/types.js';
import type { Market } from './markets.js';

/**
 * The locales to try for `locale`, in order: itself, its fallbacks, and the default locale last.
 * A cycle in the fallback settings stops at the first repeat.
 */
export function localeChain(locales: readonly LocaleDef[], locale: string): string[] {
  const fallbacks = new Map(locales.map((l) => [l.code, l.fallbackCode ?? null]));
  const defaultLocale = locales.find((l) => l.default)?.code ?? locales[0]?.code ?? 'en-US';
  const chain: string[] = [];
  for (let code: string | null | undefined = locale; code && !chain.includes(code); code = fallbacks.get(code)) chain.push(code);
  if (!chain.includes(defaultLocale)) chain.push(defaultLocale);
  return chain;
}

export interface LocalizedText {
  title: string;
  description: string;
  slug: string;
  /** The locale each field came from (what a change to that locale's text must rebuild). */
  from: { title: string; description: string; slug: string };
}

/** The product's title, description and slug in the first locale of `chain` that has each. */
export function localizedText(product: Product, chain: readonly string[], defaultLocale: string): LocalizedText {
  const pick = (field: 'title' | 'description' | 'slug'): [string, string] => {
    for (const locale of chain) {
      if (locale === defaultLocale) return [product[field], defaultLocale];
      const value = product.translations?.[locale]?.[field];
      if (value !== undefined) return [value, locale];
    }
    return [product[field], defaultLocale];
  };
  const [title, titleFrom] = pick('title');
  const [description, descriptionFrom] = pick('description');
  const [slug, slugFrom] = pick('slug');
  return { title, description, slug, from: { title: titleFrom, description: descriptionFrom, slug: slugFrom } };
}

/** Whether a market sells the product: it has a price in the market's currency (docs/contracts.md §3). */
export const soldIn = (product: Pick<Product, 'price'>, market: Pick<Market, 'currency'>): boolean => product.price[market.currency] !== undefined;

/**
 * The product as one market's pages show it, or undefined when the market does not sell it: text
 * in the market's locale (`chain`), prices in its currency alone, and nothing of other markets, so
 * that a change to another market's price or text leaves this market's pages as they are.
 */
export function marketProduct(product: Product, market: Pick<Market, 'currency'>, chain: readonly string[], defaultLocale: string): Product | undefined {
  const price = product.price[market.currency];
  if (price === undefined) return undefined;
  const { translations: _translations, salePrice, ...rest } = product;
  const view: Product = { ...rest, price: { [market.currency]: price } };
  const sale = salePrice?.[market.currency];
  if (sale !== undefined) view.salePrice = { [market.currency]: sale };
  if (chain[0] !== defaultLocale) {
    const text = localizedText(product, chain, defaultLocale);
    view.title = text.title;
    view.description = text.description;
    view.slug = text.slug;
  }
  return view;
}
