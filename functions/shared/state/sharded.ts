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
 *
 * A fold of a large store takes seconds, which a change must not wait for. With root pointers, a
 * compactor beside the writers (`compact`, when `compactionDue`) folds the segments a root lists into
 * new shards and commits a root that lists only the segments committed meanwhile, marked as the fold
 * of the root it replaced (`fold.base`). That root holds the same records, so a writer holding the
 * replaced one keeps what it has in memory (`refresh`), and a writer whose commit the fold overtook
 * commits again on top of it rather than failing. The commit's own fold then waits for four times
 * as many segment records, for when no compactor keeps up.
 */
import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import PQueue from 'p-queue';
import { ObjectStoreError, StateConflictError } from '../errors.js';
import type { ObjectStore, RootPointers } from '../ports.js';

/**
 * Records a shard aims at, unless its codec says otherwise: few enough objects that a cold read
 * (a GET each) and a full write stay cheap, small enough that a compaction rewrites little beyond
 * the records it folds in. A change itself writes a segment, whatever the shards' size.
 */
const SHARD_TARGET = 400;
const MAX_SHARDS = 4096;
/**
 * Shards, segments and roots are written at gzip level 1: a fold rewrites most shards inside one
 * change's commit, and zlib was the largest part of the state write in a CPU profile (bytes not
 * yet compared with level 6; any level reads back the same).
 */
const SHARD_GZIP = { level: 1 };
/**
 * How many segments (their names are read and written with every root), and how many records in
 * them (at least `minRecords`, or `fraction` of the document), before they are folded in.
 */
interface FoldLimits { segments: number; minRecords: number; fraction: number }
/**
 * When a compactor should fold them, off the change path; and when a commit folds them itself if
 * the document has no root pointers (no compactor can commit beside it). A fold rewrites about the
 * whole document, so these set its cost per change: a sixteenth keeps it at sixteen records
 * rewritten per record changed (compacting at a sixty-fourth kept the two cores busy rewriting).
 */
const COMPACT: FoldLimits = { segments: 128, minRecords: 2000, fraction: 1 / 16 };
/**
 * When a commit folds them itself beside a compactor (one that has stopped or fallen behind): four
 * times the compactor's limits, so a compaction has three times as long as the segments took to fill.
 */
const FOLD_BESIDE_COMPACTOR: FoldLimits = { segments: 512, minRecords: 8000, fraction: 1 / 4 };
const over = (limits: FoldLimits, count: number, records: number, total: number) => count >= limits.segments || records > Math.max(limits.minRecords, total * limits.fraction);
/** Commits that a compaction overtook and that retry on top of it, at most. */
const REBASES = 3;

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
  /** Records a shard aims at (small records want more per shard). @default 400 */
  recordsPerShard?: number;
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
  /** Written by a compaction: this root holds the same records as the root `base` (its key), a prefix of whose segments it folded in. */
  fold?: { base: string };
}

/** The root a store last read or wrote (or found live): its version, object key and content. */
interface Held<M> {
  etag: string | undefined;
  key: string;
  root: Root<M> | undefined;
}

/** What a compaction did. */
export interface CompactionResult {
  /** Whether it committed a folded root; `reason` says why not. */
  compacted: boolean;
  reason?: string;
  /** Segments folded and the records they held. */
  segments: number;
  records: number;
  shardsWritten: number;
  bytesRead: number;
  bytesWritten: number;
}

/** A segment: per kind, the records a targeted commit changed (null: removed). */
type Segment = Record<string, Array<[string, unknown]>>;

/** Bytes and objects a document store read and wrote. */
export interface ShardIo {
  bytesRead: number;
  bytesWritten: number;
  objectsWritten: number;
  /** Commits that folded the segments into the shards themselves (no compactor had kept up). */
  folds: number;
  /** Why the last of them folded (the limits reached, or what the commit lacked to write a segment). */
  foldReason?: string;
}

/** The shard (of `count`, a power of two) a key falls in: FNV-1a, 32 bits, a cheap and stable hash. */
export function shardOf(key: string, count: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return (h >>> 0) & (count - 1);
}

function shardCount(records: number, target = SHARD_TARGET): number {
  let n = 1;
  while (n < MAX_SHARDS && records / n > target) n *= 2;
  return n;
}

/** Every shard and segment a root names. */
function namesOf(root: Root<unknown>): Set<string> {
  return new Set([...Object.values(root.shards).flat(), ...(root.segments ?? [])]);
}

/**
 * Whether `shards` shards fit `records` records within `slack` (a factor either way of the count
 * the records want). A commit re-shards a kind outside 4 (rewriting all of it); a compaction does it
 * earlier, at 2, so that the commits of a growing kind (the applied versions after a fresh build)
 * never have to.
 */
const fitsShards = (shards: number, records: number, slack: number, target?: number) => shards * slack >= shardCount(records, target) && shards <= shardCount(records, target) * slack;
const COMMIT_SLACK = 4;
const COMPACT_SLACK = 2;

/** The kinds of `root` a compaction re-shards: their records outgrew (or shrank below) their shard count. */
function outgrown(root: Root<unknown>, codecs: Record<string, ShardCodec<unknown>>): string[] {
  return Object.entries(root.shards).filter(([kind, names]) => names.length && root.counts?.[kind] !== undefined
    && !fitsShards(names.length, root.counts[kind]!, COMPACT_SLACK, codecs[kind]?.recordsPerShard)).map(([kind]) => kind);
}

/** Whether `root`'s segments (`count` names holding `records` records) are due a fold into its shards. */
function foldDue(root: Root<unknown>, count: number, records: number): boolean {
  return over(COMPACT, count, records, Object.values(root.counts ?? {}).reduce((a, b) => a + b, 0));
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
  #root: Held<M> | undefined;
  readonly io: ShardIo = { bytesRead: 0, bytesWritten: 0, objectsWritten: 0, folds: 0 };
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

  /** The live root, parsed (undefined when there is none). */
  async #live(): Promise<Held<M> & { root: Root<M> } | undefined> {
    const object = await this.#rootObject();
    if (!object) return undefined;
    this.io.bytesRead += object.body.length;
    return { etag: object.etag, key: object.key, root: this.#parseRoot(object.key, object.body) };
  }

  /**
   * Brings the root this store holds up to the live one, when that is cheap: `current` when it is
   * still live; `rebased` when the live root is a compaction of it (the same records: what a caller
   * holds in memory stays valid, and only the root and segments this store holds move); `stale`
   * otherwise (another writer's commit, or nothing held: read again).
   */
  async refresh(): Promise<'current' | 'rebased' | 'stale'> {
    const held = this.#root;
    if (!held?.root) return 'stale';
    if (!this.pointers) return (await this.store.head(this.rootKey)) === held.etag ? 'current' : 'stale';
    const pointer = await this.pointers.table.get(this.pointers.document);
    if (pointer && `p:${pointer.version}` === held.etag) return 'current';
    const live = await this.#live();
    if (!live || live.root.fold?.base !== held.key) return 'stale';
    this.#adopt(live);
    return 'rebased';
  }

  /** Holds `live`, a compaction of the held root: the shards it replaced and the segments it folded are dropped. */
  #adopt(live: Held<M> & { root: Root<M> }): void {
    this.#root = live;
    this.#keepOnly(namesOf(live.root));
  }

  /**
   * Whether the segments of the root this store last read or wrote are due a compaction (see
   * `compact`). False when this store does not hold them all, or commits without root pointers
   * (a compaction needs compare-and-swap).
   */
  get compactionDue(): boolean {
    const root = this.#root?.root;
    const segments = root?.segments ?? [];
    if (!this.pointers || !root || !segments.length) return false;
    if (!segments.every((name) => this.#shards.has(name))) return false;
    let records = 0;
    for (const name of new Set(segments)) for (const list of Object.values(this.#shard(name) as Segment)) records += list.length;
    return foldDue(root, segments.length, records) || outgrown(root, this.codecs).length > 0;
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
    await this.#fetch([...wanted.flatMap((kind) => root.shards[kind] ?? []), ...(root.segments ?? [])], object.key);
    this.#root = { etag: object.etag, key: object.key, root };
    this.#keepOnly(namesOf(root));
    const records: Record<string, Iterable<[string, unknown]>> = {};
    for (const kind of Object.keys(this.codecs)) records[kind] = wanted.includes(kind) ? this.#merged(kind, root) : [];
    return this.assemble(root.meta, records);
  }

  /** Reads the shards and segments among `names` this store does not hold (named by the root `rootKey`). */
  async #fetch(names: readonly string[], rootKey: string): Promise<void> {
    const missing = [...new Set(names)].filter((name) => !this.#shards.has(name));
    const queue = new PQueue({ concurrency: 16 });
    await Promise.all(missing.map((name) => queue.add(async () => {
      const object = await this.store.get(name);
      if (!object) throw new ObjectStoreError(`Expected shard ${name} (named by ${rootKey}) to exist, got none`, { retryable: true });
      this.io.bytesRead += object.body.length;
      this.#shards.set(name, gunzipJson(name, object.body));
    })));
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

  /** How many shards a kind has in the live root (0 when there is no root): read from the root alone. */
  async shardCount(kind: string): Promise<number> {
    return (await this.#live())?.root.shards[kind]?.length ?? 0;
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
    options: {
      same?: (a: M, b: M) => boolean; extraDeletes?: string[]; lookups?: Record<string, (key: string) => unknown>;
      /** Per kind, the records under the changed keys before the change (undefined: absent), when the caller holds them: spares reading their shards. */
      previous?: Record<string, (key: string) => unknown>;
    } = {},
  ): Promise<boolean> {
    const previous = this.#root?.root;
    const same = options.same ?? ((a: M, b: M) => JSON.stringify(a) === JSON.stringify(b));
    let changes = givenChanges;
    this.io.foldReason = undefined;
    const targeted = previous !== undefined && !options.extraDeletes?.length && Object.keys(this.codecs).every((kind) => changes[kind] !== undefined);
    if (targeted) {
      changes = Object.fromEntries(Object.entries(changes).map(([kind, keys]) => [kind, [...new Set(keys)]]));
      // What a segment is made against: every segment, and the shards of changed keys the caller does not hold (after a compaction, none are read yet).
      const needed = [...(previous.segments ?? [])];
      for (const kind of Object.keys(this.codecs)) {
        const names = previous.shards[kind] ?? [];
        if (options.previous?.[kind] || !names.length) continue;
        for (const key of changes[kind]!) needed.push(names[shardOf(key, names.length)]!);
      }
      await this.#fetch(needed, this.#root!.key);
      const segment = this.#segmentOf(document, previous, changes, options.lookups, options.previous);
      if (segment === 'unchanged') {
        if (same(previous.meta, this.metaOf(document))) return false;
        return this.#commitSegment(document, previous, { segment: undefined, counts: previous.counts! });
      }
      if (segment !== 'fold') return this.#commitSegment(document, previous, segment);
    }
    const overlays = previous?.segments ?? [];
    if (overlays.length) {
      this.io.folds++;
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
      const fits = (records: number) => before !== undefined && fitsShards(before.length, records, COMMIT_SLACK, codec.recordsPerShard);
      const known = previous?.counts?.[kind];
      // A targeted write keeps the shard count when the store's size, whatever the change did, stays in the slack.
      const keep = known !== undefined && changed !== undefined && fits(known + changed.length) && fits(Math.max(0, known - changed.length));
      const total = keep ? undefined : codec.count(document);
      const count = keep || fits(total!) ? before!.length : shardCount(total!, codec.recordsPerShard);
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
    const meta = this.metaOf(document);
    if (previous && !options.extraDeletes?.length && !previous.segments?.length && same(previous.meta, meta) && JSON.stringify(previous.shards) === JSON.stringify(shards)) return false;
    // Made again on top of a compaction that overtook this commit: what that root named and this one does not goes too.
    await this.#commit((base) => ({ format: 2, meta, shards, counts, retired: base ? [...namesOf(base)].filter((name) => !names.has(name)) : [] }), writes, options.extraDeletes ?? []);
    return true;
  }

  /**
   * The segment a targeted commit of `changes` writes: per kind, the changed keys whose records
   * differ from the live ones; 'unchanged' when none does; 'fold' when the segments are to be
   * folded into the shards instead (too many of them, too many records, a kind outgrowing its
   * shard count, or a shard this store does not hold).
   */
  #segmentOf(
    document: D, previous: Root<M>, changes: Record<string, Iterable<string> | undefined>,
    lookups: Record<string, (key: string) => unknown> | undefined, befores: Record<string, (key: string) => unknown> | undefined,
  ): { segment: Segment; counts: Record<string, number> } | 'unchanged' | 'fold' {
    const segments = previous.segments ?? [];
    if (!segments.every((name) => this.#shards.has(name))) return this.#fold('a segment not held');
    const segment: Segment = {};
    const counts: Record<string, number> = {};
    let records = 0;
    let total = 0;
    for (const [kind, codec] of Object.entries(this.codecs)) {
      const names = previous.shards[kind] ?? [];
      const known = previous.counts?.[kind];
      if (known === undefined || !names.length) return this.#fold(`no count or shards of ${kind}`);
      const given = befores?.[kind];
      const overlay = given ? undefined : this.#overlay(kind, segments);
      const lookup = lookups?.[kind] ?? codec.lookup(document);
      const entries: Array<[string, unknown]> = [];
      let count = known;
      for (const key of new Set(changes[kind]!)) {
        let before: unknown = null;
        if (given) before = given(key) ?? null;
        else if (overlay!.has(key)) before = overlay!.get(key);
        else {
          const shard = this.#shard(names[shardOf(key, names.length)]!);
          if (shard === undefined) return this.#fold(`a shard of ${kind} not held`);
          for (const [k, record] of codec.entries(shard)) if (k === key) { before = record; break; }
        }
        const now = lookup(key) ?? null;
        if (JSON.stringify(before) === JSON.stringify(now)) continue;
        count += (now === null ? 0 : 1) - (before === null ? 0 : 1);
        entries.push([key, now]);
      }
      // Re-sharding rewrites the kind: a folding commit does it.
      if (!fitsShards(names.length, count, COMMIT_SLACK, codec.recordsPerShard)) return this.#fold(`${kind} outgrew its shard count`);
      counts[kind] = count;
      total += count;
      if (entries.length) segment[kind] = entries.sort(byKey);
      records += entries.length;
      for (const name of segments) records += (this.#shard(name) as Segment)[kind]?.length ?? 0;
    }
    if (!Object.keys(segment).length) return 'unchanged';
    if (over(this.pointers ? FOLD_BESIDE_COMPACTOR : COMPACT, segments.length, records, total)) return this.#fold(`${segments.length} segments, ${records} records of ${total}`);
    return { segment, counts };
  }

  /** A targeted commit that folds instead, and why (the bench names it). */
  #fold(reason: string): 'fold' {
    this.io.foldReason = reason;
    return 'fold';
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
    const meta = this.metaOf(document);
    const added = segments.slice(previous.segments?.length ?? 0);
    // On top of a compaction that overtook it, the segment goes after the ones the compaction left.
    await this.#commit((base) => {
      const under = base ?? previous;
      const listed = [...(under.segments ?? []), ...added];
      return { format: 2, meta, shards: under.shards, counts, retired: [], ...(listed.length ? { segments: listed } : {}) };
    }, writes, []);
    return true;
  }

  /**
   * Writes the new objects, then the root `make` gives for the held root (the commit), then deletes
   * what that root retired. A commit a compaction of the held root overtook is made again on top of
   * the compaction's root (the same records) and committed over it.
   */
  async #commit(make: (base: Root<M> | undefined) => Root<M>, writes: ReadonlyArray<{ key: string; body: Buffer }>, extraDeletes: readonly string[]): Promise<void> {
    const queue = new PQueue({ concurrency: 16 });
    await Promise.all(writes.map((w) => queue.add(async () => {
      await this.store.put(w.key, w.body, { contentType: 'application/gzip', cacheControl: 'no-store' });
      this.io.bytesWritten += w.body.length;
      this.io.objectsWritten++;
    })));
    const rootMeta = { contentType: 'application/gzip', cacheControl: 'no-store' };
    let base = this.#root;
    for (let attempt = 0; ; attempt++) {
      const root = make(base?.root);
      // With pointers, the root this commit replaces goes with the next commit (a reader may still
      // hold it). The fixed root of a document moving over is instead replaced by a marker (below),
      // which a reader without the pointers refuses: it must not take that root for the live one.
      if (this.pointers && base && base.key !== this.rootKey) root.retired.push(base.key);
      const json = JSON.stringify(root);
      const body = gzipSync(json, SHARD_GZIP);
      let committed: { etag: string | undefined; key: string };
      if (this.pointers) {
        // The root object first (content-addressed, harmless if the swap loses), then the swap: the commit.
        const key = `${this.prefix}roots/${createHash('sha256').update(json).digest('hex').slice(0, 16)}.json.gz`;
        await this.store.put(key, body, rootMeta);
        const expected = base?.etag?.startsWith('p:') ? base.etag.slice(2) : undefined;
        try {
          committed = { etag: `p:${await this.pointers.table.swap(this.pointers.document, key, expected)}`, key };
        } catch (error) {
          if (!(error instanceof StateConflictError) || !base?.root || attempt >= REBASES) throw error;
          const live = await this.#live();
          if (live?.root.fold?.base !== base.key) throw error;
          base = live;
          continue;
        }
        if (base?.key === this.rootKey) await this.store.put(this.rootKey, gzipSync(JSON.stringify({ format: 2, movedTo: 'root-pointers' })), rootMeta);
      } else {
        await this.store.put(this.rootKey, body, rootMeta);
        // Committed: an ETag that cannot be read now only makes the next run read the root again.
        committed = { etag: await this.store.head(this.rootKey).catch(() => undefined), key: this.rootKey };
      }
      this.io.bytesWritten += body.length;
      this.io.objectsWritten++;
      this.#root = { ...committed, root };
      const names = namesOf(root);
      this.#keepOnly(names);
      // After the commit: what the replaced root retired (a reader of that root has had a run's time).
      await this.#deleteRetired([...(base?.root?.retired ?? []).filter((name) => !names.has(name) && name !== committed.key), ...extraDeletes]);
      return;
    }
  }

  /**
   * Folds the live root's segments into new shards and commits a root listing only the segments
   * committed meanwhile, off the change path: what a compactor beside the writers runs when
   * `compactionDue`. It reads the segments and the shards their keys fall in, one at a time, and
   * holds none of them after. A writer's commit between its read and its swap makes it redo the
   * swap on top of that commit (its segments are kept); any other commit (a fold, a full write)
   * supersedes it, and the shards it wrote are left for `sweep`. Needs root pointers.
   */
  async compact(options: { force?: boolean } = {}): Promise<CompactionResult> {
    const result: CompactionResult = { compacted: false, segments: 0, records: 0, shardsWritten: 0, bytesRead: 0, bytesWritten: 0 };
    const io0 = { ...this.io };
    const finish = (reason?: string) => ({ ...result, ...(reason ? { reason } : {}), bytesRead: this.io.bytesRead - io0.bytesRead, bytesWritten: this.io.bytesWritten - io0.bytesWritten });
    if (!this.pointers) return finish('the document commits without root pointers (no compare-and-swap)');
    const start = await this.#live();
    if (!start) return finish('no document yet');
    if (!start.etag?.startsWith('p:')) return finish('the document has not moved to root pointers yet (its next commit moves it)');
    const listed = start.root.segments ?? [];
    if (!listed.length) return finish('no segments');
    const queue = new PQueue({ concurrency: 8 });
    const read = async (name: string): Promise<unknown> => {
      const object = await this.store.get(name);
      if (!object) throw new ObjectStoreError(`Expected ${name} (named by ${start.key}) to exist, got none`, { retryable: true });
      this.io.bytesRead += object.body.length;
      return gunzipJson(name, object.body);
    };
    const segments = new Map<string, Segment>();
    await Promise.all([...new Set(listed)].map((name) => queue.add(async () => { segments.set(name, await read(name) as Segment); })));
    let records = 0;
    for (const name of listed) for (const list of Object.values(segments.get(name)!)) records += list.length;
    const reshard = new Set(outgrown(start.root, this.codecs));
    const fold = options.force || foldDue(start.root, listed.length, records);
    if (!fold && !reshard.size) return { ...finish('not due'), segments: listed.length, records };
    // A kind that outgrew its shards alone (the segments not due) is split anew under the segments,
    // which stay listed (their records win over any shard's): it costs that kind, not the document.
    const folded = fold ? listed : [];
    // Per kind, the folded segments' records in commit order, later ones winning.
    const overlays = new Map<string, Map<string, unknown>>();
    for (const name of folded) {
      for (const [kind, list] of Object.entries(segments.get(name)!)) {
        let overlay = overlays.get(kind);
        if (!overlay) overlays.set(kind, (overlay = new Map()));
        for (const [key, record] of list) overlay.set(key, record);
        result.records += list.length;
      }
    }
    result.segments = folded.length;
    const shards: Record<string, string[]> = {};
    for (const [kind, names] of Object.entries(start.root.shards)) {
      const codec = this.codecs[kind]!;
      shards[kind] = [...names];
      const overlay = overlays.get(kind) ?? new Map<string, unknown>();
      if (reshard.has(kind)) {
        shards[kind] = await this.#reshard(kind, names, overlay, shardCount(start.root.counts![kind]!, codec.recordsPerShard), read, queue);
        result.shardsWritten += shards[kind].filter((name) => !names.includes(name)).length;
        continue;
      }
      if (!overlay.size || !names.length) continue;
      const byShard = new Map<number, Array<[string, unknown]>>();
      for (const entry of overlay) {
        const index = shardOf(entry[0], names.length);
        let list = byShard.get(index);
        if (!list) byShard.set(index, (list = []));
        list.push(entry);
      }
      await Promise.all([...byShard].map(([index, changed]) => queue.add(async () => {
        const records = new Map(codec.entries(await read(names[index]!)));
        for (const [key, record] of changed) if (record === null) records.delete(key); else records.set(key, record);
        const json = codec.serialize([...records].sort(byKey));
        const name = `${this.prefix}${kind}/${index}-${createHash('sha256').update(json).digest('hex').slice(0, 16)}.json.gz`;
        if (name === names[index]) return;
        const body = gzipSync(json, SHARD_GZIP);
        await this.store.put(name, body, { contentType: 'application/gzip', cacheControl: 'no-store' });
        this.io.bytesWritten += body.length;
        this.io.objectsWritten++;
        result.shardsWritten++;
        shards[kind]![index] = name;
      })));
    }
    const rootMeta = { contentType: 'application/gzip', cacheControl: 'no-store' };
    const kept = new Set(Object.values(shards).flat());
    const replaced = Object.values(start.root.shards).flat().filter((name) => !kept.has(name));
    let base = start;
    for (let attempt = 0; ; attempt++) {
      const rest = (base.root.segments ?? []).slice(folded.length);
      const names = new Set([...Object.values(shards).flat(), ...rest]);
      const retired = [...new Set([...replaced, ...folded, base.key])].filter((name) => !names.has(name));
      const root: Root<M> = { format: 2, meta: base.root.meta, shards, counts: base.root.counts, retired, ...(rest.length ? { segments: rest } : {}), fold: { base: base.key } };
      const json = JSON.stringify(root);
      const key = `${this.prefix}roots/${createHash('sha256').update(json).digest('hex').slice(0, 16)}.json.gz`;
      const body = gzipSync(json, SHARD_GZIP);
      await this.store.put(key, body, rootMeta);
      this.io.bytesWritten += body.length;
      try {
        const version = await this.pointers.table.swap(this.pointers.document, key, base.etag!.slice(2));
        this.#root = { etag: `p:${version}`, key, root };
        this.#keepOnly(new Set());
        // What the replaced root retired goes now, as after any commit.
        await this.#deleteRetired((base.root.retired ?? []).filter((name) => !names.has(name) && name !== key));
        return { ...finish(), compacted: true };
      } catch (error) {
        if (!(error instanceof StateConflictError) || attempt >= REBASES) throw error;
        const live = await this.#live();
        // Only writers' segments may have come meanwhile: same shards, the folded segments first.
        const kept = live && JSON.stringify(live.root.shards) === JSON.stringify(start.root.shards) && folded.every((name, i) => live.root.segments?.[i] === name);
        if (!kept) return finish('superseded by another commit (a fold or a full write)');
        base = live;
      }
    }
  }

  /**
   * A kind's records (its shards `names` under `overlay`) split anew into `count` shards: what a
   * compaction does for a kind that outgrew its shard count. Reads the whole kind, once per
   * doubling of it, off the change path. Returns the new shards' names.
   */
  async #reshard(kind: string, names: readonly string[], overlay: ReadonlyMap<string, unknown>, count: number, read: (name: string) => Promise<unknown>, queue: PQueue): Promise<string[]> {
    const codec = this.codecs[kind]!;
    const members = Array.from({ length: count }, () => [] as Array<[string, unknown]>);
    const place = (key: string, record: unknown) => members[shardOf(key, count)]!.push([key, record]);
    await Promise.all(names.map((name) => queue.add(async () => {
      for (const [key, record] of codec.entries(await read(name))) if (!overlay.has(key)) place(key, record);
    })));
    for (const [key, record] of overlay) if (record !== null) place(key, record);
    return Promise.all(members.map((list, index) => queue.add(async () => {
      const json = codec.serialize(list.sort(byKey));
      const name = `${this.prefix}${kind}/${index}-${createHash('sha256').update(json).digest('hex').slice(0, 16)}.json.gz`;
      if (names.includes(name)) return name;
      const body = gzipSync(json, SHARD_GZIP);
      await this.store.put(name, body, { contentType: 'application/gzip', cacheControl: 'no-store' });
      this.io.bytesWritten += body.length;
      this.io.objectsWritten++;
      return name;
    }))) as Promise<string[]>;
  }

  /**
   * Deletes what a replaced root retired, after the commit: the commit stands whatever happens
   * here (reporting it failed would redo a change already live), and what a failed delete leaves
   * no root names, so the next full build's `sweep` removes it.
   */
  async #deleteRetired(names: readonly string[]): Promise<void> {
    if (!names.length) return;
    await this.store.deleteMany(names).catch(() => undefined);
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
