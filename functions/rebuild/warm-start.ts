/**
 * A rebuild worker started ahead of its first change (Lambda provisioned concurrency) reads the live
 * site while it starts: its initialization may take minutes there, where an on-demand start has 10
 * seconds and the first change would pay the read and the outline instead (seconds at 100,000
 * products).
 */
import type { Logger } from '../shared/ports.js';

/** How Lambda says an environment was started ahead of its invocations. */
export const PROVISIONED = 'provisioned-concurrency';

export async function warmIfProvisioned(worker: { warm(): Promise<string[]> }, initializationType: string | undefined, logger: Logger): Promise<'warmed' | 'skipped' | 'failed'> {
  if (initializationType !== PROVISIONED) return 'skipped';
  const t0 = performance.now();
  try {
    const pages = await worker.warm();
    logger.info('rebuild worker: read the live site before its first change', { ms: Math.round(performance.now() - t0), rendered: pages.length });
    return 'warmed';
  } catch (error) {
    // The first change reads it instead: a warm-up is never worth a failed start.
    logger.warn('rebuild worker: could not read the live site while starting; its first change will', { error: error instanceof Error ? error.message : String(error) });
    return 'failed';
  }
}
