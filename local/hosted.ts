/**
 * What a function hosted in its own thread (rebuild worker, feeds, PDFs — each its own Lambda in
 * AWS) needs to build its own clients. Plain data: it crosses to the thread as `workerData`.
 */
import { join } from 'node:path';
import { createContentfulSyncSource } from '../functions/shared/adapters/contentful-sync-source.js';
import { createExportContentSource } from '../functions/shared/adapters/contentful-export-source.js';
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
