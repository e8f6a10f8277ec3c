/** The CLI commands, each wiring adapters to a core and printing a one-line summary. */
import * as aws from '../functions/compose/aws.js';
import { content as contentful } from '../functions/compose/aws-content.js';
import { randomUUID } from 'node:crypto';
import { need, readCliAwsConfig, type AwsConfig } from '../functions/compose/config.js';
import { buildRequestEnvelope, type ChangeEnvelope } from '../functions/shared/changes/envelope.js';
import type { BuildFanOut, Queue } from '../functions/shared/ports.js';
import { fullBuild, type FullBuildDeps, type FullBuildResult } from '../functions/shared/build/full-build.js';
import { LISTING_PAGE_SIZE } from '../functions/shared/build/site-model.js';
import { createWorkerPoolRenderer } from '../functions/shared/build/render-pool.js';
import { threadStore } from '../functions/compose/thread-store.js';
import { ConfigError } from '../functions/shared/errors.js';
import type { JsonLogger } from '../functions/shared/logger.js';
import type { LocalConfig } from '../local/config.js';
import { EdgeServer } from '../local/edge-server.js';
import { seedDemoCatalog } from '../local/seed.js';
import { localCdn } from '../local/compose.js';
import { startLocalStack, startServices } from '../local/stack.js';
import { createProgress } from './progress.js';

function summary(result: FullBuildResult): string {
  return `built ${result.pages} pages from ${result.products} products: ${result.uploaded.length} uploaded, ${result.unchanged} unchanged, ` +
    `${result.deleted.length} deleted, ${result.invalidation?.paths.length ?? 0} path(s) invalidated, ${result.rejected.length} product(s) skipped, ` +
    `${(result.timings.total / 1000).toFixed(1)} s`;
}

export async function runStart(config: LocalConfig, logger: JsonLogger): Promise<number> {
  const stack = await startLocalStack(config, { logger, progress: createProgress() });
  logger.info('first build', { summary: summary(stack.firstBuild) });
  process.stdout.write(`local DynamoDB at ${stack.dynamoEndpoint} (table "${config.table}"): writes by any client reach the pipeline through its stream\n`);
  process.stdout.write(`restatic ready at ${stack.url}\n`);
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info('shutting down', { signal });
      resolve();
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  await stack.close();
  return 0;
}

export async function runBuild(config: LocalConfig, logger: JsonLogger, target: 'local' | 'aws'): Promise<number> {
  const site = { baseUrl: config.siteUrl, markets: config.markets, listingPageSize: LISTING_PAGE_SIZE, now: new Date() };
  const progress = createProgress();
  if (target === 'aws') {
    // The same composition root as the Lambda functions, under the CLI's variable names.
    const c = { ...readCliAwsConfig(), SITE_URL: config.siteUrl, CONTENTFUL_SPACE_ID: config.spaceId, CONTENTFUL_ENVIRONMENT: config.environment };
    if (c.BUILD_STATE_MACHINE_ARN && c.CHANGES_QUEUE_URL) return requestAwsBuild(c, logger);
    process.stderr.write('restatic: RESTATIC_BUILD_STATE_MACHINE_ARN and RESTATIC_CHANGES_QUEUE_URL are not both set: building in this process instead of fanning out (and not serialised with the stack\'s worker)\n');
    const roots = aws.roots(c);
    const renderer = createWorkerPoolRenderer({ store: threadStore({ bucket: need(c, 'SITE_BUCKET') }) });
    const deps: FullBuildDeps = { content: await contentful(c), catalog: aws.catalog(c), store: aws.store(c), ...(roots ? { roots } : {}), cdn: aws.cdn(c), logger, renderer, progress };
    process.stdout.write(`${summary(await fullBuild(deps, { site, demoImages: false }))}\n`);
    return 0;
  }
  const services = await startServices(config);
  const renderer = createWorkerPoolRenderer({ store: threadStore({ bucket: config.bucket, endpoint: services.servers.s3Endpoint }) });
  try {
    const result = await fullBuild(
      { content: services.content, catalog: services.catalog, store: services.store, roots: services.roots, cdn: localCdn(`http://127.0.0.1:${config.port}`), logger, renderer, progress },
      { site, demoImages: !config.deliveryToken },
    );
    process.stdout.write(`${summary(result)}\n`);
    return 0;
  } finally {
    await services.servers.close();
  }
}

/**
 * `build --target aws` against a deployed stack: the full build is requested through the changes
 * queue (so it never interleaves with a targeted run), the worker fans it out over the build state
 * machine, and this follows it there, shard by shard, to its summary.
 */
export async function requestAwsBuild(c: AwsConfig, logger: JsonLogger, deps: { changes: Queue<ChangeEnvelope>; builds: BuildFanOut } = { changes: aws.changes(c), builds: aws.builds(c, logger) }): Promise<number> {
  const t0 = performance.now();
  const correlationId = `build-${randomUUID().slice(0, 8)}`;
  await deps.changes.send([buildRequestEnvelope(correlationId)]);
  process.stderr.write(`restatic: full build requested (${correlationId}); waiting for the worker to start it\n`);
  const progress = createProgress();
  let started = false;
  let shown = 0;
  const summary = await deps.builds.follow(correlationId, {
    onStarted: (buildId) => process.stderr.write(`restatic: build ${buildId} running\n`),
    onProgress: (done, total) => {
      if (!started) { progress.start('shards', total); started = true; }
      progress.advance(done - shown);
      shown = done;
    },
  });
  if (started) progress.stop();
  process.stdout.write(`built ${summary.pages} pages from ${summary.products} products: ${summary.uploaded} uploaded, ${summary.unchanged} unchanged, ` +
    `${summary.deleted} deleted, ${summary.invalidated} path(s) invalidated, ${summary.rejected} product(s) skipped, ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  return 0;
}

export async function runSeed(config: LocalConfig, logger: JsonLogger, count: number | undefined, force: boolean): Promise<number> {
  if (count !== undefined && (!Number.isSafeInteger(count) || count < 0)) throw new ConfigError('--count', `expected a non-negative integer, got ${count}`);
  const services = await startServices(config);
  try {
    if (!force && !(await services.catalog.isEmpty())) {
      process.stdout.write('products table is not empty; nothing seeded (use --force to write the demo catalog anyway)\n');
      return 0;
    }
    const written = await seedDemoCatalog(services.catalog, count ?? config.demoProducts, createProgress());
    logger.info('seeded', { products: written });
    process.stdout.write(`seeded ${written} demo products\n`);
    return 0;
  } finally {
    await services.servers.close();
  }
}

export async function runServe(config: LocalConfig, logger: JsonLogger): Promise<number> {
  const services = await startServices(config);
  const edge = new EdgeServer({ store: services.store, logger });
  const url = await edge.listen(config.port);
  process.stdout.write(`restatic ready at ${url}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await edge.close();
  await services.servers.close();
  return 0;
}

/**
 * Asks the running local stack to do something (`restatic replay`, `restatic rebuild --reconcile`).
 * The embedded servers hold their data directory exclusively, so a second process cannot open it
 * while `npm start` runs: the running stack does the work and this prints its answer.
 */
export async function runControl(config: LocalConfig, route: '/_local/replay' | '/_local/reconcile'): Promise<number> {
  const response = await post(config, route, undefined, ` (queued changes and dead letters are kept in ${config.dataDir})`);
  if (!response) return 1;
  process.stdout.write(`${JSON.stringify(await response.json())}\n`);
  return response.ok ? 0 : 1;
}

interface FeedsAnswer {
  feeds: Array<{ target: string; itemsIn: number; included: number; excluded: number; warnings: number; bytes: number; gzipBytes: number; uploaded: boolean }>;
  invalidated: string[];
  ms: number;
}

/**
 * Shows the progress of work the running stack does for this command: polls `/_status` (`field`:
 * `{ running, done|itemsIn, total }`) until `work` settles.
 */
async function remoteProgress<T>(base: string, field: 'feeds' | 'pdfs', work: Promise<T>): Promise<T> {
  const progress = createProgress();
  let started = false;
  let shown = 0;
  let settled = false;
  const poll = (async () => {
    while (!settled) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      const state = await fetch(`${base}/_status`).then((r) => r.json() as Promise<Record<string, { running: boolean; itemsIn?: number; done?: number; total: number } | undefined>>).catch(() => undefined);
      const s = state?.[field];
      if (settled || !s?.running) continue;
      const value = s.itemsIn ?? s.done ?? 0;
      if (!started) { progress.start(field, s.total); started = true; }
      progress.advance(value - shown);
      shown = value;
    }
  })();
  try {
    return await work;
  } finally {
    settled = true;
    await poll;
    // The work may end between two polls (or before the first): the bar ends on the final count.
    const last = await fetch(`${base}/_status`).then((r) => r.json() as Promise<Record<string, { itemsIn?: number; done?: number; total: number } | undefined>>).catch(() => undefined);
    const s = last?.[field];
    const final = s?.itemsIn ?? s?.done ?? 0;
    if (!started && final > 0) { progress.start(field, Math.max(s!.total, final)); started = true; }
    if (started) {
      progress.advance(Math.max(0, final - shown));
      progress.stop();
    }
  }
}

/** Posts to a control route of the running stack; undefined (after saying so) when none answers. */
async function post(config: LocalConfig, route: string, body?: unknown, hint = ''): Promise<Response | undefined> {
  try {
    return await fetch(`http://127.0.0.1:${config.port}${route}`, { method: 'POST', ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }) });
  } catch (error) {
    if ((error as { cause?: { code?: string } }).cause?.code !== 'ECONNREFUSED') throw error;
    process.stderr.write(`restatic: no local stack answers on http://127.0.0.1:${config.port} (PORT=${config.port}); start it with \`npm start\`, or set PORT to the port of the one running${hint}\n`);
    return undefined;
  }
}

interface FeedsAnswer {
  feeds: Array<{ target: string; itemsIn: number; included: number; excluded: number; warnings: number; bytes: number; gzipBytes: number; uploaded: boolean }>;
  invalidated: string[];
  ms: number;
}

/**
 * `restatic feeds`: the running stack regenerates the feeds now (its feed thread owns the run, so
 * runs never overlap); this shows its progress from `/_status` and a one-line summary per target.
 */
export async function runFeeds(config: LocalConfig): Promise<number> {
  const response = await remoteProgress(`http://127.0.0.1:${config.port}`, 'feeds', post(config, '/_local/feeds'));
  if (!response) return 1;
  const body = await response.json() as FeedsAnswer | { error?: string };
  if (!response.ok || !('feeds' in body)) {
    process.stderr.write(`restatic: feed job failed: ${JSON.stringify(body)}\n`);
    return 1;
  }
  for (const f of body.feeds) {
    process.stdout.write(`feed ${f.target}: ${f.itemsIn} items in, ${f.included} included, ${f.excluded} excluded, ${f.warnings} warnings, ` +
      `${f.bytes} bytes (${f.gzipBytes} gzipped), ${(body.ms / 1000).toFixed(1)} s, ${f.uploaded ? 'published' : 'unchanged'}\n`);
  }
  return 0;
}

/** `restatic pdfs --sku A --sku B` or `--all`: the running stack renders those PDFs now. */
export async function runPdfs(config: LocalConfig, skus: readonly string[], all: boolean): Promise<number> {
  if (!all && skus.length === 0) throw new ConfigError('pdfs', 'name PDFs with --sku <sku> (repeatable) or --all');
  const started = performance.now();
  const response = await remoteProgress(`http://127.0.0.1:${config.port}`, 'pdfs', post(config, '/_local/pdfs', all ? { all: true } : { skus }));
  if (!response) return 1;
  const body = await response.json() as { rendered?: string[]; uploaded?: string[]; unchanged?: string[]; deleted?: string[]; failed?: Array<{ job: unknown; error: string }>; unknown?: string[]; error?: string };
  if (body.unknown?.length && !body.error) process.stderr.write(`restatic: unknown SKU${body.unknown.length > 1 ? 's' : ''} ${body.unknown.join(', ')}: no product with ${body.unknown.length > 1 ? 'these skus' : 'that sku'}\n`);
  if (body.error) {
    process.stderr.write(`restatic: ${body.error}\n`);
    return 1;
  }
  process.stdout.write(`pdfs: ${body.rendered?.length ?? 0} rendered, ${body.uploaded?.length ?? 0} uploaded, ${body.unchanged?.length ?? 0} unchanged, ` +
    `${body.deleted?.length ?? 0} deleted, ${body.failed?.length ?? 0} failed, ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  for (const f of body.failed ?? []) process.stderr.write(`  failed ${JSON.stringify(f.job)}: ${f.error}\n`);
  return response.ok && !body.unknown?.length ? 0 : 1;
}
