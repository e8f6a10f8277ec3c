/**
 * The local composition root: the embedded protocol servers and the adapters on them (bucket,
 * catalog, content, the edge as CDN), built from the local configuration, for the main thread and
 * for the threads that host the functions. The stack, the CLI, the routes and the thread hosts get
 * their services from here; a new local adapter or setting has this one home.
 */
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { createDynamoDbCatalog, dynamoCompatibleConfig } from '../functions/shared/adapters/dynamodb-catalog.js';
import { createExportContentSource } from '../functions/shared/adapters/contentful-export-source.js';
import { createContentfulSyncSource } from '../functions/shared/adapters/contentful-sync-source.js';
import { createS3ObjectStore, s3CompatibleConfig } from '../functions/shared/adapters/s3-object-store.js';
import type { LogLevel } from '../functions/shared/logger.js';
import type { Catalog, Cdn, ContentSource, ObjectStore } from '../functions/shared/ports.js';
import type { LocalConfig } from './config.js';
import { LocalContentSpace } from './content-space.js';
import { DEMO_SPACE_FILE } from './demo-space.js';
import { createLocalEdgeCdn } from './edge-cdn.js';
import { startEmbeddedServersInThread, type EmbeddedServers } from './embedded.js';

export interface LocalServices {
  servers: EmbeddedServers;
  store: ObjectStore;
  catalog: Catalog;
  content: ContentSource | LocalContentSpace;
}

/** Starts the embedded servers and builds the adapters on them (no edge, no build). */
export async function startServices(config: LocalConfig): Promise<LocalServices> {
  const servers = await startEmbeddedServersInThread({ dataDir: config.dataDir, bucket: config.bucket, table: config.table });
  // Locally, without a Delivery API token, the bundled space plus what webhooks published plays the CDA.
  const content = config.deliveryToken
    ? createContentfulSyncSource({ space: config.spaceId, environment: config.environment, accessToken: config.deliveryToken })
    : new LocalContentSpace(createExportContentSource(DEMO_SPACE_FILE), join(config.dataDir, 'contentful', 'published.jsonl'));
  return {
    servers,
    store: createS3ObjectStore({ bucket: config.bucket, client: servers.s3 }),
    catalog: createDynamoDbCatalog({ table: config.table, client: servers.dynamo }),
    content,
  };
}


/** The edge server at `edgeUrl` as the CDN (invalidations posted to its control route). */
export const localCdn = (edgeUrl: string): Cdn => createLocalEdgeCdn(edgeUrl);

/**
 * What a function hosted in its own thread (rebuild worker, feeds, PDFs — each its own Lambda in
 * AWS) needs to build its own clients. Plain data: it crosses to the thread as `workerData`.
 */
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

/** The ports a hosted function builds inside its thread, on clients of its own. */
export function hostedPorts(config: HostedServices): { store: ObjectStore; catalog: Catalog; cdn: Cdn } {
  return {
    store: createS3ObjectStore({ bucket: config.bucket, client: new S3Client(s3CompatibleConfig(config.s3Endpoint)) }),
    catalog: createDynamoDbCatalog({ table: config.table, client: new DynamoDBClient(dynamoCompatibleConfig(config.dynamoEndpoint)) }),
    cdn: createLocalEdgeCdn(config.edgeUrl),
  };
}
