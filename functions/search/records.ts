/**
 * What the search index holds: the live site's product, category, CMS and journal pages, each in
 * its market's language, with the words a visitor would search for (title, brand, colour, size,
 * category, description, body text). Derived from the pages' own data, so a result always names
 * a page the site has, at its URL.
 */
import { htmlToText } from '../shared/build/html.js';
import type { PageSpec } from '../shared/build/site-model.js';
import type { Product } from '../shared/catalog/product.js';
import type { SearchRecord } from '../shared/ports.js';

/** The pages worth a search result: not listings past their first page, indexes, sitemaps or the 404. */
export const searchable = (ref: { layout: string; url: string }) =>
  ref.layout === 'product' || ref.layout === 'page' || ref.layout === 'post' || (ref.layout === 'category' && !ref.url.includes('/page/'));

const words = (...parts: Array<string | undefined | null>) => parts.filter((p): p is string => typeof p === 'string' && p.trim() !== '').join('\n');

/** The search record of a page; `language` is its market's (`de-DE` → `de`). */
export function searchRecord(page: PageSpec, language: string): SearchRecord | undefined {
  const data = page.data as Record<string, unknown>;
  const base = { url: page.url, language };
  switch (page.layout) {
    case 'product': {
      const p = data.product as Product;
      const category = (data.category as { title?: string } | null)?.title;
      return { ...base, content: words(p.title, p.brand, p.color, p.size, category, htmlToText(p.description), htmlToText(String(data.storyHtml ?? ''))), meta: { title: p.title, ...(p.images[0] ? { image: p.images[0] } : {}) } };
    }
    case 'category': {
      const c = data.category as { title: string; descriptionHtml?: string };
      return { ...base, content: words(c.title, htmlToText(c.descriptionHtml ?? '')), meta: { title: c.title } };
    }
    case 'page': {
      const body = (data.body as Array<{ html?: string }> | undefined) ?? [];
      return { ...base, content: words(page.title, ...body.map((part) => (part.html ? htmlToText(part.html) : undefined))), meta: { title: page.title } };
    }
    case 'post':
      return { ...base, content: words(page.title, htmlToText(String(data.bodyHtml ?? ''))), meta: { title: page.title } };
    default:
      return undefined;
  }
}
