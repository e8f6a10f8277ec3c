/**
 * Stage 3, plan: which pages this change touches, then the data of those candidates alone; a
 * candidate whose data did not change is not rendered.
 *
 * Two ways to the same plan. `planRun` lists the new site afresh and plans against the live page
 * index (reconciliation, a cold worker, a change to the navigation or locales). `planPatch` patches
 * a warm worker's outline with the content and catalog changes and asks its reverse dependency
 * index: what it costs follows the change, not the store. The invariant test holds both to a full
 * build.
 */
import { outlineSite, type OutlineDelta, type PageSpec, type SiteConfig, type SiteModel, type SiteOutline } from '../../shared/build/site-model.js';
import type { Product } from '../../shared/catalog/product.js';
import type { ChangeEnvelope } from '../../shared/changes/envelope.js';
import type { ContentSnapshot } from '../../shared/content/snapshot.js';
import type { DependencyIndex } from '../../shared/state/dependency-index.js';
import { pageDataHash, type SiteState } from '../../shared/state/site-state.js';
import { diffUnits, planChange, planPages, type PagePlan } from '../plan.js';

export interface RunPlan {
  /** The new site, listed (`all` is computed on demand: a pass over the store). */
  site: SiteOutline;
  plan: PagePlan;
  /** The candidate pages, with data. */
  model: SiteModel;
  /** The candidates whose data differs from what is live: the pages to render. */
  changed: PageSpec[];
  /** Whether the new site lists a URL. */
  listed(url: string): boolean;
  /** A page's primary record (`sku:…`). */
  primaryOf(url: string): string | undefined;
  /** What the models warned of about this run's records (a slug given to another product). */
  warnings: string[];
}

function runPlan(site: SiteOutline, plan: PagePlan, state: SiteState, work: readonly ChangeEnvelope[], warnings: ReadonlyArray<{ subject: string; message: string }>): RunPlan {
  const pages = site.pagesAt(plan.candidates);
  const model: SiteModel = { site: site.outline.site, sites: site.outline.sites, shell: site.outline.shell, pages, all: [], warnings: [] };
  const changed = pages.filter((spec) => state.pages[spec.url]?.dataHash !== pageDataHash(spec));
  const subjects = new Set(work.map((e) => (e.kind === 'Product' ? `product ${e.id}` : `entry ${e.id}`)));
  const said = [...new Set(warnings.filter((w) => subjects.has(w.subject)).map((w) => `${w.subject}: ${w.message}`))];
  return { site, plan, model, changed, listed: (url) => site.ref(url) !== undefined, primaryOf: (url) => site.ref(url)?.primary, warnings: said };
}

/** Plans against a fresh outline of the new site. */
export function planRun(input: {
  snapshot: ContentSnapshot; catalog: readonly Product[]; site: SiteConfig; state: SiteState; changedKeys: ReadonlySet<string>; work: readonly ChangeEnvelope[];
}): RunPlan {
  const { snapshot, catalog, site, state, work } = input;
  const outline = outlineSite(snapshot, catalog, site);
  const all = outline.outline.all;
  // Reconciliation compares what every page would show now with what is live, not raw records.
  const everything = outline.outline.shell !== state.shell || work.some((e) => e.source === 'reconcile');
  const plan = planPages(input.changedKeys, state.pages, all, { now: site.now, all: everything });
  return runPlan(outline, plan, state, work, outline.outline.warnings);
}

/**
 * Plans a change on a warm outline of the live site, patched in place with the new `content` (when
 * the run changed any) and the catalog `changes` (sku → product now, or undefined when gone).
 * Undefined when a patch is refused (a slug collision begins or ends, the navigation changed): the
 * outline may then be half patched, and the caller drops it and plans with `planRun`.
 */
export function planPatch(input: {
  outline: SiteOutline; index: DependencyIndex; content?: ContentSnapshot; changes: ReadonlyMap<string, Product | undefined>; now: Date;
  state: SiteState; changedKeys: ReadonlySet<string>; work: readonly ChangeEnvelope[];
}): RunPlan | undefined {
  const { outline, state } = input;
  const contentDelta = input.content ? outline.patchContent(input.content, input.changedKeys, input.now) : undefined;
  if (input.content && !contentDelta) return undefined;
  const catalogDelta = outline.patch(input.changes, input.now);
  if (!catalogDelta) return undefined;
  const delta = contentDelta ? mergeDeltas(outline, contentDelta, catalogDelta) : catalogDelta;
  const diff = diffUnits(state.pages, delta.before, delta.after);
  const plan = planChange(input.changedKeys, state.pages, diff, input.index, (url) => outline.ref(url) !== undefined, delta.after, input.now);
  // Only the re-listed units can warn of this run's records (a category, a slug; product slugs stay uncontested here).
  return runPlan(outline, plan, state, input.work, delta.warnings);
}

/**
 * Two patches of one outline as one: what their units listed before either, and what the units
 * either touched list now (a URL the first listed and the second dropped is gone).
 */
function mergeDeltas(outline: SiteOutline, first: OutlineDelta, second: OutlineDelta): OutlineDelta {
  const touched = new Set([...first.after, ...second.after].map((r) => r.url));
  const after = [...touched].map((url) => outline.ref(url)).filter((r) => r !== undefined);
  return { before: [...first.before, ...second.before], after, warnings: [...first.warnings, ...second.warnings] };
}

/**
 * Products whose page changed or went in this run. A page shows everything its spec sheet does
 * (prices at this instant, category title, story), so these are the sheets to check.
 */
export function changedProducts(run: RunPlan, state: SiteState): string[] {
  const skus = new Set<string>();
  for (const spec of run.changed) if (spec.layout === 'product') skus.add(run.primaryOf(spec.url)!.slice('sku:'.length));
  for (const url of run.plan.removed) if (state.pages[url]!.layout === 'product' && state.pages[url]!.primary) skus.add(state.pages[url]!.primary!.slice('sku:'.length));
  return [...skus].sort();
}
