/**
 * The rebuild worker: a batch of change envelopes becomes one targeted rebuild, run as named
 * stages (./stages/): fence versions so duplicates do no work and nothing older overwrites newer;
 * collect the current state of what changed (Contentful sync delta, DynamoDB items; never the
 * payloads); plan the pages whose inputs changed; render them; publish changed bytes; commit the
 * state only after publish.
 */
import { renderPages } from '../shared/build/render.js';
import { loadSiteAssets } from '../shared/build/site-assets.js';
import { outlineSite, shellOf, type SiteConfig, type SiteOutline } from '../shared/build/site-model.js';
import type { Product } from '../shared/catalog/product.js';
import { ContentSnapshot } from '../shared/content/snapshot.js';
import type { Catalog, Cdn, ContentSource, Logger, ObjectStore, RedirectTable, RejectedProduct, RootPointers } from '../shared/ports.js';
import { recoverIntent } from '../shared/publish/intent.js';
import { ManifestStore, type Manifest } from '../shared/publish/manifest.js';
import { readRedirects } from '../shared/publish/redirects.js';
import { sleep } from '../shared/sleep.js';
import { recordKey, type ChangeEnvelope } from '../shared/changes/envelope.js';
import { DependencyIndex } from '../shared/state/dependency-index.js';
import { pendingInstants, urlOwners, type SiteState } from '../shared/state/site-state.js';
import { StateStore, type StateIo } from '../shared/state/state-store.js';
import { collectCatalog, withChanges } from './stages/catalog.js';
import { nextState, recordVersions } from './stages/commit.js';
import { collectContent, settingsChanged } from './stages/content.js';
import { fence, usableEnvelopes } from './stages/fence.js';
import { changedProducts, planPatch, planRun, type RunPlan } from './stages/planning.js';
import { publishRun } from './stages/publishing.js';
import { renderRun } from './stages/rendering.js';

export { ContentNotConsistentError } from './stages/content.js';
export { InvalidChangeError } from './stages/fence.js';

export interface RebuildDeps {
  content: ContentSource;
  catalog: Catalog;
  store: ObjectStore;
  cdn: Cdn;
  logger: Logger;
  /** Where the state and manifest roots are committed compare-and-swap; a run that loses the swap fails retryable and redoes from the new state. */
  roots?: RootPointers;
  /** A full build (in-process locally; fanned out over the build state machine in AWS), for the change `correlationId`. */
  fullBuild: (reason: string, correlationId: string) => Promise<{ pages: number; uploaded: string[]; deleted: string[]; invalidation?: { paths: string[] }; stages?: RebuildResult['stages']; rejected?: RejectedProduct[] }>;
  /** The edge's copy of the redirects, when it keeps one apart from the bucket (CloudFront KVS). */
  redirects?: RedirectTable;
  clock?: () => Date;
  /** Waits (a schedule that fired early waits for its instant). @default setTimeout */
  wait?: (ms: number) => Promise<void>;
}

export interface RebuildOptions {
  site: Omit<SiteConfig, 'now'>;
  demoImages: boolean;
  /** Waits for the CDA to show an envelope's version: attempts and first backoff. @default 6, 250 ms */
  consistency?: { attempts: number; baseMs: number };
}

export interface RebuildResult {
  mode: 'targeted' | 'full' | 'none';
  /** Set when the run took the full-build path: why, and how many pages the build made. */
  fullBuild?: { reason: string; pages: number };
  /** Envelopes that did no work: duplicates, or older than what is live. */
  skipped: ChangeEnvelope[];
  /** Envelopes to retry (e.g. the CDA had not caught up). */
  failed: Array<{ envelope: ChangeEnvelope; error: Error }>;
  rendered: string[];
  /** The pages a targeted run rendered, each with its market (`us`, `de`); empty for a full build. */
  renderedPages: Array<{ url: string; market: string }>;
  uploaded: string[];
  deleted: string[];
  invalidated: string[];
  redirects: Record<string, string>;
  /**
   * Products whose page changed or went in this run. A page shows everything its spec sheet does
   * (prices at this instant, category title, story), so these are the sheets to check.
   */
  changedProducts: string[];
  /**
   * The instants (epoch ms) at which a run must happen for pages that change with time: what the
   * schedule should hold now. Absent only when no site is live yet.
   */
  schedule?: number[];
  /** What the site model warned of about the records of this run (a slug given to another product). */
  warnings: string[];
  /**
   * Products whose table item breaks the product rules: treated as absent (as a full build treats
   * them) until a valid version is written. Absent when there were none.
   */
  rejected?: RejectedProduct[];
  /** Site state this run read and wrote (bytes, objects): what the state costs per change. */
  state?: { bytesRead: number; bytesWritten: number; objectsWritten: number; folds: number; foldReason?: string };
  /** Manifest objects this run wrote (its changed shards and root); `folds`: whether its commit folded the segments itself, and why. */
  manifest?: { bytesWritten: number; objectsWritten: number; folds: number; foldReason?: string };
  /** When each stage finished (ISO 8601): built, uploaded, invalidated. */
  stages: { built?: string; uploaded?: string; invalidated?: string };
  /**
   * How a targeted run planned: `patched` its warm outline of the live site with the run's content
   * and catalog changes (cost follows the change), or `listed` the whole site afresh
   * (reconciliation, a slug collision starting or ending, a cold or dropped cache: cost follows the
   * store).
   */
  planning?: 'patched' | 'listed';
  /** The state's or manifest's segments are due a compaction (a compactor folds them, off the change path). */
  compactionDue?: boolean;
  /** Milliseconds: reading state and records, planning and rendering, publishing (upload, manifest, invalidation), committing the state. */
  timings: { read: number; build: number; publish: number; commit: number };
}

/** Longest wait for a schedule that fired early (EventBridge Scheduler fires within its minute). */
const MAX_EARLY_MS = 90_000;

/** The content the live site was built from, as the state recorded it. */
function snapshotOf(state: SiteState): ContentSnapshot {
  const snapshot = new ContentSnapshot(state.locales);
  snapshot.apply({ full: true, entries: state.entries, assets: state.assets, deletedEntries: [], deletedAssets: [], nextToken: state.contentToken });
  return snapshot;
}

/**
 * What a warm worker keeps of the live site between runs: the state, the catalog by sku, the reverse
 * dependency index and the outline of the live site (built on first need, then kept in step with
 * every commit), so a catalog change costs what it touches.
 */
interface LiveSite {
  etag: string | undefined;
  state: SiteState;
  catalog: Map<string, Product>;
  index?: DependencyIndex;
  outline?: SiteOutline;
}

/**
 * Keeps the live site in memory between runs of a warm worker; revalidated by the root's ETag on
 * every run, and on a change re-read shard by shard (only the shards whose names moved). A run
 * that fails drops it: the outline may be patched ahead of what was committed.
 */
export class RebuildWorker {
  #cached: LiveSite | undefined;
  /** A run may have created objects that no manifest lists: until this worker has looked (it has just started, or a run failed). */
  #unsure = true;
  readonly #states: StateStore;
  readonly #manifests: ManifestStore;

  constructor(private readonly deps: RebuildDeps, private readonly options: RebuildOptions) {
    this.#states = new StateStore(deps.store, deps.roots);
    this.#manifests = new ManifestStore(deps.store, deps.roots);
  }

  /** State bytes this worker has read and written (the bench reports them per change). */
  get stateIo(): Readonly<StateIo> {
    return this.#states.io;
  }

  async #live(): Promise<LiveSite | undefined> {
    // Still live, or compacted since into the same records: what the worker holds stays.
    if (this.#cached && (await this.#states.refresh()) !== 'stale') {
      this.#cached.etag = this.#states.etag;
      return this.#cached;
    }
    // Another writer's commit, no state yet, or the single-object state of format 1 (read until the first write migrates it).
    const state = await this.#states.read();
    this.#cached = state ? { etag: this.#states.etag, state, catalog: new Map(state.products.map((p) => [p.sku, p])) } : undefined;
    return this.#cached;
  }

  async #state(): Promise<SiteState | undefined> {
    return (await this.#live())?.state;
  }

  /** The live page index turned around, made once per state a worker reads, then kept in step. */
  #index(live: LiveSite): DependencyIndex {
    return (live.index ??= new DependencyIndex(live.state.pages));
  }

  /** The live site's outline and reverse index, made once per state a worker reads. */
  #warmParts(live: LiveSite, site: Omit<SiteConfig, 'owners'>): { outline: SiteOutline; index: DependencyIndex } {
    live.outline ??= outlineSite(snapshotOf(live.state), live.state.products, { ...site, owners: urlOwners(live.state) });
    return { outline: live.outline, index: this.#index(live) };
  }

  /**
   * Readies a worker that has just started for its first change: reads the live state and manifest into memory,
   * plans against it and renders the home page once, publishing nothing. Without it the first
   * change after a start paid ~1 s more than the next (reading the state, and the JIT compiling the
   * planning and rendering code) against a ~1 s target. Returns the pages it rendered (not
   * published); nothing when no site is live yet.
   */
  async warm(): Promise<string[]> {
    const [live] = await Promise.all([this.#live(), this.#manifests.read()]);
    if (!live) return [];
    const { outline } = this.#warmParts(live, { ...this.options.site, now: this.deps.clock?.() ?? new Date() });
    const pages = outline.pagesAt(['/']);
    const assets = loadSiteAssets({ demoImages: this.options.demoImages });
    await renderPages(pages, { sites: outline.outline.sites, css: assets.css, js: assets.js, icon: assets.icon, search: assets.search });
    return pages.map((p) => p.url);
  }

  /**
   * One run: fence → collect changes (content, catalog) → plan → render → publish → commit state.
   * Site settings, shell (navigation, footer) and content-model changes take the full-build path instead.
   */
  async run(envelopes: readonly ChangeEnvelope[]): Promise<RebuildResult> {
    try {
      return await this.#run(envelopes);
    } catch (error) {
      this.#cached = undefined;
      this.#unsure = true;
      throw error;
    }
  }

  async #run(envelopes: readonly ChangeEnvelope[]): Promise<RebuildResult> {
    const { deps, options } = this;
    // A schedule fired early (Scheduler's precision is a minute): wait for the latest instant asked.
    const clock = () => deps.clock?.() ?? new Date();
    const instant = Math.max(0, ...envelopes.filter((e) => e.kind === 'Time').map((e) => Number(e.version)));
    const early = instant - clock().getTime();
    if (early > 0 && early <= MAX_EARLY_MS) await (deps.wait ?? sleep)(early);
    const now = clock();
    const t0 = performance.now();
    const result: RebuildResult = { mode: 'none', skipped: [], failed: [], rendered: [], renderedPages: [], uploaded: [], deleted: [], invalidated: [], redirects: {}, changedProducts: [], warnings: [], stages: {}, timings: { read: 0, build: 0, publish: 0, commit: 0 } };
    const { usable, invalid } = usableEnvelopes(envelopes);
    if (invalid.length) {
      const rest = usable.length ? await this.#run(usable) : result;
      return { ...rest, failed: [...invalid, ...rest.failed] };
    }
    const io0 = { ...this.#states.io };
    const manifestIo0 = { ...this.#manifests.io };
    const live = await this.#live();
    if (!live) {
      const built = await this.#full('no site state yet', result, envelopes[0]?.correlationId ?? 'first-build');
      const after = await this.#state();
      return after ? { ...built, schedule: pendingInstants(after, now) } : built;
    }
    const { state } = live;

    const { work, skipped } = fence(envelopes, state.versions);
    result.skipped = skipped;
    // Nothing to do, but the schedule is re-asserted: a retry after a failed schedule sync lands here.
    if (work.length === 0) return { ...result, schedule: this.#index(live).pending(now) };
    if (work.some((e) => e.kind === 'ContentType')) {
      // A full build prunes what its manifest listed: what a failed run created, none did.
      await this.#recover();
      const request = work.find((e) => e.topic === 'Build.requested');
      return this.#finishFull(await this.#full(request ? 'full build requested' : 'content model changed', result, (request ?? work[0]!).correlationId), work, state);
    }
    // A run that published (pages, manifest) and then failed before its commit left pages live that
    // the state does not know of; planning against the state cannot see them (a product gone since
    // would keep its page). A full build makes the bucket and the state one again.
    const manifest = await this.#manifests.read();
    await this.#recover(manifest);
    if (state.manifestGeneration !== undefined && manifest.generation !== state.manifestGeneration) {
      deps.logger.warn('the live manifest is ahead of the site state (a run published without committing): full build', { manifest: manifest.generation, state: state.manifestGeneration });
      return this.#finishFull(await this.#full('a run published without committing its state', result, work[0]!.correlationId), work, state);
    }

    const snapshot = snapshotOf(state);
    const changedKeys = new Set<string>();
    let contentToken = state.contentToken;
    const contentWork = work.filter((e) => e.kind !== 'Product' && e.kind !== 'Time');
    if (contentWork.length) {
      const content = await collectContent(deps.content, snapshot, state.contentToken, contentWork, options.consistency);
      contentToken = content.contentToken;
      for (const key of content.changedKeys) changedKeys.add(key);
      result.failed.push(...content.failed);
    }
    // Site settings, or the shell every HTML page shows (navigation and footer: a linked page
    // renamed; or the site's configuration after a deploy), changed: every page changes, which is
    // a full build's work (fanned out in AWS), not one worker's run.
    const shell = contentWork.length || !live.outline ? shellOf(snapshot, { ...options.site, now }) : live.outline.outline.shell;
    const everyPage = contentWork.length && settingsChanged(state.entries, snapshot, changedKeys) ? 'site settings changed'
      : shell !== state.shell ? 'the site shell changed (navigation, footer or site configuration)' : undefined;
    if (everyPage) {
      const done = work.filter((e) => !result.failed.some((f) => f.envelope === e));
      return { ...(await this.#finishFull(await this.#full(everyPage, result, work[0]!.correlationId), done, state)), failed: result.failed };
    }
    const productWork = work.filter((w) => w.kind === 'Product');
    const catalog = await collectCatalog(deps, live.catalog, productWork);
    for (const key of catalog.changedKeys) changedKeys.add(key);
    if (catalog.rejected.length) result.rejected = catalog.rejected;
    const t1 = performance.now();

    // Content and catalog changes patch the warm outline; reconciliation lists the site afresh.
    const site: SiteConfig = { ...options.site, now };
    const patchable = !work.some((e) => e.source === 'reconcile');
    const warm = patchable ? this.#warmParts(live, site) : undefined;
    // (Its shell is the live one: a run whose shell differs took the full-build path above.)
    const patched = warm && planPatch({ ...warm, ...(contentWork.length ? { content: snapshot } : {}), changes: catalog.changes, now, state, changedKeys, work });
    // A refused patch may have taken the content already: the run's fresh outline replaces it.
    if (warm && !patched) live.outline = undefined;
    const products = patched ? undefined : withChanges(live.catalog, catalog.changes);
    const run: RunPlan = patched ?? planRun({ snapshot, catalog: [...products!.values()], site: { ...site, owners: urlOwners(state) }, state, changedKeys, work });
    const rendered = await renderRun(run, options);
    result.rendered = run.changed.map((p) => p.url);
    result.renderedPages = run.changed.map((p) => ({ url: p.url, market: p.market }));
    result.changedProducts = changedProducts(run, state);
    result.warnings = run.warnings;
    const t2 = performance.now();
    result.stages.built = new Date().toISOString();

    const published = await publishRun({ ...deps, manifests: this.#manifests }, run, rendered, state, now, () => { result.stages.uploaded = new Date().toISOString(); }, manifest, work[0]!.correlationId);
    const t3 = performance.now();
    if (published.invalidation) result.stages.invalidated = new Date().toISOString();
    result.stages.uploaded ??= result.stages.built;

    const applied = work.filter((e) => !result.failed.some((f) => f.envelope === e));
    const index = this.#index(live);
    // What the changed records were, taken before they change in place: the commit compares with them instead of reading their shards.
    const productsBefore = new Map(productWork.map((e) => [e.id, live.catalog.get(e.id)]));
    const versionsBefore = new Map(applied.map((e) => [recordKey(e), Object.hasOwn(state.versions, recordKey(e)) ? state.versions[recordKey(e)] : undefined]));
    // The warm catalog is updated in place (the run owns it; a failure drops the cache).
    const nextCatalog = products ?? live.catalog;
    if (!products) for (const [sku, p] of catalog.changes) if (p) nextCatalog.set(sku, p); else nextCatalog.delete(sku);
    const { state: next, replaced } = nextState({ state, run, snapshot, catalog: [...nextCatalog.values()], contentToken, applied, manifestGeneration: published.manifest.generation });
    // Only the shards holding what this run changed are rewritten.
    await this.#states.write(next, {
      products: productWork.map((e) => e.id),
      pages: replaced.keys(),
      versions: applied.map(recordKey),
    }, nextCatalog, { products: (sku) => productsBefore.get(sku), pages: (url) => replaced.get(url), versions: (key) => versionsBefore.get(key) });
    // The warm parts follow the commit: the index by the pages this run rewrote; the outline is the run's.
    for (const [url, before] of replaced) index.update(url, before, next.pages[url]);
    this.#cached = { etag: this.#states.etag, state: next, catalog: nextCatalog, index, outline: run.site };
    const io = this.#states.io;
    const stateIo = { bytesRead: io.bytesRead - io0.bytesRead, bytesWritten: io.bytesWritten - io0.bytesWritten, objectsWritten: io.objectsWritten - io0.objectsWritten, folds: io.folds - io0.folds, ...(io.folds > io0.folds && io.foldReason ? { foldReason: io.foldReason } : {}) };
    const m = this.#manifests.io;
    const manifestIo = { bytesWritten: m.bytesWritten - manifestIo0.bytesWritten, objectsWritten: m.objectsWritten - manifestIo0.objectsWritten, folds: m.folds - manifestIo0.folds, ...(m.folds > manifestIo0.folds && m.foldReason ? { foldReason: m.foldReason } : {}) };

    return {
      ...result, mode: 'targeted', uploaded: published.uploaded, deleted: published.deleted,
      invalidated: published.invalidation?.paths ?? [], redirects: run.plan.redirects, schedule: index.pending(now), state: stateIo, manifest: manifestIo, planning: patched ? 'patched' : 'listed',
      ...(this.#states.compactionDue || this.#manifests.compactionDue ? { compactionDue: true } : {}),
      timings: { read: t1 - t0, build: t2 - t1, publish: t3 - t2, commit: performance.now() - t3 },
    };
  }

  /** A worker that has just started, or whose last run failed, may follow a run that created objects and never committed them. */
  async #recover(manifest?: Manifest): Promise<void> {
    if (!this.#unsure) return;
    await recoverIntent(this.deps, manifest ?? await this.#manifests.read());
    this.#unsure = false;
  }

  async #full(reason: string, result: RebuildResult, correlationId: string): Promise<RebuildResult> {
    const built = await this.deps.fullBuild(reason, correlationId);
    this.#cached = undefined;
    return {
      ...result, mode: 'full', fullBuild: { reason, pages: built.pages }, rendered: [`(all ${built.pages} pages)`], uploaded: built.uploaded, deleted: built.deleted, invalidated: built.invalidation?.paths ?? [],
      // The build skipped these as it would any invalid item: the run's own changes among them stay withdrawn.
      ...(built.rejected?.length ? { rejected: built.rejected } : {}),
      // A fanned-out build reports only its end: each stage is known to be done by then.
      stages: built.stages ?? (() => { const at = new Date().toISOString(); return { built: at, uploaded: at, ...(built.invalidation ? { invalidated: at } : {}) }; })(),
    };
  }

  /**
   * After a full build, record the envelopes' versions so their duplicates do no work, and give the
   * edge's copy of the redirects what the build left in the bucket (a slug it moved, a target it removed).
   */
  async #finishFull(built: RebuildResult, work: readonly ChangeEnvelope[], before: SiteState): Promise<RebuildResult> {
    await this.deps.redirects?.replaceAll(await readRedirects(this.deps.store));
    const state = await this.#states.read();
    this.#cached = undefined;
    if (!state) return built;
    const versions = recordVersions({ ...state.versions, ...before.versions }, work);
    const next: SiteState = { ...state, versions, generation: state.generation + 1 };
    await this.#states.write(next, { products: [], pages: [], versions: Object.keys(versions) });
    // The worker has just read the whole state the build committed: it keeps it, and outlines the
    // site now, at the end of a run that took the build's minutes, so that the next change is
    // not the one that pays for reading and listing the store (seconds at 100,000 products).
    const now = this.deps.clock?.() ?? new Date();
    const live: LiveSite = { etag: this.#states.etag, state: next, catalog: new Map(next.products.map((p) => [p.sku, p])) };
    this.#warmParts(live, { ...this.options.site, now });
    this.#cached = live;
    return { ...built, schedule: pendingInstants(next, now) };
  }
}
