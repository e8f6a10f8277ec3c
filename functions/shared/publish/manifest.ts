/**
 * The manifest: every live object key → content hash, type and cache policy. It lives in the bucket
 * (`_restatic/manifest/`: hash shards of the entries and a root written last, see
 * state/sharded.ts), so the next run — another process, another Lambda — knows what is live
 * without a per-object HEAD or a full-bucket LIST, and a targeted run rewrites only the shards of
 * the keys it published.
 */
import { ObjectStoreError } from '../errors.js';
import type { ObjectStore, RootPointers } from '../ports.js';
import { ShardedDocument, gunzipJson, shardOf, type CompactionResult, type ShardCodec, type ShardIo } from '../state/sharded.js';

const PREFIX = '_restatic/manifest/';
/** The manifest's commit point. */
export const MANIFEST_KEY = `${PREFIX}root.json.gz`;
/** The single-object manifest of format 1, migrated on the first write. */
export const LEGACY_MANIFEST_KEY = '_restatic/manifest.json.gz';

export interface ManifestEntry {
  /** sha256 of the bytes, hex. */
  hash: string;
  contentType: string;
  cacheControl: string;
  size: number;
  /** For assets no longer produced: when they stopped being produced (ISO). Deleted after a grace period. */
  retiredAt?: string;
}

export interface Manifest {
  format: 1;
  /** Increments on every successful publish. */
  generation: number;
  publishedAt: string;
  entries: Record<string, ManifestEntry>;
}

export const emptyManifest = (): Manifest => ({ format: 1, generation: 0, publishedAt: new Date(0).toISOString(), entries: {} });

interface ManifestMeta {
  generation: number;
  publishedAt: string;
}

const ENTRIES: ShardCodec<Manifest> = {
  count: (m) => Object.keys(m.entries).length,
  records: (m) => Object.entries(m.entries),
  lookup: (m) => (key) => (Object.hasOwn(m.entries, key) ? m.entries[key] : undefined),
  serialize: (records) => JSON.stringify(Object.fromEntries(records)),
  entries: (shard) => Object.entries(shard as Record<string, ManifestEntry>),
  // Entries are small (~150 bytes) and every publish that is not targeted reads them all: a quarter
  // of the GETs a shard of 400 would cost, at about 240 KB a shard.
  recordsPerShard: 1600,
};

/**
 * The live manifest for one process: read once, then revalidated by the root's ETag on each read
 * (a warm worker does not re-read and re-parse a manifest of every object per change), and
 * written shard by shard.
 */
export class ManifestStore {
  readonly #document: ShardedDocument<Manifest, ManifestMeta>;
  #cached: { etag: string | undefined; manifest: Manifest } | undefined;
  #legacy = false;

  /** `roots`: where the manifest's root is committed compare-and-swap (see state/sharded.ts); without, at a fixed key. */
  constructor(private readonly store: ObjectStore, roots?: RootPointers) {
    this.#document = new ShardedDocument<Manifest, ManifestMeta>(store, PREFIX, { entries: ENTRIES },
      (meta, records) => ({ format: 1, generation: meta.generation, publishedAt: meta.publishedAt, entries: Object.fromEntries(records.entries!) as Record<string, ManifestEntry> }),
      (m) => ({ generation: m.generation, publishedAt: m.publishedAt }), roots ? { table: roots, document: 'manifest' } : undefined);
  }

  /** Manifest bytes and objects this store read and wrote. */
  get io(): Readonly<ShardIo> {
    return this.#document.io;
  }

  /** The live manifest; an absent one is an empty site. A corrupt one is an error (never guess). */
  async read(): Promise<Manifest> {
    // A compaction since holds the same entries: the cached manifest stays.
    if (this.#cached && !this.#legacy && (await this.#document.refresh()) !== 'stale') {
      this.#cached.etag = this.#document.etag;
      return this.#cached.manifest;
    }
    const manifest = await this.#document.read();
    this.#legacy = false;
    if (manifest) {
      this.#cached = { etag: this.#document.etag, manifest };
      return manifest;
    }
    this.#cached = undefined;
    const object = await this.store.get(LEGACY_MANIFEST_KEY);
    if (!object) return emptyManifest();
    const legacy = gunzipJson<Manifest>(LEGACY_MANIFEST_KEY, object.body);
    if (legacy.format !== 1 || typeof legacy.entries !== 'object') throw new ObjectStoreError(`Expected ${LEGACY_MANIFEST_KEY} to be a Restatic manifest (format 1), got format ${String(legacy.format)}`);
    this.#legacy = true;
    return legacy;
  }

  /**
   * The live entries of `keys` only (absent keys are not live), reading the shards that hold them:
   * what a fan-out shard compares its outputs with.
   */
  async entriesFor(keys: Iterable<string>): Promise<Record<string, ManifestEntry>> {
    const found = await this.#document.lookup('entries', keys);
    if (found) return Object.fromEntries(found) as Record<string, ManifestEntry>;
    // No root yet: an empty site, or the single-object manifest of format 1.
    const wanted = new Set(keys);
    const { entries } = await this.read();
    return Object.fromEntries(Object.entries(entries).filter(([key]) => wanted.has(key)));
  }

  /**
   * How many hash shards hold the live entries (0 when there is no manifest yet, or only the
   * single-object one), read from the root alone: a fan-out build groups its pages by them.
   */
  entryShards(): Promise<number> {
    return this.#document.shardCount('entries');
  }

  /**
   * Commits `manifest` (never mutated afterwards by the caller). With `changed` (keys relative to
   * the manifest this store last read or wrote), only their shards are rewritten.
   */
  async write(manifest: Manifest, changed?: Iterable<string>, previous?: (key: string) => ManifestEntry | undefined): Promise<void> {
    await this.#document.write(manifest, changed ? { entries: changed } : {}, {
      ...(this.#legacy ? { extraDeletes: [LEGACY_MANIFEST_KEY] } : {}), ...(previous ? { previous: { entries: previous } } : {}),
    });
    this.#legacy = false;
    this.#cached = { etag: this.#document.etag, manifest };
  }

  /**
   * Commits `base` (the manifest this store last read or wrote) with `changes` applied (undefined:
   * the key is gone), applying them to `base` itself: a targeted publish changes a few keys of a
   * manifest of every object, and copying it per change costs what the store costs. If the commit
   * fails, `base` is restored as it was. Returns `base`, now the live manifest.
   */
  async writeChanges(base: Manifest, meta: ManifestMeta, changes: ReadonlyMap<string, ManifestEntry | undefined>): Promise<Manifest> {
    const undo = new Map<string, ManifestEntry | undefined>();
    const before = { generation: base.generation, publishedAt: base.publishedAt };
    for (const [key, entry] of changes) {
      if (!undo.has(key)) undo.set(key, Object.hasOwn(base.entries, key) ? base.entries[key] : undefined);
      if (entry) base.entries[key] = entry;
      else delete base.entries[key];
    }
    Object.assign(base, meta);
    try {
      // `undo` holds what the changed keys were: their shards need not be read (after a compaction, none are held).
      await this.write(base, changes.keys(), (key) => undo.get(key));
    } catch (error) {
      for (const [key, entry] of undo) {
        if (entry) base.entries[key] = entry;
        else delete base.entries[key];
      }
      Object.assign(base, before);
      throw error;
    }
    return base;
  }

  /** Whether the manifest's segments are due a compaction (see state/sharded.ts). */
  get compactionDue(): boolean {
    return this.#document.compactionDue;
  }

  /** Folds the manifest's segments into its shards, off the change path (see state/sharded.ts). */
  compact(options?: { force?: boolean }): Promise<CompactionResult> {
    return this.#document.compact(options);
  }

  /** Deletes manifest objects no root names. For full builds, never on the change path. */
  sweep(): Promise<number> {
    return this.#document.sweep();
  }
}

/**
 * `items` in the order of the manifest shard (of `count`) their keys fall in, stably: cut into runs
 * of consecutive items, each run's keys fall in a few shards, so a fan-out shard comparing its
 * pages with the manifest reads a few of its shards instead of nearly all of them.
 */
export function byManifestShard<T extends { key: string }>(items: readonly T[], count: number): T[] {
  if (count <= 1) return [...items];
  return items.map((item, i) => ({ item, i, shard: shardOf(item.key, count) })).sort((a, b) => a.shard - b.shard || a.i - b.i).map(({ item }) => item);
}

/** Reads the live manifest (one-off; a process publishing repeatedly keeps a ManifestStore). */
export function readManifest(store: ObjectStore, roots?: RootPointers): Promise<Manifest> {
  return new ManifestStore(store, roots).read();
}

/** Writes the whole manifest (one-off: tools, tests). */
export async function writeManifest(store: ObjectStore, manifest: Manifest, roots?: RootPointers): Promise<void> {
  const manifests = new ManifestStore(store, roots);
  await manifests.read();
  await manifests.write(manifest);
}
