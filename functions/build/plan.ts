/**
 * The fan-out full build as three steps over ports, one Lambda each, chained by a Step Functions
 * state machine (infra/lib/builds.ts): plan once (here), render and upload shards in parallel (a
 * Distributed Map), commit once (steps.ts). The steps share the local build's core
 * (shared/build/full-build.ts), so a fanned-out build publishes exactly what a local one does.
 */
import { assertIndexed, prepareBuild, type FullBuildOptions } from '../shared/build/full-build.js';
import type { Catalog, Cdn, ContentSource, Logger, ObjectStore, RootPointers } from '../shared/ports.js';
import { ManifestStore, byManifestShard } from '../shared/publish/manifest.js';
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

export async function planStep(
  deps: { content: ContentSource; catalog: Catalog; store: ObjectStore; cdn: Cdn; logger: Logger; roots?: RootPointers },
  options: FullBuildOptions & { shardPages?: number },
  input: PlanInput,
): Promise<BuildTicket> {
  const records = new BuildRecords(deps.store, input.buildId);
  const now = options.site.now ?? new Date();
  // A retried plan starts over: shards of an earlier attempt may be of another size.
  await records.remove();
  const { pages, manifest: _manifest, context, ...prepared } = await prepareBuild(deps, { ...options, site: { ...options.site, now } });
  const size = options.shardPages ?? SHARD_PAGES;
  // Each shard compares its pages with the live manifest: grouped by the manifest shard their keys
  // fall in, a shard reads one or two of the manifest's shards instead of nearly all of them (at
  // 1,000,000 products, about 300 KB instead of 100 MB per shard).
  const count = await new ManifestStore(deps.store, deps.roots).entryShards();
  pages.reorder((refs) => byManifestShard(refs, count));
  const shards: number[] = [];
  for (let i = 0, n = 0; i < pages.length; i += size, n++) {
    await records.writeShard(n, pages.slice(i, i + size));
    shards.push(n);
  }
  assertIndexed({ pages });
  await records.writeCommit(prepared);
  // The plan last: a shard or commit that finds it finds every record it names.
  await records.writePlan({ format: 1, buildId: input.buildId, correlationId: input.correlationId, now: now.toISOString(), shards: shards.length, context });
  deps.logger.info('fan-out build: planned', { correlation_id: input.correlationId, build: input.buildId, pages: pages.length + prepared.late.length, shards: shards.length });
  return { buildId: input.buildId, correlationId: input.correlationId, shards, pages: pages.length + prepared.late.length, products: prepared.summary.products };
}

