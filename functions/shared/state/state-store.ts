/**
 * The site state, partitioned so that a run reads and writes what it touches, not the store.
 *
 * The catalog copy, the page index and the applied versions are each split into hash shards
 * (`_restatic/state/{kind}/{index}-{hash}.json.gz`, a power-of-two count sized to the store);
 * shards are content-addressed, so they are written once and never change. The root
 * (`_restatic/state/root.json.gz`: the content snapshot, the sync token, the shell and the names of
 * the current shards) is written last and is the commit: a crash before it leaves the previous
 * state whole. A targeted run rewrites only the shards holding the records and pages it changed;
 * a warm worker re-reads only the shards whose names moved. Shards a commit drops are deleted by
 * the next commit, so a reader holding the previous root can still finish.
 *
 * The single-object state of earlier versions (`_restatic/state.json.gz`) is read when there is
 * no root, and replaced by the first write.
 */
import type { ProductSlugs } from '../markets/markets.js';
import type { Product } from '../catalog/product.js';
import type { ContentEntity, LocaleDef } from '../content/types.js';
import { ObjectStoreError } from '../errors.js';
import type { ObjectStore, RootPointers } from '../ports.js';
import { ShardedDocument, gunzipJson, type CompactionResult, type ShardCodec, type ShardIo } from './sharded.js';
import type { PageIndexEntry, SiteState } from './types.js';

const PREFIX = '_restatic/state/';
export const STATE_ROOT_KEY = `${PREFIX}root.json.gz`;
/** The single-object state of format 1, migrated on the first write. */
export const LEGACY_STATE_KEY = '_restatic/state.json.gz';

/** What the root carries besides the shard names: the small, whole-site part of the state. */
interface StateMeta {
  generation: number;
  contentToken: string;
  locales: LocaleDef[];
  entries: ContentEntity[];
  assets: ContentEntity[];
  shell?: string;
  renamed?: ProductSlugs;
  manifestGeneration?: number;
}

/** What a run changed, by key: only the shards holding these are rewritten. Absent kinds are rewritten whole. */
export interface StateChanges {
  products?: Iterable<string>;
  pages?: Iterable<string>;
  versions?: Iterable<string>;
}

/** What the changed keys of a targeted write held before it (undefined: absent), per kind. */
export interface StatePrevious {
  products: (sku: string) => Product | undefined;
  pages: (url: string) => PageIndexEntry | undefined;
  versions: (key: string) => string | undefined;
}

/** State bytes a store instance read and wrote (the bench reports them per change). */
export type StateIo = ShardIo;

/** A record map of the state (page index, versions) as one kind of shard. */
function recordCodec(pick: (s: SiteState) => Record<string, unknown>): ShardCodec<SiteState> {
  return {
    count: (s) => Object.keys(pick(s)).length,
    records: (s) => Object.entries(pick(s)),
    lookup: (s) => { const map = pick(s); return (key) => (Object.hasOwn(map, key) ? map[key] : undefined); },
    serialize: (records) => JSON.stringify(Object.fromEntries(records)),
    entries: (shard) => Object.entries(shard as Record<string, unknown>),
  };
}

const CODECS: Record<'products' | 'pages' | 'versions', ShardCodec<SiteState>> = {
  products: {
    count: (s) => s.products.length,
    records: (s) => s.products.map((p) => [p.sku, p] as [string, unknown]),
    lookup: (s) => { let bySku: Map<string, Product> | undefined; return (sku) => (bySku ??= new Map(s.products.map((p) => [p.sku, p]))).get(sku); },
    serialize: (records) => JSON.stringify(records.map(([, p]) => p)),
    entries: (shard) => (shard as Product[]).map((p) => [p.sku, p] as [string, unknown]),
  },
  pages: recordCodec((s) => s.pages),
  versions: recordCodec((s) => s.versions),
};

function assemble(meta: StateMeta, records: Record<string, Iterable<[string, unknown]>>): SiteState {
  const products = [...records.products!].map(([, p]) => p as Product).sort((a, b) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0));
  return {
    format: 1, generation: meta.generation, contentToken: meta.contentToken, locales: meta.locales, entries: meta.entries, assets: meta.assets,
    products,
    versions: Object.fromEntries(records.versions!) as Record<string, string>,
    pages: Object.fromEntries(records.pages!) as Record<string, PageIndexEntry>,
    ...(meta.shell !== undefined ? { shell: meta.shell } : {}),
    ...(meta.renamed && Object.keys(meta.renamed).length ? { renamed: meta.renamed } : {}),
    ...(meta.manifestGeneration !== undefined ? { manifestGeneration: meta.manifestGeneration } : {}),
  };
}

const metaOf = (s: SiteState): StateMeta => ({
  generation: s.generation, contentToken: s.contentToken, locales: s.locales, entries: s.entries, assets: s.assets, ...(s.shell !== undefined ? { shell: s.shell } : {}),
  ...(s.renamed && Object.keys(s.renamed).length ? { renamed: s.renamed } : {}),
  ...(s.manifestGeneration !== undefined ? { manifestGeneration: s.manifestGeneration } : {}),
});

/** The same state, whatever the generation counter says (a run that changed nothing writes nothing). */
const sameMeta = (a: StateMeta, b: StateMeta) => JSON.stringify({ ...a, generation: 0 }) === JSON.stringify({ ...b, generation: 0 });

export class StateStore {
  readonly #document: ShardedDocument<SiteState, StateMeta>;
  #legacy = false;

  /** `roots`: where the state's root is committed compare-and-swap (see sharded.ts); without, at a fixed key. */
  constructor(private readonly store: ObjectStore, roots?: RootPointers) {
    this.#document = new ShardedDocument(store, PREFIX, CODECS, (meta, records) => assemble(meta, records), metaOf, roots ? { table: roots, document: 'state' } : undefined);
  }

  get io(): Readonly<StateIo> {
    return this.#document.io;
  }

  /**
   * Whether the state this store last read or wrote is still live (`current`), or was compacted
   * since into the same records (`rebased`: what the caller holds stays valid); `stale` when it
   * must be read again.
   */
  refresh(): Promise<'current' | 'rebased' | 'stale'> {
    return this.#legacy ? Promise.resolve('stale') : this.#document.refresh();
  }

  /** Whether the state's segments are due a compaction (see `compact`). */
  get compactionDue(): boolean {
    return this.#document.compactionDue;
  }

  /** Folds the state's segments into its shards, off the change path (see sharded.ts). */
  compact(options?: { force?: boolean }): Promise<CompactionResult> {
    return this.#document.compact(options);
  }

  /** The root's ETag, or undefined when there is no partitioned state yet (cheap freshness check). */
  version(): Promise<string | undefined> {
    return this.#document.version();
  }

  /** The etag of the root this store last read or wrote (a warm worker's cache key). */
  get etag(): string | undefined {
    return this.#document.etag;
  }

  /** The live state; `undefined` when no run has written one yet (a full build must come first). */
  read(): Promise<SiteState | undefined> {
    return this.#read();
  }

  /**
   * The live state without its catalog copy (the page index, versions and the root's content):
   * what a full build needs of the state it replaces. Reads a fraction of the state at 100,000
   * products and lets a write follow, as `read` does.
   */
  async readIndex(): Promise<Omit<SiteState, 'products'> | undefined> {
    const state = await this.#read(['pages', 'versions']);
    if (!state) return undefined;
    const { products: _products, ...index } = state;
    return index;
  }

  /** The partitioned state (only `kinds` of its records, when given), else the single-object state of format 1. */
  async #read(kinds?: readonly string[]): Promise<SiteState | undefined> {
    const state = await this.#document.read(kinds);
    this.#legacy = false;
    if (state) return state;
    const object = await this.store.get(LEGACY_STATE_KEY);
    if (!object) return undefined;
    this.#document.io.bytesRead += object.body.length;
    const legacy = gunzipJson<SiteState>(LEGACY_STATE_KEY, object.body);
    if (legacy.format !== 1) throw new ObjectStoreError(`Expected ${LEGACY_STATE_KEY} to be Restatic state format 1, got format ${String(legacy.format)}`);
    this.#legacy = true;
    return legacy;
  }

  /**
   * Commits `state`. With `changes` (relative to the state this store last read or wrote), only the
   * shards holding those keys are rewritten; without, every shard is. Writes nothing when the
   * result equals the live state. `catalog` (the state's products by sku, when the caller keeps
   * them so) spares a pass over the catalog to find the changed ones; `previous` (what the changed
   * keys held before, when the caller kept it) spares reading their shards. Returns whether it wrote.
   */
  async write(state: SiteState, changes?: StateChanges, catalog?: ReadonlyMap<string, Product>, previous?: StatePrevious): Promise<boolean> {
    const wrote = await this.#document.write(state, changes ? { products: changes.products, pages: changes.pages, versions: changes.versions } : {}, {
      same: sameMeta, ...(this.#legacy ? { extraDeletes: [LEGACY_STATE_KEY] } : {}), ...(catalog ? { lookups: { products: (sku: string) => catalog.get(sku) } } : {}),
      ...(previous ? { previous: { products: previous.products, pages: previous.pages, versions: previous.versions } } : {}),
    });
    if (wrote) this.#legacy = false;
    return wrote;
  }

  /**
   * The product URLs that are not the product's own slug, by market (read from the root alone:
   * what the feeds need of the state). Empty when there are none or no partitioned state yet (the
   * single-object state of earlier versions predates the field).
   */
  async renamed(): Promise<ProductSlugs> {
    return (await this.#document.meta())?.renamed ?? {};
  }

  /** Deletes state objects no root names. For full builds, never on the change path. */
  sweep(): Promise<number> {
    return this.#document.sweep();
  }
}
