/**
 * A document kept in the bucket as content-addressed hash shards plus a small root that names
 * them and is written last, as the commit. What the site state and the publish manifest are made
 * of (state-store.ts, publish/manifest.ts): a run reads and writes the shards it touches, not the
 * store.
 *
 * Each kind of record is split into a power-of-two count of shards sized to the store
 * (`{prefix}{kind}/{index}-{hash}.json.gz`). Shards are never rewritten in place: a changed shard
 * gets a new name, so a crash before the root leaves the previous document whole, and a warm
 * reader re-reads only shards whose names moved. Shards a commit drops are deleted by the next
 * commit, so a reader holding the previous root can still finish.
 *
 * A targeted commit does not rewrite the shards its keys fall in: it writes one *segment* with
 * the changed records (a removed one as null), and the root lists segments oldest first over the
 * shards, as a log-structured merge tree does. Random changes fall in every shard, so rewriting
 * them made a batch of 700 price changes rewrite the whole 100,000-product state (14 MB); a
 * segment costs what the change does. When the segments hold more than a sixteenth of the
 * records (or too many names for a small root), the next commit folds them into the shards, a cost
 * spread over the many changes that filled them.
 */
import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import PQueue from 'p-queue';
import { ObjectStoreError } from '../errors.js';
import type { ObjectStore, RootPointers } from '../ports.js';

/** Records a shard aims at: small enough that a change rewrites little, few enough objects that a full write stays cheap. */
const SHARD_TARGET = 400;
const MAX_SHARDS = 4096;
/**
 * Shards, segments and roots are written at gzip level 1: a fold rewrites most shards inside one
 * change's commit, and zlib was the largest part of the state write in a CPU profile (bytes not
 * yet compared with level 6; any level reads back the same).
 */
const SHARD_GZIP = { level: 1 };
/** Segments a root may list before they are folded in (their names are read and written with every root). */
const MAX_SEGMENTS = 128;
/** Records the segments may hold before they are folded in: at least this many, or a sixteenth of the document. */
const MIN_SEGMENT_RECORDS = 2000;

/** How one kind of record is split, stored and found again. */
export interface ShardCodec<D> {
  /** How many records the document holds (sizes the shard count). */
  count(document: D): number;
  /** Every record of the document with its key (a full write). */
  records(document: D): Iterable<[string, unknown]>;
  /** The record stored under `key` now, or undefined when it is gone. */
  lookup(document: D): (key: string) => unknown;
  /** A shard's JSON from its records, deterministic for the same records. */
  serialize(records: ReadonlyArray<[string, unknown]>): string;
  /** The records a parsed shard holds. */
  entries(shard: unknown): Iterable<[string, unknown]>;
}

interface Root<M> {
  format: 2;
  meta: M;
  shards: Record<string, string[]>;
  /** Records per kind (absent in roots written before it was kept): a targeted write need not count the store. */
  counts?: Record<string, number>;
  /** Shards the previous commit dropped: the next commit deletes them. */
  retired: string[];
  /** Segments over the shards, oldest first (absent: none). */
  segments?: string[];
}

/** A segment: per kind, the records a targeted commit changed (null: removed). */
type Segment = Record<string, Array<[string, unknown]>>;

/** Bytes and objects a document store read and wrote. */
export interface ShardIo {
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

export function gunzipJson<T>(key: string, body: Buffer): T {
  try {
    return JSON.parse(gunzipSync(body).toString('utf8')) as T;
  } catch (error) {
    throw new ObjectStoreError(`Expected ${key} to be gzipped Restatic JSON: ${(error as Error).message}`, { cause: error });
  }
}

/** Sorted by key, so the same records always make the same bytes. */
export const byKey = (a: [string, unknown], b: [string, unknown]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

/**
 * A shard this store wrote, kept as the bytes it stored and parsed on first use: a full write
 * (a full build's commit) would otherwise hold a parsed copy of the whole document beside the one it
 * wrote from, about a gigabyte at 100,000 products in two markets.
 */
class Packed {
  constructor(readonly body: Buffer) {}
}

export class ShardedDocument<D, M> {
  /** Shards by object name, parsed or packed (content-addressed: valid for as long as they are kept). */
  readonly #shards = new Map<string, unknown>();
  #root: { etag: string | undefined; key: string; root: Root<M> | undefined } | undefined;
  readonly io: ShardIo = { bytesRead: 0, bytesWritten: 0, objectsWritten: 0 };
  readonly rootKey: string;

  constructor(
    private readonly store: ObjectStore,
    private readonly prefix: string,
    private readonly codecs: Record<string, ShardCodec<D>>,
    /** The document from its root's meta and, per kind, the records of every shard. */
    private readonly assemble: (meta: M, records: Record<string, Iterable<[string, unknown]>>) => D,
    private readonly metaOf: (document: D) => M,
    /**
     * Where the root is committed, compare-and-swap (a DynamoDB table): roots are then
     * content-addressed objects (`{prefix}roots/{hash}.json.gz`) and a commit from a stale read
     * fails with StateConflictError. Without, the root is the fixed key `{prefix}root.json.gz`.
     * A document whose root is still at the fixed key moves to a pointer on its first write.
     */
    private readonly pointers?: { table: RootPointers; document: string },
  ) {
    this.rootKey = `${prefix}root.json.gz`;
  }

  /** The live root's version (a pointer's `p:<n>`, or the fixed root's ETag), undefined when there is none. */
  async version(): Promise<string | undefined> {
    if (this.pointers) {
      const pointer = await this.pointers.table.get(this.pointers.document);
      if (pointer) return `p:${pointer.version}`;
    }
    return this.store.head(this.rootKey);
  }

  /** The live root object: through the pointer when there is one, else at the fixed key. */
  async #rootObject(): Promise<{ key: string; body: Buffer; etag: string } | undefined> {
    const pointer = this.pointers ? await this.pointers.table.get(this.pointers.document) : undefined;
    if (pointer) {
      const object = await this.store.get(pointer.key);
      if (!object) throw new ObjectStoreError(`Expected root ${pointer.key} (named by the ${this.pointers!.document} pointer, version ${pointer.version}) to exist, got none`, { retryable: true });
      return { key: pointer.key, body: object.body, etag: `p:${pointer.version}` };
    }
    const object = await this.store.get(this.rootKey);
    return object ? { key: this.rootKey, body: object.body, etag: object.etag } : undefined;
  }

  /** The ETag of the root this store last read or wrote. */
  get etag(): string | undefined {
    return this.#root?.etag;
  }

  /** Whether a root was found by the last read (or made by the last write). */
  get exists(): boolean {
    return this.#root?.root !== undefined;
  }

  /**
   * The live document; `undefined` when there is no root. With `kinds`, only those kinds' records
   * are read (the others come out empty): a full build needs the page index and versions of the
   * live state, not its catalog copy. The root is known either way, so a write may follow.
   */
  async read(kinds?: readonly string[]): Promise<D | undefined> {
    const object = await this.#rootObject();
    if (!object) {
      this.#root = undefined;
      return undefined;
    }
    this.io.bytesRead += object.body.length;
    const root = this.#parseRoot(object.key, object.body);
    const wanted = kinds ?? Object.keys(this.codecs);
    const names = [...wanted.flatMap((kind) => root.shards[kind] ?? []), ...(root.segments ?? [])];
    const queue = new PQueue({ concurrency: 16 });
    await Promise.all(names.filter((name) => !this.#shards.has(name)).map((name) => queue.add(async () => {
      const shard = await this.store.get(name);
      if (!shard) throw new ObjectStoreError(`Expected shard ${name} (named by ${this.rootKey}) to exist, got none`, { retryable: true });
      this.io.bytesRead += shard.body.length;
      this.#shards.set(name, gunzipJson(name, shard.body));
    })));
    this.#root = { etag: object.etag, key: object.key, root };
    this.#keepOnly(new Set([...Object.values(root.shards).flat(), ...(root.segments ?? [])]));
    const records: Record<string, Iterable<[string, unknown]>> = {};
    for (const kind of Object.keys(this.codecs)) records[kind] = wanted.includes(kind) ? this.#merged(kind, root) : [];
    return this.assemble(root.meta, records);
  }

  /** The parsed shard `name`, if this store holds it (a packed one is parsed now, once). */
  #shard(name: string): unknown {
    const value = this.#shards.get(name);
    if (!(value instanceof Packed)) return value;
    const parsed = gunzipJson(name, value.body);
    this.#shards.set(name, parsed);
    return parsed;
  }

  /** A kind's records in `root`'s segments, later ones winning (null: removed); every segment must be in memory. */
  #overlay(kind: string, segments: readonly string[]): Map<string, unknown> {
    const overlay = new Map<string, unknown>();
    for (const name of segments) for (const [key, record] of (this.#shard(name) as Segment)[kind] ?? []) overlay.set(key, record);
    return overlay;
  }

  /** A kind's live records: the shards' under the segments'. */
  *#merged(kind: string, root: Root<M>): Iterable<[string, unknown]> {
    const segments = root.segments ?? [];
    if (!segments.length) {
      yield* this.#entries(kind, root.shards[kind] ?? []);
      return;
    }
    const overlay = this.#overlay(kind, segments);
    for (const entry of this.#entries(kind, root.shards[kind] ?? [])) if (!overlay.has(entry[0])) yield entry;
    for (const [key, record] of overlay) if (record !== null) yield [key, record];
  }

  /** The live root's meta alone (no shard is read); `undefined` when there is no root. */
  async meta(): Promise<M | undefined> {
    const object = await this.#rootObject();
    if (!object) return undefined;
    this.io.bytesRead += object.body.length;
    return this.#parseRoot(object.key, object.body).meta;
  }

  /**
   * The records stored under `keys` in the live document, reading only the root and the shards
   * that hold them (a fan-out shard compares its pages with the manifest without reading all of
   * it). Does not change what this store has read. `undefined` when there is no root.
   */
  async lookup(kind: string, keys: Iterable<string>): Promise<Map<string, unknown> | undefined> {
    const object = await this.#rootObject();
    if (!object) return undefined;
    this.io.bytesRead += object.body.length;
    const root = this.#parseRoot(object.key, object.body);
    const names = root.shards[kind] ?? [];
    const found = new Map<string, unknown>();
    const queue = new PQueue({ concurrency: 16 });
    // Segments first (small, and what they hold is newer than any shard).
    const segments = await Promise.all((root.segments ?? []).map((name) => queue.add(async () => {
      const cached = this.#shard(name);
      if (cached !== undefined) return cached as Segment;
      const segment = await this.store.get(name);
      if (!segment) throw new ObjectStoreError(`Expected segment ${name} (named by ${object.key}) to exist, got none`, { retryable: true });
      this.io.bytesRead += segment.body.length;
      return gunzipJson<Segment>(name, segment.body);
    })));
    const overlay = new Map<string, unknown>();
    for (const segment of segments) for (const [key, record] of segment![kind] ?? []) overlay.set(key, record);
    const wanted = new Map<string, Set<string>>();
    for (const key of keys) {
      if (overlay.has(key)) {
        if (overlay.get(key) !== null) found.set(key, overlay.get(key));
        continue;
      }
      if (!names.length) continue;
      const name = names[shardOf(key, names.length)]!;
      let set = wanted.get(name);
      if (!set) wanted.set(name, (set = new Set()));
      set.add(key);
    }
    const codec = this.codecs[kind]!;
    await Promise.all([...wanted].map(([name, set]) => queue.add(async () => {
      let parsed = this.#shard(name);
      if (parsed === undefined) {
        const shard = await this.store.get(name);
        if (!shard) throw new ObjectStoreError(`Expected shard ${name} (named by ${object.key}) to exist, got none`, { retryable: true });
        this.io.bytesRead += shard.body.length;
        parsed = gunzipJson(name, shard.body);
      }
      for (const [key, record] of codec.entries(parsed)) if (set.has(key)) found.set(key, record);
    })));
    return found;
  }

  #parseRoot(key: string, body: Buffer): Root<M> {
    const root = gunzipJson<Root<M> & { movedTo?: string }>(key, body);
    if (root.movedTo) {
      throw new ObjectStoreError(`Expected a root at ${key}, found that this document commits through root pointers (a state table) since it moved there: `
        + 'configure the state table (STATE_TABLE; RESTATIC_STATE_TABLE for the CLI), or this run would read and write a stale copy');
    }
    if (root.format !== 2) throw new ObjectStoreError(`Expected ${key} to be format 2, got format ${String(root.format)}`);
    return root;
  }

  *#entries(kind: string, names: readonly string[]): Iterable<[string, unknown]> {
    const codec = this.codecs[kind]!;
    for (const name of names) yield* codec.entries(this.#shard(name));
  }

  #keepOnly(names: ReadonlySet<string>): void {
    for (const name of this.#shards.keys()) if (!names.has(name)) this.#shards.delete(name);
  }

  /**
   * Commits `document`. With `changes` per kind (keys, relative to the document this store last
   * read or wrote), only the shards holding those keys are rewritten; a kind without is rewritten
   * whole. Writes nothing when the result equals the live document (`same` compares the metas).
   * `extraDeletes` go after the commit (e.g. a legacy object it replaces); `lookups` stand in for a
   * codec's lookup where the caller already holds the records by key. Returns whether it wrote.
   */
  async write(
    document: D, givenChanges: Record<string, Iterable<string> | undefined> = {},
    options: { same?: (a: M, b: M) => boolean; extraDeletes?: string[]; lookups?: Record<string, (key: string) => unknown> } = {},
  ): Promise<boolean> {
    const previous = this.#root?.root;
    const same = options.same ?? ((a: M, b: M) => JSON.stringify(a) === JSON.stringify(b));
    let changes = givenChanges;
    const targeted = previous !== undefined && !options.extraDeletes?.length && Object.keys(this.codecs).every((kind) => changes[kind] !== undefined);
    if (targeted) {
      const segment = this.#segmentOf(document, previous, changes, options.lookups);
      if (segment === 'unchanged') {
        if (same(previous.meta, this.metaOf(document))) return false;
        return this.#commitSegment(document, previous, { segment: undefined, counts: previous.counts! });
      }
      if (segment !== 'fold') return this.#commitSegment(document, previous, segment);
    }
    const overlays = previous?.segments ?? [];
    if (overlays.length) {
      // The shards take in the segments: their keys are rewritten with this change (kinds rewritten whole need nothing).
      changes = Object.fromEntries(Object.keys(this.codecs).map((kind) => [kind, changes[kind] === undefined ? undefined : new Set([...changes[kind]!, ...this.#overlay(kind, overlays).keys()])]));
    }
    const shards: Record<string, string[]> = {};
    const counts: Record<string, number> = {};
    const writes: Array<{ key: string; body: Buffer }> = [];
    for (const [kind, codec] of Object.entries(this.codecs)) {
      const before = previous?.shards[kind];
      const changed = changes[kind] === undefined ? undefined : [...changes[kind]!];
      // The count follows the store's size, with slack: re-sharding rewrites every shard of the kind.
      const fits = (records: number) => before !== undefined && before.length * 4 >= shardCount(records) && before.length <= shardCount(records) * 4;
      const known = previous?.counts?.[kind];
      // A targeted write keeps the shard count when the store's size, whatever the change did, stays in the slack.
      const keep = known !== undefined && changed !== undefined && fits(known + changed.length) && fits(Math.max(0, known - changed.length));
      const total = keep ? undefined : codec.count(document);
      const count = keep || fits(total!) ? before!.length : shardCount(total!);
      // Rewriting a shard from its previous members needs them in memory (always, after a read or write).
      const reuse = before !== undefined && before.length === count && changed !== undefined && changed.every((key) => this.#shards.has(before[shardOf(key, count)]!));
      const members = new Map<number, Array<[string, unknown]>>();
      let records = total;
      if (reuse) {
        const keys = new Map<number, Set<string>>();
        for (const key of changed) {
          const index = shardOf(key, count);
          let set = keys.get(index);
          if (!set) keys.set(index, (set = new Set()));
          set.add(key);
        }
        const lookup = options.lookups?.[kind] ?? codec.lookup(document);
        let delta = 0;
        for (const [index, set] of keys) {
          let had = 0;
          for (const [key] of codec.entries(this.#shard(before[index]!))) {
            set.add(key);
            had++;
          }
          const list: Array<[string, unknown]> = [];
          for (const key of set) {
            const record = lookup(key);
            if (record !== undefined) list.push([key, record]);
          }
          delta += list.length - had;
          members.set(index, list);
        }
        // Members a segment added or removed are not in the shard's `had`: count afresh when folding.
        records = known !== undefined && !previous?.segments?.length ? known + delta : (total ?? codec.count(document));
      } else {
        records = 0;
        for (const [key, record] of codec.records(document)) {
          const index = shardOf(key, count);
          let list = members.get(index);
          if (!list) members.set(index, (list = []));
          list.push([key, record]);
          records++;
        }
      }
      counts[kind] = records!;
      shards[kind] = [];
      for (let index = 0; index < count; index++) {
        if (reuse && !members.has(index)) {
          shards[kind][index] = before[index]!;
          continue;
        }
        const json = codec.serialize((members.get(index) ?? []).sort(byKey));
        const name = `${this.prefix}${kind}/${index}-${createHash('sha256').update(json).digest('hex').slice(0, 16)}.json.gz`;
        shards[kind][index] = name;
        if (!this.#shards.has(name)) {
          const body = gzipSync(json, SHARD_GZIP);
          writes.push({ key: name, body });
          this.#shards.set(name, new Packed(body));
        }
      }
    }
    const names = new Set(Object.values(shards).flat());
    const dropped = previous ? [...Object.values(previous.shards).flat(), ...(previous.segments ?? [])].filter((name) => !names.has(name)) : [];
    const meta = this.metaOf(document);
    const root: Root<M> = { format: 2, meta, shards, counts, retired: [...new Set(dropped)] };
    if (previous && !options.extraDeletes?.length && !previous.segments?.length && same(previous.meta, meta) && JSON.stringify(previous.shards) === JSON.stringify(shards)) return false;
    await this.#commit(root, writes, previous, names, options.extraDeletes ?? []);
    return true;
  }

  /**
   * The segment a targeted commit of `changes` writes: per kind, the changed keys whose records
   * differ from the live ones; 'unchanged' when none does; 'fold' when the segments are to be
   * folded into the shards instead (too many of them, too many records, a kind outgrowing its
   * shard count, or a shard this store does not hold).
   */
  #segmentOf(document: D, previous: Root<M>, changes: Record<string, Iterable<string> | undefined>, lookups: Record<string, (key: string) => unknown> | undefined): { segment: Segment; counts: Record<string, number> } | 'unchanged' | 'fold' {
    const segments = previous.segments ?? [];
    if (!segments.every((name) => this.#shards.has(name))) return 'fold';
    const segment: Segment = {};
    const counts: Record<string, number> = {};
    let records = 0;
    let total = 0;
    for (const [kind, codec] of Object.entries(this.codecs)) {
      const names = previous.shards[kind] ?? [];
      const known = previous.counts?.[kind];
      if (known === undefined || !names.length) return 'fold';
      const overlay = this.#overlay(kind, segments);
      const lookup = lookups?.[kind] ?? codec.lookup(document);
      const entries: Array<[string, unknown]> = [];
      let count = known;
      for (const key of new Set(changes[kind]!)) {
        const shard = this.#shard(names[shardOf(key, names.length)]!);
        if (shard === undefined) return 'fold';
        let before: unknown = null;
        if (overlay.has(key)) before = overlay.get(key);
        else for (const [k, record] of codec.entries(shard)) if (k === key) { before = record; break; }
        const now = lookup(key) ?? null;
        if (JSON.stringify(before) === JSON.stringify(now)) continue;
        count += (now === null ? 0 : 1) - (before === null ? 0 : 1);
        entries.push([key, now]);
      }
      // Re-sharding rewrites the kind: a folding commit does it.
      const fitting = names.length * 4 >= shardCount(count) && names.length <= shardCount(count) * 4;
      if (!fitting) return 'fold';
      counts[kind] = count;
      total += count;
      if (entries.length) segment[kind] = entries.sort(byKey);
      records += entries.length;
      for (const name of segments) records += (this.#shard(name) as Segment)[kind]?.length ?? 0;
    }
    if (!Object.keys(segment).length) return 'unchanged';
    if (segments.length + 1 > MAX_SEGMENTS || records > Math.max(MIN_SEGMENT_RECORDS, total / 16)) return 'fold';
    return { segment, counts };
  }

  /** Commits `document` as the previous shards under one more segment. */
  async #commitSegment(document: D, previous: Root<M>, { segment, counts }: { segment: Segment | undefined; counts: Record<string, number> }): Promise<true> {
    const segments = [...(previous.segments ?? [])];
    const writes: Array<{ key: string; body: Buffer }> = [];
    if (segment) {
      const json = JSON.stringify(segment);
      const name = `${this.prefix}segments/${createHash('sha256').update(json).digest('hex').slice(0, 16)}.json.gz`;
      // Listed again if an earlier segment had the same bytes (a price set back and forth): order decides.
      segments.push(name);
      if (!this.#shards.has(name)) writes.push({ key: name, body: gzipSync(json, SHARD_GZIP) });
      this.#shards.set(name, JSON.parse(json));
    }
    const root: Root<M> = { format: 2, meta: this.metaOf(document), shards: previous.shards, counts, retired: [], ...(segments.length ? { segments } : {}) };
    const names = new Set([...Object.values(previous.shards).flat(), ...segments]);
    await this.#commit(root, writes, previous, names, []);
    return true;
  }

  /** Writes the new objects, then the root (the commit), then deletes what the previous commit retired. */
  async #commit(root: Root<M>, writes: ReadonlyArray<{ key: string; body: Buffer }>, previous: Root<M> | undefined, names: ReadonlySet<string>, extraDeletes: readonly string[]): Promise<void> {
    const queue = new PQueue({ concurrency: 16 });
    await Promise.all(writes.map((w) => queue.add(async () => {
      await this.store.put(w.key, w.body, { contentType: 'application/gzip', cacheControl: 'no-store' });
      this.io.bytesWritten += w.body.length;
      this.io.objectsWritten++;
    })));
    // With pointers, the root this commit replaces goes with the next commit (a reader may still
    // hold it). The fixed root of a document moving over is instead replaced by a marker (below),
    // which a reader without the pointers refuses: it must not take that root for the live one.
    if (this.pointers && this.#root && this.#root.key !== this.rootKey) root.retired.push(this.#root.key);
    const json = JSON.stringify(root);
    const body = gzipSync(json, SHARD_GZIP);
    const rootMeta = { contentType: 'application/gzip', cacheControl: 'no-store' };
    let committed: { etag: string | undefined; key: string };
    if (this.pointers) {
      // The root object first (content-addressed, harmless if the swap loses), then the swap: the commit.
      const key = `${this.prefix}roots/${createHash('sha256').update(json).digest('hex').slice(0, 16)}.json.gz`;
      await this.store.put(key, body, rootMeta);
      const expected = this.#root?.etag?.startsWith('p:') ? this.#root.etag.slice(2) : undefined;
      const version = await this.pointers.table.swap(this.pointers.document, key, expected);
      committed = { etag: `p:${version}`, key };
      if (this.#root?.key === this.rootKey) await this.store.put(this.rootKey, gzipSync(JSON.stringify({ format: 2, movedTo: 'root-pointers' })), rootMeta);
    } else {
      await this.store.put(this.rootKey, body, rootMeta);
      committed = { etag: await this.store.head(this.rootKey), key: this.rootKey };
    }
    this.io.bytesWritten += body.length;
    this.io.objectsWritten++;
    this.#root = { ...committed, root };
    // After the commit: what the previous commit dropped (a reader of that root has had a run's time).
    const stale = [...(previous?.retired ?? []).filter((name) => !names.has(name) && name !== committed.key), ...extraDeletes];
    if (stale.length) await this.store.deleteMany(stale);
    this.#keepOnly(names);
  }

  /**
   * Deletes objects under the prefix that no root names (shards of a commit that died before its
   * root, or of documents long replaced). Lists the prefix: for full builds, never on the change path.
   */
  async sweep(): Promise<number> {
    const root = this.#root?.root;
    if (!root) return 0;
    const keep = new Set([this.rootKey, this.#root!.key, ...Object.values(root.shards).flat(), ...(root.segments ?? []), ...root.retired]);
    const orphans: string[] = [];
    for await (const key of this.store.list(this.prefix)) if (!keep.has(key)) orphans.push(key);
    if (orphans.length) await this.store.deleteMany(orphans);
    return orphans.length;
  }
}
