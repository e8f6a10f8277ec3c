/**
 * A rebuild worker started ahead of its first change (Lambda provisioned concurrency) reads the live
 * site while it starts: its initialization may take minutes there, where an on-demand start has 10
 * seconds and the first change would pay the read and the outline instead (seconds at 100,000
 * products). A worker that is not kept so (the preview's, one run at a time on a standard queue;
 * the live one's outside prod) is pinged on a schedule instead, which keeps its one environment warm.
 */
import type { Logger } from '../shared/ports.js';

/** How Lambda says an environment was started ahead of its invocations. */
export const PROVISIONED = 'provisioned-concurrency';

/** Reads the live site into the worker, timed; a failure is returned, never thrown: a warm-up is never worth a failed start or invocation. */
async function tryWarm(worker: { warm(): Promise<string[]> }): Promise<{ ms: number; rendered: number } | { ms: number; error: string }> {
  const t0 = performance.now();
  try {
    const pages = await worker.warm();
    return { ms: Math.round(performance.now() - t0), rendered: pages.length };
  } catch (error) {
    return { ms: Math.round(performance.now() - t0), error: error instanceof Error ? error.message : String(error) };
  }
}

export async function warmIfProvisioned(worker: { warm(): Promise<string[]> }, initializationType: string | undefined, logger: Logger): Promise<'warmed' | 'skipped' | 'failed'> {
  if (initializationType !== PROVISIONED) return 'skipped';
  const outcome = await tryWarm(worker);
  if ('error' in outcome) {
    // The first change reads it instead.
    logger.warn('rebuild worker: could not read the live site while starting; its first change will', { error: outcome.error });
    return 'failed';
  }
  logger.info('rebuild worker: read the live site before its first change', outcome);
  return 'warmed';
}

/** What a worker's keep-warm schedule sends it every five minutes (infra/lib/keep-warm.ts). */
export const WARM_PING = { restatic: 'warm' } as const;

export const isWarmPing = (event: unknown): event is typeof WARM_PING => typeof event === 'object' && event !== null && (event as { restatic?: unknown }).restatic === WARM_PING.restatic;

/**
 * Answers a ping: the worker reads what changed of the site it serves (nothing, most times: its
 * cached state is revalidated by one read) and renders the home page once, publishing nothing. A
 * worker that has just started pays the whole read here instead of on an editor's next draft. A
 * ping that fails is a warning, not a failed invocation: the function's error alarm is for changes.
 */
export async function keepWarm(worker: { warm(): Promise<string[]> }, logger: Logger): Promise<{ warmed: boolean; ms: number }> {
  const outcome = await tryWarm(worker);
  if ('error' in outcome) {
    logger.warn('rebuild worker: a keep-warm ping could not read the site; the next change will', { error: outcome.error });
    return { warmed: false, ms: outcome.ms };
  }
  logger.debug('rebuild worker: kept warm', { ms: outcome.ms });
  return { warmed: true, ms: outcome.ms };
}
