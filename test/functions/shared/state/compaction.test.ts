/**
 * Compaction beside the writers: the segments a root lists are folded into new shards off the
 * change path, committed compare-and-swap (root pointers in dynalite). A writer holding the
 * compacted root keeps what it holds; a commit the compaction overtook, or that overtook the
 * compaction, loses nothing.
 */
import { randomUUID } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { beforeEach, describe, expect, it } from 'vitest';
import { createDynamoDbRootPointers, ensureRootPointersTable } from '../../../../functions/shared/adapters/dynamodb-root-pointers.js';
import { StateConflictError } from '../../../../functions/shared/errors.js';
import type { RootPointers } from '../../../../functions/shared/ports.js';
import { ManifestStore, type Manifest } from '../../../../functions/shared/publish/manifest.js';
import type { SiteState } from '../../../../functions/shared/state/site-state.js';
import { StateStore, type StateChanges, type StatePrevious } from '../../../../functions/shared/state/state-store.js';
import { dynamoClient } from '../../../fixtures/aws.js';
import { MemoryStore, keysFetched as gets } from '../../../fixtures/memory.js';
import { product } from '../../../fixtures/products.js';

function stateOf(n: number): SiteState {
  const products = Array.from({ length: n }, (_, i) => product({ sku: `SKU-${String(i).padStart(5, '0')}`, slug: `p-${i}`, price: { USD: 1000 + i } }));
  return {
    format: 1, generation: 1, contentToken: 't1', locales: [{ code: 'en-US', default: true }], entries: [], assets: [], shell: 'shell',
    products,
    versions: Object.fromEntries(products.map((p) => [`sku:${p.sku}`, '1'])),
    pages: Object.fromEntries(products.map((p) => [`/products/${p.slug}/`, { key: `products/${p.slug}/index.html`, layout: 'product' as const, dataHash: `h${p.price.USD}`, deps: [`sku:${p.sku}`], primary: `sku:${p.sku}` }])),
  };
}

/** `state` with product `index` repriced to `price`: the next state, the keys a run names, and what they held. */
function repriced(state: SiteState, index: number, price: number): { next: SiteState; changes: StateChanges; previous: StatePrevious } {
  const p = state.products[index]!;
  const url = `/products/${p.slug}/`;
  const version = `sku:${p.sku}`;
  const next: SiteState = {
    ...state, generation: state.generation + 1,
    products: state.products.map((q) => (q.sku === p.sku ? { ...q, price: { USD: price } } : q)),
    versions: { ...state.versions, [version]: String(price) },
    pages: { ...state.pages, [url]: { ...state.pages[url]!, dataHash: `h${price}` } },
  };
  return {
    next, changes: { products: [p.sku], pages: [url], versions: [version] },
    previous: { products: () => p, pages: () => state.pages[url], versions: () => state.versions[version] },
  };
}

interface LiveRoot { segments?: string[]; shards: Record<string, string[]>; fold?: { base: string } }

let store: MemoryStore;
let pointers: RootPointers;
/** Runs once before the next swap of any writer: another writer's commit lands between a read and a swap. */
let beforeSwap: (() => Promise<void>) | undefined;

beforeEach(async () => {
  const client = dynamoClient();
  const table = `roots-${randomUUID().slice(0, 8)}`;
  await ensureRootPointersTable(client, table);
  const dynamo = createDynamoDbRootPointers({ table, client });
  pointers = {
    get: (document) => dynamo.get(document),
    swap: async (document, key, expected) => {
      const hook = beforeSwap;
      beforeSwap = undefined;
      await hook?.();
      return dynamo.swap(document, key, expected);
    },
  };
  store = new MemoryStore();
});

async function liveRoot(document = 'state'): Promise<LiveRoot & { key: string }> {
  const pointer = await pointers.get(document);
  return { key: pointer!.key, ...(JSON.parse(gunzipSync(store.objects.get(pointer!.key)!.body).toString()) as LiveRoot) };
}

/** Runs `from` to `to` of a writer repricing one product each: a segment each. */
async function reprice(writer: StateStore, start: SiteState, from: number, to: number): Promise<SiteState> {
  let state = start;
  for (let run = from; run < to; run++) {
    const { next, changes, previous } = repriced(state, run * 37 % 1000, 100 + run);
    await writer.write(next, changes, undefined, previous);
    state = next;
  }
  return state;
}

/** A writer holding a 1,000-product state after `runs` repricings, each one segment. */
async function writerWithSegments(runs: number): Promise<{ writer: StateStore; state: SiteState }> {
  const writer = new StateStore(store, pointers);
  const state = stateOf(1000);
  await writer.write(state);
  return { writer, state: await reprice(writer, state, 0, runs) };
}

describe('compaction', () => {
  it('folds the segments into new shards and commits a root listing none, holding the same state', async () => {
    // Prepare
    const { state } = await writerWithSegments(12);
    const before = await liveRoot();
    // Act
    const result = await new StateStore(store, pointers).compact({ force: true });
    // Assess
    const after = await liveRoot();
    expect(before.segments).toHaveLength(12);
    expect(result).toMatchObject({ compacted: true, segments: 12, records: 36 });
    expect(result.shardsWritten).toBeGreaterThan(0);
    expect(result.shardsWritten).toBeLessThanOrEqual(36);
    expect(after.segments).toBeUndefined();
    expect(after.fold).toEqual({ base: before.key });
    expect(after.shards).not.toEqual(before.shards);
    expect(await new StateStore(store, pointers).read()).toEqual(state);
  });

  it('does nothing until the segments are due, and the writer says when they are', async () => {
    // Prepare
    const { writer, state } = await writerWithSegments(3);
    const due = writer.compactionDue;
    const objects = [...store.objects.keys()];
    // Act
    const result = await new StateStore(store, pointers).compact();
    const unchanged = [...store.objects.keys()];
    await reprice(writer, state, 3, 128);
    // Assess
    expect(due).toBe(false);
    expect(result).toMatchObject({ compacted: false, reason: 'not due', segments: 3 });
    expect(unchanged).toEqual(objects);
    expect(writer.compactionDue).toBe(true);
  });

  it('folds in its own commit only at four times the compactor\'s limits, when no compactor keeps up', async () => {
    // Prepare
    const { writer, state } = await writerWithSegments(128);
    const due = writer.compactionDue;
    // Act: 384 more runs, no compactor
    const later = await reprice(writer, state, 128, 512);
    const before = (await liveRoot()).segments?.length;
    const last = await reprice(writer, later, 512, 513);
    // Assess: due at 128 segments, folded by the commit that found 512
    expect(due).toBe(true);
    expect(before).toBe(512);
    expect((await liveRoot()).segments).toBeUndefined();
    expect(await new StateStore(store, pointers).read()).toEqual(last);
  }, 60_000);

  it('re-shards a kind that outgrows its shard count, so the writers\' commits never fold for it', async () => {
    // Prepare: a store whose applied versions start empty (a fresh full build), then 100 new ones a run (the stream's first changes of a sku)
    const writer = new StateStore(store, pointers);
    let state: SiteState = { ...stateOf(1000), versions: {} };
    await writer.write(state);
    const compactor = new StateStore(store, pointers);
    const compactions: string[] = [];
    let first: { result: Awaited<ReturnType<StateStore['compact']>>; before: LiveRoot; after: LiveRoot } | undefined;
    // Act: 20 runs, the compactor running whenever the writer says it is due (as the worker asks it)
    for (let run = 0; run < 20; run++) {
      const keys = Array.from({ length: 100 }, (_, i) => `sku:NEW-${run}-${i}`);
      state = { ...state, generation: state.generation + 1, versions: { ...state.versions, ...Object.fromEntries(keys.map((key) => [key, '1'])) } };
      await writer.write(state, { products: [], pages: [], versions: keys }, undefined, { products: () => undefined, pages: () => undefined, versions: () => undefined });
      if (writer.compactionDue) {
        const before = await liveRoot();
        const result = await compactor.compact();
        first ??= { result, before, after: await liveRoot() };
        compactions.push(result.reason ?? 'compacted');
        await writer.refresh();
      }
    }
    // Assess: 2,000 versions want 8 shards of 400; the compactor re-sharded them before a commit had to
    const live = await liveRoot();
    expect(writer.io.folds).toBe(0);
    expect(compactions.length).toBeGreaterThan(0);
    expect(compactions.every((reason) => reason === 'compacted')).toBe(true);
    expect(live.shards.versions!.length).toBeGreaterThanOrEqual(4);
    // The first, before the segments were due: the versions alone split anew, under the segments (still listed), the other kinds untouched
    expect(first!.result).toMatchObject({ compacted: true, segments: 0, records: 0 });
    expect(first!.after.segments).toEqual(first!.before.segments);
    expect(first!.after.shards.products).toEqual(first!.before.shards.products);
    expect(first!.after.shards.pages).toEqual(first!.before.shards.pages);
    expect(first!.after.shards.versions!.length).toBeGreaterThan(first!.before.shards.versions!.length);
    expect(await new StateStore(store, pointers).read()).toEqual(state);
  });

  it('leaves a writer what it holds: refresh rebases it, and its next change commits on top reading no shard', async () => {
    // Prepare
    const { writer, state } = await writerWithSegments(12);
    await new StateStore(store, pointers).compact({ force: true });
    const compacted = await liveRoot();
    // Act
    const status = await writer.refresh();
    const { next, changes, previous } = repriced(state, 500, 7);
    const fetched = await gets(store, () => writer.write(next, changes, undefined, previous));
    // Assess
    const after = await liveRoot();
    expect(status).toBe('rebased');
    expect(fetched).toEqual([]);
    expect(after.shards).toEqual(compacted.shards);
    expect(after.segments).toHaveLength(1);
    expect(await new StateStore(store, pointers).read()).toEqual(next);
  });

  it('commits a change that a compaction overtook on top of it: both kept', async () => {
    // Prepare: the compaction lands between the writer's read and its swap
    const { writer, state } = await writerWithSegments(12);
    const original = await liveRoot();
    beforeSwap = async () => { await new StateStore(store, pointers).compact({ force: true }); };
    const { next, changes, previous } = repriced(state, 3, 9);
    // Act
    await writer.write(next, changes, undefined, previous);
    // Assess
    const after = await liveRoot();
    expect(after.shards).not.toEqual(original.shards);
    expect(after.segments).toHaveLength(1);
    expect(await new StateStore(store, pointers).read()).toEqual(next);
    expect(await writer.refresh()).toBe('current');
  });

  it('redoes its swap on top of a change that overtook it, keeping that change as a segment', async () => {
    // Prepare: a writer commits between the compaction's read and its swap
    const { writer, state } = await writerWithSegments(12);
    const { next, changes, previous } = repriced(state, 3, 9);
    beforeSwap = async () => { await writer.write(next, changes, undefined, previous); };
    // Act
    const result = await new StateStore(store, pointers).compact({ force: true });
    // Assess
    const after = await liveRoot();
    expect(result.compacted).toBe(true);
    expect(after.segments).toHaveLength(1);
    expect(await new StateStore(store, pointers).read()).toEqual(next);
    expect(await writer.refresh()).toBe('rebased');
  });

  it('gives up when a fold or a full write overtook it, leaving that commit live', async () => {
    // Prepare
    const { writer, state } = await writerWithSegments(12);
    const rebuilt = { ...state, generation: state.generation + 1, contentToken: 't2' };
    beforeSwap = async () => { await writer.write(rebuilt); };
    // Act
    const result = await new StateStore(store, pointers).compact({ force: true });
    // Assess
    expect(result).toMatchObject({ compacted: false, reason: expect.stringMatching(/superseded/) });
    expect(await new StateStore(store, pointers).read()).toEqual(rebuilt);
  });

  it('still refuses a writer whose state another writer replaced (not a compaction)', async () => {
    // Prepare
    const { writer, state } = await writerWithSegments(2);
    const other = new StateStore(store, pointers);
    const theirs = await other.read();
    await other.write({ ...theirs!, generation: theirs!.generation + 1, contentToken: 't3' });
    const { next, changes, previous } = repriced(state, 5, 11);
    // Act
    const refreshed = await writer.refresh();
    const error = await writer.write(next, changes, undefined, previous).catch((e: unknown) => e);
    // Assess
    expect(refreshed).toBe('stale');
    expect(error).toBeInstanceOf(StateConflictError);
  });

  it('keeps the manifest a warm publisher holds across a compaction, and its next change lands on top', async () => {
    // Prepare
    const manifests = new ManifestStore(store, pointers);
    const entry = (n: number) => ({ hash: `h${n}`, contentType: 'text/html', cacheControl: 'max-age=60', size: n });
    const manifest: Manifest = { format: 1, generation: 1, publishedAt: new Date(0).toISOString(), entries: Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`p/${i}/index.html`, entry(i)])) };
    await manifests.write(manifest);
    let live = await manifests.read();
    for (let run = 0; run < 8; run++) live = await manifests.writeChanges(live, { generation: live.generation + 1, publishedAt: new Date(run).toISOString() }, new Map([[`p/${run * 101}/index.html`, entry(-1 - run)]]));
    const expected = structuredClone(live);
    // Act
    const result = await new ManifestStore(store, pointers).compact({ force: true });
    const fetched = await gets(store, async () => { live = await manifests.read(); });
    const held = structuredClone(live.entries);
    const next = await manifests.writeChanges(live, { generation: live.generation + 1, publishedAt: new Date(99).toISOString() }, new Map([['p/7/index.html', undefined]]));
    // Assess
    expect(result).toMatchObject({ compacted: true, segments: 8 });
    expect(held).toEqual(expected.entries);
    expect(fetched.filter((key) => !key.includes('/roots/'))).toEqual([]);
    expect(await new ManifestStore(store, pointers).read()).toEqual(next);
    expect(next.entries['p/7/index.html']).toBeUndefined();
  });
});
