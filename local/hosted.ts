/**
 * What a function hosted in its own thread (rebuild worker, feeds, PDFs — each its own Lambda in
 * AWS) needs to build its own clients. Plain data: it crosses to the thread as `workerData`.
 */
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { createContentfulSyncSource } from '../functions/shared/adapters/contentful-sync-source.js';
import { createExportContentSource } from '../functions/shared/adapters/contentful-export-source.js';
import { RestaticError } from '../functions/shared/errors.js';
import type { LogLevel } from '../functions/shared/logger.js';
import type { ContentSource } from '../functions/shared/ports.js';
import { LocalContentSpace } from './content-space.js';

export interface HostedServices {
  s3Endpoint: string;
  dynamoEndpoint: string;
  bucket: string;
  table: string;
  edgeUrl: string;
  logLevel: LogLevel;
}

export interface HostedContent {
  dataDir: string;
  spaceFile: string;
  contentful?: { space: string; environment: string; accessToken: string };
}

/** Contentful's Delivery API when configured; else the bundled space plus the local publish journal. */
export function hostedContentSource(config: HostedContent): ContentSource {
  return config.contentful
    ? createContentfulSyncSource(config.contentful)
    : new LocalContentSpace(createExportContentSource(config.spaceFile), join(config.dataDir, 'contentful', 'published.jsonl'));
}

/**
 * Calls `onDeath` once the thread exits, with a retryable error naming the thread and the error it
 * threw, if any: the host fails the work in flight and starts a new thread.
 */
export function onThreadDeath(thread: Worker, name: string, onDeath: (error: RestaticError) => void): void {
  let failure: Error | undefined;
  thread.on('error', (error) => { failure = error; });
  thread.on('exit', (code) => onDeath(new RestaticError(`${name} thread exited (code ${code})${failure ? `: ${failure.message}` : ''}`, { retryable: true, ...(failure ? { cause: failure } : {}) })));
}
