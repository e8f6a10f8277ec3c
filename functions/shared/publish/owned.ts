/**
 * Publishing objects one job owns outright (feeds, PDFs): each object carries the sha256 of its
 * bytes (and the data version it was made from) in its own metadata and is uploaded only when
 * that differs. No shared manifest is read or written, so jobs running in their own functions
 * never race the site build over one file. Each upload is whole: S3 shows an object only once
 * complete. A run ends with one invalidation for what it changed, planned like the site's
 * (`planInvalidation`); one the CDN refuses is kept under `_restatic/` and made by the next run,
 * since a retried job finds its objects current and would otherwise invalidate nothing.
 */
import { asError } from '../errors.js';
import { sha256 } from '../hash.js';
import type { Cdn, Logger, ObjectMeta, ObjectStore } from '../ports.js';
import { planInvalidation, type PlannerOptions } from './invalidation.js';

/** The data version an owned object was made from (object metadata). */
export const VERSION_META = 'data-version';

/** Where a job keeps invalidations the CDN refused, until its next run makes them. */
export const pendingInvalidationsPrefix = (owner: string) => `_restatic/pending-invalidations/${owner}/`;

export interface OwnedItem {
  key: string;
  body: Buffer | { file: string; size: number };
  /** sha256 hex of the bytes. */
  hash: string;
  meta: ObjectMeta;
  /** The data version it shows: an object whose bytes match but whose version differs is rewritten. */
  version?: string;
}

export interface OwnedPublisherOptions {
  /** Names the job's pending invalidations (`_restatic/pending-invalidations/{owner}/`). */
  owner: string;
  planner?: PlannerOptions;
}

export class OwnedPublisher {
  readonly #changed = new Map<string, string>();
  readonly #pendingPrefix: string;

  constructor(private readonly deps: { store: ObjectStore; cdn: Cdn; logger: Logger }, private readonly options: OwnedPublisherOptions) {
    this.#pendingPrefix = pendingInvalidationsPrefix(options.owner);
  }

  /** The published object's metadata (`sha256`, `data-version`), or undefined when there is none. */
  published(key: string): Promise<Record<string, string> | undefined> {
    return this.deps.store.metadata(key);
  }

  /**
   * Uploads the item unless the published one has the same bytes and version; true when it did.
   * `published` is the metadata the caller already read (saves a HEAD).
   */
  async put(item: OwnedItem, published?: Record<string, string>): Promise<boolean> {
    const live = published ?? await this.published(item.key);
    if (live?.sha256 === item.hash && (item.version === undefined || live[VERSION_META] === item.version)) return false;
    const meta = { ...item.meta, metadata: { ...item.meta.metadata, sha256: item.hash, ...(item.version === undefined ? {} : { [VERSION_META]: item.version }) } };
    if (Buffer.isBuffer(item.body)) await this.deps.store.put(item.key, item.body, meta);
    else await this.deps.store.putFile(item.key, item.body.file, meta);
    this.#changed.set(item.key, `${item.hash}@${item.version ?? ''}`);
    return true;
  }

  /** Deletes objects the job no longer produces (missing keys are no error). */
  async remove(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.deps.store.deleteMany(keys);
    for (const key of keys) this.#changed.set(key, 'deleted');
  }

  /**
   * One invalidation for this run's changes and any an earlier run could not make. Its reference
   * is derived from what changed (bytes and versions), so a retry of the same change is the same
   * request while a later change of the same paths is a new one.
   */
  async finish(): Promise<{ invalidated: string[] }> {
    const pending: string[] = [];
    const keys = new Set(this.#changed.keys());
    const salt: string[] = [...this.#changed].map(([key, what]) => `${key}=${what}`).sort();
    for await (const key of this.deps.store.list(this.#pendingPrefix)) {
      const object = await this.deps.store.get(key);
      if (!object) continue;
      pending.push(key);
      salt.push(key);
      for (const k of JSON.parse(object.body.toString('utf8')) as string[]) keys.add(k);
    }
    const plan = planInvalidation(keys, `${this.options.owner}\n${salt.join('\n')}`, this.options.planner);
    if (!plan) {
      if (pending.length) await this.deps.store.deleteMany(pending);
      return { invalidated: [] };
    }
    try {
      await this.deps.cdn.invalidate(plan.paths, plan.callerReference);
    } catch (error) {
      if (this.#changed.size) {
        const record = `${this.#pendingPrefix}${sha256(salt.join('\n')).slice(0, 32)}.json`;
        await this.deps.store.put(record, JSON.stringify([...this.#changed.keys()].sort()), { contentType: 'application/json', cacheControl: 'no-store' });
      }
      this.deps.logger.warn('invalidation failed; kept for the next run', { owner: this.options.owner, paths: plan.paths.length, error: asError(error).message });
      throw error;
    }
    if (pending.length) await this.deps.store.deleteMany(pending);
    return { invalidated: plan.paths };
  }
}
