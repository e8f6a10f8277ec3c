/**
 * The fan-out full build's render steps: a shard (one item of the Distributed Map) and the commit.
 * The plan is in plan.ts (it renders nothing, so its function carries no Eleventy).
 */
import type { FullBuildOptions, FullBuildResult } from '../shared/build/full-build.js';
import { commitBuild } from '../shared/build/full-build.js';
import { publishShard } from '../shared/build/publish-shard.js';
import { renderPages } from '../shared/build/render.js';
import type { BuildSummary, Cdn, Logger, ObjectStore, RootPointers } from '../shared/ports.js';
import { ManifestStore } from '../shared/publish/manifest.js';
import type { ShardInput, ShardOutput } from './plan.js';
import { BuildRecords } from './records.js';

/** One shard: render its pages, upload those that differ from the live manifest, record what it stored. */
export async function shardStep(deps: { store: ObjectStore; cdn: Cdn; logger: Logger; roots?: RootPointers }, input: ShardInput): Promise<ShardOutput> {
  const records = new BuildRecords(deps.store, input.buildId);
  const [plan, pages] = await Promise.all([records.readPlan(), records.readShard(input.shard)]);
  const t0 = performance.now();
  const rendered = await renderPages(pages, plan.context);
  const live = await new ManifestStore(deps.store, deps.roots).entriesFor(rendered.map((r) => r.key));
  const staged = await publishShard(deps, rendered, live, new Date(plan.now));
  await records.writeResult(input.shard, staged);
  const output = { shard: input.shard, pages: pages.length, uploaded: staged.uploaded.length, unchanged: staged.unchanged };
  deps.logger.info('fan-out build: shard done', { correlation_id: plan.correlationId, build: input.buildId, ...output, ms: Math.round(performance.now() - t0) });
  return output;
}

/** Take in every shard, publish the late pages, prune, invalidate once, commit; then drop the records. */
export async function commitStep(deps: { store: ObjectStore; cdn: Cdn; logger: Logger; roots?: RootPointers }, input: { buildId: string }, options: Pick<FullBuildOptions, 'concurrency'> = {}): Promise<BuildSummary & { result: FullBuildResult }> {
  const records = new BuildRecords(deps.store, input.buildId);
  const [plan, prepared] = await Promise.all([records.readPlan(), records.readCommit()]);
  const t0 = performance.now();
  const shards = await Promise.all(Array.from({ length: plan.shards }, (_, i) => records.readResult(i)));
  const late = await renderPages(prepared.late, plan.context);
  const result = await commitBuild(deps, { now: new Date(plan.now), ...options }, { prepared: { ...prepared, context: plan.context }, shards, late, renderAndUpload: performance.now() - t0 });
  await records.remove();
  return {
    buildId: input.buildId, pages: result.pages, products: result.products,
    uploaded: result.uploaded.length, unchanged: result.unchanged, deleted: result.deleted.length, invalidated: result.invalidation?.paths.length ?? 0,
    rejected: result.rejected.length, warnings: result.warnings.length, generation: result.generation, ms: Math.round(performance.now() - t0), result,
  };
}
