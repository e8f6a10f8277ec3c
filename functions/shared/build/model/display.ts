/** How catalog records and URLs read on pages. */
import type { Product } from '../../catalog/product.js';
import { removeControlChars } from '../../plain-text.js';
import { decodeEntities } from '../html.js';

/** Top-level path segments owned by the pipeline; a CMS page may not take them. */
export const RESERVED_SLUGS = new Set(['products', 'categories', 'blog', 'assets', 'feeds', 'pdf', 'sitemaps', 'sitemap-xml', 'robots-txt', '404', 'search', 'pagefind', '_restatic', '_hooks', '_local', '_status']);

export const keyForUrl = (url: string) => (url.endsWith('/') ? `${url.slice(1)}index.html` : url.slice(1));

/** Catalog text fields as pages show them: entities decoded once, `<`, `>`, `&` kept as written (escaped by the templates). */
const DISPLAY_TEXT = ['title', 'brand', 'color', 'size', 'mpn'] as const;
export function displayProduct(product: Product): Product {
  let copy: Product | undefined;
  for (const field of DISPLAY_TEXT) {
    const value = product[field];
    if (value === undefined) continue;
    const decoded = decodeEntities(value);
    // Validation already removed control characters; only a decoded reference (`&#1;`) can add one.
    if (decoded !== value) (copy ??= { ...product })[field] = removeControlChars(decoded);
  }
  return copy ?? product;
}
