/** The partitioned site state: a run writes the shards it touched, the root commits, old states migrate, readers of the previous root finish. */
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ObjectStoreError } from '../../../../functions/shared/errors.js';
import type { SiteState } from '../../../../functions/shared/state/site-state.js';
import { LEGACY_STATE_KEY, STATE_ROOT_KEY, StateStore } from '../../../../functions/shared/state/state-store.js';
import { MemoryStore, keysFetched as gets } from '../../../fixtures/memory.js';
import { product } from '../../../fixtures/products.js';

/** A state of `n` products, each with its page and version. */
function stateOf(n: number, price = 1000): SiteState {
  const products = Array.from({ length: n }, (_, i) => product({ sku: `SKU-${String(i).padStart(5, '0')}`, slug: `p-${i}`, price: { USD: price + i } }));
  return {
    format: 1, generation: 1, contentToken: 't1', locales: [{ code: 'en-US', default: true }], entries: [], assets: [], shell: 'shell',
    products,
    versions: Object.fromEntries(products.map((p) => [`sku:${p.sku}`, '1'])),
    pages: Object.fromEntries(products.map((p) => [`/products/${p.slug}/`, { key: `products/${p.slug}/index.html`, layout: 'product' as const, dataHash: `h${p.price.USD}`, deps: [`sku:${p.sku}`], primary: `sku:${p.sku}` }])),
  };
}

/** Keys put into the store while `act` runs. */
async function puts(store: MemoryStore, act: () => Promise<unknown>): Promise<string[]> {
  const written: string[] = [];
  const put = store.put.bind(store);
  store.put = async (key, body, meta) => { written.push(key); return put(key, body, meta); };
  try {
    await act();
  } finally {
    store.put = put;
  }
  return written;
}

/** A store holding `state` as the single-object state of format 1. */
async function legacyStore(state: SiteState): Promise<MemoryStore> {
  const store = new MemoryStore();
  await store.put(LEGACY_STATE_KEY, gzipSync(JSON.stringify(state)), { contentType: 'application/gzip', cacheControl: 'no-store' });
  return store;
}

/** What `repriced(state, index)` changed, as a targeted write names it. */
function repricedKeys(state: SiteState, index: number) {
  const p = state.products[index]!;
  return { products: [p.sku], pages: [`/products/${p.slug}/`], versions: [`sku:${p.sku}`] };
}

function repriced(state: SiteState, index: number): SiteState {
  const p = state.products[index]!;
  const next = { ...p, price: { USD: 1 } };
  const url = `/products/${p.slug}/`;
  return {
    ...state, generation: state.generation + 1,
    products: state.products.map((q) => (q.sku === p.sku ? next : q)),
    versions: { ...state.versions, [`sku:${p.sku}`]: '2' },
    pages: { ...state.pages, [url]: { ...state.pages[url]!, dataHash: 'changed' } },
  };
}

/** `repriced` for many products at once. */
function repricedAll(state: SiteState, indices: readonly number[]): SiteState {
  const skus = new Set(indices.map((i) => state.products[i]!.sku));
  const pages = { ...state.pages };
  const versions = { ...state.versions };
  for (const i of indices) {
    const p = state.products[i]!;
    versions[`sku:${p.sku}`] = '2';
    pages[`/products/${p.slug}/`] = { ...pages[`/products/${p.slug}/`]!, dataHash: 'changed' };
  }
  return { ...state, generation: state.generation + 1, products: state.products.map((q) => (skus.has(q.sku) ? { ...q, price: { USD: 1 } } : q)), pages, versions };
}

describe('StateStore', () => {
  it('keeps the products not at their own slug in the root, and gives them from the root alone', async () => {
    // Prepare
    const store = new MemoryStore();
    const states = new StateStore(store);
    await states.write({ ...stateOf(200), renamed: { de: { 'SKU-00007': 'p-7-sku-00007' } } });
    // Act
    const reader = new StateStore(store);
    const renamed = await reader.renamed();
    // Assess
    expect(renamed).toEqual({ de: { 'SKU-00007': 'p-7-sku-00007' } });
    expect(reader.io.bytesRead).toBe((await store.get(STATE_ROOT_KEY))!.body.length);
    expect((await new StateStore(store).read())!.renamed).toEqual(renamed);
    expect(await new StateStore(new MemoryStore()).renamed()).toEqual({});
  });

  it('reads back what it wrote', async () => {
    // Prepare
    const store = new MemoryStore();
    const state = stateOf(3000);
    // Act
    await new StateStore(store).write(state);
    const read = await new StateStore(store).read();
    // Assess
    expect(read).toEqual(state);
  });

  it('writes a targeted run as one segment of what it changed, then the root; the shards stay', async () => {
    // Prepare
    const store = new MemoryStore();
    const states = new StateStore(store);
    const state = stateOf(20_000);
    await states.write(state);
    const shards = [...store.objects.keys()].filter((k) => k !== STATE_ROOT_KEY).length;
    const next = repriced(state, 7);
    // Act
    const written = await puts(store, () => states.write(next, repricedKeys(state, 7)));
    // Assess: of 20,000 records a kind, in dozens of shards, one small segment and the root
    expect(shards).toBeGreaterThan(3 * 32);
    expect(written).toEqual([expect.stringMatching(/^_restatic\/state\/segments\//), STATE_ROOT_KEY]);
    expect(store.objects.get(written[0]!)!.body.length).toBeLessThan(1024);
    expect(await new StateStore(store).read()).toEqual(next);
  });

  it('costs what the change does: 700 changes spread over every shard write one segment, not the state', async () => {
    // Prepare
    const store = new MemoryStore();
    const states = new StateStore(store);
    let state = stateOf(20_000);
    await states.write(state);
    const full = states.io.bytesWritten;
    const indices = Array.from({ length: 700 }, (_, i) => (i * 28) % 20_000);
    state = repricedAll(state, indices);
    // Act
    const written = await puts(store, () => states.write(state, {
      products: indices.map((i) => state.products[i]!.sku), pages: indices.map((i) => `/products/${state.products[i]!.slug}/`), versions: indices.map((i) => `sku:${state.products[i]!.sku}`),
    }));
    // Assess
    expect(written).toHaveLength(2);
    expect(states.io.bytesWritten - full).toBeLessThan(full / 10);
    expect(await new StateStore(store).read()).toEqual(state);
  });

  it('folds a change bigger than the segments may hold straight into the shards', async () => {
    // Prepare
    const store = new MemoryStore();
    const states = new StateStore(store);
    const state = stateOf(3000);
    await states.write(state);
    const indices = Array.from({ length: 1100 }, (_, i) => i);
    const next = repricedAll(state, indices);
    // Act
    const written = await puts(store, () => states.write(next, {
      products: indices.map((i) => next.products[i]!.sku), pages: indices.map((i) => `/products/${next.products[i]!.slug}/`), versions: indices.map((i) => `sku:${next.products[i]!.sku}`),
    }));
    // Assess
    expect(written.some((k) => k.includes('/segments/'))).toBe(false);
    expect(written.some((k) => k.startsWith('_restatic/state/products/'))).toBe(true);
    expect(await new StateStore(store).read()).toEqual(next);
  });

  it('folds its segments into the shards once they are many, and reads the same document before and after', async () => {
    // Prepare
    const store = new MemoryStore();
    const states = new StateStore(store);
    let state = stateOf(400);
    await states.write(state);
    const shardsBefore = [...store.objects.keys()].filter((k) => k.startsWith('_restatic/state/products/'));
    const segmentCounts: number[] = [];
    // Act: 140 runs of one change each, read back by a fresh reader after every run
    const reads: SiteState[] = [];
    const expected: SiteState[] = [];
    for (let run = 0; run < 140; run++) {
      state = repriced(state, run % 400);
      await states.write(state, repricedKeys(state, run % 400));
      const root = JSON.parse(gunzipSync(store.objects.get(STATE_ROOT_KEY)!.body).toString()) as { segments?: string[] };
      segmentCounts.push(root.segments?.length ?? 0);
      if (run % 7 === 0 || segmentCounts.at(-1) === 0) {
        reads.push((await new StateStore(store).read())!);
        expected.push(state);
      }
    }
    const finalRead = await new StateStore(store).read();
    // Assess: segments grew one a run, were folded once (at 128), and the shards took them in
    expect(Math.max(...segmentCounts)).toBe(128);
    expect(segmentCounts).toContain(0);
    expect(segmentCounts.at(-1)).toBeLessThan(128);
    expect([...store.objects.keys()].filter((k) => k.startsWith('_restatic/state/products/'))).not.toEqual(shardsBefore);
    expect(finalRead).toEqual(state);
    expect(reads).toEqual(expected);
  });

  it('keeps every change of a folding commit whose changed keys come as one-pass iterators', async () => {
    // Prepare: 128 segments, each the same product again, so the next commit folds
    const store = new MemoryStore();
    const states = new StateStore(store);
    let state = stateOf(2000);
    await states.write(state);
    for (let run = 0; run < 128; run++) {
      state = { ...repriced(state, 0), versions: { ...state.versions, 'sku:SKU-00000': String(run + 2) } };
      await states.write(state, repricedKeys(state, 0));
    }
    const indices = Array.from({ length: 20 }, (_, i) => 1 + i * 97);
    const next = repricedAll(state, indices);
    const keys = {
      products: indices.map((i) => next.products[i]!.sku), pages: indices.map((i) => `/products/${next.products[i]!.slug}/`), versions: indices.map((i) => `sku:${next.products[i]!.sku}`),
    };
    // Act: the worker names its pages as a Map's keys(), which can be walked once
    await states.write(next, { products: keys.products.values(), pages: keys.pages.values(), versions: keys.versions.values() });
    // Assess
    expect(await new StateStore(store).read()).toEqual(next);
  });

  it('drops a removed record from its shard and adds a new one to another, rewriting only those', async () => {
    // Prepare
    const store = new MemoryStore();
    const states = new StateStore(store);
    const state = stateOf(5000);
    await states.write(state);
    const gone = state.products[10]!;
    const added = product({ sku: 'NEW-1', slug: 'new-1' });
    const { [`/products/${gone.slug}/`]: _page, ...pages } = state.pages;
    const { [`sku:${gone.sku}`]: _version, ...versions } = state.versions;
    const next: SiteState = {
      ...state, generation: 2, products: [...state.products.filter((p) => p.sku !== gone.sku), added].sort((a, b) => (a.sku < b.sku ? -1 : 1)),
      pages: { ...pages, '/products/new-1/': { key: 'products/new-1/index.html', layout: 'product', dataHash: 'n', deps: ['sku:NEW-1'], primary: 'sku:NEW-1' } },
      versions: { ...versions, 'sku:NEW-1': '1' },
    };
    // Act
    const written = await puts(store, () => states.write(next, { products: [gone.sku, 'NEW-1'], pages: [`/products/${gone.slug}/`, '/products/new-1/'], versions: [`sku:${gone.sku}`, 'sku:NEW-1'] }));
    // Assess
    expect(written.length).toBeLessThanOrEqual(7);
    expect(await new StateStore(store).read()).toEqual(next);
  });

  it('keeps exact record counts in the root through targeted writes that add and remove records', async () => {
    // Prepare
    const store = new MemoryStore();
    const states = new StateStore(store);
    let state = stateOf(1000);
    await states.write(state);
    // Act: ten runs, each removing one product (page, version) and adding two
    for (let run = 0; run < 10; run++) {
      const gone = state.products[run]!;
      const added = [product({ sku: `NEW-${run}-A`, slug: `new-${run}-a` }), product({ sku: `NEW-${run}-B`, slug: `new-${run}-b` })];
      const pages = { ...state.pages };
      const versions = { ...state.versions };
      delete pages[`/products/${gone.slug}/`];
      delete versions[`sku:${gone.sku}`];
      for (const p of added) {
        pages[`/products/${p.slug}/`] = { key: `products/${p.slug}/index.html`, layout: 'product', dataHash: 'n', deps: [`sku:${p.sku}`], primary: `sku:${p.sku}` };
        versions[`sku:${p.sku}`] = '1';
      }
      const next: SiteState = { ...state, generation: state.generation + 1, products: [...state.products.filter((p) => p !== gone), ...added], pages, versions };
      const skus = [gone.sku, ...added.map((p) => p.sku)];
      await states.write(next, { products: skus, pages: [`/products/${gone.slug}/`, ...added.map((p) => `/products/${p.slug}/`)], versions: skus.map((k) => `sku:${k}`) });
      state = next;
    }
    // Assess
    const root = JSON.parse(gunzipSync((await store.get(STATE_ROOT_KEY))!.body).toString('utf8')) as { counts: Record<string, number> };
    expect(root.counts).toEqual({ products: 1010, pages: 1010, versions: 1010 });
  });

  it('leaves the previous state whole when a run dies before the root is written', async () => {
    // Prepare
    const store = new MemoryStore();
    const state = stateOf(2000);
    await new StateStore(store).write(state);
    const states = new StateStore(store);
    await states.read();
    const put = store.put.bind(store);
    store.put = async (key, body, meta) => { if (key === STATE_ROOT_KEY) throw new ObjectStoreError('S3 PUT failed: InternalError', { retryable: true }); return put(key, body, meta); };
    // Act
    const failed = await states.write(repriced(state, 3), { products: [state.products[3]!.sku], pages: [], versions: [] }).catch((e: unknown) => e);
    // Assess
    expect(failed).toBeInstanceOf(ObjectStoreError);
    expect(await new StateStore(store).read()).toEqual(state);
  });

  it('reports a commit as done when only what follows the root fails (reading its ETag, deleting what it retired)', async () => {
    // Prepare: whole writes, so each commit retires the shards the one before replaced
    const store = new MemoryStore();
    const states = new StateStore(store);
    const v1 = stateOf(2000);
    await states.write(v1);
    const v2 = repriced(v1, 1);
    await states.write(v2);
    const v3 = repriced(v2, 2);
    store.head = async () => { throw new ObjectStoreError('S3 HEAD failed: SlowDown', { retryable: true }); };
    store.deleteMany = async () => { throw new ObjectStoreError('S3 DELETE failed: SlowDown', { retryable: true }); };
    // Act
    const wrote = await states.write(v3);
    // Assess: committed, and a retry of the change would find it live (not redo it)
    expect(wrote).toBe(true);
    expect(await new StateStore(store).read()).toEqual(v3);
  });

  it('keeps a dropped shard for one more commit, so a reader of the previous root can finish', async () => {
    // Prepare
    const store = new MemoryStore();
    const states = new StateStore(store);
    const v1 = stateOf(2000);
    await states.write(v1);
    const before = new Set(store.objects.keys());
    const v2 = repriced(v1, 1);
    // Act: whole writes (a full build's) replace shards
    await states.write(v2);
    const afterOne = new Set(store.objects.keys());
    await states.write(repriced(v2, 2));
    const afterTwo = new Set(store.objects.keys());
    // Assess: the shard v2 replaced is still there after v2's commit, gone after the next
    const replaced = [...before].filter((k) => k !== STATE_ROOT_KEY && !afterTwo.has(k));
    expect(replaced.length).toBeGreaterThan(0);
    for (const key of replaced) expect(afterOne.has(key)).toBe(true);
  });

  it('writes nothing when the state did not change', async () => {
    // Prepare
    const store = new MemoryStore();
    const state = stateOf(500);
    await new StateStore(store).write(state);
    const states = new StateStore(store);
    await states.read();
    // Act
    const written = await puts(store, () => states.write({ ...state, generation: state.generation + 1 }));
    // Assess
    expect(written).toEqual([]);
  });

  it('migrates the single-object state of format 1 on its first write, once', async () => {
    // Prepare
    const legacy = stateOf(1000);
    const store = await legacyStore(legacy);
    const states = new StateStore(store);
    // Act
    const read = await states.read();
    await states.write(repriced(read!, 0), { products: [legacy.products[0]!.sku], pages: [], versions: [] });
    // Assess
    expect(read).toEqual(legacy);
    expect(store.objects.has(LEGACY_STATE_KEY)).toBe(false);
    expect(await new StateStore(store).read()).toEqual(repriced(legacy, 0));
  });

  it('reads the page index and versions without the catalog copy, and a full write after it commits over the live root', async () => {
    // Prepare: a state with segments over its shards (targeted runs since the last full write)
    const store = new MemoryStore();
    const writer = new StateStore(store);
    const state = stateOf(3000);
    await writer.write(state);
    const next = repriced(state, 5);
    await writer.write(next, repricedKeys(state, 5));
    const whole = new StateStore(store);
    await whole.read();
    const build = new StateStore(store);
    let index: Awaited<ReturnType<StateStore['readIndex']>> = undefined;
    // Act
    const got = await gets(store, async () => { index = await build.readIndex(); });
    const rebuilt = { ...stateOf(3000, 2000), generation: 3 };
    const wrote = await build.write(rebuilt);
    // Assess: the segment's changes are in the index; no catalog shard read; the write replaced the state
    const { products: _products, ...expected } = next;
    expect(index).toEqual(expected);
    expect(got.filter((key) => key.startsWith('_restatic/state/products/'))).toEqual([]);
    expect(got.length).toBeGreaterThan(2);
    expect(build.io.bytesRead).toBeLessThan(whole.io.bytesRead);
    expect(wrote).toBe(true);
    expect(await new StateStore(store).read()).toEqual(rebuilt);
  });

  it('reads the index of the single-object state of format 1 too, and its first full write migrates it', async () => {
    // Prepare
    const legacy = stateOf(200);
    const store = await legacyStore(legacy);
    const states = new StateStore(store);
    // Act
    const index = await states.readIndex();
    await states.write({ ...legacy, generation: 2 });
    // Assess
    expect(index?.pages).toEqual(legacy.pages);
    expect(index).not.toHaveProperty('products');
    expect(store.objects.has(LEGACY_STATE_KEY)).toBe(false);
    expect(await new StateStore(store).read()).toEqual({ ...legacy, generation: 2 });
  });

  it('after a full write, writes a targeted change as a segment from the shards it wrote, reading nothing back', async () => {
    // Prepare: the shards a full write made are kept packed, parsed when a change first needs them
    const store = new MemoryStore();
    const states = new StateStore(store);
    const state = stateOf(5000);
    await states.write(state);
    const next = repriced(state, 42);
    let written: string[] = [];
    // Act
    const got = await gets(store, async () => { written = await puts(store, () => states.write(next, repricedKeys(state, 42))); });
    // Assess
    expect(got).toEqual([]);
    expect(written).toEqual([expect.stringMatching(/^_restatic\/state\/segments\//), STATE_ROOT_KEY]);
    expect(await new StateStore(store).read()).toEqual(next);
  });

  it('sweeps state objects no root names (a commit that died before its root)', async () => {
    // Prepare
    const store = new MemoryStore();
    const states = new StateStore(store);
    await states.write(stateOf(100));
    await store.put('_restatic/state/products/0-deadbeefdeadbeef.json.gz', gzipSync('[]'), { contentType: 'application/gzip', cacheControl: 'no-store' });
    // Act
    const swept = await states.sweep();
    // Assess
    expect(swept).toBe(1);
    expect(await new StateStore(store).read()).toEqual(stateOf(100));
  });
});
