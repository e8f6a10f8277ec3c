/**
 * One shard of a full build's pages, uploaded against the live manifest entries of its own keys:
 * what a shard Lambda and a render thread of the local build do with the pages they rendered.
 */
import type { Cdn, Logger, ObjectStore } from '../ports.js';
import type { Manifest } from '../publish/manifest.js';
import { Publisher, type StagedObjects } from '../publish/publisher.js';
import type { RenderedPage } from './render.js';

/**
 * Uploads `rendered` against the live manifest entries of their keys (`live`; the whole live map
 * may be given, only their keys are read) and returns what it stored, for the commit. Idempotent:
 * until the commit the manifest does not know a retried shard's uploads, so it uploads the same
 * bytes again and returns the same entries.
 */
export async function publishShard(deps: { store: ObjectStore; cdn: Cdn; logger: Logger }, rendered: readonly RenderedPage[], live: Manifest['entries'], now: Date, concurrency = 32): Promise<StagedObjects> {
  // Only this shard's keys: the publisher copies what it is given.
  const entries: Manifest['entries'] = {};
  for (const { key } of rendered) if (Object.hasOwn(live, key)) entries[key] = live[key]!;
  const publisher = new Publisher({ store: deps.store, cdn: deps.cdn, logger: deps.logger, concurrency }, { format: 1, generation: 0, publishedAt: now.toISOString(), entries }, now);
  await publisher.add(rendered);
  return publisher.staged();
}
