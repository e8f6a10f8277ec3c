/**
 * Cdn for a distribution that caches nothing (the private preview: every response `no-store`, the
 * CachingDisabled policy in AWS): there is nothing to invalidate, so a run's invalidation is done
 * as soon as it is asked for.
 */
import type { Cdn } from '../ports.js';

export function createUncachedCdn(): Cdn {
  return { invalidate: async (_paths, callerReference) => `uncached-${callerReference}` };
}
