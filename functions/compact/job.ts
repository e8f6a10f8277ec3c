/**
 * The compactor's core: folds the site state's and the manifest's segments into their shards when
 * they are due, beside the rebuild worker and off its path (see shared/state/sharded.ts). A change's
 * commit writes a small segment; without a compactor the commit that finds too many folds them
 * itself, seconds of work at 100,000 products that the change would wait for.
 */
import type { Logger, ObjectStore, RootPointers } from '../shared/ports.js';
import { ManifestStore } from '../shared/publish/manifest.js';
import type { CompactionResult } from '../shared/state/sharded.js';
import { StateStore } from '../shared/state/state-store.js';

export interface CompactionDeps {
  store: ObjectStore;
  /** The state table: a compaction commits compare-and-swap, so without it there is nothing to do. */
  roots: RootPointers | undefined;
  logger: Logger;
}

export interface CompactionJobResult {
  documents: Array<CompactionResult & { document: 'state' | 'manifest'; ms: number }>;
}

/** Compacts the state, then the manifest, each only when due (or always with `force`). */
export async function runCompaction(deps: CompactionDeps, options: { correlationId: string; force?: boolean }): Promise<CompactionJobResult> {
  const documents: CompactionJobResult['documents'] = [];
  if (!deps.roots) {
    deps.logger.warn('compaction skipped: no state table (the roots are fixed keys, without compare-and-swap)', { correlation_id: options.correlationId });
    return { documents };
  }
  const stores = { state: new StateStore(deps.store, deps.roots), manifest: new ManifestStore(deps.store, deps.roots) };
  for (const document of ['state', 'manifest'] as const) {
    const t0 = performance.now();
    const result = await stores[document].compact({ ...(options.force ? { force: true } : {}) });
    const ms = Math.round(performance.now() - t0);
    documents.push({ document, ms, ...result });
    const figures = { correlation_id: options.correlationId, document, segments: result.segments, records: result.records, shards_written: result.shardsWritten, bytes_read: result.bytesRead, bytes_written: result.bytesWritten, ms };
    if (result.compacted) deps.logger.info(`compacted the ${document}: ${result.segments} segments (${result.records} records) into ${result.shardsWritten} shards`, figures);
    else deps.logger.debug(`${document} not compacted: ${result.reason}`, figures);
  }
  return { documents };
}
