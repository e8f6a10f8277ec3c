/**
 * The fan-out full build as three steps over ports, one Lambda each, chained by a Step Functions
 * state machine (infra/lib/builds.ts): plan once, render and upload shards in parallel (a
 * Distributed Map), commit once. The steps share the local build's core (shared/build/full-build.ts),
 * so a fanned-out build publishes exactly what a local one does.
 */
import type { FullBuildOptions, FullBuildResult } from '../shared/build/full-build.js';
import { commitBuild, prepareBuild, publishShard } from '../shared/build/full-build.js';
import { renderPages } from '../shared/build/render.js';
import type { Catalog, Cdn, ContentSource, Logger, ObjectStore } from '../shared/ports.js';
import { ManifestStore } from '../shared/publish/manifest.js';
import { BuildRecords } from './records.js';

/** Pages per shard: one Eleventy run (its cost per page grows with the run, see render-pool.ts). */
export const SHARD_PAGES = 500;

export interface PlanInput {
  buildId: string;
  correlationId: string;
}

/** What the plan step returns to the state machine: small, whatever the store's size. */
export interface BuildTicket {
  buildId: string;
  correlationId: string;
  /** Shard numbers, 0..n-1: the Distributed Map's items. */
  shards: number[];
  pages: number;
  products: number;
}

export interface ShardInput {
  buildId: string;
  shard: number;
}

export interface ShardOutput {
  shard: number;
  pages: number;
  uploaded: number;
  unchanged: number;
}

/** The commit's answer: counts, not key lists (a million keys would not fit a state's payload). */
export interface BuildSummary {
  buildId: string;
  pages: number;
  products: number;
  uploaded: number;
  unchanged: number;
  deleted: number;
  invalidated: number;
  rejected: number;
  warnings: number;
  generation: number;
  ms: number;
}

export async function planStep(
  deps: { content: ContentSource; catalog: Catalog; store: ObjectStore; cdn: Cdn; logger: Logger },
  options: FullBuildOptions & { shardPages?: number },
  input: PlanInput,
): Promise<BuildTicket> {
  const records = new BuildRecords(deps.store, input.buildId);
  const now = options.site.now ?? new Date();
  // A retried plan starts over: shards of an earlier attempt may be of another size.
  await records.remove();
  const { pages, manifest: _manifest, ...prepared } = await prepareBuild(deps, { ...options, site: { ...options.site, now } });
  const size = options.shardPages ?? SHARD_PAGES;
  const shards: number[] = [];
  for (let i = 0, n = 0; i < pages.length; i += size, n++) {
    await records.writeShard(n, pages.slice(i, i + size));
    shards.push(n);
  }
  // The plan last: a shard or commit that finds it finds every shard it names.
  await records.writePlan({ format: 1, buildId: input.buildId, correlationId: input.correlationId, now: now.toISOString(), shards: shards.length, prepared });
  deps.logger.info('fan-out build: planned', { correlation_id: input.correlationId, build: input.buildId, pages: pages.length + prepared.late.length, shards: shards.length });
  return { buildId: input.buildId, correlationId: input.correlationId, shards, pages: pages.length + prepared.late.length, products: prepared.summary.products };
}

/** One shard: render its pages, upload those that differ from the live manifest, record what it stored. */
export async function shardStep(deps: { store: ObjectStore; cdn: Cdn; logger: Logger }, input: ShardInput): Promise<ShardOutput> {
  const records = new BuildRecords(deps.store, input.buildId);
  const [plan, pages] = await Promise.all([records.readPlan(), records.readShard(input.shard)]);
  const t0 = performance.now();
  const rendered = await renderPages(pages, plan.prepared.context);
  const live = await new ManifestStore(deps.store).entriesFor(rendered.map((r) => r.key));
  const staged = await publishShard(deps, rendered, live, new Date(plan.now));
  await records.writeResult(input.shard, staged);
  const output = { shard: input.shard, pages: pages.length, uploaded: staged.uploaded.length, unchanged: staged.unchanged };
  deps.logger.info('fan-out build: shard done', { correlation_id: plan.correlationId, build: input.buildId, ...output, ms: Math.round(performance.now() - t0) });
  return output;
}

/** Take in every shard, publish the late pages, prune, invalidate once, commit; then drop the records. */
export async function commitStep(deps: { store: ObjectStore; cdn: Cdn; logger: Logger }, input: { buildId: string }, options: Pick<FullBuildOptions, 'concurrency'> = {}): Promise<BuildSummary & { result: FullBuildResult }> {
  const records = new BuildRecords(deps.store, input.buildId);
  const plan = await records.readPlan();
  const t0 = performance.now();
  const shards = await Promise.all(Array.from({ length: plan.shards }, (_, i) => records.readResult(i)));
  const late = await renderPages(plan.prepared.late, plan.prepared.context);
  const result = await commitBuild(deps, { now: new Date(plan.now), ...options }, { prepared: plan.prepared, shards, late, renderAndUpload: performance.now() - t0 });
  await records.remove();
  return {
    buildId: input.buildId, pages: result.pages, products: result.products,
    uploaded: result.uploaded.length, unchanged: result.unchanged, deleted: result.deleted.length, invalidated: result.invalidation?.paths.length ?? 0,
    rejected: result.rejected.length, warnings: result.warnings.length, generation: result.generation, ms: Math.round(performance.now() - t0), result,
  };
}
