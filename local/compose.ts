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
import { createDynamoDbRootPointers, ensureRootPointersTable } from '../functions/shared/adapters/dynamodb-root-pointers.js';
import { createContentfulSyncSource } from '../functions/shared/adapters/contentful-sync-source.js';
import { createContentfulPreviewSource } from '../functions/shared/adapters/contentful-preview-source.js';
import { createS3ObjectStore, s3CompatibleConfig } from '../functions/shared/adapters/s3-object-store.js';
import { createUncachedCdn } from '../functions/shared/adapters/uncached-cdn.js';
import type { LogLevel } from '../functions/shared/logger.js';
import type { Catalog, Cdn, ContentSource, ObjectStore, RootPointers } from '../functions/shared/ports.js';
import type { LocalConfig } from './config.js';
import { LocalContentSpace } from './content-space.js';
import { DEMO_SPACE_FILE } from './demo-space.js';
import { createLocalEdgeCdn } from './edge-cdn.js';
import { startEmbeddedServersInThread, type EmbeddedServers } from './embedded.js';

/** The local state table (root pointers of the site state and manifest), as the stack's in AWS. */
export const LOCAL_ROOTS_TABLE = 'restatic-state';
/** The preview site's own state table: its runs never touch the live site's state. */
export const LOCAL_PREVIEW_ROOTS_TABLE = 'restatic-preview-state';
/** The drafts the webhooks carried (save, auto_save), over what is published: the local Preview API. */
export const draftsJournal = (dataDir: string): string => join(dataDir, 'contentful', 'drafts.jsonl');

export interface LocalServices {
  servers: EmbeddedServers;
  store: ObjectStore;
  /** Where the state and manifest commit (compare-and-swap), in the embedded DynamoDB. */
  roots: RootPointers;
  catalog: Catalog;
  content: ContentSource | LocalContentSpace;
  /** The private preview site: its bucket, its state, and the drafts over the published content. */
  preview: { store: ObjectStore; roots: RootPointers; content: LocalContentSpace };
}

/** Starts the embedded servers and builds the adapters on them (no edge, no build). */
export async function startServices(config: LocalConfig): Promise<LocalServices> {
  const servers = await startEmbeddedServersInThread({ dataDir: config.dataDir, bucket: config.bucket, extraBuckets: [config.previewBucket], table: config.table, dynamoPort: config.dynamoPort });
  await ensureRootPointersTable(servers.dynamo, LOCAL_ROOTS_TABLE);
  await ensureRootPointersTable(servers.dynamo, LOCAL_PREVIEW_ROOTS_TABLE);
  // Locally, without a Delivery API token, the bundled space plus what webhooks published plays the CDA.
  const content = config.deliveryToken
    ? createContentfulSyncSource({ space: config.spaceId, environment: config.environment, accessToken: config.deliveryToken })
    : new LocalContentSpace(createExportContentSource(DEMO_SPACE_FILE), join(config.dataDir, 'contentful', 'published.jsonl'));
  return {
    servers,
    store: createS3ObjectStore({ bucket: config.bucket, client: servers.s3 }),
    roots: createDynamoDbRootPointers({ table: LOCAL_ROOTS_TABLE, client: servers.dynamo }),
    catalog: createDynamoDbCatalog({ table: config.table, client: servers.dynamo }),
    content,
    preview: {
      store: createS3ObjectStore({ bucket: config.previewBucket, client: servers.s3 }),
      roots: createDynamoDbRootPointers({ table: LOCAL_PREVIEW_ROOTS_TABLE, client: servers.dynamo }),
      content: new LocalContentSpace(content, draftsJournal(config.dataDir), { newerWins: true }),
    },
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
  /** The state table (root pointers). @default LOCAL_ROOTS_TABLE */
  rootsTable?: string;
  /** The site is served uncached (the preview): nothing to invalidate at the edge. */
  uncached?: boolean;
}

export interface HostedContent {
  dataDir: string;
  spaceFile: string;
  contentful?: { space: string; environment: string; accessToken: string };
  /** The drafts journal to lay over the published content (the preview's content source). */
  draftsFile?: string;
  /** Contentful's Preview API instead (the preview of a real space, `CONTENTFUL_PREVIEW_TOKEN`). */
  contentfulPreview?: { space: string; environment: string; accessToken: string };
}

/** Contentful's Delivery API when configured; else the bundled space plus the local publish journal. */
export function hostedContentSource(config: HostedContent): ContentSource {
  if (config.contentfulPreview) return createContentfulPreviewSource(config.contentfulPreview);
  const published = config.contentful
    ? createContentfulSyncSource(config.contentful)
    : new LocalContentSpace(createExportContentSource(config.spaceFile), join(config.dataDir, 'contentful', 'published.jsonl'));
  return config.draftsFile ? new LocalContentSpace(published, config.draftsFile, { newerWins: true }) : published;
}

/** The ports a hosted function builds inside its thread, on clients of its own. */
export function hostedPorts(config: HostedServices): { store: ObjectStore; roots: RootPointers; catalog: Catalog; cdn: Cdn } {
  const dynamo = new DynamoDBClient(dynamoCompatibleConfig(config.dynamoEndpoint));
  return {
    store: createS3ObjectStore({ bucket: config.bucket, client: new S3Client(s3CompatibleConfig(config.s3Endpoint)) }),
    roots: createDynamoDbRootPointers({ table: config.rootsTable ?? LOCAL_ROOTS_TABLE, client: dynamo }),
    catalog: createDynamoDbCatalog({ table: config.table, client: dynamo }),
    cdn: config.uncached ? createUncachedCdn() : createLocalEdgeCdn(config.edgeUrl),
  };
}
