/**
 * Poison isolation for rebuild runs: a batch whose run fails for a reason that retrying will not
 * fix is split in halves, and each half runs on its own, down to the single change that fails
 * alone. Every good change in the batch goes live in the same attempt; only the poison change is
 * returned as failed, with its error and `retryable: false`, for the caller to dead-letter.
 * A transient failure (throttling, 5xx, a network error) is not split: the whole batch is retried.
 */
import { isRetryable } from '../shared/errors.js';
import type { ChangeEnvelope } from '../shared/changes/envelope.js';
import type { Logger } from '../shared/ports.js';
import type { RebuildResult, RebuildWorker } from './worker.js';

/**
 * Runs the envelopes, bisecting on a non-retryable failure. Throws only retryable errors, and only
 * when none of the envelopes went live.
 */
export async function runIsolated(worker: Pick<RebuildWorker, 'run'>, envelopes: readonly ChangeEnvelope[], logger: Logger): Promise<RebuildResult> {
  try {
    return await worker.run(envelopes);
  } catch (error) {
    if (isRetryable(error)) throw error;
    if (envelopes.length === 1) {
      const envelope = envelopes[0]!;
      logger.error('change fails on its own: poison', { correlation_id: envelope.correlationId, id: envelope.id, kind: envelope.kind, version: envelope.version, error });
      return { ...emptyResult(), failed: [{ envelope, error: error as Error }] };
    }
    const half = Math.ceil(envelopes.length / 2);
    logger.warn('rebuild run failed; splitting the batch to find the change that fails', { changes: envelopes.length, error: String(error) });
    // In order: the first half's versions are recorded before the second half is fenced against them.
    const first = await runIsolated(worker, envelopes.slice(0, half), logger);
    // The first half went live: a transient failure of the second returns only its changes, or the
    // retry would find the first half fenced and its result (rejections, sheets to check) lost.
    const rest = envelopes.slice(half);
    const second = await runIsolated(worker, rest, logger)
      .catch((failure: unknown) => ({ ...emptyResult(), failed: rest.map((envelope) => ({ envelope, error: failure as Error })) }));
    return mergeResults(first, second);
  }
}

function emptyResult(): RebuildResult {
  return { mode: 'none', skipped: [], failed: [], rendered: [], renderedPages: [], uploaded: [], deleted: [], invalidated: [], redirects: {}, changedProducts: [], warnings: [], stages: {}, timings: { read: 0, build: 0, publish: 0, commit: 0 } };
}

const MODE_RANK = { none: 0, targeted: 1, full: 2 } as const;
const union = (a: readonly string[], b: readonly string[]) => [...new Set([...a, ...b])];

/** Two consecutive runs' results as one: the later run's schedule and stage times stand. */
export function mergeResults(a: RebuildResult, b: RebuildResult): RebuildResult {
  const schedule = b.schedule ?? a.schedule;
  return {
    mode: MODE_RANK[a.mode] >= MODE_RANK[b.mode] ? a.mode : b.mode,
    skipped: [...a.skipped, ...b.skipped],
    failed: [...a.failed, ...b.failed],
    rendered: union(a.rendered, b.rendered),
    // The later run's page stands where both rendered it (its market is the same: the URL says it).
    renderedPages: [...new Map([...a.renderedPages, ...b.renderedPages].map((p) => [p.url, p])).values()],
    uploaded: union(a.uploaded, b.uploaded),
    deleted: union(a.deleted, b.deleted),
    invalidated: union(a.invalidated, b.invalidated),
    redirects: { ...a.redirects, ...b.redirects },
    changedProducts: union(a.changedProducts, b.changedProducts).sort(),
    ...(schedule ? { schedule } : {}),
    warnings: union(a.warnings, b.warnings),
    ...(a.rejected || b.rejected ? { rejected: [...(a.rejected ?? []), ...(b.rejected ?? [])] } : {}),
    stages: { ...a.stages, ...Object.fromEntries(Object.entries(b.stages).filter(([, v]) => v !== undefined)) },
    timings: { read: a.timings.read + b.timings.read, build: a.timings.build + b.timings.build, publish: a.timings.publish + b.timings.publish, commit: a.timings.commit + b.timings.commit },
  };
}
