/**
 * A fan-out build's records in the bucket, under `_restatic/builds/{buildId}/`: the plan (small:
 * what every step needs), what only the commit needs (the state it writes), the page specs of each
 * shard, and each shard's result. They pass
 * work between the steps of the state machine (whose payloads are capped at 256 KB), are written
 * once per step (a retried step rewrites the same record), and are deleted by the commit.
 */
import { pipeline } from 'node:stream/promises';
import { createGzip, gzipSync } from 'node:zlib';
import { JsonStreamStringify } from 'json-stream-stringify';
import { ObjectStoreError } from '../shared/errors.js';
import type { PreparedBuild } from '../shared/build/full-build.js';
import type { PageSpec } from '../shared/build/site-model.js';
import type { ObjectStore } from '../shared/ports.js';
import type { StagedObjects } from '../shared/publish/publisher.js';
import { gunzipJson } from '../shared/state/sharded.js';

export const BUILDS_PREFIX = '_restatic/builds/';

/** What every step reads: small, whatever the store's size (each shard reads it). */
export interface BuildPlan {
  format: 1;
  buildId: string;
  correlationId: string;
  /** The build's instant (ISO): every shard renders the model made at it, the commit publishes at it. */
  now: string;
  shards: number;
  context: PreparedBuild['context'];
}

/** What only the commit reads: the rest of the prepared build (the state it writes is O(store)). */
export type BuildCommitRecord = Omit<PreparedBuild, 'pages' | 'manifest' | 'context'>;

const meta = { contentType: 'application/gzip', cacheControl: 'no-store' } as const;

/** Build ids become object keys and execution names: letters, digits, `-` and `_`, at most 80. */
export function isBuildId(value: unknown): value is string {
  return typeof value === 'string' && /^[A-Za-z0-9_-]{1,80}$/.test(value);
}

export class BuildRecords {
  readonly prefix: string;

  constructor(private readonly store: ObjectStore, readonly buildId: string) {
    if (!isBuildId(buildId)) throw new ObjectStoreError(`Expected a build id of 1–80 letters, digits, '-' or '_', got ${JSON.stringify(buildId)}`);
    this.prefix = `${BUILDS_PREFIX}${buildId}/`;
  }

  #key(name: string): string {
    return `${this.prefix}${name}.json.gz`;
  }

  async #put(name: string, value: unknown): Promise<void> {
    await this.store.put(this.#key(name), gzipSync(JSON.stringify(value)), meta);
  }

  /**
   * The same bytes' meaning for a record of the whole store's size: its JSON is streamed into gzip
   * rather than made as one string first. At 100,000 products the commit record's text (the catalog
   * and the page index) and the buffer gzip took it in made the plan's peak.
   */
  async #putLarge(name: string, value: unknown): Promise<void> {
    const chunks: Buffer[] = [];
    await pipeline(new JsonStreamStringify(value), createGzip(), async (gzipped: AsyncIterable<Buffer>) => {
      for await (const chunk of gzipped) chunks.push(chunk);
    });
    await this.store.put(this.#key(name), Buffer.concat(chunks), meta);
  }

  async #get<T>(name: string, what: string): Promise<T> {
    const key = this.#key(name);
    const object = await this.store.get(key);
    // Retryable: on an eventually consistent store, or a step that raced its predecessor's retry.
    if (!object) throw new ObjectStoreError(`Expected ${what} of build ${this.buildId} at ${key}, found none`, { retryable: true });
    return gunzipJson<T>(key, object.body);
  }

  writePlan(plan: BuildPlan): Promise<void> {
    return this.#put('plan', plan);
  }

  async readPlan(): Promise<BuildPlan> {
    const plan = await this.#get<BuildPlan>('plan', 'the plan');
    if (plan.format !== 1 || plan.buildId !== this.buildId) throw new ObjectStoreError(`Expected the plan of build ${this.buildId} (format 1), got build ${String(plan.buildId)} format ${String(plan.format)}`);
    return plan;
  }

  writeCommit(record: BuildCommitRecord): Promise<void> {
    return this.#putLarge('commit', record);
  }

  readCommit(): Promise<BuildCommitRecord> {
    return this.#get<BuildCommitRecord>('commit', 'what the commit takes in');
  }

  writeShard(index: number, pages: readonly PageSpec[]): Promise<void> {
    return this.#put(`shards/${index}`, pages);
  }

  readShard(index: number): Promise<PageSpec[]> {
    return this.#get<PageSpec[]>(`shards/${index}`, `the pages of shard ${index}`);
  }

  writeResult(index: number, result: StagedObjects): Promise<void> {
    return this.#put(`results/${index}`, result);
  }

  readResult(index: number): Promise<StagedObjects> {
    return this.#get<StagedObjects>(`results/${index}`, `the result of shard ${index} (did it finish?)`);
  }

  /** Deletes every record of this build. */
  async remove(): Promise<number> {
    const keys: string[] = [];
    for await (const key of this.store.list(this.prefix)) keys.push(key);
    if (keys.length) await this.store.deleteMany(keys);
    return keys.length;
  }
}
