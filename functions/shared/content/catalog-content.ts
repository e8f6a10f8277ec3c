/**
 * The CMS data that travels with catalog products outside the site (PDFs, feeds): the site name,
 * category titles by slug (in CMS order, slugs normalised as the site normalises them), product
 * stories by sku as plain text, and which entry reaches what (to fan a CMS change out).
 */
import { documentToPlainTextString } from '@contentful/rich-text-plain-text-renderer';
import type { Document } from '@contentful/rich-text-types';
import { plainText } from '../plain-text.js';
import type { ContentSource } from '../ports.js';
import { toSlug } from '../slug.js';
import { ContentSnapshot, type ContentView } from './snapshot.js';

/** A paragraph or heading of a product story, as plain text. */
export interface StoryBlock {
  heading: boolean;
  text: string;
}

export interface CatalogContent {
  siteName: string;
  categories: Map<string, string>;
  stories: Map<string, StoryBlock[]>;
  /** CMS entry id → what it reaches (a category's products, a product's story, everything). */
  entries: Map<string, { kind: 'category'; slug: string } | { kind: 'story'; sku: string } | { kind: 'settings' }>;
}

/**
 * Reads the catalog-related CMS data from a content snapshot, its text in the view's locale
 * (`snapshot.inLocale(…)`). Products name their category by its slug in the default locale.
 */
export function catalogContent(content: ContentView): CatalogContent {
  const settings = content.ofType('siteSettings')[0];
  const siteName = (settings && content.field<string>(settings, 'siteName')) || 'Restatic store';
  const categories = new Map<string, string>();
  const entries: CatalogContent['entries'] = new Map();
  if (settings) entries.set(settings.sys.id, { kind: 'settings' });
  for (const c of content.ofType('category')) {
    // Slugs normalised as the site normalises them (the first entry with a slug keeps it).
    const raw = content.field<string>(c, 'slug', content.defaultLocale);
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
  return { siteName, categories, stories, entries };
}

/**
 * `catalogContent` per locale, each computed once: a run serving several markets reads the
 * default locale's text once, however many markets and callers ask for it.
 */
export function catalogContentByLocale(snapshot: ContentSnapshot): (locale?: string) => CatalogContent {
  const memo = new Map<string, CatalogContent>();
  return (locale = snapshot.defaultLocale) => {
    let found = memo.get(locale);
    if (!found) memo.set(locale, (found = catalogContent(snapshot.inLocale(locale))));
    return found;
  };
}

/** Rich text → headings and paragraphs of plain text (no markup). */
function plainStory(doc: Document): StoryBlock[] {
  return doc.content
    .map((node) => ({ heading: node.nodeType.startsWith('heading'), text: plainText(documentToPlainTextString(node as never)) }))
    .filter((block) => block.text);
}

/**
 * The catalog's CMS data kept current from a content source: the whole space once, then the sync
 * delta since the last call (a warm function pays for changes only).
 */
export function syncedCatalogContent(source: ContentSource): () => Promise<CatalogContent> {
  const read = syncedSnapshot(source);
  return async () => catalogContent(await read());
}

/** A content snapshot kept current from a content source: the whole space once, then sync deltas. */
export function syncedSnapshot(source: ContentSource): () => Promise<ContentSnapshot> {
  let snapshot: ContentSnapshot | undefined;
  let token: string | undefined;
  return async () => {
    snapshot ??= new ContentSnapshot(await source.locales());
    const delta = await source.sync(token);
    snapshot.apply(delta);
    token = delta.nextToken;
    return snapshot;
  };
}
