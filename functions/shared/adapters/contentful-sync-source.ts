/**
 * ContentSource on Contentful's Content Delivery API through contentful.js v11 and the Sync API:
 * `withAllLocales.withoutLinkResolution.sync` — initial sync first, then deltas from
 * `nextSyncToken` (deletions included). Link resolution stays off: the site model resolves links
 * itself against the whole snapshot, as a published-only CDA would.
 */
import { createClient, type ContentfulClientApi } from 'contentful';
import { ContentError } from '../errors.js';
import type { ContentDelta, ContentSource } from '../ports.js';
import type { ContentEntity, DeletedEntity, LocaleDef } from '../content/types.js';

export interface ContentfulSyncOptions {
  space: string;
  environment: string;
  accessToken: string;
  /** `cdn.contentful.com` (default) or `cdn.eu.contentful.com`; tests point it at a local server. */
  host?: string;
  /** Use plain HTTP (tests only). */
  insecure?: boolean;
  /** Items per sync page on the initial sync (the reference caps it at 100). */
  limit?: number;
}

export function createContentfulSyncSource(options: ContentfulSyncOptions): ContentSource & { locales(): Promise<LocaleDef[]> } {
  const client: ContentfulClientApi<undefined> = createClient({
    space: options.space,
    environment: options.environment,
    accessToken: options.accessToken,
    ...(options.host ? { host: options.host } : {}),
    ...(options.insecure ? { insecure: true } : {}),
    retryLimit: 5,
  });
  const sync = client.withAllLocales.withoutLinkResolution;
  return {
    async sync(token?: string): Promise<ContentDelta> {
      let result: Awaited<ReturnType<typeof sync.sync>>;
      try {
        result = token
          ? await sync.sync({ nextSyncToken: token })
          : await sync.sync({ initial: true, ...(options.limit ? { limit: options.limit } : {}) });
      } catch (error) {
        throw new ContentError(
          `Contentful sync of space ${options.space}/${options.environment} ${token ? 'from a stored token' : '(initial)'} failed: ${(error as Error).message}`,
          { cause: error, retryable: true },
        );
      }
      if (!result.nextSyncToken) throw new ContentError(`Expected Contentful sync to return a nextSyncToken for space ${options.space}, got none`);
      return {
        full: !token,
        entries: result.entries as unknown as ContentEntity[],
        assets: result.assets as unknown as ContentEntity[],
        deletedEntries: result.deletedEntries as unknown as DeletedEntity[],
        deletedAssets: result.deletedAssets as unknown as DeletedEntity[],
        nextToken: result.nextSyncToken,
      };
    },
    async locales() {
      try {
        const locales = await client.getLocales();
        return locales.items.map((l) => ({ code: l.code, default: l.default, fallbackCode: l.fallbackCode }));
      } catch (error) {
        throw new ContentError(`Reading locales of Contentful space ${options.space} failed: ${(error as Error).message}`, { cause: error, retryable: true });
      }
    },
  };
}
