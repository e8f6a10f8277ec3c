/**
 * The store a render thread uploads with: each thread builds its own S3 client (clients cannot
 * cross threads), against S3 itself or an S3-compatible endpoint (the local stand-in).
 */
import { S3Client } from '@aws-sdk/client-s3';
import { createS3ObjectStore, s3CompatibleConfig } from '../shared/adapters/s3-object-store.js';
import { SDK_RETRY } from '../shared/adapters/sdk.js';
import type { ThreadStoreModule } from '../shared/build/render-pool.js';
import type { ObjectStore } from '../shared/ports.js';

export interface ThreadStoreOptions {
  bucket: string;
  /** An S3-compatible endpoint (s3rver locally); AWS's own when absent. */
  endpoint?: string;
}

/** Called in the render thread (render-worker.js). */
export function createThreadStore(options: ThreadStoreOptions): ObjectStore {
  const client = new S3Client(options.endpoint ? s3CompatibleConfig(options.endpoint) : SDK_RETRY);
  return createS3ObjectStore({ bucket: options.bucket, client });
}

/** What `createWorkerPoolRenderer({ store })` takes to have its threads upload to this bucket. */
export function threadStore(options: ThreadStoreOptions): ThreadStoreModule {
  return { module: import.meta.url, options };
}
