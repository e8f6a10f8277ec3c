/**
 * How a rebuild worker (the live site's or the preview's) runs a full build: fanned out over its
 * site's build state machine when the stack has one, in-process otherwise (a stack deployed before
 * the state machine existed). Both workers' handlers compose it the same way.
 */
import { buildIdFor } from '../shared/build/build-id.js';
import { fullBuild, type FullBuildDeps } from '../shared/build/full-build.js';
import { createWorkerPoolRenderer } from '../shared/build/render-pool.js';
import type { SiteConfig } from '../shared/build/site-model.js';
import type { BuildFanOut } from '../shared/ports.js';
import type { RebuildDeps } from './worker.js';

/**
 * How long before its invocation ends a worker stops following a fanned-out build: the build goes
 * on, and the change comes back after a backoff to follow the same build, rather than the
 * invocation timing out and the queue holding the change (and every change after it) for its
 * visibility timeout.
 */
export const FOLLOW_MARGIN_MS = 60_000;

export interface WorkerFullBuildOptions {
  /** The site's build state machine; undefined: build in-process. */
  fanOut: BuildFanOut | undefined;
  /** What an in-process build reads and writes. */
  build: Omit<FullBuildDeps, 'renderer'>;
  site: Omit<SiteConfig, 'now'>;
  /** When the current invocation ends (epoch ms; the Lambda context's remaining time). */
  invocationEndsAt: () => number;
}

export function workerFullBuild(options: WorkerFullBuildOptions): RebuildDeps['fullBuild'] {
  const { fanOut, build, site } = options;
  // In-process chunks (worker threads would need the TypeScript loader in Lambda).
  const renderer = createWorkerPoolRenderer({ minPagesForWorkers: Number.POSITIVE_INFINITY });
  return async (reason, correlationId) => {
    if (!fanOut) return fullBuild({ ...build, renderer }, { site: { ...site, now: new Date() }, demoImages: false });
    build.logger.info('full build: fanning out', { correlation_id: correlationId, reason });
    const built = await fanOut.run({ buildId: buildIdFor(correlationId), correlationId }, undefined, { waitUntil: options.invocationEndsAt() - FOLLOW_MARGIN_MS });
    // The fanned-out build reports counts (its key lists would not fit an execution's output).
    return { pages: built.pages, uploaded: [`(${built.uploaded} objects)`], deleted: [`(${built.deleted} objects)`], ...(built.invalidated ? { invalidation: { paths: [`(${built.invalidated} paths)`] } } : {}) };
  };
}
