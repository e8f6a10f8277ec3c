/**
 * The search refresh: the live site's searchable pages, as the live state records them (its
 * content, catalog and URL owners), become a Pagefind bundle under `/pagefind/`. Off the critical
 * path: it runs after the site changed (coalesced: locally at most once per interval, in AWS on a
 * one-minute schedule) and costs one small read when nothing changed since the last refresh.
 * Only files whose bytes changed are uploaded, the entry file last; files the new bundle no
 * longer has are deleted one refresh later, so a visitor mid-search on the previous bundle still
 * finds its files.
 */
import PQueue from 'p-queue';
import { outlineSite, type SiteConfig } from '../shared/build/site-model.js';
import { ContentSnapshot } from '../shared/content/snapshot.js';
import { sha256 } from '../shared/hash.js';
import type { Cdn, Logger, ObjectStore, SearchIndexer } from '../shared/ports.js';
import { IMMUTABLE_CACHE, SHORT_CACHE } from '../shared/publish/headers.js';
import { planInvalidation } from '../shared/publish/invalidation.js';
import { urlOwners, type SiteState } from '../shared/state/site-state.js';
import { searchable, searchRecord } from './records.js';

/** Where the bundle lives in the bucket (and at the edge: `/pagefind/pagefind.js`). */
export const SEARCH_PREFIX = 'pagefind/';
/** What the last refresh published: the state it indexed and every file's hash. */
export const SEARCH_MANIFEST_KEY = '_restatic/search/manifest.json';
/** Pagefind's entry point: which index each language has now. Uploaded after everything it names. */
const ENTRY = 'pagefind-entry.json';

interface SearchManifest {
  /** The state root's version the bundle was made from. */
  stateVersion?: string;
  /** Hash of the records indexed: a state change that no record shows (a price) re-indexes nothing. */
  recordsHash?: string;
  generation?: number;
  files: Record<string, string>;
  /** Files the last bundle no longer had: deleted by this refresh. */
  retired: string[];
}

export interface SearchJobDeps {
  states: { version(): Promise<string | undefined>; read(): Promise<SiteState | undefined> };
  store: ObjectStore;
  cdn: Cdn;
  logger: Logger;
  indexer: SearchIndexer;
}

export interface SearchJobOptions {
  site: Omit<SiteConfig, 'now' | 'owners'>;
  now: Date;
  /** Refresh even when the state did not change since the last refresh. */
  force?: boolean;
}

export interface SearchJobResult {
  /** Why nothing was published (`unchanged`: the bundle already shows the live state's pages; `no site`: nothing is live yet). */
  skipped?: 'unchanged' | 'no site';
  records: number;
  files: number;
  uploaded: number;
  deleted: number;
  invalidated: string[];
  ms: number;
}

/** Pagefind names its index files by content hash (`en_1a2b3c4.pf_fragment`): new names, never cached before. */
const hashedFile = (path: string) => /_[0-9a-f]{6,}\.pf_[a-z]+$/.test(path);
const CONTENT_TYPES: Array<[RegExp, string]> = [[/\.js$/, 'text/javascript; charset=utf-8'], [/\.css$/, 'text/css; charset=utf-8'], [/\.json$/, 'application/json; charset=utf-8']];
const contentTypeOf = (path: string) => CONTENT_TYPES.find(([pattern]) => pattern.test(path))?.[1] ?? 'application/octet-stream';

async function readManifest(store: ObjectStore): Promise<SearchManifest> {
  const object = await store.get(SEARCH_MANIFEST_KEY);
  if (!object) return { files: {}, retired: [] };
  try {
    return JSON.parse(object.body.toString('utf8')) as SearchManifest;
  } catch {
    // A manifest that cannot be read costs one full upload, never a broken search.
    return { files: {}, retired: [] };
  }
}

export async function refreshSearch(deps: SearchJobDeps, options: SearchJobOptions): Promise<SearchJobResult> {
  const t0 = performance.now();
  const none = { records: 0, files: 0, uploaded: 0, deleted: 0, invalidated: [] };
  const [manifest, version] = await Promise.all([readManifest(deps.store), deps.states.version()]);
  if (!options.force && version !== undefined && manifest.stateVersion === version) return { skipped: 'unchanged', ...none, ms: performance.now() - t0 };
  const state = await deps.states.read();
  if (!state) return { skipped: 'no site', ...none, ms: performance.now() - t0 };

  // The site as the state records it: the same pages, at the same URLs, as the live site.
  const snapshot = new ContentSnapshot(state.locales);
  snapshot.apply({ full: true, entries: state.entries, assets: state.assets, deletedEntries: [], deletedAssets: [], nextToken: state.contentToken });
  const site = outlineSite(snapshot, state.products, { ...options.site, now: options.now, owners: urlOwners(state) });
  const language = new Map(options.site.markets.map((m) => [m.id, m.locale.slice(0, 2).toLowerCase()]));
  const records = site.pagesFor(searchable).flatMap((page) => searchRecord(page, language.get(page.market) ?? 'en') ?? []);
  const recordsHash = sha256(JSON.stringify(records));
  if (!options.force && manifest.recordsHash === recordsHash) {
    await deps.store.put(SEARCH_MANIFEST_KEY, JSON.stringify({ ...manifest, ...(version !== undefined ? { stateVersion: version } : {}), generation: state.generation }), { contentType: 'application/json', cacheControl: 'no-store' });
    return { skipped: 'unchanged', ...none, records: records.length, ms: performance.now() - t0 };
  }
  const files = await deps.indexer.index(records);

  // Changed files first (the entry file last: it names the others), then the manifest.
  const hashes: Record<string, string> = {};
  const changed: string[] = [];
  for (const file of files) {
    hashes[file.path] = sha256(Buffer.from(file.bytes));
    if (manifest.files[file.path] !== hashes[file.path]) changed.push(file.path);
  }
  const bytes = new Map(files.map((f) => [f.path, f.bytes]));
  const upload = (path: string) => deps.store.put(`${SEARCH_PREFIX}${path}`, Buffer.from(bytes.get(path)!), {
    contentType: contentTypeOf(path), cacheControl: hashedFile(path) ? IMMUTABLE_CACHE : SHORT_CACHE,
  });
  const queue = new PQueue({ concurrency: 16 });
  await queue.addAll(changed.filter((p) => p !== ENTRY).map((path) => () => upload(path)));
  if (changed.includes(ENTRY)) await upload(ENTRY);
  const gone = manifest.retired.filter((path) => hashes[path] === undefined);
  if (gone.length) await deps.store.deleteMany(gone.map((path) => `${SEARCH_PREFIX}${path}`));
  const retired = Object.keys(manifest.files).filter((path) => hashes[path] === undefined);
  const next: SearchManifest = { ...(version !== undefined ? { stateVersion: version } : {}), recordsHash, generation: state.generation, files: hashes, retired };
  await deps.store.put(SEARCH_MANIFEST_KEY, JSON.stringify(next), { contentType: 'application/json', cacheControl: 'no-store' });

  // Hashed files are new names; the others (entry, scripts, wasm) may be cached at the edge.
  const stale = changed.filter((path) => !hashedFile(path)).map((path) => `${SEARCH_PREFIX}${path}`);
  const plan = planInvalidation(stale, `search\n${version ?? state.generation}`);
  if (plan) await deps.cdn.invalidate(plan.paths, plan.callerReference);
  const result = { records: records.length, files: files.length, uploaded: changed.length, deleted: gone.length, invalidated: plan?.paths ?? [], ms: performance.now() - t0 };
  deps.logger.info('search index published', { ...result, invalidated: result.invalidated.length, generation: state.generation });
  return result;
}
