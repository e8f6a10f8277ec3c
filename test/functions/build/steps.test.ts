/**
 * The fan-out full build's steps (plan, shards, commit) against the protocol servers: they publish
 * exactly what the local build does, a retried shard does no harm, and a commit missing a shard
 * publishes nothing.
 */
import { mkdtempSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { BUILDS_PREFIX } from '../../../functions/build/records.js';
import { planStep } from '../../../functions/build/plan.js';
import { commitStep, shardStep } from '../../../functions/build/steps.js';
import { createDynamoDbCatalog } from '../../../functions/shared/adapters/dynamodb-catalog.js';
import { createExportContentSource } from '../../../functions/shared/adapters/contentful-export-source.js';
import { createS3ObjectStore } from '../../../functions/shared/adapters/s3-object-store.js';
import { fullBuild } from '../../../functions/shared/build/full-build.js';
import { inProcessRenderer } from '../../../functions/shared/build/render-pool.js';
import { ObjectStoreError } from '../../../functions/shared/errors.js';
import { silentLogger } from '../../../functions/shared/logger.js';
import type { Catalog, Cdn, ObjectStore } from '../../../functions/shared/ports.js';
import { ManifestStore, readManifest, writeManifest } from '../../../functions/shared/publish/manifest.js';
import { readState } from '../../../functions/shared/state/site-state.js';
import { LocalContentSpace } from '../../../local/content-space.js';
import { DEMO_SPACE_FILE } from '../../../local/demo-space.js';
import { seedDemoCatalog } from '../../../local/seed.js';
import { dynamoClient, freshBucket, freshTable, s3Client } from '../../fixtures/aws.js';
import { SITE } from '../../fixtures/site.js';

const NOW = new Date('2026-11-20T00:00:00Z');
const options = { site: { ...SITE, now: NOW }, demoImages: false, shardPages: 37 };

let catalog: Catalog;
let space: LocalContentSpace;
let local: ObjectStore;
let fanned: ObjectStore;
let invalidations: { local: string[][]; fanned: string[][] };

const cdnInto = (list: string[][]): Cdn => ({ invalidate: async (paths) => { list.push([...paths]); return `inv-${list.length}`; } });

/** Every object outside `_restatic/` (what visitors can get), key → bytes. */
async function publicObjects(store: ObjectStore): Promise<Map<string, string>> {
  const objects = new Map<string, string>();
  for await (const key of store.list('')) {
    if (key.startsWith('_restatic/')) continue;
    objects.set(key, (await store.get(key))!.body.toString('base64'));
  }
  return objects;
}

async function fanOut(buildId: string, hooks: { beforeCommit?: (shards: number[]) => Promise<void> } = {}, buildOptions = options) {
  const deps = { content: space, catalog, store: fanned, cdn: cdnInto(invalidations.fanned), logger: silentLogger };
  const ticket = await planStep(deps, buildOptions, { buildId, correlationId: `c-${buildId}` });
  // Shards run in any order and at once, as a Distributed Map runs them.
  await Promise.all([...ticket.shards].reverse().map((shard) => shardStep(deps, { buildId, shard })));
  await hooks.beforeCommit?.(ticket.shards);
  return { ticket, summary: await commitStep(deps, { buildId }) };
}

beforeEach(async () => {
  const s3 = s3Client();
  const dynamo = dynamoClient();
  catalog = createDynamoDbCatalog({ table: await freshTable(dynamo), client: dynamo });
  await seedDemoCatalog(catalog, 90);
  space = new LocalContentSpace(createExportContentSource(DEMO_SPACE_FILE), join(mkdtempSync(join(tmpdir(), 'restatic-fan-')), 'space.jsonl'));
  local = createS3ObjectStore({ bucket: await freshBucket(s3), client: s3 });
  fanned = createS3ObjectStore({ bucket: await freshBucket(s3), client: s3 });
  invalidations = { local: [], fanned: [] };
});

describe('fan-out full build', () => {
  it('publishes byte for byte what the local build publishes, with the same manifest, state and one invalidation', async () => {
    // Prepare
    await fullBuild({ content: space, catalog, store: local, cdn: cdnInto(invalidations.local), logger: silentLogger, renderer: inProcessRenderer }, options);
    // Act
    const { ticket, summary } = await fanOut('b1');
    // Assess
    expect(ticket.shards.length).toBeGreaterThan(3);
    expect(await publicObjects(fanned)).toEqual(await publicObjects(local));
    expect((await readManifest(fanned)).entries).toEqual((await readManifest(local)).entries);
    const [a, b] = [await readState(local), await readState(fanned)];
    expect(b!.pages).toEqual(a!.pages);
    expect(b!.products).toEqual(a!.products);
    expect(invalidations.fanned).toEqual(invalidations.local);
    expect(summary.pages).toBe(ticket.pages);
    expect(summary.uploaded).toBe(summary.pages + 4); // every page, the stylesheet, the cart and search scripts and the icon
    const left: string[] = [];
    for await (const key of fanned.list(BUILDS_PREFIX)) left.push(key);
    expect(left).toEqual([]);
  });

  it('builds the preview the same way: what the in-process preview build publishes (up to the second on each page\'s receipt), every page noindex', async () => {
    // Prepare: the preview worker's site (the plan step is given it by SITE_KIND=preview)
    const preview = { ...options, site: { ...options.site, preview: true } };
    await fullBuild({ content: space, catalog, store: local, cdn: cdnInto(invalidations.local), logger: silentLogger, renderer: inProcessRenderer }, preview);
    // Act
    await fanOut('preview', {}, preview);
    // Assess: the same, up to the second each page was rendered at, which the preview's receipt shows
    const receipts = (objects: Map<string, string>) => new Map([...objects].map(([key, body]) => [key, Buffer.from(body, 'base64').toString().replace(/(<p class="preview-receipt">.*?)\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\.<\/p>/g, '$1(rendered at)</p>')]));
    const objects = receipts(await publicObjects(fanned));
    expect(objects).toEqual(receipts(await publicObjects(local)));
    expect([...objects.values()].filter((body) => body.includes('(rendered at)')).length).toBeGreaterThan(100);
    const home = objects.get('index.html')!;
    expect(home).toMatch(/<meta name="robots" content="noindex/);
    expect(objects.get('robots.txt')).toMatch(/Disallow: \/\s*$/m);
  });

  it('republishes only what changed: one product repriced, its page and listing; no change, nothing', async () => {
    // Prepare
    await fanOut('first');
    const product = (await catalog.scanAll()).products.find((p) => p.salePrice === undefined)!;
    await catalog.put({ ...product, slug: undefined, price: { ...product.price, USD: 4242 } });
    invalidations.fanned.length = 0;
    // Act
    const changed = await fanOut('second');
    const unchanged = await fanOut('third');
    // Assess
    expect(changed.summary.result.uploaded.filter((k) => k.startsWith('products/') || k.startsWith('categories/'))).toEqual(expect.arrayContaining([`products/${product.slug}/index.html`]));
    expect(changed.summary.result.uploaded.every((k) => k.startsWith('products/') || k.startsWith('categories/') || k === 'index.html')).toBe(true);
    expect((await fanned.get(`products/${product.slug}/index.html`))!.body.toString()).toContain('$42.42');
    expect(unchanged.summary.uploaded).toBe(0);
    expect(unchanged.summary.deleted).toBe(0);
    expect(invalidations.fanned).toHaveLength(1);
  });

  it('a shard delivered twice (at-least-once) changes nothing', async () => {
    // Prepare
    await fullBuild({ content: space, catalog, store: local, cdn: cdnInto(invalidations.local), logger: silentLogger, renderer: inProcessRenderer }, options);
    const deps = { content: space, catalog, store: fanned, cdn: cdnInto(invalidations.fanned), logger: silentLogger };
    // Act
    await fanOut('twice', { beforeCommit: async (shards) => { await shardStep(deps, { buildId: 'twice', shard: shards[1]! }); } });
    // Assess
    expect(await publicObjects(fanned)).toEqual(await publicObjects(local));
  });

  it('shards read only the small plan: the state the commit writes (O(store)) is in a record of its own', async () => {
    // Prepare
    const deps = { content: space, catalog, store: fanned, cdn: cdnInto(invalidations.fanned), logger: silentLogger };
    const ticket = await planStep(deps, options, { buildId: 'small', correlationId: 'c' });
    const plan = JSON.parse(gunzipSync((await fanned.get(`${BUILDS_PREFIX}small/plan.json.gz`))!.body).toString()) as Record<string, unknown>;
    const commitRecord = await fanned.get(`${BUILDS_PREFIX}small/commit.json.gz`);
    await fanned.deleteMany([`${BUILDS_PREFIX}small/commit.json.gz`]);
    // Act: a shard runs without the commit's record
    const out = await shardStep(deps, { buildId: 'small', shard: ticket.shards[0]! });
    // Assess
    expect(out.pages).toBeGreaterThan(0);
    expect(Object.keys(plan).sort()).toEqual(['buildId', 'context', 'correlationId', 'format', 'now', 'shards']);
    expect(commitRecord).toBeDefined();
  });

  it('groups its pages by the live manifest\'s shards: a shard reads a few of them, and publishes what the local build does', async () => {
    // Prepare: both buckets hold a manifest of many shards (other jobs' spec sheets), then a first build
    const foreign = Object.fromEntries(Array.from({ length: 6000 }, (_, i) => [`pdf/sheet-${i}.pdf`, { hash: `h${i}`, contentType: 'application/pdf', cacheControl: 'max-age=60', size: i }]));
    for (const store of [local, fanned]) await writeManifest(store, { format: 1, generation: 1, publishedAt: NOW.toISOString(), entries: foreign });
    await fullBuild({ content: space, catalog, store: local, cdn: cdnInto(invalidations.local), logger: silentLogger, renderer: inProcessRenderer }, options);
    await fanOut('first');
    // The build's entries folded into the shards (a compactor's work; here a whole write)
    await writeManifest(fanned, await readManifest(fanned));
    const count = await new ManifestStore(fanned).entryShards();
    const product = (await catalog.scanAll()).products.find((p) => p.salePrice === undefined)!;
    await catalog.put({ ...product, slug: undefined, price: { ...product.price, USD: 4343 } });
    await fullBuild({ content: space, catalog, store: local, cdn: cdnInto(invalidations.local), logger: silentLogger, renderer: inProcessRenderer }, options);
    const manifestShardsRead: number[] = [];
    const counting: ObjectStore = { ...fanned, get: (key) => { if (/^_restatic\/manifest\/entries\//.test(key)) manifestShardsRead[manifestShardsRead.length - 1]!++; return fanned.get(key); } };
    const deps = { content: space, catalog, store: counting, cdn: cdnInto(invalidations.fanned), logger: silentLogger };
    // Act: the second build's shards, one at a time, each counting the manifest shards it reads
    const ticket = await planStep(deps, options, { buildId: 'second', correlationId: 'c-second' });
    for (const shard of ticket.shards) {
      manifestShardsRead.push(0);
      await shardStep(deps, { buildId: 'second', shard });
    }
    await commitStep({ ...deps, store: fanned }, { buildId: 'second' });
    // Assess: ~190 pages over 4 manifest shards, 37 a shard: none reads more than two (without grouping, every shard read all 4)
    expect(count).toBe(4);
    expect(ticket.shards.length).toBeGreaterThan(4);
    expect(Math.max(...manifestShardsRead)).toBeLessThanOrEqual(2);
    expect(await publicObjects(fanned)).toEqual(await publicObjects(local));
    expect((await readManifest(fanned)).entries).toEqual((await readManifest(local)).entries);
    expect((await readState(fanned))!.pages).toEqual((await readState(local))!.pages);
  });

  it('a commit that finds a shard unfinished fails, retryable, naming it, and commits nothing', async () => {
    // Prepare
    const before = await fanOut('live');
    const deps = { content: space, catalog, store: fanned, cdn: cdnInto(invalidations.fanned), logger: silentLogger };
    const ticket = await planStep(deps, options, { buildId: 'broken', correlationId: 'c' });
    await Promise.all(ticket.shards.slice(1).map((shard) => shardStep(deps, { buildId: 'broken', shard })));
    // Act
    const failure = await commitStep(deps, { buildId: 'broken' }).catch((e: unknown) => e);
    // Assess
    expect(failure).toBeInstanceOf(ObjectStoreError);
    expect((failure as ObjectStoreError).retryable).toBe(true);
    expect((failure as Error).message).toContain('shard 0');
    expect((await readManifest(fanned)).generation).toBe(before.summary.generation);
  });
});
