/**
 * Stage 6, commit: the state the next run plans against, written last, so a crash before here
 * replays the same envelopes against the old state and converges.
 */
import type { Product } from '../../shared/catalog/product.js';
import { recordKey, type ChangeEnvelope } from '../../shared/changes/envelope.js';
import type { ContentSnapshot } from '../../shared/content/snapshot.js';
import { indexEntry, renamedOf, type PageIndexEntry, type SiteState } from '../../shared/state/site-state.js';
import type { RunPlan } from './planning.js';

export interface NextState {
  state: SiteState;
  /** The index entries this run replaced or removed, as they were (undefined: the page is new). */
  replaced: Map<string, PageIndexEntry | undefined>;
}

/**
 * The next state: the page index updated, the versions of the envelopes that went live recorded.
 * The page index and the versions of `state` are updated in place (copying them is a pass over the
 * store): the caller owns `state` and drops it if the commit fails.
 */
export function nextState(input: {
  state: SiteState; run: RunPlan; snapshot: ContentSnapshot; catalog: readonly Product[]; contentToken: string;
  /** Envelopes that went live (failed ones keep their old version: their retry must not be fenced). */
  applied: readonly ChangeEnvelope[];
  /** The generation of the manifest the run's publish left live. */
  manifestGeneration: number;
}): NextState {
  const { state, run } = input;
  const pages = state.pages;
  const replaced = new Map<string, PageIndexEntry | undefined>();
  for (const url of run.plan.removed) {
    replaced.set(url, pages[url]);
    delete pages[url];
  }
  for (const spec of run.model.pages) {
    const entry = indexEntry(spec, run.primaryOf(spec.url));
    const before = pages[spec.url];
    // A candidate that came out the same is not a change: its index shard stays as it is.
    if (before && sameEntry(before, entry)) continue;
    if (!replaced.has(spec.url)) replaced.set(spec.url, before);
    pages[spec.url] = entry;
  }
  addVersions(state.versions, input.applied);
  // The renamed products are the run's outline's, whole: a collision that ended leaves none behind.
  const { renamed: _previous, ...kept } = state;
  return {
    state: {
      ...kept, generation: state.generation + 1, contentToken: input.contentToken, products: input.catalog as Product[],
      entries: [...input.snapshot.entries.values()], assets: [...input.snapshot.assets.values()], pages, shell: run.site.outline.shell,
      ...renamedOf(run.site), manifestGeneration: input.manifestGeneration,
    },
    replaced,
  };
}

function sameEntry(a: PageIndexEntry, b: PageIndexEntry): boolean {
  return a.dataHash === b.dataHash && a.key === b.key && a.layout === b.layout && a.primary === b.primary && a.validUntil === b.validUntil
    && a.deps.length === b.deps.length && a.deps.every((d, i) => d === b.deps[i]);
}

/** Live versions plus those of `applied`; reconciliation and time instants are not record versions. */
export function recordVersions(live: Readonly<Record<string, string>>, applied: readonly ChangeEnvelope[]): Record<string, string> {
  return addVersions({ ...live }, applied);
}

function addVersions(versions: Record<string, string>, applied: readonly ChangeEnvelope[]): Record<string, string> {
  for (const e of applied) if (e.source !== 'reconcile' && e.kind !== 'Time') versions[recordKey(e)] = e.version;
  return versions;
}
