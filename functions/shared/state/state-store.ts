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
import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import PQueue from 'p-queue';
import type { Product } from '../catalog/product.js';
import type { ContentEntity, LocaleDef } from '../content/types.js';
import { ObjectStoreError } from '../errors.js';
import type { ObjectStore } from '../ports.js';
import type { PageIndexEntry, SiteState } from './types.js';

export const STATE_ROOT_KEY = '_restatic/state/root.json.gz';
/** The single-object state of format 1, migrated on the first write. */
export const LEGACY_STATE_KEY = '_restatic/state.json.gz';
const SHARD_PREFIX = '_restatic/state/';
/** Records a shard aims at: small enough that a change rewrites little, few enough objects that a full write stays cheap. */
const SHARD_TARGET = 400;
const MAX_SHARDS = 4096;

type Kind = 'products' | 'pages' | 'versions';
const KINDS: readonly Kind[] = ['products', 'pages', 'versions'];

interface Root {
  format: 2;
  generation: number;
  contentToken: string;
  locales: LocaleDef[];
  entries: ContentEntity[];
  assets: ContentEntity[];
  shell?: string;
  /** Object names of the shards, by kind and index (the count is a power of two). */
  shards: Record<Kind, string[]>;
  /** Shards the previous commit dropped: the next commit deletes them. */
  retired: string[];
}

/** What a run changed, by key: only the shards holding these are rewritten. Absent kinds are rewritten whole. */
export interface StateChanges {
  products?: Iterable<string>;
  pages?: Iterable<string>;
  versions?: Iterable<string>;
}

/** State bytes a store instance read and wrote (the bench reports them per change). */
export interface StateIo {
  bytesRead: number;
  bytesWritten: number;
  objectsWritten: number;
}

/** FNV-1a, 32 bits: a cheap, stable hash to pick a key's shard. */
function shardOf(key: string, count: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return (h >>> 0) & (count - 1);
}

function shardCount(records: number): number {
  let n = 1;
  while (n < MAX_SHARDS && records / n > SHARD_TARGET) n *= 2;
  return n;
}

const keyOf: Record<Kind, (record: unknown) => string> = {
  products: (p) => (p as Product).sku,
  pages: (e) => (e as [string, PageIndexEntry])[0],
  versions: (e) => (e as [string, string])[0],
};

function recordCount(state: SiteState, kind: Kind): number {
  return kind === 'products' ? state.products.length : Object.keys(kind === 'pages' ? state.pages : state.versions).length;
}

function records(state: SiteState, kind: Kind): unknown[] {
  if (kind === 'products') return state.products;
  return Object.entries(kind === 'pages' ? state.pages : state.versions);
}

/** The keys a parsed shard holds. */
function shardKeys(kind: Kind, shard: unknown): string[] {
  if (shard === undefined) return [];
  return kind === 'products' ? (shard as Product[]).map((p) => p.sku) : Object.keys(shard as Record<string, unknown>);
}

/** Finds a record of `state` by key, in the form the shard stores it (undefined when gone). */
function recordLookup(state: SiteState, kind: Kind): (key: string) => unknown {
  if (kind === 'products') {
    let bySku: Map<string, Product> | undefined;
    return (sku) => (bySku ??= new Map(state.products.map((p) => [p.sku, p]))).get(sku);
  }
  const map = kind === 'pages' ? state.pages : state.versions;
  return (key) => (Object.hasOwn(map, key) ? [key, map[key]] : undefined);
}

/** A shard's bytes, deterministic for the same records. */
function serialize(kind: Kind, members: unknown[]): string {
  if (kind === 'products') return JSON.stringify((members as Product[]).slice().sort((a, b) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0)));
  const sorted = (members as Array<[string, unknown]>).slice().sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return JSON.stringify(Object.fromEntries(sorted));
}

function gunzipJson<T>(key: string, body: Buffer): T {
  try {
    return JSON.parse(gunzipSync(body).toString('utf8')) as T;
  } catch (error) {
    throw new ObjectStoreError(`Expected ${key} to be gzipped Restatic state: ${(error as Error).message}`, { cause: error });
  }
}

export class StateStore {
  /** Parsed shards by object name (content-addressed: valid for as long as they are kept). */
  readonly #shards = new Map<string, unknown>();
  #root: { etag: string; root: Root | undefined; legacy: boolean } | undefined;
  readonly io: StateIo = { bytesRead: 0, bytesWritten: 0, objectsWritten: 0 };

  constructor(private readonly store: ObjectStore) {}

  /** The root's ETag, or undefined when there is no partitioned state yet (cheap freshness check). */
  version(): Promise<string | undefined> {
    return this.store.head(STATE_ROOT_KEY);
  }

  /** The live state; `undefined` when no run has written one yet (a full build must come first). */
  async read(): Promise<SiteState | undefined> {
    const object = await this.store.get(STATE_ROOT_KEY);
    if (!object) return this.#readLegacy();
    this.io.bytesRead += object.body.length;
    const root = gunzipJson<Root>(STATE_ROOT_KEY, object.body);
    if (root.format !== 2) throw new ObjectStoreError(`Expected ${STATE_ROOT_KEY} to be Restatic state format 2, got format ${String(root.format)}`);
    this.#root = { etag: object.etag, root, legacy: false };
    const queue = new PQueue({ concurrency: 16 });
    const wanted = KINDS.flatMap((kind) => root.shards[kind]).filter((name) => !this.#shards.has(name));
    await Promise.all(wanted.map((name) => queue.add(async () => {
      const shard = await this.store.get(name);
      if (!shard) throw new ObjectStoreError(`Expected state shard ${name} (named by ${STATE_ROOT_KEY}) to exist, got none`, { retryable: true });
      this.io.bytesRead += shard.body.length;
      this.#shards.set(name, gunzipJson(name, shard.body));
    })));
    // Keep only what the current root names: memory follows the live state.
    const live = new Set(KINDS.flatMap((kind) => root.shards[kind]));
    for (const name of this.#shards.keys()) if (!live.has(name)) this.#shards.delete(name);
    return this.#assemble(root);
  }

  #assemble(root: Root): SiteState {
    const products: Product[] = [];
    for (const name of root.shards.products) products.push(...(this.#shards.get(name) as Product[]));
    products.sort((a, b) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0));
    const pages: Record<string, PageIndexEntry> = {};
    for (const name of root.shards.pages) Object.assign(pages, this.#shards.get(name));
    const versions: Record<string, string> = {};
    for (const name of root.shards.versions) Object.assign(versions, this.#shards.get(name));
    return {
      format: 1, generation: root.generation, contentToken: root.contentToken, locales: root.locales, entries: root.entries, assets: root.assets,
      products, versions, pages, ...(root.shell !== undefined ? { shell: root.shell } : {}),
    };
  }

  async #readLegacy(): Promise<SiteState | undefined> {
    const object = await this.store.get(LEGACY_STATE_KEY);
    if (!object) {
      this.#root = undefined;
      return undefined;
    }
    this.io.bytesRead += object.body.length;
    const state = gunzipJson<SiteState>(LEGACY_STATE_KEY, object.body);
    if (state.format !== 1) throw new ObjectStoreError(`Expected ${LEGACY_STATE_KEY} to be Restatic state format 1, got format ${String(state.format)}`);
    this.#root = { etag: '', root: undefined, legacy: true };
    return state;
  }

  /**
   * Commits `state`. With `changes` (relative to the state this store last read or wrote), only the
   * shards holding those keys are rewritten; without, every shard is. Writes nothing when the
   * result equals the live state. Returns whether it wrote.
   */
  async write(state: SiteState, changes?: StateChanges): Promise<boolean> {
    const previous = this.#root?.root;
    const shards = {} as Record<Kind, string[]>;
    const writes: Array<{ key: string; body: Buffer }> = [];
    for (const kind of KINDS) {
      // The count follows the store's size, with slack: re-sharding rewrites every shard of the kind.
      const ideal = shardCount(recordCount(state, kind));
      const kept = previous?.shards[kind].length;
      const count = kept !== undefined && kept * 4 >= ideal && kept <= ideal * 4 ? kept : ideal;
      const changed = changes?.[kind] === undefined ? undefined : [...changes[kind]];
      // Rewriting a shard from its previous members needs them in memory (always, after a read or write).
      const reuse = previous && changed && previous.shards[kind].length === count
        && changed.every((key) => this.#shards.has(previous.shards[kind][shardOf(key, count)]!));
      const dirty = new Set<number>();
      const members = new Map<number, unknown[]>();
      if (reuse) {
        // Only the dirty shards' members: the keys they held plus the changed keys now in them.
        const keys = new Map<number, Set<string>>();
        for (const key of changed) {
          const index = shardOf(key, count);
          dirty.add(index);
          let set = keys.get(index);
          if (!set) keys.set(index, (set = new Set()));
          set.add(key);
        }
        const lookup = recordLookup(state, kind);
        for (const [index, set] of keys) {
          for (const key of shardKeys(kind, this.#shards.get(previous.shards[kind][index]!))) set.add(key);
          const list: unknown[] = [];
          for (const key of set) {
            const record = lookup(key);
            if (record !== undefined) list.push(record);
          }
          members.set(index, list);
        }
      } else {
        for (const record of records(state, kind)) {
          const index = shardOf(keyOf[kind](record), count);
          let list = members.get(index);
          if (!list) members.set(index, (list = []));
          list.push(record);
        }
      }
      shards[kind] = [];
      for (let index = 0; index < count; index++) {
        if (reuse && !dirty.has(index)) {
          shards[kind][index] = previous.shards[kind][index]!;
          continue;
        }
        const json = serialize(kind, members.get(index) ?? []);
        const name = `${SHARD_PREFIX}${kind}/${index}-${createHash('sha256').update(json).digest('hex').slice(0, 16)}.json.gz`;
        shards[kind][index] = name;
        if (!this.#shards.has(name)) {
          writes.push({ key: name, body: gzipSync(json) });
          this.#shards.set(name, JSON.parse(json));
        }
      }
    }
    const names = new Set(KINDS.flatMap((kind) => shards[kind]));
    const dropped = previous ? KINDS.flatMap((kind) => previous.shards[kind]).filter((name) => !names.has(name)) : [];
    const root: Root = {
      format: 2, generation: state.generation, contentToken: state.contentToken, locales: state.locales, entries: state.entries, assets: state.assets,
      ...(state.shell !== undefined ? { shell: state.shell } : {}), shards, retired: [...new Set(dropped)],
    };
    if (previous && !this.#root?.legacy && sameRoot(previous, root)) return false;
    const queue = new PQueue({ concurrency: 16 });
    await Promise.all(writes.map((w) => queue.add(async () => {
      await this.store.put(w.key, w.body, { contentType: 'application/gzip', cacheControl: 'no-store' });
      this.io.bytesWritten += w.body.length;
      this.io.objectsWritten++;
    })));
    const body = gzipSync(JSON.stringify(root));
    await this.store.put(STATE_ROOT_KEY, body, { contentType: 'application/gzip', cacheControl: 'no-store' });
    this.io.bytesWritten += body.length;
    this.io.objectsWritten++;
    const legacy = this.#root?.legacy ?? false;
    this.#root = { etag: (await this.store.head(STATE_ROOT_KEY)) ?? '', root, legacy: false };
    // After the commit: what the previous commit dropped (a reader of that root has had a run's time).
    const stale = (previous?.retired ?? []).filter((name) => !names.has(name));
    if (legacy) stale.push(LEGACY_STATE_KEY);
    if (stale.length) await this.store.deleteMany(stale);
    for (const name of this.#shards.keys()) if (!names.has(name)) this.#shards.delete(name);
    return true;
  }

  /** The etag of the root this store last read or wrote (a warm worker's cache key). */
  get etag(): string | undefined {
    return this.#root?.etag;
  }

  /**
   * Deletes state objects no root names (shards of a commit that crashed before its root, or of
   * states long replaced). Lists the state prefix: for full builds, never on the change path.
   */
  async sweep(): Promise<number> {
    const root = this.#root?.root;
    if (!root) return 0;
    const keep = new Set([STATE_ROOT_KEY, ...KINDS.flatMap((kind) => root.shards[kind]), ...root.retired]);
    const orphans: string[] = [];
    for await (const key of this.store.list(SHARD_PREFIX)) if (!keep.has(key)) orphans.push(key);
    if (orphans.length) await this.store.deleteMany(orphans);
    return orphans.length;
  }
}

/** The same state, whatever the generation counter says (a run that changed nothing writes nothing). */
function sameRoot(a: Root, b: Root): boolean {
  const { retired: _a, generation: _x, ...x } = a;
  const { retired: _b, generation: _y, ...y } = b;
  return JSON.stringify(x) === JSON.stringify(y);
}
