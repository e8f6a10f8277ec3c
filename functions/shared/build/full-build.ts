/**
 * Full build and publish: read all content and the whole catalog, render every page (sharded over
 * the render pool), and publish against the live manifest. Used by `restatic build`, the first step
 * of `npm start`, the deploy workflow, and rebuilds that must touch everything.
 */
import { ContentSnapshot } from '../content/snapshot.js';
import type { Catalog, Cdn, ContentSource, Logger, ObjectStore, Progress, RejectedProduct } from '../ports.js';
import { ManifestStore } from '../publish/manifest.js';
import { Publisher, type PublishResult } from '../publish/publisher.js';
import { indexEntry, urlOwners, type SiteState } from '../state/site-state.js';
import { StateStore } from '../state/state-store.js';
import type { PageRenderer } from './render-pool.js';
import type { RenderedPage } from './render.js';
import { loadSiteAssets } from './site-assets.js';
import { buildSiteModel, type ModelWarning, type SiteConfig } from './site-model.js';

export interface FullBuildDeps {
  content: ContentSource;
  catalog: Catalog;
  store: ObjectStore;
  cdn: Cdn;
  logger: Logger;
  renderer: PageRenderer;
  progress?: Progress;
}

export interface FullBuildOptions {
  site: SiteConfig;
  /** Publish the demo catalog's generated images under /assets/img/. */
  demoImages: boolean;
  /** Upload concurrency. @default 32 */
  concurrency?: number;
}

export interface FullBuildResult extends Omit<PublishResult, 'manifest'> {
  pages: number;
  products: number;
  generation: number;
  contentToken: string;
  warnings: ModelWarning[];
  rejected: RejectedProduct[];
  /** Milliseconds per stage. */
  timings: { read: number; model: number; renderAndUpload: number; finish: number; total: number };
}

// Sitemaps go last: they must not advertise a page before it exists.
const isLate = (key: string) => key === 'sitemap.xml' || key.startsWith('sitemaps/') || key === 'robots.txt';

export async function fullBuild(deps: FullBuildDeps, options: FullBuildOptions): Promise<FullBuildResult> {
  const { logger, progress } = deps;
  const t0 = performance.now();
  const states = new StateStore(deps.store);
  const manifests = new ManifestStore(deps.store);
  const [delta, locales, catalog, previous, previousState] = await Promise.all([
    deps.content.sync(),
    deps.content.locales(),
    deps.catalog.scanAll(),
    manifests.read(),
    states.read().catch(() => undefined),
  ]);
  const snapshot = new ContentSnapshot(locales);
  snapshot.apply(delta);
  for (const r of catalog.rejected) logger.warn('product skipped: invalid', { sku: r.sku, field: r.field, error: r.message });
  const t1 = performance.now();

  // Products are most of the pages: boot render workers now, while the model is built.
  deps.renderer.warm?.(catalog.products.length);
  // The live owners of URLs keep them (slug collisions), so a full build agrees with targeted ones.
  const model = buildSiteModel(snapshot, catalog.products, { ...options.site, owners: options.site.owners ?? urlOwners(previousState) });
  for (const w of model.warnings) logger.warn('content warning', { ...w });
  const assets = loadSiteAssets({ demoImages: options.demoImages });
  const t2 = performance.now();
  logger.info('full build: model ready', { pages: model.pages.length, products: catalog.products.length, rejected: catalog.rejected.length, generation: previous.generation });

  const publisher = new Publisher({ store: deps.store, cdn: deps.cdn, logger, concurrency: options.concurrency ?? 32, manifests }, previous, options.site.now);
  progress?.start('build', model.pages.length + assets.items.length);
  await publisher.add(assets.items);
  progress?.advance(assets.items.length);
  const late: RenderedPage[] = [];
  await deps.renderer.render(model.pages, { site: model.site, css: assets.css }, async (rendered) => {
    const now = rendered.filter((r) => !isLate(r.key));
    late.push(...rendered.filter((r) => isLate(r.key)));
    await publisher.add(now);
    progress?.advance(rendered.length);
  });
  await publisher.add(late);
  const t3 = performance.now();
  const result = await publisher.finish({ prune: true });
  if (result.uploaded.length || result.deleted.length) await manifests.sweep();
  // State last: a crash before this point leaves the previous state, and the next run converges.
  const primaries = new Map(model.all.map((ref) => [ref.url, ref.primary]));
  const state: SiteState = {
    format: 1,
    generation: (previousState?.generation ?? 0) + 1,
    contentToken: delta.nextToken,
    locales,
    entries: [...snapshot.entries.values()],
    assets: [...snapshot.assets.values()],
    products: catalog.products,
    versions: previousState?.versions ?? {},
    pages: Object.fromEntries(model.pages.map((spec) => [spec.url, indexEntry(spec, primaries.get(spec.url))])),
    shell: model.shell,
  };
  // Unchanged state is not rewritten: a no-change republish writes nothing at all.
  if (await states.write(state)) await states.sweep();
  progress?.stop();
  const t4 = performance.now();

  const { manifest, ...published } = result;
  const summary: FullBuildResult = {
    ...published,
    pages: model.pages.length,
    products: catalog.products.length,
    generation: manifest.generation,
    contentToken: delta.nextToken,
    warnings: model.warnings,
    rejected: catalog.rejected,
    timings: { read: t1 - t0, model: t2 - t1, renderAndUpload: t3 - t2, finish: t4 - t3, total: t4 - t0 },
  };
  logger.info('full build: published', {
    pages: summary.pages, uploaded: summary.uploaded.length, unchanged: summary.unchanged, deleted: summary.deleted.length,
    invalidated: summary.invalidation?.paths.length ?? 0, ms: Math.round(summary.timings.total),
  });
  return summary;
}
