/**
 * Stage 5, publish: the rendered pages against the live manifest, the removed pages deleted, the
 * redirects a URL change needs written (bucket and edge) before the old page goes, then one
 * invalidation for exactly what changed.
 */
import type { RenderedPage } from '../../shared/build/render.js';
import type { Cdn, Logger, ObjectStore, RedirectTable } from '../../shared/ports.js';
import type { Manifest, ManifestStore } from '../../shared/publish/manifest.js';
import { clearIntent, recordIntent } from '../../shared/publish/intent.js';
import { Publisher, type PublishResult } from '../../shared/publish/publisher.js';
import { mergeRedirects, readRedirects, sameRedirects, writeRedirects } from '../../shared/publish/redirects.js';
import type { SiteState } from '../../shared/state/site-state.js';
import type { RunPlan } from './planning.js';

export interface PublishDeps {
  store: ObjectStore;
  /** The live manifest, kept between runs of a warm worker. */
  manifests: ManifestStore;
  cdn: Cdn;
  logger: Logger;
  redirects?: RedirectTable;
}

export async function publishRun(
  deps: PublishDeps, run: RunPlan, rendered: readonly RenderedPage[], state: SiteState, now: Date, onUploaded: () => void, manifest: Manifest | undefined, correlationId: string,
): Promise<PublishResult> {
  const live = manifest ?? await deps.manifests.read();
  const publisher = new Publisher({ store: deps.store, cdn: deps.cdn, logger: deps.logger, manifests: deps.manifests }, live, now);
  // Keys this run creates are recorded first: if it fails before its manifest, the next run can find them.
  const created = rendered.filter((page) => !Object.hasOwn(live.entries, page.key)).map((page) => page.key);
  if (created.length) await recordIntent(deps.store, created, correlationId, now);
  await publisher.add(rendered);
  publisher.remove(run.plan.removed.map((url) => state.pages[url]!.key));
  // The URL set changed: new redirects, and old ones that a live page or a vanished target ends.
  if (run.plan.added.length || run.plan.removed.length) {
    const existing = await readRedirects(deps.store);
    const merged = mergeRedirects(existing, run.plan.redirects, { has: run.listed });
    if (!sameRedirects(merged, existing)) {
      await writeRedirects(deps.store, merged);
      // Before the old page is removed and the invalidation goes out: the old URL never 404s.
      await deps.redirects?.replaceAll(merged);
    }
  }
  const result = await publisher.finish({ prune: false, onUploaded });
  if (created.length) await clearIntent(deps.store);
  return result;
}
