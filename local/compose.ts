/**
 * The local composition root: the embedded protocol servers and the adapters on them (bucket,
 * catalog, content), built from the local configuration. The stack, the CLI and the routes get
 * their services from here; a new local adapter or setting has this one home.
 */
import { join } from 'node:path';
import { createDynamoDbCatalog } from '../functions/shared/adapters/dynamodb-catalog.js';
import { createExportContentSource } from '../functions/shared/adapters/contentful-export-source.js';
import { createContentfulSyncSource } from '../functions/shared/adapters/contentful-sync-source.js';
import { createS3ObjectStore } from '../functions/shared/adapters/s3-object-store.js';
import type { Catalog, ContentSource, ObjectStore } from '../functions/shared/ports.js';
import type { LocalConfig } from './config.js';
import { LocalContentSpace } from './content-space.js';
import { DEMO_SPACE_FILE } from './demo-space.js';
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

