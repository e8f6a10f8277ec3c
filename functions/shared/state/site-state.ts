/**
 * Site state: what the last successful run built from, kept in the bucket next to the manifest
 * (partitioned, see state-store.ts) so the next run — another process or Lambda — starts from it:
 * the content snapshot and sync token, the catalog, the versions applied per record, and the page
 * index (for every URL: its key, a hash of its data, and what it read — the dependency index).
 */
import { createHash } from 'node:crypto';
import type { ObjectStore, RootPointers } from '../ports.js';
import type { PageSpec, SiteOutline } from '../build/site-model.js';
import { STATE_ROOT_KEY, StateStore } from './state-store.js';
import type { PageIndexEntry, SiteState } from './types.js';

/** The state's commit point: written last by every run that changed the site. */
export const STATE_KEY = STATE_ROOT_KEY;

export type { PageIndexEntry, SiteState } from './types.js';

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
export function readState(store: ObjectStore, roots?: RootPointers): Promise<SiteState | undefined> {
  return new StateStore(store, roots).read();
}

/** Writes the whole state (tests, tools); runs keep a StateStore and write only what they changed. */
export async function writeState(store: ObjectStore, state: SiteState, roots?: RootPointers): Promise<void> {
  const states = new StateStore(store, roots);
  await states.read();
  await states.write(state);
}

/** The state's `renamed` field from a site outline: absent when no product lost its slug. */
export function renamedOf(site: Pick<SiteOutline, 'renamed'>): Pick<SiteState, 'renamed'> {
  const renamed = site.renamed();
  return Object.keys(renamed).length ? { renamed } : {};
}
