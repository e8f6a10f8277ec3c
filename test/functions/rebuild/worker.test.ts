/** The rebuild worker against real protocol servers: s3rver (bucket) and dynalite (catalog). */
import { beforeEach, describe, expect, it } from 'vitest';
import { ContentNotConsistentError, RebuildWorker as RebuildWorkerClass, type RebuildWorker } from '../../../functions/rebuild/worker.js';
import { DEMO_MARKETS } from '../../../functions/shared/markets/markets.js';
import { MemoryCatalog, MemoryContent, MemoryStore } from '../../fixtures/memory.js';
import { ObjectStoreError, StateConflictError } from '../../../functions/shared/errors.js';
import type { Product } from '../../../functions/shared/catalog/product.js';
import { buildRequestEnvelope } from '../../../functions/shared/changes/envelope.js';
import type { ContentEntity } from '../../../functions/shared/content/types.js';
import { silentLogger } from '../../../functions/shared/logger.js';
import { readRedirects } from '../../../functions/shared/publish/redirects.js';
import { gzipSync } from 'node:zlib';
import { readState, STATE_KEY } from '../../../functions/shared/state/site-state.js';
import { LEGACY_STATE_KEY } from '../../../functions/shared/state/state-store.js';
import type { LocalContentSpace } from '../../../local/content-space.js';
import type { ContentSource, ObjectStore } from '../../../functions/shared/ports.js';
import { publishedSite, SITE } from '../../fixtures/site.js';
import { entryChange, productChange } from '../../fixtures/events.js';

let store: ObjectStore;
let catalog: Awaited<ReturnType<typeof publishedSite>>['catalog'];
let space: LocalContentSpace;
let worker: RebuildWorker;
let page: (url: string) => Promise<string | undefined>;
let edgeRedirects: { current?: Record<string, string> };

const sample = async (predicate: (p: Product) => boolean = () => true) => (await catalog.scanAll()).products.find(predicate)!;

/** A published site for each test of the block (the blocks whose tests need another kind of site make their own). */
const overPublishedSite = () => beforeEach(async () => {
  ({ store, catalog, space, worker, page, edgeRedirects } = await publishedSite());
});

describe('two workers at once (two Lambdas over one stack)', () => {
  it('never lose each other\'s change: the run that commits second from a stale read is refused (retryable), and its retry lands both', async () => {
    // Prepare: both workers warm on the same live state
    const site = await publishedSite({ roots: true });
    const [one, two] = [site.makeWorker(), site.makeWorker()];
    await Promise.all([one.warm(), two.warm()]);
    const products = (await site.catalog.scanAll()).products.filter((p) => p.salePrice === undefined).slice(0, 2);
    const [a, b] = products as [Product, Product];
    await site.catalog.put({ ...a, slug: undefined, description: 'Change A.' });
    await site.catalog.put({ ...b, slug: undefined, description: 'Change B.' });

    // Act: each takes one change, concurrently; a refused run is retried, as its queue redelivers it
    const attempt = async (w: RebuildWorker, sku: string) => {
      for (let retries = 0; ; retries++) {
        try {
          return { ...(await w.run([productChange(sku, 1)])), retries };
        } catch (error) {
          if (!(error instanceof StateConflictError) || retries === 5) throw error;
        }
      }
    };
    const results = await Promise.all([attempt(one, a.sku), attempt(two, b.sku)]);

    // Assess
    const state = await readState(site.store, site.roots);
    expect(state!.versions[`sku:${a.sku}`]).toBe('1');
    expect(state!.versions[`sku:${b.sku}`]).toBe('1');
    expect(state!.products.find((p) => p.sku === a.sku)!.description).toBe('Change A.');
    expect(state!.products.find((p) => p.sku === b.sku)!.description).toBe('Change B.');
    expect(await site.page(`/products/${a.slug}/`)).toContain('Change A.');
    expect(await site.page(`/products/${b.slug}/`)).toContain('Change B.');
    // The two commits overlapped: at least one of the runs was refused and redone.
    expect(results.some((r) => r.retries > 0)).toBe(true);
  });
});

describe('requested full builds', () => {
  overPublishedSite();

  it('answers a full-build request (deploy, build --target aws) with a full build, every time it is asked', async () => {
    // Prepare
    const product = await sample();
    await catalog.put({ ...product, slug: undefined, description: 'Changed behind the pipeline\'s back.' });
    // Act
    const first = await worker.run([buildRequestEnvelope('deploy-1')]);
    const again = await worker.run([buildRequestEnvelope('deploy-2')]);
    // Assess
    expect(first.mode).toBe('full');
    expect(first.uploaded).toContain(`products/${product.slug}/index.html`);
    expect(await page(`/products/${product.slug}/`)).toContain('Changed behind the pipeline');
    expect(again.mode).toBe('full');
    expect(again.uploaded).toEqual([]);
  });
});

describe('full builds and redirects', () => {
  overPublishedSite();

  it('a full build that sees a slug change redirects the old URL, at the edge too', async () => {
    // Prepare: the slug changes with no event (a full build is what finds it)
    const product = await sample((p) => p.translations?.['de-DE']?.slug === undefined);
    await catalog.put({ ...product, slug: 'brand-new-name' });
    // Act
    const result = await worker.run([buildRequestEnvelope('deploy-1')]);
    // Assess
    expect(result.mode).toBe('full');
    expect(await readRedirects(store)).toEqual({ [`/products/${product.slug}/`]: '/products/brand-new-name/', [`/de/products/${product.slug}/`]: '/de/products/brand-new-name/' });
    expect(edgeRedirects.current).toEqual(await readRedirects(store));
    expect(await page(`/products/${product.slug}/`)).toBeUndefined();
  });

  it('a full build drops a redirect whose target it removed, at the edge too', async () => {
    // Prepare: a slug change (redirected), then the product goes with no event
    const product = await sample((p) => p.translations?.['de-DE']?.slug === undefined);
    await catalog.put({ ...product, slug: 'brand-new-name' });
    await worker.run([productChange(product.sku, 1)]);
    await catalog.delete(product.sku);
    // Act
    await worker.run([buildRequestEnvelope('deploy-1')]);
    // Assess: no redirect to a page that is gone
    expect(await readRedirects(store)).toEqual({});
    expect(edgeRedirects.current).toEqual({});
    expect(await page('/products/brand-new-name/')).toBeUndefined();
  });
});

describe('targeted rebuilds', () => {
  overPublishedSite();

  it('a price change renders the product page and the listing page showing it, and nothing else', async () => {
    // Prepare
    const product = await sample((p) => p.salePrice === undefined);
    await catalog.put({ ...product, slug: undefined, price: { ...product.price, USD: 4242 } });
    // Act
    const result = await worker.run([productChange(product.sku, 1)]);
    // Assess
    expect(result.mode).toBe('targeted');
    expect(result.planning).toBe('patched');
    expect(result.rendered).toHaveLength(2);
    expect(result.rendered).toContain(`/products/${product.slug}/`);
    expect(result.rendered.find((u) => u.startsWith(`/categories/${product.category}/`))).toBeDefined();
    expect(await page(`/products/${product.slug}/`)).toContain('$42.42');
    expect(result.uploaded.filter((k) => !k.startsWith('_restatic/'))).toHaveLength(2);
    expect(result.invalidated.length).toBeLessThanOrEqual(4);
  });

  it('a description change renders exactly the product page, in each market showing that text', async () => {
    // Prepare: no German translation, so the German page falls back to the en-US text
    const product = await sample((p) => p.translations === undefined);
    await catalog.put({ ...product, slug: undefined, description: 'Entirely new words.' });
    // Act
    const result = await worker.run([productChange(product.sku, 1)]);
    // Assess
    expect(result.rendered.sort()).toEqual([`/de/products/${product.slug}/`, `/products/${product.slug}/`]);
    expect(await page(`/products/${product.slug}/`)).toContain('Entirely new words.');
    expect(await page(`/de/products/${product.slug}/`)).toContain('Entirely new words.');
  });

  it('an en-US description change of a product with a German description renders only the en-US page', async () => {
    // Prepare
    const product = await sample((p) => p.translations === undefined);
    await catalog.put({ ...product, slug: undefined, translations: { 'de-DE': { description: 'Ganz neue Worte.' } } });
    await worker.run([productChange(product.sku, 1)]);
    await catalog.put({ ...product, slug: undefined, description: 'Entirely new words.', translations: { 'de-DE': { description: 'Ganz neue Worte.' } } });
    // Act
    const result = await worker.run([productChange(product.sku, 2)]);
    // Assess
    expect(result.rendered).toEqual([`/products/${product.slug}/`]);
    expect(await page(`/de/products/${product.slug}/`)).toContain('Ganz neue Worte.');
  });

  it('a EUR price change renders only German pages', async () => {
    // Prepare
    const product = await sample((p) => p.salePrice === undefined && p.price.EUR !== undefined);
    await catalog.put({ ...product, slug: undefined, price: { ...product.price, EUR: 4242 } });
    // Act
    const result = await worker.run([productChange(product.sku, 1)]);
    // Assess
    expect(result.rendered.length).toBeGreaterThan(0);
    expect(result.rendered.every((u) => u.startsWith('/de/'))).toBe(true);
    expect(await page(`/de/products/${product.translations?.['de-DE']?.slug ?? product.slug}/`)).toContain('42,42');
  });

  it('does the work once for ten duplicate deliveries, and ignores an older version arriving late', async () => {
    // Prepare
    const product = await sample((p) => p.translations === undefined);
    await catalog.put({ ...product, slug: undefined, description: 'Version five.' });
    const envelope = productChange(product.sku, 5);
    // Act
    const first = await worker.run(Array.from({ length: 10 }, () => envelope));
    const again = await worker.run([envelope]);
    const late = await worker.run([productChange(product.sku, 3)]);
    // Assess
    expect(first.rendered.sort()).toEqual([`/de/products/${product.slug}/`, `/products/${product.slug}/`]);
    expect(first.skipped).toHaveLength(9);
    expect(again).toMatchObject({ mode: 'none', uploaded: [], rendered: [] });
    expect(late).toMatchObject({ mode: 'none', uploaded: [], rendered: [] });
    expect((await readState(store))?.versions[`sku:${product.sku}`]).toBe('5');
  });

  it('removes a deleted product: page gone, listing and sitemap updated, paths invalidated', async () => {
    // Prepare
    const product = await sample();
    await catalog.delete(product.sku);
    // Act
    const result = await worker.run([productChange(product.sku, 1, 'Product.REMOVE')]);
    // Assess
    expect(await page(`/products/${product.slug}/`)).toBeUndefined();
    expect(result.deleted).toContain(`products/${product.slug}/index.html`);
    expect(await page('/sitemap.xml')).not.toContain(`/products/${product.slug}/`);
    const listing = await page(`/categories/${product.category}/`);
    expect(listing).not.toContain(`/products/${product.slug}/`);
    expect(result.invalidated).toContain(`/products/${product.slug}/index.html`);
  });

  it('redirects the old URL after a slug change and removes the old page', async () => {
    // Prepare
    const product = await sample((p) => p.translations?.['de-DE']?.slug === undefined);
    await catalog.put({ ...product, slug: 'brand-new-name' });
    // Act
    const result = await worker.run([productChange(product.sku, 1)]);
    // Assess
    expect(result.redirects).toEqual({ [`/products/${product.slug}/`]: '/products/brand-new-name/', [`/de/products/${product.slug}/`]: '/de/products/brand-new-name/' });
    expect(await readRedirects(store)).toMatchObject({ [`/products/${product.slug}/`]: '/products/brand-new-name/' });
    expect(edgeRedirects.current).toEqual(await readRedirects(store));
    expect(await page('/products/brand-new-name/')).toContain(product.title.split(' — ')[0]);
    expect(await page(`/products/${product.slug}/`)).toBeUndefined();
  });

  it('an author rename reaches every post of that author and the blog index, nothing else', async () => {
    // Prepare
    const delta = await space.sync();
    const author = delta.entries.find((e) => e.sys.id === 'author-mara')!;
    const renamed: ContentEntity = { ...author, sys: { ...author.sys, updatedAt: '2026-11-21T10:00:00.000Z' }, fields: { ...author.fields, name: { 'en-US': 'Mara Lindqvist-Berg' } } };
    space.apply('upsert', 'Entry', renamed);
    // Act
    const result = await worker.run([entryChange('author-mara', Date.parse('2026-11-21T10:00:00.000Z'))]);
    // Assess
    for (const prefix of ['/', '/de/']) {
      expect(result.rendered.filter((u) => u.startsWith(`${prefix}blog/`) && u !== `${prefix}blog/`)).toHaveLength(20);
      expect(result.rendered).toContain(`${prefix}blog/`);
    }
    expect(result.rendered).toHaveLength(42);
    // A content change patches the warm outline: it costs what it touches, not the catalog.
    expect(result.planning).toBe('patched');
    expect(await page('/blog/')).toContain('Mara Lindqvist-Berg');
  });

  it('a rename of a page the navigation links takes the full-build path: every page shows it', async () => {
    // Prepare: the demo's navigation links the About page
    const delta = await space.sync();
    const about = delta.entries.find((e) => e.sys.contentType?.sys.id === 'page' && e.fields.slug?.['en-US'] === 'about')!;
    const renamed: ContentEntity = { ...about, sys: { ...about.sys, updatedAt: '2026-11-21T10:00:00.000Z' }, fields: { ...about.fields, title: { 'en-US': 'Our story' } } };
    space.apply('upsert', 'Entry', renamed);
    const product = await sample();
    // Act
    const result = await worker.run([entryChange(about.sys.id, Date.parse('2026-11-21T10:00:00.000Z'))]);
    // Assess: a full build (fanned out in AWS), not one worker rendering every page
    expect(result.mode).toBe('full');
    expect(await page(`/products/${product.slug}/`)).toContain('Our story');
    expect((await readState(store))!.versions[`entry:${about.sys.id}`]).toBe(String(Date.parse('2026-11-21T10:00:00.000Z')));
  });

  it('plans a content change from what differs when the source answers with everything (a token another function issued: the preview after a fanned-out build)', async () => {
    // Prepare: a source that knows no token but its own, as the Preview API's does, and one saved author
    const everything: ContentSource = { sync: async () => ({ ...(await space.sync()), full: true }), locales: () => space.locales() };
    const fresh = new RebuildWorkerClass(
      { content: everything, catalog, store, cdn: { invalidate: async () => 'id' }, logger: silentLogger, clock: () => new Date('2026-11-20T00:00:00Z'), fullBuild: async () => { throw new Error('Expected no full build for one saved author, got one'); } },
      { site: SITE, demoImages: false, consistency: { attempts: 2, baseMs: 1 } },
    );
    const author = (await space.sync()).entries.find((e) => e.sys.id === 'author-mara')!;
    space.apply('upsert', 'Entry', { ...author, sys: { ...author.sys, updatedAt: '2026-11-21T10:00:00.000Z' }, fields: { ...author.fields, name: { 'en-US': 'Mara Lindqvist-Berg' } } });
    // Act
    const result = await fresh.run([entryChange('author-mara', Date.parse('2026-11-21T10:00:00.000Z'))]);
    // Assess: that author's posts and the blog index in each market, not every page as if the settings had changed
    expect(result.mode).toBe('targeted');
    expect(result.rendered).toHaveLength(42);
    expect(await page('/blog/')).toContain('Mara Lindqvist-Berg');
  });

  it('an asset change reaches the pages that embed it', async () => {
    // Prepare
    const delta = await space.sync();
    const asset = delta.assets.find((a) => a.sys.id === 'asset-team')!;
    space.apply('upsert', 'Asset', { ...asset, sys: { ...asset.sys, updatedAt: '2026-11-21T14:00:00.000Z' }, fields: { ...asset.fields, title: { 'en-US': 'The whole crew' } } });
    // Act
    const result = await worker.run([entryChange('asset-team', Date.parse('2026-11-21T14:00:00.000Z'), 'Asset.publish', 'Asset')]);
    // Assess
    expect(result.rendered).toContain('/about/');
    // The German pages fall back to the en-US title (the asset has no de-DE one).
    expect(result.rendered.every((u) => /^\/(?:de\/)?(?:about\/$|blog\/)/.test(u))).toBe(true);
    expect(result.rendered).toContain('/de/about/');
    expect(await page('/about/')).toContain('The whole crew');
  });

  it('fails (retryably) an envelope the CDA does not show yet, without losing it', async () => {
    // Act
    const result = await worker.run([entryChange('page-about', Date.parse('2030-01-01T00:00:00Z'))]);
    // Assess
    expect(result.failed).toHaveLength(1);
    expect(result.failed[0]!.error).toBeInstanceOf(ContentNotConsistentError);
    expect((result.failed[0]!.error as ContentNotConsistentError).retryable).toBe(true);
    expect((await readState(store))?.versions['entry:page-about']).toBeUndefined();
  });
});

describe('full-build path', () => {
  overPublishedSite();

  it('rebuilds everything when site settings change, and never records a version it could not see', async () => {
    // Prepare
    const delta = await space.sync();
    const settings = delta.entries.find((e) => e.sys.contentType?.sys.id === 'siteSettings')!;
    space.apply('upsert', 'Entry', { ...settings, sys: { ...settings.sys, updatedAt: '2026-11-21T11:00:00.000Z' }, fields: { ...settings.fields, siteName: { 'en-US': 'Renamed Outfitters' } } });
    // Act
    const result = await worker.run([
      entryChange(settings.sys.id, Date.parse('2026-11-21T11:00:00.000Z')),
      entryChange('page-about', Date.parse('2030-01-01T00:00:00Z')),
    ]);
    // Assess
    expect(result.mode).toBe('full');
    expect(await page('/')).toContain('Renamed Outfitters');
    expect(result.failed.map((f) => f.envelope.id)).toEqual(['page-about']);
    const versions = (await readState(store))!.versions;
    expect(versions[`entry:${settings.sys.id}`]).toBe(String(Date.parse('2026-11-21T11:00:00.000Z')));
    expect(versions['entry:page-about']).toBeUndefined();
  });
});

describe('reconciliation', () => {
  overPublishedSite();

  it('catches a catalog change whose stream record never arrived, and a content change whose webhook was dropped', async () => {
    // Prepare: changes with no events
    const { reconciliationEnvelopes } = await import('../../../functions/rebuild/reconcile.js');
    const product = await sample();
    await catalog.put({ ...product, slug: undefined, description: 'Changed behind our back.' });
    const delta = await space.sync();
    // A post: no navigation or footer links it (a title change there would be a full build's work)
    const post = delta.entries.find((e) => e.sys.contentType?.sys.id === 'blogPost')!;
    const postUrl = `/blog/${String(post.fields.slug!['en-US'])}/`;
    space.apply('upsert', 'Entry', { ...post, sys: { ...post.sys, updatedAt: '2026-11-21T13:00:00.000Z' }, fields: { ...post.fields, title: { 'en-US': 'Missed webhook' } } });
    // Act
    const envelopes = await reconciliationEnvelopes({ catalog, logger: silentLogger }, (await readState(store))!);
    const result = await worker.run(envelopes);
    // Assess
    expect(result.mode).toBe('targeted');
    expect(envelopes.filter((e) => e.kind === 'Product').map((e) => e.id)).toEqual([product.sku]);
    expect(result.rendered).toEqual(expect.arrayContaining([`/products/${product.slug}/`, postUrl]));
    expect(await page(`/products/${product.slug}/`)).toContain('Changed behind our back.');
    expect(await page(postUrl)).toContain('Missed webhook');
    expect((await readState(store))!.versions[`sku:${product.sku}`]).toBeUndefined();
  });
});

describe('state format', () => {
  overPublishedSite();

  it('a store whose state is the single object of format 1 converges on its first run, and is migrated', async () => {
    // Prepare: the published site's state rewritten as the old single object
    const legacy = (await readState(store))!;
    const partitioned: string[] = [];
    for await (const key of store.list('_restatic/state/')) partitioned.push(key);
    await store.deleteMany(partitioned);
    await store.put(LEGACY_STATE_KEY, gzipSync(JSON.stringify(legacy)), { contentType: 'application/gzip', cacheControl: 'no-store' });
    const product = await sample((p) => p.salePrice === undefined);
    await catalog.put({ ...product, slug: undefined, price: { ...product.price, USD: 4343 } });
    // Act
    const result = await worker.run([productChange(product.sku, 1)]);
    // Assess
    expect(result.mode).toBe('targeted');
    expect(result.rendered).toHaveLength(2);
    expect(await page(`/products/${product.slug}/`)).toContain('$43.43');
    expect(await store.head(LEGACY_STATE_KEY)).toBeUndefined();
    expect((await readState(store))!.versions[`sku:${product.sku}`]).toBe('1');
  });
});

/** A published site whose state root fails to write once, when asked (after the run's pages went out). */
async function siteWhoseStateRootFailsOnce() {
  let failRoot = false;
  const site = await publishedSite({
    wrapStore: (s) => ({
      ...s, get: s.get, head: s.head, list: s.list, metadata: s.metadata, putFile: s.putFile, deleteMany: s.deleteMany,
      put: async (key, body, meta) => {
        if (failRoot && key === STATE_KEY) { failRoot = false; throw new Error('S3 PutObject failed: 503 SlowDown'); }
        return s.put(key, body, meta);
      },
    }),
  });
  return { site, failRootOnce: () => { failRoot = true; } };
}

describe('a failed commit', () => {
  it('leaves nothing of the run in the warm worker: the retry does the work again and commits it', async () => {
    // Prepare: the state's root fails to write once, after the pages went out
    const { site, failRootOnce } = await siteWhoseStateRootFailsOnce();
    await site.worker.warm();
    const product = (await site.catalog.scanAll()).products.find((p) => p.salePrice === undefined)!;
    await site.catalog.put({ ...product, slug: undefined, price: { ...product.price, USD: 2727 } });
    failRootOnce();
    // Act
    const failed = await site.worker.run([productChange(product.sku, 5)]).catch((e: unknown) => e);
    const retried = await site.worker.run([productChange(product.sku, 5)]);
    // Assess: the retry is not fenced by the version the failed run never committed; the live
    // manifest is ahead of the state (the run published), so it heals with a full build
    expect(failed).toBeInstanceOf(Error);
    expect(retried.skipped).toEqual([]);
    expect(retried.mode).toBe('full');
    expect((await readState(site.store))!.versions[`sku:${product.sku}`]).toBe('5');
    expect(await site.page(`/products/${product.slug}/`)).toContain('$27.27');
  });
});

describe('a run that published and failed to commit, never retried', () => {
  it('leaves no page of it live once a later change removes its product: the next run heals the state with a full build', async () => {
    // Prepare: a new product's run publishes its page, then the state's root fails to write; its
    // change is then superseded (the product is deleted) and never retried
    const { site, failRootOnce } = await siteWhoseStateRootFailsOnce();
    await site.worker.warm();
    await site.catalog.put({ ...(await site.catalog.scanAll()).products[0]!, sku: 'ORPHAN-1', slug: 'orphan-lamp', title: 'Orphan Lamp' });
    failRootOnce();
    await site.worker.run([productChange('ORPHAN-1', 5)]).catch(() => undefined);
    const published = await site.page('/products/orphan-lamp/');
    await site.catalog.delete('ORPHAN-1');
    // Act
    const removal = await site.worker.run([productChange('ORPHAN-1', 6, 'Product.REMOVE')]);
    // Assess
    expect(published).toContain('Orphan Lamp');
    expect(removal.mode).toBe('full');
    expect(await site.page('/products/orphan-lamp/')).toBeUndefined();
    const state = (await readState(site.store))!;
    expect(state.pages['/products/orphan-lamp/']).toBeUndefined();
    expect(state.versions['sku:ORPHAN-1']).toBe('6');
  });
});

describe('warm-up', () => {
  it('reads the state and renders the home page without writing anything, and the first change uses the state it read', async () => {
    // Prepare: a store that records the worker's writes and its reads of the state
    const writes: string[] = [];
    let stateReads = 0;
    const site = await publishedSite({
      wrapStore: (s) => ({
        ...s, head: s.head, list: s.list, metadata: s.metadata,
        get: async (key) => { if (key === STATE_KEY) stateReads++; return s.get(key); },
        put: async (key, body, meta) => { writes.push(key); return s.put(key, body, meta); },
        putFile: async (key, path, meta) => { writes.push(key); return s.putFile(key, path, meta); },
        deleteMany: async (keys) => { writes.push(...keys); return s.deleteMany(keys); },
      }),
    });
    // Act
    const warmed = await site.worker.warm();
    const afterWarm = { writes: [...writes], invalidations: site.invalidations.length, stateReads };
    const product = (await site.catalog.scanAll()).products.find((p) => p.salePrice === undefined)!;
    await site.catalog.put({ ...product, slug: undefined, price: { ...product.price, USD: 3131 } });
    const result = await site.worker.run([productChange(product.sku, 1)]);
    // Assess
    expect(warmed).toEqual(['/']);
    expect(afterWarm).toEqual({ writes: [], invalidations: 0, stateReads: 1 });
    expect(stateReads).toBe(1);
    expect(result.rendered).toContain(`/products/${product.slug}/`);
    expect(await site.page(`/products/${product.slug}/`)).toContain('$31.31');
  });
});

describe('runs that take the full-build path', () => {
  it('say which of the run\'s products the build skipped as invalid, as a targeted run does', async () => {
    // Prepare: no state yet, so the first change takes the full-build path; the build skips one product
    const rejected = [{ sku: 'BAD-1', field: 'price', message: 'Expected price.USD to be an integer number of cents, got "ten"' }];
    const worker = new RebuildWorkerClass(
      { content: new MemoryContent([]), catalog: new MemoryCatalog(), store: new MemoryStore(), cdn: { invalidate: async () => 'id' }, logger: silentLogger, fullBuild: async () => ({ pages: 0, uploaded: [], deleted: [], rejected }) },
      { site: { baseUrl: 'https://shop.example.com', markets: DEMO_MARKETS, listingPageSize: 2 }, demoImages: false },
    );
    // Act
    const result = await worker.run([productChange('BAD-1', 1)]);
    // Assess
    expect(result.mode).toBe('full');
    expect(result.rejected).toEqual(rejected);
  });
});

/**
 * A published site, and a new product NEW-1 (`/products/brand-new-tent/`) whose run will fail
 * after storing its page: the first upload of a listing page is refused.
 */
async function siteWithNewProductFailingAtItsListing() {
  let failing = true;
  const site = await publishedSite({
    wrapStore: (real) => ({
      ...real, get: real.get.bind(real), head: real.head.bind(real), list: real.list.bind(real), deleteMany: real.deleteMany.bind(real), metadata: real.metadata.bind(real), putFile: real.putFile.bind(real),
      put: async (key, body, meta) => {
        if (failing && key.startsWith('categories/')) { failing = false; throw new ObjectStoreError(`S3 PUT ${key}: SlowDown (injected)`, { retryable: true }); }
        return real.put(key, body, meta);
      },
    }),
  });
  const base = (await site.catalog.scanAll()).products[0]!;
  await site.catalog.put({ ...base, sku: 'NEW-1', slug: 'brand-new-tent', title: 'Brand new tent' });
  return site;
}

describe('a run that failed after creating objects', () => {
  it('leaves no page live that its change, superseded since, never committed: the next run deletes and invalidates it', async () => {
    // Prepare: the first upload of a listing page fails, after the new product's page was stored
    const site = await siteWithNewProductFailingAtItsListing();
    const failed = await site.worker.run([productChange('NEW-1', 1)]).catch((e: unknown) => e);
    const orphan = await site.page('/products/brand-new-tent/');
    // Act: the product is removed before the change is retried; its removal runs
    await site.catalog.delete('NEW-1');
    site.invalidations.length = 0;
    await site.worker.run([productChange('NEW-1', 2, 'Product.REMOVE')]);
    // Assess
    expect(failed).toBeInstanceOf(ObjectStoreError);
    expect(orphan).toContain('Brand new tent');
    expect(await site.page('/products/brand-new-tent/')).toBeUndefined();
    expect(site.invalidations.flat()).toContain('/products/brand-new-tent/index.html');
    expect(await site.store.get('_restatic/publish-intent.json')).toBeUndefined();
  });

  it('leaves no such page live after a full build requested next: the build prunes only what manifests listed, so the worker clears the record first', async () => {
    // Prepare: as above, and the product goes with no event of its own before a deploy's full build
    const site = await siteWithNewProductFailingAtItsListing();
    await site.worker.run([productChange('NEW-1', 1)]).catch(() => undefined);
    const orphan = await site.page('/products/brand-new-tent/');
    await site.catalog.delete('NEW-1');
    // Act
    const result = await site.worker.run([buildRequestEnvelope('deploy-1')]);
    // Assess
    expect(result.mode).toBe('full');
    expect(orphan).toContain('Brand new tent');
    expect(await site.page('/products/brand-new-tent/')).toBeUndefined();
    expect(await site.store.get('_restatic/publish-intent.json')).toBeUndefined();
  });
});

describe('after a full build', () => {
  it('the next change reads no state: the worker keeps what the build committed, and its page is what a full build makes', async () => {
    // Prepare
    const site = await publishedSite({ roots: true });
    await site.worker.run([buildRequestEnvelope('deploy-1')]);
    const product = (await site.catalog.scanAll()).products.find((p) => p.salePrice === undefined)!;
    await site.catalog.put({ ...product, price: { ...product.price, USD: 4343 } });
    // Act
    const result = await site.worker.run([productChange(product.sku, 1)]);
    // Assess
    expect(result).toMatchObject({ mode: 'targeted', planning: 'patched', state: { bytesRead: 0 } });
    expect(await site.page(`/products/${product.slug}/`)).toContain('$43.43');
  });
});
