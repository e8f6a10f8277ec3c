/**
 * Stage 2a, collect content changes: the Contentful sync delta since the live state's token,
 * applied to the live snapshot, read again (with backoff) until the CDN shows every envelope's
 * version. What changed becomes dependency keys for planning.
 */
import { dep, entityDep } from '../../shared/build/deps.js';
import type { ChangeEnvelope } from '../../shared/changes/envelope.js';
import { compareVersions } from '../../shared/changes/envelope.js';
import type { ContentSnapshot } from '../../shared/content/snapshot.js';
import { changeVersion, type ContentEntity } from '../../shared/content/types.js';
import { RestaticError, registerWireError } from '../../shared/errors.js';
import type { ContentSource } from '../../shared/ports.js';
import { sleep } from '../../shared/sleep.js';
import type { Failed } from './fence.js';

/** Contentful's CDN has not caught up with a webhook yet: retry the envelope later. */
export class ContentNotConsistentError extends RestaticError {
  constructor(message: string) {
    super(message, { retryable: true });
  }
}
registerWireError(ContentNotConsistentError);

export interface ContentCollected {
  /** The token to store: the delta up to here is in the snapshot. */
  contentToken: string;
  changedKeys: Set<string>;
  /** Envelopes the CDN does not show yet (retryable). */
  failed: Failed[];
}

/** Whether the snapshot shows an envelope's change (publish: at least its version; removal: gone). */
export function isVisible(snapshot: ContentSnapshot, e: ChangeEnvelope): boolean {
  const map = e.kind === 'Asset' ? snapshot.assets : snapshot.entries;
  const entity = map.get(e.id);
  if (/\.(unpublish|archive|delete)$/.test(e.topic)) return entity === undefined;
  return entity !== undefined && compareVersions(changeVersion(entity.sys), e.version) >= 0;
}

/** Applies the sync delta to `snapshot` (mutated) until it shows `work`, or the attempts run out. */
export async function collectContent(
  source: ContentSource, snapshot: ContentSnapshot, token: string, work: readonly ChangeEnvelope[],
  consistency: { attempts: number; baseMs: number } = { attempts: 6, baseMs: 250 },
): Promise<ContentCollected> {
  const changedKeys = new Set<string>();
  let contentToken = token;
  let pending = [...work];
  for (let attempt = 0; ; attempt++) {
    const delta = await source.sync(contentToken);
    // Everything, not a delta (a token the source did not issue: the preview's Preview API after a
    // build in another function): what changed is what differs from the snapshot, not every entry,
    // or each draft would rebuild the whole site as if its settings had changed.
    const before = delta.full ? { entries: new Map(snapshot.entries), assets: new Map(snapshot.assets) } : undefined;
    snapshot.apply(delta);
    contentToken = delta.nextToken;
    const same = (e: ContentEntity) => {
      const was = (e.sys.type === 'Asset' ? before?.assets : before?.entries)?.get(e.sys.id);
      return was !== undefined && changeVersion(was.sys) === changeVersion(e.sys);
    };
    if (before) {
      for (const id of before.entries.keys()) if (!snapshot.entries.has(id)) changedKeys.add(entityDep('entry', id));
      for (const id of before.assets.keys()) if (!snapshot.assets.has(id)) changedKeys.add(entityDep('asset', id));
    }
    for (const e of [...delta.entries, ...delta.assets]) {
      if (before && same(e)) continue;
      changedKeys.add(entityDep(e.sys.type === 'Asset' ? 'asset' : 'entry', e.sys.id));
      const sku = e.sys.contentType?.sys.id === 'productContent' ? snapshot.field<string>(e, 'sku') : undefined;
      if (typeof sku === 'string') changedKeys.add(dep.story(sku));
    }
    for (const d of [...delta.deletedEntries, ...delta.deletedAssets]) changedKeys.add(entityDep(d.sys.type === 'DeletedAsset' ? 'asset' : 'entry', d.sys.id));
    pending = pending.filter((e) => e.source !== 'reconcile' && !isVisible(snapshot, e));
    if (pending.length === 0 || attempt + 1 >= consistency.attempts) break;
    await sleep(Math.min(4000, consistency.baseMs * 2 ** attempt));
  }
  const failed = pending.map((e) => ({ envelope: e, error: new ContentNotConsistentError(`Contentful does not show ${e.kind} ${e.id} at version ${e.version} yet (${e.topic})`) }));
  return { contentToken, changedKeys, failed };
}

/** Site settings (name, navigation) are on every page: a change to them is the full-build path. */
export function settingsChanged(live: readonly ContentEntity[], snapshot: ContentSnapshot, changedKeys: ReadonlySet<string>): boolean {
  return [...live, ...snapshot.ofType('siteSettings')].some((en) => en.sys.contentType?.sys.id === 'siteSettings' && changedKeys.has(dep.entry(en.sys.id)));
}
