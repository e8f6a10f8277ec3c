/**
 * Stage 6, commit: the state the next run plans against, written last, so a crash before here
 * replays the same envelopes against the old state and converges.
 */
import type { Product } from '../../shared/catalog/product.js';
import { recordKey, type ChangeEnvelope } from '../../shared/changes/envelope.js';
import type { ContentSnapshot } from '../../shared/content/snapshot.js';
import { indexEntry, type SiteState } from '../../shared/state/site-state.js';
import type { RunPlan } from './planning.js';

/** The next state: the page index updated, the versions of the envelopes that went live recorded. */
export function nextState(input: {
  state: SiteState; run: RunPlan; snapshot: ContentSnapshot; catalog: readonly Product[]; contentToken: string;
  /** Envelopes that went live (failed ones keep their old version: their retry must not be fenced). */
  applied: readonly ChangeEnvelope[];
}): SiteState {
  const { state, run } = input;
  const pages = { ...state.pages };
  for (const url of run.plan.removed) delete pages[url];
  for (const spec of run.model.pages) pages[spec.url] = indexEntry(spec, run.primaryOf(spec.url));
  return {
    ...state, generation: state.generation + 1, contentToken: input.contentToken, products: [...input.catalog],
    entries: [...input.snapshot.entries.values()], assets: [...input.snapshot.assets.values()],
    versions: recordVersions(state.versions, input.applied), pages, shell: run.site.outline.shell,
  };
}

/** Live versions plus those of `applied`; reconciliation and time instants are not record versions. */
export function recordVersions(live: Readonly<Record<string, string>>, applied: readonly ChangeEnvelope[]): Record<string, string> {
  const versions = { ...live };
  for (const e of applied) if (e.source !== 'reconcile' && e.kind !== 'Time') versions[recordKey(e)] = e.version;
  return versions;
}
