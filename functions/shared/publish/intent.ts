/**
 * The keys a targeted publish is about to create, written before it uploads them and deleted once
 * its manifest is committed. A run that fails between the two leaves objects no manifest lists:
 * its retry usually publishes them again, but if the change is superseded or dead-lettered (a
 * product removed or withdrawn since), a page would stay live that no full build makes. The next
 * run of a worker that did not finish its last run (or has just started) deletes those keys that
 * are still not in the live manifest, and invalidates them. Runs for the site never interleave
 * (one FIFO group, one worker), so one fixed key serves.
 */
import { createHash } from 'node:crypto';
import type { Cdn, Logger, ObjectStore } from '../ports.js';
import { planInvalidation } from './invalidation.js';
import type { Manifest } from './manifest.js';

export const PUBLISH_INTENT_KEY = '_restatic/publish-intent.json';

interface Intent {
  keys: string[];
  correlationId: string;
  at: string;
}

/** Records that the run `correlationId` is about to create `keys` (before the first upload). */
export async function recordIntent(store: ObjectStore, keys: readonly string[], correlationId: string, now: Date): Promise<void> {
  const intent: Intent = { keys: [...keys].sort(), correlationId, at: now.toISOString() };
  await store.put(PUBLISH_INTENT_KEY, Buffer.from(JSON.stringify(intent)), { contentType: 'application/json', cacheControl: 'no-store' });
}

/** After the manifest is committed: the keys are listed there now. A failure leaves it for the next check, which finds them listed. */
export async function clearIntent(store: ObjectStore): Promise<void> {
  await store.deleteMany([PUBLISH_INTENT_KEY]).catch(() => undefined);
}

/**
 * Deletes the objects a run created and never committed (see above), invalidates them, and clears
 * the record. Returns the keys deleted. An unreadable record is dropped with a warning (it names
 * nothing that can be trusted).
 */
export async function recoverIntent(deps: { store: ObjectStore; cdn: Cdn; logger: Logger }, manifest: Manifest): Promise<string[]> {
  const object = await deps.store.get(PUBLISH_INTENT_KEY);
  if (!object) return [];
  let intent: Intent;
  try {
    intent = JSON.parse(object.body.toString('utf8')) as Intent;
    if (!Array.isArray(intent.keys) || !intent.keys.every((k) => typeof k === 'string')) throw new Error('expected {"keys": [strings]}');
  } catch (error) {
    deps.logger.warn('publish intent unreadable: dropped', { key: PUBLISH_INTENT_KEY, error: (error as Error).message });
    await deps.store.deleteMany([PUBLISH_INTENT_KEY]);
    return [];
  }
  const orphans = intent.keys.filter((key) => !Object.hasOwn(manifest.entries, key) && !key.startsWith('_restatic/'));
  if (orphans.length) {
    await deps.store.deleteMany(orphans);
    const plan = planInvalidation(orphans, `recover-${createHash('sha256').update(orphans.join('\n')).digest('hex').slice(0, 16)}`);
    if (plan) await deps.cdn.invalidate(plan.paths, plan.callerReference);
    deps.logger.warn('deleted objects a failed run created and never committed', { correlation_id: intent.correlationId, keys: orphans.slice(0, 20), count: orphans.length });
  }
  await deps.store.deleteMany([PUBLISH_INTENT_KEY]);
  return orphans;
}
