/**
 * Which pages of a site show an entry: where an editor's "Open preview" should land. The entry's
 * own pages first (a page, a post, a category: the page index names them as their primary record),
 * then the pages that read it (an author's posts, a product's story, the settings on the home
 * page), HTML pages only, shortest URLs first, the default market's before the others'.
 */
import { dep } from '../build/deps.js';
import type { PageIndexEntry } from '../state/types.js';

/** `otherPrefixes`: the prefixes of the markets other than the default one (`/de/`); their pages come after. */
export function pagesShowingEntry(pages: Readonly<Record<string, PageIndexEntry>>, entryId: string, otherPrefixes: readonly string[] = []): string[] {
  const key = dep.entry(entryId);
  const own: string[] = [];
  const reading: string[] = [];
  for (const [url, page] of Object.entries(pages)) {
    if (!url.endsWith('/')) continue;
    if (page.primary === key) own.push(url);
    else if (page.deps.includes(key)) reading.push(url);
  }
  const other = (url: string) => (otherPrefixes.some((p) => url.startsWith(p)) ? 1 : 0);
  const order = (a: string, b: string) => other(a) - other(b) || a.length - b.length || a.localeCompare(b);
  return [...own.sort(order), ...reading.sort(order)];
}
