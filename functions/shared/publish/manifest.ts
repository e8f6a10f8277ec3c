/**
 * The manifest: every live object key → content hash, type and cache policy. It lives in the bucket
 * (`_restatic/manifest.json.gz`), so the next run — another process, another Lambda — knows what is
 * live without a per-object HEAD or a full-bucket LIST.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { ObjectStoreError } from '../errors.js';
import type { ObjectStore } from '../ports.js';

export const MANIFEST_KEY = '_restatic/manifest.json.gz';

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

/** Reads the live manifest; an absent one is an empty site. A corrupt one is an error (never guess). */
export async function readManifest(store: ObjectStore): Promise<Manifest> {
  const object = await store.get(MANIFEST_KEY);
  if (!object) return emptyManifest();
  try {
    const manifest = JSON.parse(gunzipSync(object.body).toString('utf8')) as Manifest;
    if (manifest.format !== 1 || typeof manifest.entries !== 'object') throw new Error(`unknown format ${String(manifest.format)}`);
    return manifest;
  } catch (error) {
    throw new ObjectStoreError(`Expected ${MANIFEST_KEY} to be a gzipped Restatic manifest (format 1): ${(error as Error).message}`, { cause: error });
  }
}

export async function writeManifest(store: ObjectStore, manifest: Manifest): Promise<void> {
  await store.put(MANIFEST_KEY, gzipSync(JSON.stringify(manifest)), { contentType: 'application/gzip', cacheControl: 'no-store' });
}

/**
 * The live manifest for a warm worker: read once, then revalidated by ETag (a HEAD) on each run and
 * replaced by what the run published, so a change does not re-read and re-parse a manifest that
 * lists every object of the store.
 */
export class ManifestCache {
  #cached: { etag: string; manifest: Manifest } | undefined;

  constructor(private readonly store: ObjectStore) {}

  async read(): Promise<Manifest> {
    const etag = await this.store.head(MANIFEST_KEY);
    if (etag !== undefined && this.#cached?.etag === etag) return this.#cached.manifest;
    const manifest = await readManifest(this.store);
    this.#cached = etag === undefined ? undefined : { etag, manifest };
    return manifest;
  }

  /** After a publish: `manifest` is what is live now (never mutated afterwards by the publisher). */
  async remember(manifest: Manifest): Promise<void> {
    const etag = await this.store.head(MANIFEST_KEY);
    this.#cached = etag === undefined ? undefined : { etag, manifest };
  }
}
