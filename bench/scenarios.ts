/**
 * One benchmark scenario per process (so peak RSS is the scenario's own): prints one JSON line.
 * Usage: node bin/run-ts.js bench/scenarios.ts <scenario> ; endpoints and names come from env.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { Eleventy } from '@11ty/eleventy';
import PQueue from 'p-queue';
import { createDynamoDbCatalog } from '../functions/shared/adapters/dynamodb-catalog.js';
import { createExportContentSource } from '../functions/shared/adapters/contentful-export-source.js';
import { createS3ObjectStore, s3CompatibleConfig } from '../functions/shared/adapters/s3-object-store.js';
import { planStep } from '../functions/build/plan.js';
import { commitStep, shardStep } from '../functions/build/steps.js';
import { fullBuild } from '../functions/shared/build/full-build.js';
import { threadStore } from '../functions/compose/thread-store.js';
import { createWorkerPoolRenderer } from '../functions/shared/build/render-pool.js';
import { SITE_DIR, configureSite, type RenderedPage } from '../functions/shared/build/render.js';
import { loadSiteAssets } from '../functions/shared/build/site-assets.js';
import { buildSiteModel } from '../functions/shared/build/site-model.js';
import { ContentSnapshot } from '../functions/shared/content/snapshot.js';
import { silentLogger } from '../functions/shared/logger.js';
import type { Cdn, ObjectStore } from '../functions/shared/ports.js';
import { metaForKey } from '../functions/shared/publish/headers.js';
import { ManifestStore, readManifest } from '../functions/shared/publish/manifest.js';
import { Publisher } from '../functions/shared/publish/publisher.js';
import { dynamoCompatibleConfig } from '../functions/shared/adapters/dynamodb-catalog.js';
import { DEMO_MARKETS } from '../functions/shared/markets/markets.js';
import { DEMO_SPACE_FILE } from '../local/demo-space.js';
import { needBench, readBenchConfig } from './config.js';
import { peakRssMb } from './peak-rss.js';

const config = readBenchConfig();
const env = (name: 'BENCH_S3' | 'BENCH_DYNAMO' | 'BENCH_BUCKET' | 'BENCH_TABLE') => needBench(config, name);
const site = { baseUrl: 'https://shop.example.com', markets: DEMO_MARKETS, listingPageSize: 24, now: new Date('2026-11-20T00:00:00Z') };

/** Counts the calls a scenario makes to the store (uploads, LISTs, HEAD-like GETs). */
function counting(store: ObjectStore) {
  const counts = { put: 0, get: 0, list: 0, delete: 0 };
  const wrapped: ObjectStore = {
    put: (k, b, m) => { counts.put++; return store.put(k, b, m); },
    putFile: (k, f, m) => { counts.put++; return store.putFile(k, f, m); },
    get: (k) => { counts.get++; return store.get(k); },
    head: (k) => { counts.get++; return store.head(k); },
    metadata: (k) => { counts.get++; return store.metadata(k); },
    list: (p) => { counts.list++; return store.list(p); },
    deleteMany: (k) => { counts.delete += k.length; return store.deleteMany(k); },
  };
  return { store: wrapped, counts };
}

const invalidations: string[][] = [];
const cdn: Cdn = { invalidate: async (paths) => { invalidations.push([...paths]); return 'bench'; } };

function adapters() {
  const s3 = new S3Client(s3CompatibleConfig(env('BENCH_S3')));
  const dynamo = new DynamoDBClient(dynamoCompatibleConfig(env('BENCH_DYNAMO')));
  return {
    store: createS3ObjectStore({ bucket: env('BENCH_BUCKET'), client: s3 }),
    catalog: createDynamoDbCatalog({ table: env('BENCH_TABLE'), client: dynamo }),
    content: createExportContentSource(DEMO_SPACE_FILE),
  };
}

async function model() {
  const { catalog, content } = adapters();
  const snapshot = new ContentSnapshot(await content.locales());
  snapshot.apply(await content.sync());
  const { products } = await catalog.scanAll();
  return buildSiteModel(snapshot, products, site);
}

/** The site model written to a new temporary directory by plain single-process Eleventy. */
async function eleventyToDisk(prefix: string) {
  const m = await model();
  const assets = loadSiteAssets({ demoImages: true });
  const out = mkdtempSync(join(tmpdir(), prefix));
  const eleventy = new Eleventy(SITE_DIR, out, {
    quietMode: true,
    config: (config) => configureSite(config, { sites: m.sites, css: assets.css, pages: m.pages }),
  });
  await eleventy.write();
  return { m, out, assets };
}

const scenarios: Record<string, () => Promise<Record<string, number>>> = {
  /** Baseline: plain single-process Eleventy writing the same pages to disk. */
  async 'eleventy-baseline'() {
    const t0 = performance.now();
    const { m, out } = await eleventyToDisk('restatic-bench-');
    const ms = performance.now() - t0;
    rmSync(out, { recursive: true, force: true });
    return { ms, pages: m.pages.length };
  },

  /**
   * Baseline with the real client: Eleventy to disk (pages plus the same assets), then `aws s3
   * sync` into the bench bucket, then the same sync again with nothing changed (it LISTs the bucket
   * and compares sizes and times). What most static deploys run.
   */
  async 'eleventy-s3-sync'() {
    const t0 = performance.now();
    const { m, out, assets } = await eleventyToDisk('restatic-bench-sync-');
    for (const item of assets.items) {
      mkdirSync(dirname(join(out, item.key)), { recursive: true });
      if (Buffer.isBuffer(item.body)) writeFileSync(join(out, item.key), item.body);
      else copyFileSync(item.body.file, join(out, item.key));
    }
    const rendered = performance.now() - t0;
    // s3rver answers path-style requests with any credentials it was started with.
    const awsDir = mkdtempSync(join(tmpdir(), 'restatic-bench-aws-'));
    writeFileSync(join(awsDir, 'config'), '[default]\nregion = us-east-1\ns3 =\n  addressing_style = path\n  max_concurrent_requests = 32\n');
    const awsEnv = { ...process.env, AWS_CONFIG_FILE: join(awsDir, 'config'), AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_PAGER: '' };
    const sync = async () => {
      const t = performance.now();
      await promisify(execFile)('aws', ['s3', 'sync', out, `s3://${env('BENCH_BUCKET')}`, '--endpoint-url', env('BENCH_S3'), '--only-show-errors'], { env: awsEnv, maxBuffer: 64 * 1024 * 1024 });
      return performance.now() - t;
    };
    const coldSync = await sync();
    const noChangeSync = await sync();
    rmSync(out, { recursive: true, force: true });
    rmSync(awsDir, { recursive: true, force: true });
    return { ms: rendered + coldSync, renderMs: rendered, syncMs: coldSync, noChangeSyncMs: noChangeSync, pages: m.pages.length };
  },

  /**
   * Ours: full build (read, model, worker-pool render, publish) into the bench bucket, every
   * market; `one-market` builds the default market alone (what a second market costs).
   */
  async 'full-build'() {
    const markets = process.argv[3] === 'one-market' ? site.markets.slice(0, 1) : site.markets;
    const { store: raw, catalog, content } = adapters();
    const { store, counts } = counting(raw);
    const t0 = performance.now();
    // The render threads upload their chunks themselves, as in `restatic build` (the counts are the main thread's: assets, sitemaps, state).
    const renderer = createWorkerPoolRenderer({ store: threadStore({ bucket: env('BENCH_BUCKET'), endpoint: env('BENCH_S3') }) });
    const result = await fullBuild({ content, catalog, store, cdn, logger: silentLogger, renderer }, { site: { ...site, markets }, demoImages: true });
    return { ms: performance.now() - t0, pages: result.pages, uploaded: result.uploaded.length, puts: counts.put, gets: counts.get, lists: counts.list, invalidations: invalidations.length };
  },

  /**
   * The fan-out full build as AWS runs it, with the shard functions played in this process (two at
   * a time: the machine's cores): the plan step, every shard (render 500 pages in-process, as a
   * shard Lambda does, and upload), the commit. Reports each step's time, so a shard's
   * throughput can be projected onto Lambdas (docs/performance.md).
   */
  async 'fan-out'() {
    const { store: raw, catalog, content } = adapters();
    const t0 = performance.now();
    const deps = { content, catalog, store: raw, cdn, logger: silentLogger };
    const manifestShards = await new ManifestStore(raw).entryShards();
    const ticket = await planStep(deps, { site, demoImages: true }, { buildId: 'bench', correlationId: 'bench' });
    const t1 = performance.now();
    const shardMs: number[] = [];
    // Per build shard, the manifest shards it read to compare its pages with the live ones.
    const manifestReads: number[] = [];
    const queue = new PQueue({ concurrency: 2 });
    await Promise.all(ticket.shards.map((shard) => queue.add(async () => {
      const s0 = performance.now();
      let reads = 0;
      const store: ObjectStore = { ...raw, get: (key) => { if (key.startsWith('_restatic/manifest/entries/')) reads++; return raw.get(key); } };
      await shardStep({ ...deps, store }, { buildId: 'bench', shard });
      shardMs.push(performance.now() - s0);
      manifestReads.push(reads);
    })));
    const t2 = performance.now();
    const summary = await commitStep(deps, { buildId: 'bench' });
    const t3 = performance.now();
    shardMs.sort((a, b) => a - b);
    manifestReads.sort((a, b) => a - b);
    return {
      ms: t3 - t0, planMs: t1 - t0, shardsMs: t2 - t1, commitMs: t3 - t2, shards: ticket.shards.length, pages: summary.pages,
      shardMedianMs: shardMs[Math.floor(shardMs.length / 2)]!, uploaded: summary.uploaded,
      manifestShards, manifestReadsMedian: manifestReads[Math.floor(manifestReads.length / 2)]!, manifestReadsMax: manifestReads.at(-1)!,
    };
  },

  /**
   * One step of the fan-out build in this process, so that its peak RSS is the step function's own:
   * `plan`, `shard N` (one shard, as one shard function runs), `shards-except N` (the rest, two at a
   * time), `commit`. The steps meet in the bucket, as the state machine's functions do.
   */
  async 'fan-out-step'(): Promise<Record<string, number>> {
    const [step, arg] = [process.argv[3], Number(process.argv[4] ?? 0)];
    const { store, catalog, content } = adapters();
    const deps = { content, catalog, store, cdn, logger: silentLogger };
    const t0 = performance.now();
    if (step === 'plan') {
      const ticket = await planStep(deps, { site, demoImages: true }, { buildId: 'steps', correlationId: 'steps' });
      return { ms: performance.now() - t0, shards: ticket.shards.length };
    }
    if (step === 'shard') {
      await shardStep(deps, { buildId: 'steps', shard: arg });
      return { ms: performance.now() - t0 };
    }
    if (step === 'shards-except') {
      const shards = Number(process.argv[5]);
      const queue = new PQueue({ concurrency: 2 });
      await Promise.all(Array.from({ length: shards }, (_, i) => i).filter((i) => i !== arg).map((shard) => queue.add(() => shardStep(deps, { buildId: 'steps', shard }))));
      return { ms: performance.now() - t0 };
    }
    if (step === 'commit') {
      const summary = await commitStep(deps, { buildId: 'steps' });
      return { ms: performance.now() - t0, pages: summary.pages };
    }
    throw new Error(`fan-out-step: expected plan, shard N, shards-except N COUNT or commit, got ${step}`);
  },

  /** Ours, render only: model + worker-pool render, nothing published (isolates the render speed-up). */
  async 'render-only'() {
    const t0 = performance.now();
    const m = await model();
    const assets = loadSiteAssets({ demoImages: true });
    let pages = 0;
    await createWorkerPoolRenderer().render(m.pages, { sites: m.sites, css: assets.css }, async (r) => { pages += r.length; });
    return { ms: performance.now() - t0, pages };
  },

  /**
   * Publish phase alone on an unchanged site: the rendered pages are compared with the live
   * manifest. `naive` uploads every object instead (what a deploy without a manifest does).
   */
  async 'publish-phase'() {
    const naive = process.argv[3] === 'naive';
    const { store: raw } = adapters();
    const { store, counts } = counting(raw);
    const m = await model();
    const assets = loadSiteAssets({ demoImages: true });
    const rendered: RenderedPage[] = [];
    // The full build's render context (scripts, icon, search): other bytes would make every page a change.
    await createWorkerPoolRenderer().render(m.pages, { sites: m.sites, css: assets.css, js: assets.js, icon: assets.icon, search: assets.search }, async (r) => { rendered.push(...r); });
    const items = [...assets.items, ...rendered];
    const t0 = performance.now();
    if (naive) {
      const queue = new PQueue({ concurrency: 32 });
      for (const item of items) void queue.add(() => store.put(item.key, item.body as Buffer, metaForKey(item.key)));
      await queue.onIdle();
    } else {
      const publisher = new Publisher({ store, cdn, logger: silentLogger }, await readManifest(store), site.now);
      await publisher.add(items);
      await publisher.finish({ prune: true });
    }
    return { ms: performance.now() - t0, objects: items.length, puts: counts.put, gets: counts.get, lists: counts.list, invalidations: invalidations.length };
  },
};

const name = process.argv[2] ?? '';
const scenario = scenarios[name];
if (!scenario) {
  process.stderr.write(`bench: unknown scenario ${name}; one of ${Object.keys(scenarios).join(', ')}\n`);
  process.exit(2);
}
const result = await scenario();
process.stdout.write(`${JSON.stringify({ ...result, rssMb: peakRssMb() })}\n`);
process.exit(0);
