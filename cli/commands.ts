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
import { draftsJournal, localCdn } from '../local/compose.js';
import { DEFAULT_PREVIEW_TTL_SECONDS, MAX_PREVIEW_TTL_SECONDS, PREVIEW_ROOT, signPreviewToken } from '../functions/shared/preview/token.js';
import { type FirstBuild, startLocalStack, startServices, summarize } from '../local/stack.js';
import { createProgress } from './progress.js';
import { createOutput, describeChange, finished, table, type Output } from './output.js';
import { parseSet, publishedEntry, signedWebhook, type FieldDef } from './publish.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createExportContentSource, parseExport } from '../functions/shared/adapters/contentful-export-source.js';
import { LocalContentSpace } from '../local/content-space.js';
import { DEMO_SPACE_FILE } from '../local/demo-space.js';
import type { ChangeRecord } from '../local/status.js';

function summary(r: FirstBuild): string {
  return `built ${r.pages} pages from ${r.products} products: ${r.uploaded} uploaded, ${r.unchanged} unchanged, ` +
    `${r.deleted} deleted, ${r.invalidated} path(s) invalidated, ${r.rejected} product(s) skipped, ` +
    `${(r.timings.total / 1000).toFixed(1)} s`;
}

/** What `start` prints once the stack is ready. */
export function readyMessage(out: Output, ready: { url: string; dynamoEndpoint: string; table: string }): void {
  out.result(ready, () => `local DynamoDB at ${ready.dynamoEndpoint} (table "${ready.table}"): writes by any client reach the pipeline through its stream\nrestatic ready at ${ready.url}`);
}

export async function runStart(config: LocalConfig, logger: JsonLogger, out: Output): Promise<number> {
  const stack = await startLocalStack(config, { logger, progress: createProgress() });
  logger.info('first build', { summary: summary(stack.firstBuild) });
  // Listen for Ctrl-C before saying ready: a signal between the two would find no listener and end
  // the process at once, without closing the stack (seen under load: a test's SIGINT right at ready).
  const stopped = new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info('shutting down', { signal });
      resolve();
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  readyMessage(out, { url: stack.url, dynamoEndpoint: stack.dynamoEndpoint, table: config.table });
  await stopped;
  await stack.close();
  return 0;
}

/** A full build's result as `build --json` prints it. */
export function buildSummary(result: FullBuildResult) {
  return {
    pages: result.pages, products: result.products, uploaded: result.uploaded.length, unchanged: result.unchanged, deleted: result.deleted.length,
    invalidated: result.invalidation?.paths.length ?? 0, skipped: result.rejected.map((r) => ({ sku: r.sku, reason: r.message })), seconds: Math.round(result.timings.total) / 1000,
  };
}

export async function runBuild(config: LocalConfig, logger: JsonLogger, target: 'local' | 'aws', out: Output): Promise<number> {
  const site = { baseUrl: config.siteUrl, markets: config.markets, listingPageSize: LISTING_PAGE_SIZE, checkoutUrl: config.checkoutUrl, now: new Date() };
  const progress = createProgress();
  if (target === 'aws') {
    // The same composition root as the Lambda functions, under the CLI's variable names.
    const c = { ...readCliAwsConfig(), SITE_URL: config.siteUrl, CONTENTFUL_SPACE_ID: config.spaceId, CONTENTFUL_ENVIRONMENT: config.environment };
    if (c.BUILD_STATE_MACHINE_ARN && c.CHANGES_QUEUE_URL) return requestAwsBuild(c, logger, undefined, out);
    process.stderr.write('restatic: RESTATIC_BUILD_STATE_MACHINE_ARN and RESTATIC_CHANGES_QUEUE_URL are not both set: building in this process instead of fanning out (and not serialised with the stack\'s worker)\n');
    const roots = aws.roots(c);
    const renderer = createWorkerPoolRenderer({ store: threadStore({ bucket: need(c, 'SITE_BUCKET') }) });
    const deps: FullBuildDeps = { content: await contentful(c), catalog: aws.catalog(c), store: aws.store(c), ...(roots ? { roots } : {}), cdn: aws.cdn(c), logger, renderer, progress };
    const result = await fullBuild(deps, { site, demoImages: false });
    out.result(buildSummary(result), () => summary(summarize(result)));
    return 0;
  }
  const services = await startServices(config);
  const renderer = createWorkerPoolRenderer({ store: threadStore({ bucket: config.bucket, endpoint: services.servers.s3Endpoint }) });
  try {
    const result = await fullBuild(
      { content: services.content, catalog: services.catalog, store: services.store, roots: services.roots, cdn: localCdn(`http://127.0.0.1:${config.port}`), logger, renderer, progress },
      { site, demoImages: !config.deliveryToken },
    );
    out.result(buildSummary(result), () => summary(summarize(result)));
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
export async function requestAwsBuild(c: AwsConfig, logger: JsonLogger, deps: { changes: Queue<ChangeEnvelope>; builds: BuildFanOut } = { changes: aws.changes(c), builds: aws.builds(c, logger) }, out: Output = createOutput(false)): Promise<number> {
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
  const seconds = Math.round(performance.now() - t0) / 1000;
  out.result({ correlationId, ...summary, seconds }, () => `built ${summary.pages} pages from ${summary.products} products: ${summary.uploaded} uploaded, ${summary.unchanged} unchanged, ` +
    `${summary.deleted} deleted, ${summary.invalidated} path(s) invalidated, ${summary.rejected} product(s) skipped, ${seconds.toFixed(1)} s`);
  return 0;
}

export async function runSeed(config: LocalConfig, logger: JsonLogger, count: number | undefined, force: boolean, out: Output): Promise<number> {
  if (count !== undefined && (!Number.isSafeInteger(count) || count < 0)) throw new ConfigError('--count', `expected a non-negative integer, got ${count}`);
  const services = await startServices(config);
  try {
    if (!force && !(await services.catalog.isEmpty())) {
      out.result({ seeded: 0, reason: 'products table is not empty' }, () => 'products table is not empty; nothing seeded (use --force to write the demo catalog anyway)');
      return 0;
    }
    const written = await seedDemoCatalog(services.catalog, count ?? config.demoProducts, createProgress());
    logger.info('seeded', { products: written });
    out.result({ seeded: written }, () => `seeded ${written} demo products`);
    return 0;
  } finally {
    await services.servers.close();
  }
}

export async function runServe(config: LocalConfig, logger: JsonLogger, out: Output): Promise<number> {
  const services = await startServices(config);
  const edge = new EdgeServer({ store: services.store, logger });
  const url = await edge.listen(config.port);
  // Listen for Ctrl-C before saying ready (see runStart).
  const stopped = new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  out.result({ url }, () => `restatic ready at ${url}`);
  await stopped;
  await edge.close();
  await services.servers.close();
  return 0;
}

/**
 * `restatic replay`: the running stack re-queues its dead-lettered changes. The embedded servers hold
 * their data directory exclusively, so a second process cannot open it while `npm start` runs: the
 * running stack does the work and this prints its answer.
 */
export async function runReplay(config: LocalConfig, out: Output): Promise<number> {
  const response = await post(config, '/_local/replay', undefined, ` (queued changes and dead letters are kept in ${config.dataDir})`);
  if (!response) return 1;
  const body = await response.json() as { replayed?: number; error?: string };
  if (!response.ok || body.replayed === undefined) return failed(`replay failed: ${body.error ?? JSON.stringify(body)}`);
  out.result(body, () => (body.replayed
    ? `replayed ${body.replayed} dead-lettered change${body.replayed === 1 ? '' : 's'}: queued again, each runs as it first would (follow them at http://127.0.0.1:${config.port}/_status)`
    : 'no dead-lettered changes to replay'));
  return 0;
}

/**
 * `restatic rebuild --reconcile`: the running stack compares catalog and content with the live site
 * and rebuilds what events missed; this follows the run to its end and shows what it rebuilt.
 */
export async function runReconcile(config: LocalConfig, out: Output): Promise<number> {
  const response = await post(config, '/_local/reconcile', undefined, ` (queued changes and dead letters are kept in ${config.dataDir})`);
  if (!response) return 1;
  const body = await response.json() as { queued?: number; products?: number; correlationId?: string; error?: string };
  if (!response.ok || !body.correlationId) return failed(`reconcile failed: ${body.error ?? JSON.stringify(body)}`);
  process.stderr.write(`restatic: reconciling with the live site: ${body.products} product${body.products === 1 ? '' : 's'} differ, and the content is synced again (${body.correlationId})\n`);
  const record = await followChange(config, body.correlationId);
  out.result({ ...body, status: record ?? null }, () => (record ? describeChange(record) : `still running after ${FOLLOW_MS / 1000} s; follow ${body.correlationId} at http://127.0.0.1:${config.port}/_status`));
  return record && !record.errors.length ? 0 : 1;
}

const FOLLOW_MS = 120_000;

/** The status record of a change once it has finished (undefined if it did not within FOLLOW_MS). */
async function followChange(config: LocalConfig, correlationId: string): Promise<ChangeRecord | undefined> {
  const deadline = Date.now() + FOLLOW_MS;
  while (Date.now() < deadline) {
    const status = await fetch(`http://127.0.0.1:${config.port}/_status`).then((r) => r.json() as Promise<{ changes: ChangeRecord[] }>).catch(() => undefined);
    const record = status?.changes.find((c) => c.correlationId === correlationId && !c.duplicateOf);
    if (record && finished(record)) return record;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return undefined;
}

function failed(message: string): number {
  process.stderr.write(`restatic: ${message}\n`);
  return 1;
}

/**
 * `restatic publish ENTRY --set field=value…`: an editor's publish from the shell, against the
 * running stack's bundled space. The entry as published now, with the fields set, goes to the
 * webhook receiver signed as Contentful signs it; this follows the change until it is live.
 */
export async function runPublish(config: LocalConfig, entryId: string | undefined, sets: readonly string[], out: Output, options: { draft?: boolean } = {}): Promise<number> {
  const draft = options.draft ?? false;
  if (!entryId) throw new ConfigError('publish', 'name the entry: restatic publish ENTRY_ID --set field=value (e.g. page-about --set title="About us")');
  if (sets.length === 0) throw new ConfigError('--set', `say what to change: restatic publish ${entryId} --set field=value (repeatable; field@de-DE=value for a locale)`);
  if (config.deliveryToken) throw new ConfigError('CONTENTFUL_DELIVERY_TOKEN', 'is set: content comes from your Contentful space, so publish the entry there (publish edits the bundled demo space)');
  const parsed = sets.map(parseSet);
  const exported = parseExport(readFileSync(DEMO_SPACE_FILE, 'utf8'), DEMO_SPACE_FILE);
  const published = new LocalContentSpace(createExportContentSource(DEMO_SPACE_FILE), join(config.dataDir, 'contentful', 'published.jsonl'));
  // A draft builds on the entry's latest draft (an editor keeps typing), a publish on what is published.
  const space = draft ? new LocalContentSpace(published, draftsJournal(config.dataDir), { newerWins: true }) : published;
  const entry = (await space.sync()).entries.find((e) => e.sys.id === entryId);
  if (!entry) {
    const ids = exported.entries.map((e) => e.sys.id);
    const near = ids.filter((id) => id.includes(entryId) || entryId.includes(id.split('-')[0]!)).slice(0, 5);
    return failed(`unknown entry "${entryId}": no published entry with that id in the local space${near.length ? ` (did you mean ${near.join(', ')}?)` : ` (its entries include ${ids.filter((id) => id.startsWith('page-')).join(', ')})`}`);
  }
  const contentType = entry.sys.contentType?.sys.id ?? '';
  const fields = ((exported.contentTypes ?? []) as Array<{ sys: { id: string }; fields: FieldDef[] }>).find((t) => t.sys.id === contentType)?.fields ?? [];
  const { entity, changed } = publishedEntry(entry, fields, await space.locales(), parsed, new Date(), { draft });
  entity.sys.space = { sys: { type: 'Link', linkType: 'Space', id: config.spaceId } };
  entity.sys.environment = { sys: { type: 'Link', linkType: 'Environment', id: config.environment } };
  const request = signedWebhook(config.webhookSecret, draft ? 'Entry.auto_save' : 'Entry.publish', entity);
  let response: Response;
  try {
    response = await fetch(`http://127.0.0.1:${config.port}${request.path}`, { method: 'POST', headers: request.headers, body: request.body });
  } catch (error) {
    if ((error as { cause?: { code?: string } }).cause?.code !== 'ECONNREFUSED') throw error;
    return failed(`no local stack answers on http://127.0.0.1:${config.port} (PORT=${config.port}); start it with \`npm start\`, or set PORT to the port of the one running`);
  }
  const answer = await response.json() as { correlationId?: string; error?: string };
  if (!response.ok || !answer.correlationId) return failed(`the webhook receiver refused the ${draft ? 'draft' : 'publish'} (${response.status}): ${answer.error ?? JSON.stringify(answer)}`);
  if (draft) {
    const link = await previewLink(config, entryId);
    if (!link) return 1;
    out.result({ entry: entryId, contentType, version: entity.sys.version, changed, correlationId: answer.correlationId, preview: link },
      () => `saved a draft of ${entryId} (${contentType}) version ${entity.sys.version}: ${changed.join(', ')}\nthe live site is unchanged; the preview shows it in a moment:\n${link.url}`);
    return 0;
  }
  process.stderr.write(`restatic: published ${entryId} (${contentType}) version ${entity.sys.publishedVersion}: ${changed.join(', ')}; waiting for it to go live\n`);
  const record = await followChange(config, answer.correlationId);
  out.result({ entry: entryId, contentType, version: entity.sys.publishedVersion, changed, correlationId: answer.correlationId, status: record ?? null },
    () => (record ? describeChange(record) : `still running after ${FOLLOW_MS / 1000} s; follow ${answer.correlationId} at http://127.0.0.1:${config.port}/_status`));
  return record && !record.errors.length && !record.stages.deadLettered ? 0 : 1;
}

interface PreviewLink {
  entry: string;
  url: string;
  expires: string;
  contentfulPreviewUrl: string;
}

function awsPreviewLink(config: LocalConfig, entryId: string, ttlSeconds?: number): PreviewLink {
  if (!config.previewKey) throw new ConfigError('RESTATIC_PREVIEW_KEY', 'is not set: give it the value of the stack\'s PreviewTokenKey secret (aws secretsmanager get-secret-value --secret-id <PreviewTokenKeySecretArn>)');
  if (!config.previewUrl) throw new ConfigError('RESTATIC_PREVIEW_URL', 'is not set: give it the stack\'s PreviewUrl output (https://<preview host>/_preview/)');
  const expires = Math.floor(Date.now() / 1000) + (ttlSeconds ?? DEFAULT_PREVIEW_TTL_SECONDS);
  const token = signPreviewToken(config.previewKey, { expires });
  const base = new URL(config.previewUrl).origin;
  return {
    entry: entryId, expires: new Date(expires * 1000).toISOString(),
    url: `${base}${PREVIEW_ROOT}open?entry=${encodeURIComponent(entryId)}&token=${token}`,
    contentfulPreviewUrl: `${base}${PREVIEW_ROOT}open?entry={entry.sys.id}&token=${token}`,
  };
}

async function previewLink(config: LocalConfig, entryId: string, ttlSeconds?: number): Promise<PreviewLink | undefined> {
  const response = await post(config, '/_local/preview-url', { entry: entryId, ...(ttlSeconds !== undefined ? { ttlSeconds } : {}) });
  if (!response) return undefined;
  const body = await response.json() as PreviewLink & { error?: string };
  if (!response.ok) {
    failed(`no preview link: ${body.error ?? JSON.stringify(body)}`);
    return undefined;
  }
  return body;
}

/**
 * `restatic preview-url ENTRY [--ttl SECONDS]`: a signed link to the private preview that lands on
 * the page showing the entry (once the preview has built its latest draft). The link is the last line.
 */
export async function runPreviewUrl(config: LocalConfig, entryId: string | undefined, ttlSeconds: number | undefined, out: Output, target: 'local' | 'aws' = 'local'): Promise<number> {
  if (!entryId) throw new ConfigError('preview-url', 'name the entry: restatic preview-url ENTRY_ID [--ttl SECONDS] (e.g. post-1)');
  if (ttlSeconds !== undefined && (ttlSeconds < 1 || ttlSeconds > MAX_PREVIEW_TTL_SECONDS)) throw new ConfigError('--ttl', `expected seconds from 1 to ${MAX_PREVIEW_TTL_SECONDS}, got ${ttlSeconds}`);
  // The deployed preview: signed here with the key of its PreviewTokenKey secret, nothing running locally.
  const link = target === 'aws' ? awsPreviewLink(config, entryId, ttlSeconds) : await previewLink(config, entryId, ttlSeconds);
  if (!link) return 1;
  out.result(link, () => [
    `preview of ${entryId}, valid until ${link.expires.replace('T', ' ').slice(0, 19)} UTC (anyone with the link can read the preview until then):`,
    `for Contentful's content preview settings: ${link.contentfulPreviewUrl}`,
    link.url,
  ].join('\n'));
  return 0;
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
export async function runFeeds(config: LocalConfig, out: Output = createOutput(false)): Promise<number> {
  const response = await remoteProgress(`http://127.0.0.1:${config.port}`, 'feeds', post(config, '/_local/feeds'));
  if (!response) return 1;
  const body = await response.json() as FeedsAnswer | { error?: string };
  if (!response.ok || !('feeds' in body)) {
    process.stderr.write(`restatic: feed job failed: ${JSON.stringify(body)}\n`);
    return 1;
  }
  out.result(body, () => `${table(['feed', 'items in', 'included', 'excluded', 'warnings', 'bytes', 'gzipped', 'published'], body.feeds.map((f) => [
    `/feeds/google/${f.target}.xml`, f.itemsIn, f.included, f.excluded, f.warnings, f.bytes, f.gzipBytes, f.uploaded ? 'yes' : 'unchanged',
  ]))}\n${(body.ms / 1000).toFixed(1)} s; why items were excluded: /feeds/google/<target>.report.json`);
  return 0;
}

/** `restatic pdfs --sku A --sku B` or `--all`: the running stack renders those PDFs now. */
export async function runPdfs(config: LocalConfig, skus: readonly string[], all: boolean, out: Output = createOutput(false)): Promise<number> {
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
  out.result(body, () => [
    `pdfs: ${body.rendered?.length ?? 0} rendered, ${body.uploaded?.length ?? 0} uploaded, ${body.unchanged?.length ?? 0} unchanged, ` +
      `${body.deleted?.length ?? 0} deleted, ${body.failed?.length ?? 0} failed, ${((performance.now() - started) / 1000).toFixed(1)} s`,
    ...(body.uploaded ?? []).slice(0, 20).map((key) => `  /${key}`),
    ...(body.failed ?? []).map((f) => `  failed ${JSON.stringify(f.job)}: ${f.error}`),
  ].join('\n'));
  return response.ok && !body.unknown?.length ? 0 : 1;
}
