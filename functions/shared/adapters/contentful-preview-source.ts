/**
 * ContentSource on Contentful's Content Preview API (drafts and changed entries) through
 * contentful.js v11. The Preview API has no Sync API, so each sync lists every entry and asset
 * (all locales, links unresolved, 1,000 a page) and, when given a token this process issued,
 * answers with what differs from that listing (changed entities, and tombstones for the gone ones),
 * so a run plans from the change, not from the whole space. A token it does not know (another
 * process, a cold start) gets the whole space, as an initial sync does.
 */
import { createClient, type ContentfulClientApi } from 'contentful';
import { ContentError } from '../errors.js';
import type { ContentDelta, ContentSource } from '../ports.js';
import type { ContentfulSyncOptions } from './contentful-sync-source.js';
import { changeVersion, type ContentEntity, type DeletedEntity, type LocaleDef } from '../content/types.js';

/**
 * The same connection settings as the Delivery API's source; `accessToken` is a Content Preview API
 * token, and `host` defaults to `preview.contentful.com` (`preview.eu.contentful.com` in the EU).
 */
export type ContentfulPreviewOptions = ContentfulSyncOptions;

/** The Preview API as a content source, and one entry's latest saved version (what "Open preview" waits for). */
export interface PreviewContentSource extends ContentSource {
  /** The entry's version as the Preview API has it now (its save time, as `changeVersion`), undefined when it has none. */
  entryVersion(entryId: string): Promise<string | undefined>;
}

type Listing = Map<string, { type: 'Entry' | 'Asset'; updatedAt: string }>;

export function createContentfulPreviewSource(options: ContentfulPreviewOptions): PreviewContentSource {
  const client: ContentfulClientApi<undefined> = createClient({
    space: options.space, environment: options.environment, accessToken: options.accessToken,
    host: options.host ?? 'preview.contentful.com', ...(options.insecure ? { insecure: true } : {}), retryLimit: 5,
  });
  const api = client.withAllLocales.withoutLinkResolution;
  const limit = options.limit ?? 1000;
  // Listings this process handed out a token for: the next sync answers with a delta from them.
  const listings = new Map<string, Listing>();
  let counter = 0;

  async function all<T>(page: (skip: number) => Promise<{ items: T[]; total: number }>): Promise<T[]> {
    const items: T[] = [];
    for (let skip = 0; ; skip += limit) {
      const result = await page(skip);
      items.push(...result.items);
      if (result.items.length === 0 || skip + limit >= result.total) return items;
    }
  }

  return {
    async sync(token?: string): Promise<ContentDelta> {
      let entries: ContentEntity[];
      let assets: ContentEntity[];
      try {
        entries = await all((skip) => api.getEntries({ limit, skip, order: ['sys.id'] })) as unknown as ContentEntity[];
        assets = await all((skip) => api.getAssets({ limit, skip, order: ['sys.id'] })) as unknown as ContentEntity[];
      } catch (error) {
        throw new ContentError(`Contentful Preview API listing of space ${options.space}/${options.environment} failed: ${(error as Error).message}`, { cause: error, retryable: true });
      }
      const listing: Listing = new Map();
      for (const e of entries) listing.set(`Entry:${e.sys.id}`, { type: 'Entry', updatedAt: String(e.sys.updatedAt ?? '') });
      for (const a of assets) listing.set(`Asset:${a.sys.id}`, { type: 'Asset', updatedAt: String(a.sys.updatedAt ?? '') });
      const nextToken = `preview:${process.pid}:${Date.now()}:${++counter}`;
      const before = token ? listings.get(token) : undefined;
      listings.clear();
      listings.set(nextToken, listing);
      if (!before) return { full: true, entries, assets, deletedEntries: [], deletedAssets: [], nextToken };
      const changed = (e: ContentEntity, type: 'Entry' | 'Asset') => before.get(`${type}:${e.sys.id}`)?.updatedAt !== String(e.sys.updatedAt ?? '');
      const now = new Date().toISOString();
      const gone = (type: 'Entry' | 'Asset') => [...before].filter(([key, v]) => v.type === type && !listing.has(key))
        .map(([key]) => ({ sys: { id: key.slice(type.length + 1), type: `Deleted${type}`, deletedAt: now } }) as unknown as DeletedEntity);
      return {
        full: false,
        entries: entries.filter((e) => changed(e, 'Entry')), assets: assets.filter((a) => changed(a, 'Asset')),
        deletedEntries: gone('Entry'), deletedAssets: gone('Asset'), nextToken,
      };
    },
    async entryVersion(entryId) {
      try {
        const found = await api.getEntries({ 'sys.id': entryId, limit: 1 });
        const sys = found.items[0]?.sys as unknown as ContentEntity['sys'] | undefined;
        return sys ? changeVersion(sys) : undefined;
      } catch (error) {
        throw new ContentError(`Contentful Preview API read of entry ${entryId} failed: ${(error as Error).message}`, { cause: error, retryable: true });
      }
    },
    async locales(): Promise<LocaleDef[]> {
      try {
        const locales = await client.getLocales();
        return locales.items.map((l) => ({ code: l.code, default: l.default, fallbackCode: l.fallbackCode }));
      } catch (error) {
        throw new ContentError(`Contentful Preview API locales of space ${options.space} failed: ${(error as Error).message}`, { cause: error, retryable: true });
      }
    },
  };
}
