/**
 * `npm start`: the whole pipeline on one machine. Embedded S3 and DynamoDB servers, the demo store
 * seeded when empty, a full build and publish, then the edge server on 127.0.0.1:PORT and the
 * local control routes, reacting to catalog changes until stopped.
 */
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createDynamoDbCatalog } from '../functions/shared/adapters/dynamodb-catalog.js';
import { createExportContentSource } from '../functions/shared/adapters/contentful-export-source.js';
import { createContentfulSyncSource } from '../functions/shared/adapters/contentful-sync-source.js';
import { createLocalEdgeCdn } from '../functions/shared/adapters/local-edge-cdn.js';
import { createS3ObjectStore } from '../functions/shared/adapters/s3-object-store.js';
import { fullBuild, type FullBuildResult } from '../functions/shared/build/full-build.js';
import { createWorkerPoolRenderer, type PageRenderer } from '../functions/shared/build/render-pool.js';
import { ValidationError } from '../functions/shared/errors.js';
import type { JsonLogger } from '../functions/shared/logger.js';
import type { Catalog, ContentSource, ObjectStore, Progress } from '../functions/shared/ports.js';
import type { LocalConfig } from './config.js';
import { EdgeServer } from './edge-server.js';
import { startEmbeddedServers, type EmbeddedServers } from './embedded.js';
import { seedDemoCatalog } from './seed.js';
import { StatusLog, type ChangeRecord, type ChangeSource } from './status.js';

export const DEMO_SPACE_FILE = fileURLToPath(new URL('../functions/shared/demo/space.export.json', import.meta.url));

export interface LocalServices {
  servers: EmbeddedServers;
  store: ObjectStore;
  catalog: Catalog;
  content: ContentSource;
}

/** Starts the embedded servers and builds the adapters on them (no edge, no build). */
export async function startServices(config: LocalConfig): Promise<LocalServices> {
  const servers = await startEmbeddedServers({ dataDir: config.dataDir, bucket: config.bucket, table: config.table });
  const content = config.deliveryToken
    ? createContentfulSyncSource({ space: config.spaceId, environment: config.environment, accessToken: config.deliveryToken })
    : createExportContentSource(DEMO_SPACE_FILE);
  return {
    servers,
    store: createS3ObjectStore({ bucket: config.bucket, client: servers.s3 }),
    catalog: createDynamoDbCatalog({ table: config.table, client: servers.dynamo }),
    content,
  };
}

export interface LocalStack {
  url: string;
  status: StatusLog;
  edge: EdgeServer;
  services: LocalServices;
  firstBuild: FullBuildResult;
  close(): Promise<void>;
}

export interface StackOptions {
  logger: JsonLogger;
  progress?: Progress;
  renderer?: PageRenderer;
  /** Coalescing window for catalog changes, ms. @default 250 */
  debounceMs?: number;
}

/** Runs the local stack; resolves once the site is published and the edge is listening. */
export async function startLocalStack(config: LocalConfig, options: StackOptions): Promise<LocalStack> {
  const { logger } = options;
  const services = await startServices(config);
  const status = new StatusLog(join(config.dataDir, 'status.jsonl'));
  try {
    if (config.demoProducts > 0 && (await services.catalog.isEmpty())) {
      logger.info('seeding demo catalog', { products: config.demoProducts });
      await seedDemoCatalog(services.catalog, config.demoProducts, options.progress);
    }
  } catch (error) {
    await services.servers.close();
    throw error;
  }
  const edge = new EdgeServer({ store: services.store, logger });
  // Listen before the first build: `/_status` answers from the start, and with PORT=0 the real
  // port is known before the Cdn adapter needs it.
  let edgeUrl: string;
  try {
    edgeUrl = await edge.listen(config.port);
  } catch (error) {
    await services.servers.close();
    throw error;
  }
  const cdn = createLocalEdgeCdn(edgeUrl);
  const renderer = options.renderer ?? createWorkerPoolRenderer();

  const build = async (source: ChangeSource, correlationId: string, progress?: Progress): Promise<{ record: ChangeRecord; result?: FullBuildResult }> => {
    const record = status.open(source, correlationId);
    const log = logger.child({ correlation_id: correlationId });
    try {
      const result = await fullBuild(
        { content: services.content, catalog: services.catalog, store: services.store, cdn, logger: log, renderer, ...(progress ? { progress } : {}) },
        { site: { baseUrl: config.siteUrl, currencies: config.currencies, listingPageSize: 24, now: new Date() }, demoImages: !config.deliveryToken },
      );
      const at = new Date().toISOString();
      Object.assign(record.stages, { built: at, uploaded: at, ...(result.invalidation ? { invalidated: at } : {}) });
      record.pagesRebuilt = result.pages;
      record.objectsUploaded = result.uploaded.length;
      record.objectsDeleted = result.deleted.length;
      record.pathsInvalidated = result.invalidation?.paths ?? [];
      record.warnings = [...result.rejected.map((r) => `product ${r.sku} skipped: ${r.message}`), ...result.warnings.map((w) => `${w.subject}: ${w.message}`)];
      return { record, result };
    } catch (error) {
      record.stages.failed = new Date().toISOString();
      record.errors.push((error as Error).message);
      log.error('build failed', { error });
      return { record };
    } finally {
      status.save(record);
    }
  };

  // Catalog changes: coalesce bursts into one rebuild; a change during a build triggers one more.
  let pending: Array<{ source: ChangeSource; correlationId: string }> = [];
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const drain = async () => {
    while (pending.length) {
      const batch = pending;
      pending = [];
      const { record } = await build(batch[0]!.source, batch[0]!.correlationId);
      for (const extra of batch.slice(1)) {
        const merged = status.open(extra.source, extra.correlationId);
        Object.assign(merged, { ...record, id: merged.id, source: extra.source, correlationId: extra.correlationId, stages: { ...record.stages, received: merged.stages.received } });
        status.save(merged);
      }
    }
  };
  const schedule = (source: ChangeSource, correlationId: string) => {
    pending.push({ source, correlationId });
    clearTimeout(timer);
    timer = setTimeout(() => { running = (running ?? Promise.resolve()).then(drain); }, options.debounceMs ?? 250);
  };

  let sequence = BigInt(Date.now()) * 1000n;
  edge.route('GET', '/_status', async () => ({ status: 200, body: { changes: status.list() } }));
  edge.route('PUT', '/_local/products/{sku}', async (_req, body, params) => {
    const item = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) return { status: 400, body: { error: 'expected a JSON object (one product)', field: '(body)' } };
    if (item.sku !== undefined && item.sku !== params.sku) return { status: 400, body: { error: `expected sku "${params.sku}" as in the path, got ${JSON.stringify(item.sku)}`, field: 'sku' } };
    try {
      const existed = await services.catalog.get(params.sku!).catch(() => undefined);
      await services.catalog.put({ ...item, sku: params.sku });
      const correlationId = randomUUID();
      const sequenceNumber = String(++sequence);
      schedule({ kind: 'catalog', sku: params.sku!, sequenceNumber, eventName: existed ? 'MODIFY' : 'INSERT' }, correlationId);
      return { status: 202, body: { accepted: true, sku: params.sku, sequenceNumber, correlationId } };
    } catch (error) {
      if (error instanceof ValidationError) return { status: 400, body: { error: error.message, field: error.field } };
      throw error;
    }
  });
  edge.route('DELETE', '/_local/products/{sku}', async (_req, _body, params) => {
    const removed = await services.catalog.delete(params.sku!);
    const correlationId = randomUUID();
    const sequenceNumber = String(++sequence);
    if (removed) schedule({ kind: 'catalog', sku: params.sku!, sequenceNumber, eventName: 'REMOVE' }, correlationId);
    return { status: 202, body: { accepted: true, sku: params.sku, existed: Boolean(removed), sequenceNumber, correlationId } };
  });

  let firstBuild: FullBuildResult;
  try {
    const first = await build({ kind: 'full-build', reason: 'start' }, randomUUID(), options.progress);
    if (!first.result) throw new Error(`The first build failed: ${first.record.errors.join('; ')}`);
    firstBuild = first.result;
  } catch (error) {
    await edge.close();
    await services.servers.close();
    throw error;
  }

  return {
    url: edgeUrl, status, edge, services, firstBuild,
    async close() {
      clearTimeout(timer);
      await running;
      await edge.close();
      await services.servers.close();
    },
  };
}
