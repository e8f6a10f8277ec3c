/**
 * Invalidation planner: the CDN paths for a set of changed keys, collapsed to wildcards when that
 * is cheaper. CloudFront bills each path after the first 1,000 a month but counts a wildcard as one,
 * and allows 3,000 paths and 15 wildcards in progress at once.
 */
import { createHash } from 'node:crypto';
import { isHashedAsset } from './headers.js';

export interface InvalidationPlan {
  paths: string[];
  /** Deterministic: the same change retried yields the same reference (CloudFront dedupes it). */
  callerReference: string;
}

export interface PlannerOptions {
  /** Above this many exact paths, collapse by top-level section. @default 500 */
  maxPaths?: number;
  /** Above this many wildcards, invalidate everything (`/*`). @default 15 */
  maxWildcards?: number;
}

/**
 * The CDN paths to invalidate for a key: the object path. Visitors ask for `/a/b/`, but the
 * viewer-request CloudFront Function rewrites that to `/a/b/index.html` before the cache lookup,
 * so the rewritten URI is the cache key and the one path to invalidate (half the paths, half the
 * invalidation cost). The local edge evicts both forms for either.
 */
export function pathsForKey(key: string): string[] {
  return [`/${key}`];
}

/**
 * Plans the invalidation for changed keys. Hashed assets are skipped (a new name is never cached);
 * internal state under `_restatic/` is never served.
 */
export function planInvalidation(changedKeys: Iterable<string>, salt: string, options: PlannerOptions = {}): InvalidationPlan | undefined {
  const maxPaths = options.maxPaths ?? 500;
  const maxWildcards = options.maxWildcards ?? 15;
  const keys = [...new Set(changedKeys)].filter((k) => !isHashedAsset(k) && !k.startsWith('_restatic/')).sort();
  if (keys.length === 0) return undefined;
  let paths = keys.flatMap(pathsForKey);
  if (paths.length > maxPaths) {
    // One wildcard per top-level section that changed; single files at the root stay exact.
    const sections = new Set<string>();
    const exact: string[] = [];
    for (const key of keys) {
      const slash = key.indexOf('/');
      if (slash === -1) exact.push(...pathsForKey(key));
      else sections.add(`/${key.slice(0, slash + 1)}*`);
    }
    paths = sections.size > maxWildcards || exact.length + sections.size > maxPaths ? ['/*'] : [...exact, ...[...sections].sort()];
  }
  const callerReference = createHash('sha256').update(salt).update('\n').update(paths.join('\n')).digest('hex').slice(0, 32);
  return { paths, callerReference };
}
