/**
 * Stage 3, plan: which pages this change touches. The new site is listed once (URLs and owners, no
 * data), planned against the live page index, then the data of the candidate pages alone is
 * computed; a page whose data did not change is not rendered.
 */
import { outlineSite, type PageSpec, type SiteConfig, type SiteModel } from '../../shared/build/site-model.js';
import type { Product } from '../../shared/catalog/product.js';
import type { ChangeEnvelope } from '../../shared/changes/envelope.js';
import type { ContentSnapshot } from '../../shared/content/snapshot.js';
import { pageDataHash, type SiteState } from '../../shared/state/site-state.js';
import { planPages, type PagePlan } from '../plan.js';

export interface RunPlan {
  /** Every page of the new site, without data. */
  outline: SiteModel;
  plan: PagePlan;
  /** The candidate pages, with data. */
  model: SiteModel;
  /** The candidates whose data differs from what is live: the pages to render. */
  changed: PageSpec[];
  /** Each page's primary record (`sku:…`), from the outline. */
  primaries: Map<string, string | undefined>;
  /** What the models warned of about this run's records (a slug given to another product). */
  warnings: string[];
}

export function planRun(input: {
  snapshot: ContentSnapshot; catalog: readonly Product[]; site: SiteConfig; state: SiteState; changedKeys: ReadonlySet<string>; work: readonly ChangeEnvelope[];
}): RunPlan {
  const { snapshot, catalog, site, state, work } = input;
  const { outline, pagesFor } = outlineSite(snapshot, catalog, site);
  // Reconciliation compares what every page would show now with what is live, not raw records.
  const all = outline.shell !== state.shell || work.some((e) => e.source === 'reconcile');
  const plan = planPages(input.changedKeys, state.pages, outline.all, { now: site.now, all });
  const model: SiteModel = { ...outline, pages: pagesFor((ref) => plan.candidates.has(ref.url)) };
  const changed = model.pages.filter((spec) => state.pages[spec.url]?.dataHash !== pageDataHash(spec));
  const subjects = new Set(work.map((e) => (e.kind === 'Product' ? `product ${e.id}` : `entry ${e.id}`)));
  const warnings = [...new Set(outline.warnings.filter((w) => subjects.has(w.subject)).map((w) => `${w.subject}: ${w.message}`))];
  return { outline, plan, model, changed, primaries: new Map(outline.all.map((p) => [p.url, p.primary])), warnings };
}

/**
 * Products whose page changed or went in this run. A page shows everything its spec sheet does
 * (prices at this instant, category title, story), so these are the sheets to check.
 */
export function changedProducts(run: RunPlan, state: SiteState): string[] {
  const skus = new Set<string>();
  for (const spec of run.changed) if (spec.layout === 'product') skus.add(run.primaries.get(spec.url)!.slice('sku:'.length));
  for (const url of run.plan.removed) if (state.pages[url]!.layout === 'product' && state.pages[url]!.primary) skus.add(state.pages[url]!.primary!.slice('sku:'.length));
  return [...skus].sort();
}
