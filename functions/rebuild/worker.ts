/**
 * The rebuild worker's core: a batch of change envelopes becomes one targeted rebuild. It reads
 * current state (Contentful sync delta, DynamoDB items), never the payloads; fences versions so
 * duplicates do no work and nothing older overwrites newer; renders only pages whose inputs
 * changed; publishes changed bytes; and persists manifest, redirects and state only after publish.
 */
import { renderPages } from '../shared/build/render.js';
import { loadSiteAssets } from '../shared/build/site-assets.js';
import { buildSiteModel, type SiteConfig } from '../shared/build/site-model.js';
import type { Product } from '../shared/catalog/product.js';
import { compareVersions, isVersion, recordKey, type ChangeEnvelope } from '../shared/changes/envelope.js';
import { ContentSnapshot } from '../shared/content/snapshot.js';
import { changeVersion } from '../shared/content/types.js';
import { RestaticError, ValidationError, isRetryable, registerWireError } from '../shared/errors.js';
import type { Catalog, Cdn, ContentSource, Logger, ObjectStore, RedirectTable, RejectedProduct } from '../shared/ports.js';
import { readManifest } from '../shared/publish/manifest.js';
import { Publisher } from '../shared/publish/publisher.js';
import { readRedirects, writeRedirects } from '../shared/publish/redirects.js';
import { sleep } from '../shared/sleep.js';
import { STATE_KEY, indexEntry, pageDataHash, pendingInstants, readState, urlOwners, writeState, type SiteState } from '../shared/state/site-state.js';
import { mergeRedirects, planPages, productChangeKeys } from './plan.js';

/** Contentful's CDN has not caught up with a webhook yet: retry the envelope later. */
export class ContentNotConsistentError extends RestaticError {
  constructor(message: string) {
    super(message, { retryable: true });
  }
}

/** An envelope the worker cannot use at all (a version it cannot compare): it fails alone, never retried. */
export class InvalidChangeError extends RestaticError {}
registerWireError(ContentNotConsistentError);
registerWireError(InvalidChangeError);

export interface RebuildDeps {
  content: ContentSource;
  catalog: Catalog;
  store: ObjectStore;
  cdn: Cdn;
  logger: Logger;
  /** Runs the full build (first run, site settings, content model changes). */
  fullBuild: (reason: string) => Promise<{ pages: number; uploaded: string[]; deleted: string[]; invalidation?: { paths: string[] } }>;
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
  /** Envelopes that did no work: duplicates, or older than what is live. */
  skipped: ChangeEnvelope[];
  /** Envelopes to retry (e.g. the CDA had not caught up). */
  failed: Array<{ envelope: ChangeEnvelope; error: Error }>;
  rendered: string[];
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
  /** When each stage finished (ISO 8601): built, uploaded, invalidated. */
  stages: { built?: string; uploaded?: string; invalidated?: string };
  timings: { read: number; build: number; upload: number; invalidate: number };
}

/** Longest wait for a schedule that fired early (EventBridge Scheduler fires within its minute). */
const MAX_EARLY_MS = 90_000;

/** The content the live site was built from, as the state recorded it. */
function snapshotOf(state: SiteState): ContentSnapshot {
  const snapshot = new ContentSnapshot(state.locales);
  snapshot.apply({ full: true, entries: state.entries, assets: state.assets, deletedEntries: [], deletedAssets: [], nextToken: state.contentToken });
  return snapshot;
}

/** Keeps the state in memory between runs of a warm worker; revalidated by ETag on every run. */
export class RebuildWorker {
  #cached: { etag: string; state: SiteState } | undefined;

  constructor(private readonly deps: RebuildDeps, private readonly options: RebuildOptions) {}

  async #state(): Promise<SiteState | undefined> {
    const etag = await this.deps.store.head(STATE_KEY);
    if (etag === undefined) return undefined;
    if (this.#cached?.etag !== etag) {
      const state = await readState(this.deps.store);
      this.#cached = state ? { etag, state } : undefined;
    }
    return this.#cached?.state;
  }

  /**
   * Readies a worker that has just started for its first change: reads the live state into memory,
   * plans against it and renders the home page once, publishing nothing. Without it the first
   * change after a start paid ~1 s more than the next (reading the state, and the JIT compiling the
   * planning and rendering code) against a ~1 s target. Returns the pages it rendered (not
   * published); nothing when no site is live yet.
   */
  async warm(): Promise<string[]> {
    const state = await this.#state();
    if (!state) return [];
    const snapshot = snapshotOf(state);
    const site: SiteConfig = { ...this.options.site, now: this.deps.clock?.() ?? new Date() };
    const outline = buildSiteModel(snapshot, state.products, { ...site, owners: urlOwners(state) }, () => false);
    planPages([], state.pages, outline.all, { now: site.now });
    const model = buildSiteModel(snapshot, state.products, site, (ref) => ref.url === '/');
    const assets = loadSiteAssets({ demoImages: this.options.demoImages });
    await renderPages(model.pages, { site: model.site, css: assets.css });
    return model.pages.map((p) => p.url);
  }

  async run(envelopes: readonly ChangeEnvelope[]): Promise<RebuildResult> {
    const { deps, options } = this;
    // A schedule fired early (Scheduler's precision is a minute): wait for the latest instant asked.
    const clock = () => deps.clock?.() ?? new Date();
    const instant = Math.max(0, ...envelopes.filter((e) => e.kind === 'Time').map((e) => Number(e.version)));
    const early = instant - clock().getTime();
    if (early > 0 && early <= MAX_EARLY_MS) await (deps.wait ?? sleep)(early);
    const now = clock();
    const t0 = performance.now();
    const result: RebuildResult = { mode: 'none', skipped: [], failed: [], rendered: [], uploaded: [], deleted: [], invalidated: [], redirects: {}, changedProducts: [], warnings: [], stages: {}, timings: { read: 0, build: 0, upload: 0, invalidate: 0 } };
    // A version the fencing cannot compare fails that envelope alone (the receivers refuse these).
    const usable = envelopes.filter((e) => {
      if (isVersion(e.version) && typeof e.id === 'string' && e.id !== '') return true;
      result.failed.push({ envelope: e, error: new InvalidChangeError(`expected ${e.kind} ${e.id} to carry a decimal version, got ${JSON.stringify(e.version)} (${e.topic})`) });
      return false;
    });
    if (usable.length < envelopes.length) {
      const rest = usable.length ? await this.run(usable) : { ...result, failed: [] };
      return { ...rest, failed: [...result.failed, ...rest.failed] };
    }
    const state = await this.#state();
    const full = async (reason: string) => {
      const built = await deps.fullBuild(reason);
      this.#cached = undefined;
      const at = new Date().toISOString();
      return {
        ...result, mode: 'full' as const, rendered: [`(all ${built.pages} pages)`], uploaded: built.uploaded, deleted: built.deleted, invalidated: built.invalidation?.paths ?? [],
        stages: { built: at, uploaded: at, ...(built.invalidation ? { invalidated: at } : {}) },
      };
    };
    if (!state) {
      const built = await full('no site state yet');
      const after = await this.#state();
      return after ? { ...built, schedule: pendingInstants(after, now) } : built;
    }

    // Version fencing: the newest envelope per record; anything not newer than what is live is a no-op.
    const newest = new Map<string, ChangeEnvelope>();
    for (const envelope of envelopes) {
      const key = recordKey(envelope);
      const seen = newest.get(key);
      if (seen && compareVersions(seen.version, envelope.version) >= 0) { result.skipped.push(envelope); continue; }
      if (seen) result.skipped.push(seen);
      newest.set(key, envelope);
    }
    const work: ChangeEnvelope[] = [];
    for (const [key, envelope] of newest) {
      // Reconciliation asks to re-read a record, whatever its version: reading current state is safe.
      // An instant is not a record: a schedule firing twice only finds nothing left to do.
      if (envelope.source !== 'reconcile' && envelope.kind !== 'Time' && compareVersions(envelope.version, state.versions[key] ?? '0') <= 0) result.skipped.push(envelope);
      else work.push(envelope);
    }
    // Nothing to do, but the schedule is re-asserted: a retry after a failed schedule sync lands here.
    if (work.length === 0) return { ...result, schedule: pendingInstants(state, now) };
    if (work.some((e) => e.kind === 'ContentType')) return this.#finishFull(await full('content model changed'), work, state);

    // Current state of content: the sync delta since the stored token, until it shows every version.
    const snapshot = snapshotOf(state);
    const changedKeys = new Set<string>();
    let contentToken = state.contentToken;
    const contentWork = work.filter((e) => e.kind !== 'Product' && e.kind !== 'Time');
    if (contentWork.length) {
      const { attempts, baseMs } = options.consistency ?? { attempts: 6, baseMs: 250 };
      let pending = contentWork;
      for (let attempt = 0; ; attempt++) {
        const delta = await deps.content.sync(contentToken);
        snapshot.apply(delta);
        contentToken = delta.nextToken;
        for (const e of [...delta.entries, ...delta.assets]) {
          changedKeys.add(`${e.sys.type === 'Asset' ? 'asset' : 'entry'}:${e.sys.id}`);
          const sku = e.sys.contentType?.sys.id === 'productContent' ? snapshot.field<string>(e, 'sku') : undefined;
          if (typeof sku === 'string') changedKeys.add(`story:${sku}`);
        }
        for (const d of [...delta.deletedEntries, ...delta.deletedAssets]) changedKeys.add(`${d.sys.type === 'DeletedAsset' ? 'asset' : 'entry'}:${d.sys.id}`);
        pending = pending.filter((e) => e.source !== 'reconcile' && !this.#visible(snapshot, e));
        if (pending.length === 0 || attempt + 1 >= attempts) break;
        await sleep(Math.min(4000, baseMs * 2 ** attempt));
      }
      for (const e of pending) {
        result.failed.push({ envelope: e, error: new ContentNotConsistentError(`Contentful does not show ${e.kind} ${e.id} at version ${e.version} yet (${e.topic})`) });
      }
      // Site settings (name, navigation) are on every page: that is the full-build path.
      const settingsIds = [...state.entries, ...snapshot.ofType('siteSettings')].filter((en) => en.sys.contentType?.sys.id === 'siteSettings').map((en) => `entry:${en.sys.id}`);
      if (settingsIds.some((key) => changedKeys.has(key))) {
        const done = work.filter((e) => !result.failed.some((f) => f.envelope === e));
        return { ...(await this.#finishFull(await full('site settings changed'), done, state)), failed: result.failed };
      }
    }

    // Current state of the catalog: the items themselves, read now.
    const products = new Map(state.products.map((p) => [p.sku, p]));
    for (const e of work.filter((w) => w.kind === 'Product')) {
      const before = products.get(e.id);
      const after = await deps.catalog.get(e.id).catch((error: unknown) => {
        // A transient read failure must not remove a live page: the run fails and is retried.
        if (!(error instanceof ValidationError) || isRetryable(error)) throw error;
        // An item breaking the rules is absent, as in a full build (which skips it), until fixed.
        deps.logger.warn('product item breaks the product rules; its pages go until a valid version is written', { sku: e.id, field: error.field, error: error.message, correlation_id: e.correlationId });
        (result.rejected ??= []).push({ sku: e.id, field: error.field, message: error.message });
        return undefined;
      });
      if (after) products.set(e.id, after);
      else products.delete(e.id);
      for (const key of productChangeKeys(e.id, before, after)) changedKeys.add(key);
    }
    const t1 = performance.now();

    // Two passes: enumerate the new site (cheap), plan, then compute data only for candidates.
    const catalog: Product[] = [...products.values()];
    const site: SiteConfig = { ...options.site, now, owners: urlOwners(state) };
    const outline = buildSiteModel(snapshot, catalog, site, () => false);
    // Reconciliation compares what every page would show now with what is live, not raw records.
    const all = outline.shell !== state.shell || work.some((e) => e.source === 'reconcile');
    const plan = planPages(changedKeys, state.pages, outline.all, { now, all });
    const model = buildSiteModel(snapshot, catalog, site, (ref) => plan.candidates.has(ref.url));
    const changed = model.pages.filter((spec) => state.pages[spec.url]?.dataHash !== pageDataHash(spec));
    const assets = loadSiteAssets({ demoImages: options.demoImages });
    const rendered = await renderPages(changed, { site: model.site, css: assets.css });
    result.rendered = changed.map((p) => p.url);
    const primaries = new Map(outline.all.map((p) => [p.url, p.primary]));
    const changedProducts = new Set<string>();
    for (const spec of changed) if (spec.layout === 'product') changedProducts.add(primaries.get(spec.url)!.slice('sku:'.length));
    for (const url of plan.removed) if (state.pages[url]!.layout === 'product' && state.pages[url]!.primary) changedProducts.add(state.pages[url]!.primary!.slice('sku:'.length));
    result.changedProducts = [...changedProducts].sort();
    const subjects = new Set(work.map((e) => (e.kind === 'Product' ? `product ${e.id}` : `entry ${e.id}`)));
    result.warnings = model.warnings.concat(outline.warnings).filter((w) => subjects.has(w.subject)).map((w) => `${w.subject}: ${w.message}`);
    result.warnings = [...new Set(result.warnings)];
    const t2 = performance.now();
    result.stages.built = new Date().toISOString();

    const publisher = new Publisher({ store: deps.store, cdn: deps.cdn, logger: deps.logger }, await readManifest(deps.store), now);
    await publisher.add(rendered);
    const removedKeys = plan.removed.map((url) => state.pages[url]!.key);
    publisher.remove(removedKeys);
    const liveUrls = new Set(outline.all.map((p) => p.url));
    // The URL set changed: new redirects, and old ones that a live page or a vanished target ends.
    if (plan.added.length || plan.removed.length) {
      const existing = await readRedirects(deps.store);
      const merged = mergeRedirects(existing, plan.redirects, liveUrls);
      if (!sameRedirects(merged, existing)) {
        await writeRedirects(deps.store, merged);
        // Before the old page is removed and the invalidation goes out: the old URL never 404s.
        await deps.redirects?.replaceAll(merged);
      }
    }
    const t3 = performance.now();
    const published = await publisher.finish({ prune: false, onUploaded: () => { result.stages.uploaded = new Date().toISOString(); } });
    const t4 = performance.now();
    if (published.invalidation) result.stages.invalidated = new Date().toISOString();
    result.stages.uploaded ??= result.stages.built;

    // State last: a crash before here replays the same envelopes against the old state and converges.
    const pages = { ...state.pages };
    for (const url of plan.removed) delete pages[url];
    for (const spec of model.pages) pages[spec.url] = indexEntry(spec, primaries.get(spec.url));
    const versions = { ...state.versions };
    for (const e of work) if (e.source !== 'reconcile' && e.kind !== 'Time' && !result.failed.some((f) => f.envelope === e)) versions[recordKey(e)] = e.version;
    const next: SiteState = {
      ...state, generation: state.generation + 1, contentToken, products: catalog,
      entries: [...snapshot.entries.values()], assets: [...snapshot.assets.values()], versions, pages, shell: outline.shell,
    };
    await writeState(deps.store, next);
    this.#cached = { etag: (await deps.store.head(STATE_KEY)) ?? '', state: next };

    return {
      ...result, mode: 'targeted', uploaded: published.uploaded, deleted: published.deleted,
      invalidated: published.invalidation?.paths ?? [], redirects: plan.redirects, schedule: pendingInstants(next, now),
      timings: { read: t1 - t0, build: t2 - t1, upload: t3 - t2, invalidate: t4 - t3 },
    };
  }

  /** Whether the snapshot shows an envelope's change (publish: at least its version; removal: gone). */
  #visible(snapshot: ContentSnapshot, e: ChangeEnvelope): boolean {
    const map = e.kind === 'Asset' ? snapshot.assets : snapshot.entries;
    const entity = map.get(e.id);
    if (/\.(unpublish|archive|delete)$/.test(e.topic)) return entity === undefined;
    return entity !== undefined && compareVersions(changeVersion(entity.sys), e.version) >= 0;
  }

  /** After a full build, record the envelopes' versions so their duplicates do no work. */
  async #finishFull(built: RebuildResult, work: readonly ChangeEnvelope[], before: SiteState): Promise<RebuildResult> {
    const state = await readState(this.deps.store);
    if (state) {
      const versions = { ...state.versions, ...before.versions };
      for (const e of work) if (e.source !== 'reconcile' && e.kind !== 'Time') versions[recordKey(e)] = e.version;
      await writeState(this.deps.store, { ...state, versions, generation: state.generation + 1 });
    }
    this.#cached = undefined;
    return state ? { ...built, schedule: pendingInstants(state, this.deps.clock?.() ?? new Date()) } : built;
  }
}

function sameRedirects(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}
