/**
 * Full build and publish: read all content and the whole catalog, render every page, and publish
 * against the live manifest. In three steps, so that the middle can fan out:
 *
 * 1. `prepareBuild` reads everything, builds the site model and the state-to-be, and publishes the
 *    static assets (before any page that references them);
 * 2. the pages are rendered and uploaded: locally by `fullBuild` over the render pool's worker
 *    threads, in AWS by shard functions (`functions/build/`), each comparing its outputs with the
 *    live manifest entries of its own keys;
 * 3. `commitBuild` takes in what the shards stored, publishes the sitemaps last (they must not
 *    advertise a page before it exists), brings the redirects in line with the new URLs, prunes,
 *    sends one invalidation, and writes the manifest and then the state: a crash before that leaves
 *    the previous site whole, and the next run converges.
 *
 * Used by `restatic build`, the first step of `npm start`, the deploy workflow, and rebuilds that
 * must touch everything.
 */
import { ContentSnapshot } from '../content/snapshot.js';
import { RenderError } from '../errors.js';
import type { Catalog, Cdn, ContentSource, Logger, ObjectStore, Progress, RejectedProduct, RootPointers } from '../ports.js';
import { ManifestStore, type Manifest } from '../publish/manifest.js';
import { Publisher, type PublishResult, type StagedObjects } from '../publish/publisher.js';
import { reconcileRedirects } from '../publish/redirects.js';
import { indexEntry, renamedOf, urlOwners, type SiteState } from '../state/site-state.js';
import { concatPages, LazyPages } from './page-source.js';
import { publishShard } from './publish-shard.js';
import { StateStore } from '../state/state-store.js';
import type { PageRenderer } from './render-pool.js';
import type { RenderContext, RenderedPage } from './render.js';
import { loadSiteAssets } from './site-assets.js';
import { outlineSite, type ModelWarning, type PageSpec, type SiteConfig } from './site-model.js';

export interface FullBuildDeps {
  content: ContentSource;
  catalog: Catalog;
  store: ObjectStore;
  cdn: Cdn;
  logger: Logger;
  renderer: PageRenderer;
  progress?: Progress;
  /** Where the state and manifest roots are committed compare-and-swap (a DynamoDB table); without, fixed keys in the bucket. */
  roots?: RootPointers;
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
  /** When each stage ended: every page rendered, every object uploaded (late pages, deletions), the one invalidation sent. */
  stages: { built: string; uploaded: string; invalidated?: string };
}

/** Sitemaps go last: they must not advertise a page before it exists. */
export const isLatePage = (key: string) => key === 'sitemap.xml' || key.startsWith('sitemaps/') || key === 'robots.txt';

/** What the first step produced: everything the render step and the commit need. */
export interface PreparedBuild {
  context: RenderContext;
  /**
   * Pages rendered and uploaded in the middle step (shardable), their data computed slice by slice
   * as they are taken; each slice indexes its pages into `state.pages`, which is whole once every
   * page has been taken (`pages.complete`).
   */
  pages: LazyPages;
  /** Pages published by the commit, after every other page exists (sitemaps, robots.txt). */
  late: PageSpec[];
  /** The state the commit writes (the page index, content, catalog and versions of this build; the index of `pages` fills as they are taken). */
  state: SiteState;
  /** The live manifest the build publishes against. */
  manifest: Manifest;
  /** The assets, already stored (what the commit takes in). */
  assets: StagedObjects;
  /** The live state root's ETag when the build read it (undefined: none yet). */
  stateEtag: string | undefined;
  summary: { products: number; contentToken: string; warnings: ModelWarning[]; rejected: RejectedProduct[] };
  /** When the build started (epoch ms) and how long reading and modelling took. */
  timings: { startedAt: number; read: number; model: number };
}

type PrepareDeps = Pick<FullBuildDeps, 'content' | 'catalog' | 'store' | 'cdn' | 'logger' | 'roots'> & { renderer?: PageRenderer };

/** Step 1: read everything, model the site, publish the assets. */
export async function prepareBuild(deps: PrepareDeps, options: FullBuildOptions): Promise<PreparedBuild> {
  const { logger } = deps;
  const t0 = performance.now();
  const startedAt = Date.now();
  const states = new StateStore(deps.store, deps.roots);
  const manifests = new ManifestStore(deps.store, deps.roots);
  const [delta, locales, catalog, previous, previousState] = await Promise.all([
    deps.content.sync(),
    deps.content.locales(),
    deps.catalog.scanAll(),
    manifests.read(),
    states.readIndex().catch(() => undefined),
  ]);
  const snapshot = new ContentSnapshot(locales);
  snapshot.apply(delta);
  for (const r of catalog.rejected) logger.warn('product skipped: invalid', { sku: r.sku, field: r.field, error: r.message });
  const t1 = performance.now();

  // Products are most of the pages: boot render workers now, while the model is built.
  deps.renderer?.warm?.(catalog.products.length);
  // The live owners of URLs keep them (slug collisions), so a full build agrees with targeted ones.
  const site = outlineSite(snapshot, catalog.products, { ...options.site, owners: options.site.owners ?? urlOwners(previousState) });
  const { outline, pagesAt } = site;
  for (const w of outline.warnings) logger.warn('content warning', { ...w });
  const siteAssets = loadSiteAssets({ demoImages: options.demoImages });
  const refs = outline.all.filter((ref) => !isLatePage(ref.key));
  const lateRefs = outline.all.filter((ref) => isLatePage(ref.key));
  const t2 = performance.now();
  logger.info('full build: model ready', { pages: outline.all.length, products: catalog.products.length, rejected: catalog.rejected.length, generation: previous.generation });

  const index: SiteState['pages'] = {};
  const late = pagesAt(lateRefs.map((ref) => ref.url));
  for (const [i, spec] of late.entries()) index[spec.url] = indexEntry(spec, lateRefs[i]!.primary);
  const state: SiteState = {
    format: 1,
    generation: (previousState?.generation ?? 0) + 1,
    contentToken: delta.nextToken,
    locales,
    entries: [...snapshot.entries.values()],
    assets: [...snapshot.assets.values()],
    products: catalog.products,
    versions: previousState?.versions ?? {},
    pages: index,
    shell: outline.shell,
    ...renamedOf(site),
  };
  // Assets first: every page may reference them.
  const assetPublisher = new Publisher({ store: deps.store, cdn: deps.cdn, logger, concurrency: options.concurrency ?? 32 }, previous, options.site.now);
  await assetPublisher.add(siteAssets.items);
  return {
    context: { sites: outline.sites, css: siteAssets.css, js: siteAssets.js, icon: siteAssets.icon, search: siteAssets.search },
    pages: new LazyPages(refs, pagesAt, index),
    late,
    state, manifest: previous, assets: assetPublisher.staged(), stateEtag: states.etag,
    summary: { products: catalog.products.length, contentToken: delta.nextToken, warnings: outline.warnings, rejected: catalog.rejected },
    timings: { startedAt, read: t1 - t0, model: t2 - t1 },
  };
}

export interface CommitInput {
  /** The prepared build (its pages are in the shards; the live manifest is read again at commit). */
  prepared: Omit<PreparedBuild, 'pages' | 'manifest'>;
  /** What the middle step stored, shard by shard. */
  shards: Iterable<StagedObjects>;
  /** The late pages, rendered. */
  late: readonly RenderedPage[];
  /** Milliseconds the middle step took (for the summary). */
  renderAndUpload: number;
}

/** Step 3: take in the shards, publish the late pages, prune, invalidate once, commit manifest then state. */
export async function commitBuild(deps: Pick<FullBuildDeps, 'store' | 'cdn' | 'logger' | 'roots'>, options: { now: Date; concurrency?: number }, input: CommitInput): Promise<FullBuildResult> {
  const { logger } = deps;
  const { prepared } = input;
  const t3 = performance.now();
  const builtAt = new Date().toISOString();
  let uploadedAt = builtAt;
  const manifests = new ManifestStore(deps.store, deps.roots);
  const states = new StateStore(deps.store, deps.roots);
  // The stores must know the live roots they replace (what their commits retire).
  const [manifest0, live] = await Promise.all([manifests.read(), states.readIndex().catch(() => undefined)]);
  if (states.etag !== prepared.stateEtag) {
    // Runs are serialised (one worker, and AWS full builds go through it), so this is an operator
    // running a second build by hand: say so; the state below is whole and the next change converges.
    logger.warn('full build: the site state changed while this build ran', { expected: prepared.stateEtag ?? null, found: states.etag ?? null });
  }
  const publisher = new Publisher({ store: deps.store, cdn: deps.cdn, logger, concurrency: options.concurrency ?? 32, manifests }, manifest0, options.now);
  publisher.adopt(prepared.assets);
  for (const shard of input.shards) publisher.adopt(shard);
  await publisher.add(input.late);
  // Before the old pages go (the prune below): an old URL never 404s while its record lives on.
  await reconcileRedirects(deps.store, live?.pages ?? {}, prepared.state.pages, prepared.context.sites);
  const result = await publisher.finish({ prune: true, onUploaded: () => { uploadedAt = new Date().toISOString(); } });
  const invalidatedAt = result.invalidation ? new Date().toISOString() : undefined;
  if (result.uploaded.length || result.deleted.length) await manifests.sweep();
  // Versions applied meanwhile are kept: their duplicates must stay no-ops.
  const merged = live && live.versions !== prepared.state.versions ? { ...prepared.state, versions: { ...prepared.state.versions, ...live.versions } } : prepared.state;
  // The state describes this manifest: a later run can tell whether one published without committing.
  const state = { ...merged, manifestGeneration: result.manifest.generation };
  // Unchanged state is not rewritten: a no-change republish writes nothing at all.
  if (await states.write(state)) await states.sweep();
  const t4 = performance.now();

  const { manifest, ...published } = result;
  const { read, model } = prepared.timings;
  const summary: FullBuildResult = {
    ...published,
    pages: Object.keys(prepared.state.pages).length,
    products: prepared.summary.products,
    generation: manifest.generation,
    contentToken: prepared.summary.contentToken,
    warnings: prepared.summary.warnings,
    rejected: prepared.summary.rejected,
    timings: { read, model, renderAndUpload: input.renderAndUpload, finish: t4 - t3, total: read + model + input.renderAndUpload + (t4 - t3) },
    stages: { built: builtAt, uploaded: uploadedAt, ...(invalidatedAt ? { invalidated: invalidatedAt } : {}) },
  };
  logger.info('full build: published', {
    pages: summary.pages, uploaded: summary.uploaded.length, unchanged: summary.unchanged, deleted: summary.deleted.length,
    invalidated: summary.invalidation?.paths.length ?? 0, ms: Math.round(summary.timings.total),
  });
  return summary;
}

/** The page index the commit writes is whole only once every page has been taken from the source. */
export function assertIndexed(prepared: Pick<PreparedBuild, 'pages'>): void {
  if (!prepared.pages.complete) throw new RenderError(`Expected every one of the ${prepared.pages.length} pages to be rendered before the commit, got a page index missing some`);
}

/** The whole build in this process: the middle step over the render pool (worker threads). */
export async function fullBuild(deps: FullBuildDeps, options: FullBuildOptions): Promise<FullBuildResult> {
  const { progress } = deps;
  const prepared = await prepareBuild(deps, options);
  const t2 = performance.now();
  const now = options.site.now ?? new Date();
  const assetCount = Object.keys(prepared.assets.entries).length;
  progress?.start('build', prepared.pages.length + prepared.late.length + assetCount);
  progress?.advance(assetCount);
  const shards: StagedObjects[] = [];
  const late: RenderedPage[] = [];
  const pages = concatPages(prepared.pages, prepared.late);
  if (deps.renderer.publish) {
    // The render threads upload their own chunks, as shard Lambdas do; the sitemaps come back for the commit.
    const live = prepared.manifest.entries;
    const pick = (keys: readonly string[]) => Object.fromEntries(keys.filter((k) => Object.hasOwn(live, k)).map((k) => [k, live[k]!]));
    await deps.renderer.publish(pages, prepared.context, { live: pick, now, hold: isLatePage, ...(options.concurrency ? { concurrency: options.concurrency } : {}) }, async (chunk) => {
      shards.push(chunk.staged);
      late.push(...chunk.held);
      progress?.advance(chunk.pages - chunk.held.length);
    });
  } else {
    await deps.renderer.render(pages, prepared.context, async (rendered) => {
      late.push(...rendered.filter((r) => isLatePage(r.key)));
      const early = rendered.filter((r) => !isLatePage(r.key));
      shards.push(await publishShard(deps, early, prepared.manifest.entries, now, options.concurrency));
      progress?.advance(early.length);
    });
  }
  progress?.advance(late.length);
  assertIndexed(prepared);
  const result = await commitBuild(deps, { now, ...(options.concurrency ? { concurrency: options.concurrency } : {}) }, { prepared, shards, late, renderAndUpload: performance.now() - t2 });
  progress?.stop();
  return result;
}
