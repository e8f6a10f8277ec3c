/**
 * The local full build with its render threads uploading their own chunks (as shard Lambdas do)
 * against the protocol servers: it publishes exactly what a build uploading from one thread does.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, inject, it } from 'vitest';
import { threadStore } from '../../../../functions/compose/thread-store.js';
import { createDynamoDbCatalog } from '../../../../functions/shared/adapters/dynamodb-catalog.js';
import { createExportContentSource } from '../../../../functions/shared/adapters/contentful-export-source.js';
import { createS3ObjectStore } from '../../../../functions/shared/adapters/s3-object-store.js';
import { fullBuild } from '../../../../functions/shared/build/full-build.js';
import { createWorkerPoolRenderer, inProcessRenderer } from '../../../../functions/shared/build/render-pool.js';
import { silentLogger } from '../../../../functions/shared/logger.js';
import type { Catalog, Cdn, ObjectStore } from '../../../../functions/shared/ports.js';
import { readManifest } from '../../../../functions/shared/publish/manifest.js';
import { readState } from '../../../../functions/shared/state/site-state.js';
import { LocalContentSpace } from '../../../../local/content-space.js';
import { DEMO_SPACE_FILE } from '../../../../local/demo-space.js';
import { seedDemoCatalog } from '../../../../local/seed.js';
import { dynamoClient, freshBucket, freshTable, s3Client } from '../../../fixtures/aws.js';
import { SITE } from '../../../fixtures/site.js';

const options = { site: { ...SITE, now: new Date('2026-11-20T00:00:00Z') }, demoImages: false };

let catalog: Catalog;
let space: LocalContentSpace;
let single: ObjectStore;
let threaded: { store: ObjectStore; bucket: string };
let invalidations: { single: string[][]; threaded: string[][] };

const cdnInto = (list: string[][]): Cdn => ({ invalidate: async (paths) => { list.push([...paths]); return `inv-${list.length}`; } });

async function publicObjects(store: ObjectStore): Promise<Map<string, string>> {
  const objects = new Map<string, string>();
  for await (const key of store.list('')) if (!key.startsWith('_restatic/')) objects.set(key, (await store.get(key))!.body.toString('base64'));
  return objects;
}

beforeEach(async () => {
  const s3 = s3Client();
  const dynamo = dynamoClient();
  catalog = createDynamoDbCatalog({ table: await freshTable(dynamo), client: dynamo });
  await seedDemoCatalog(catalog, 90);
  space = new LocalContentSpace(createExportContentSource(DEMO_SPACE_FILE), join(mkdtempSync(join(tmpdir(), 'restatic-full-')), 'space.jsonl'));
  single = createS3ObjectStore({ bucket: await freshBucket(s3), client: s3 });
  const bucket = await freshBucket(s3);
  threaded = { bucket, store: createS3ObjectStore({ bucket, client: s3 }) };
  invalidations = { single: [], threaded: [] };
});

describe('full build, render threads uploading', () => {
  it('publishes byte for byte what a build uploading from one thread does: objects, manifest, state, one invalidation', async () => {
    // Prepare
    const renderer = createWorkerPoolRenderer({ workers: 2, chunkSize: 40, minPagesForWorkers: 1, store: threadStore({ bucket: threaded.bucket, endpoint: inject('s3Endpoint') }) });
    await fullBuild({ content: space, catalog, store: single, cdn: cdnInto(invalidations.single), logger: silentLogger, renderer: inProcessRenderer }, options);
    // Act
    const result = await fullBuild({ content: space, catalog, store: threaded.store, cdn: cdnInto(invalidations.threaded), logger: silentLogger, renderer }, options);
    const again = await fullBuild({ content: space, catalog, store: threaded.store, cdn: cdnInto(invalidations.threaded), logger: silentLogger, renderer }, options);
    // Assess
    expect(renderer.publish).toBeDefined();
    expect(await publicObjects(threaded.store)).toEqual(await publicObjects(single));
    expect((await readManifest(threaded.store)).entries).toEqual((await readManifest(single)).entries);
    const [a, b] = [await readState(single), await readState(threaded.store)];
    expect(b!.pages).toEqual(a!.pages);
    expect(result.uploaded.length).toBe(result.pages + 4); // every page, the stylesheet, the cart and search scripts and the icon
    expect(again.uploaded).toEqual([]);
    expect(invalidations.threaded).toEqual(invalidations.single);
  });
});
