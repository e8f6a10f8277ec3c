/**
 * Site state: what the last successful run built from, kept in the bucket next to the manifest
 * (`_restatic/state.json.gz`) so the next run — another process or Lambda — starts from it:
 * the content snapshot and sync token, the catalog, the versions applied per record, and the page
 * index (for every URL: its key, a hash of its data, and what it read — the dependency index).
 */
import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Product } from '../catalog/product.js';
import type { ContentEntity, LocaleDef } from '../content/types.js';
import { ObjectStoreError } from '../errors.js';
import type { ObjectStore } from '../ports.js';
import type { PageLayout, PageSpec } from '../build/site-model.js';

export const STATE_KEY = '_restatic/state.json.gz';

export interface PageIndexEntry {
  key: string;
  layout: PageLayout;
  /** Hash of what the page renders from (layout, title, data): equal hash, equal page. */
  dataHash: string;
  /** What the page read: `entry:<id>`, `asset:<id>`, `sku:<sku>`, `listing:<category>`, `urlset…`, `settings`. */
  deps: string[];
  primary?: string;
  /** The next instant (epoch ms) at which the page changes with time alone: a run at or after it rebuilds the page. */
  validUntil?: number;
}

export interface SiteState {
  format: 1;
  /** Increments with every run that changed the site. */
  generation: number;
  contentToken: string;
  locales: LocaleDef[];
  entries: ContentEntity[];
  assets: ContentEntity[];
  products: Product[];
  /** Latest version applied per record: `entry:<id>` → revision, `sku:<sku>` → stream sequence number. */
  versions: Record<string, string>;
  pages: Record<string, PageIndexEntry>;
  /** Hash of the site shell (name, navigation, footer) the pages were rendered in. */
  shell?: string;
}

/** Hash of a page spec's rendered inputs. */
export function pageDataHash(spec: Pick<PageSpec, 'layout' | 'title' | 'data' | 'shell'>): string {
  return createHash('sha256').update(JSON.stringify([spec.layout, spec.title, spec.data, spec.shell ?? ''])).digest('hex').slice(0, 20);
}

export function indexEntry(spec: PageSpec, primary?: string): PageIndexEntry {
  return {
    key: spec.key, layout: spec.layout, dataHash: pageDataHash(spec), deps: spec.deps,
    ...(primary ? { primary } : {}), ...(spec.validUntil !== undefined ? { validUntil: spec.validUntil } : {}),
  };
}

/** Who owns each live URL (URL → `sku:<sku>` / `entry:<id>`): slug collisions keep the live owner. */
export function urlOwners(state: Pick<SiteState, 'pages'> | undefined): Map<string, string> {
  const owners = new Map<string, string>();
  if (state) for (const [url, entry] of Object.entries(state.pages)) if (entry.primary) owners.set(url, entry.primary);
  return owners;
}

/**
 * The instants (epoch ms, ascending, after `now`) at which some page changes with time alone, at
 * most `limit` of them: what the pipeline schedules a run for.
 */
export function pendingInstants(state: Pick<SiteState, 'pages'>, now: Date, limit = 50): number[] {
  const instants = new Set<number>();
  for (const entry of Object.values(state.pages)) if (entry.validUntil !== undefined && entry.validUntil > now.getTime()) instants.add(entry.validUntil);
  return [...instants].sort((a, b) => a - b).slice(0, limit);
}

/** Reads the state; `undefined` when no run has written one yet (a full build must come first). */
export async function readState(store: ObjectStore): Promise<SiteState | undefined> {
  const object = await store.get(STATE_KEY);
  if (!object) return undefined;
  try {
    const state = JSON.parse(gunzipSync(object.body).toString('utf8')) as SiteState;
    if (state.format !== 1) throw new Error(`unknown format ${String(state.format)}`);
    return state;
  } catch (error) {
    throw new ObjectStoreError(`Expected ${STATE_KEY} to be gzipped Restatic site state (format 1): ${(error as Error).message}`, { cause: error });
  }
}

export async function writeState(store: ObjectStore, state: SiteState): Promise<void> {
  await store.put(STATE_KEY, gzipSync(JSON.stringify(state)), { contentType: 'application/gzip', cacheControl: 'no-store' });
}
