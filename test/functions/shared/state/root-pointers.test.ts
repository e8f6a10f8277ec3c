/**
 * Committing the site state and the manifest through root pointers in DynamoDB (dynalite): a
 * commit from a stale read fails instead of losing the other run's update, and a store whose
 * state sits at the fixed root key (or in the single object of format 1) moves over on its first write.
 */
import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { beforeEach, describe, expect, it } from 'vitest';
import { createDynamoDbRootPointers, ensureRootPointersTable } from '../../../../functions/shared/adapters/dynamodb-root-pointers.js';
import { ObjectStoreError, StateConflictError } from '../../../../functions/shared/errors.js';
import type { RootPointers } from '../../../../functions/shared/ports.js';
import { ManifestStore } from '../../../../functions/shared/publish/manifest.js';
import type { SiteState } from '../../../../functions/shared/state/site-state.js';
import { LEGACY_STATE_KEY, StateStore } from '../../../../functions/shared/state/state-store.js';
import { dynamoClient } from '../../../fixtures/aws.js';
import { MemoryStore } from '../../../fixtures/memory.js';
import { product } from '../../../fixtures/products.js';

function stateOf(skus: string[], generation = 1): SiteState {
  const products = skus.map((sku, i) => product({ sku, slug: `p-${i}`, price: { USD: 1000 + i } }));
  return {
    format: 1, generation, contentToken: 't1', locales: [{ code: 'en-US', default: true }], entries: [], assets: [], shell: 'shell',
    products, versions: Object.fromEntries(skus.map((sku) => [`sku:${sku}`, '1'])),
    pages: Object.fromEntries(products.map((p) => [`/products/${p.slug}/`, { key: `products/${p.slug}/index.html`, layout: 'product' as const, dataHash: 'h', deps: [`sku:${p.sku}`], primary: `sku:${p.sku}` }])),
  };
}
const withVersion = (state: SiteState, key: string, version: string): SiteState => ({ ...state, generation: state.generation + 1, versions: { ...state.versions, [key]: version } });

let pointers: RootPointers;
let store: MemoryStore;

beforeEach(async () => {
  const client = dynamoClient();
  const table = `roots-${randomUUID().slice(0, 8)}`;
  await ensureRootPointersTable(client, table);
  pointers = createDynamoDbRootPointers({ table, client });
  store = new MemoryStore();
});

describe('root pointers', () => {
  it('refuses a commit made from a stale read with a retryable StateConflictError; re-read, the retry keeps both updates', async () => {
    // Prepare: two runs read the same state
    await new StateStore(store, pointers).write(stateOf(['A', 'B']));
    const first = new StateStore(store, pointers);
    const second = new StateStore(store, pointers);
    const [a, b] = [await first.read(), await second.read()];
    await first.write(withVersion(a!, 'sku:A', '2'), { products: [], pages: [], versions: ['sku:A'] });

    // Act
    const conflict = await second.write(withVersion(b!, 'sku:B', '2'), { products: [], pages: [], versions: ['sku:B'] }).catch((e: unknown) => e);
    const again = await second.read();
    await second.write(withVersion(again!, 'sku:B', '2'), { products: [], pages: [], versions: ['sku:B'] });

    // Assess
    expect(conflict).toBeInstanceOf(StateConflictError);
    expect((conflict as StateConflictError).retryable).toBe(true);
    const live = await new StateStore(store, pointers).read();
    expect(live!.versions).toMatchObject({ 'sku:A': '2', 'sku:B': '2' });
  });

  it('moves a state kept at the fixed root key over on its first write, leaving a marker that a reader without the table refuses', async () => {
    // Prepare: written by a version without pointers
    await new StateStore(store).write(stateOf(['A']));
    const states = new StateStore(store, pointers);
    const state = await states.read();
    // Act
    await states.write(withVersion(state!, 'sku:A', '2'), { products: [], pages: [], versions: ['sku:A'] });
    await states.write(withVersion((await states.read())!, 'sku:A', '3'), { products: [], pages: [], versions: ['sku:A'] });
    const unconfigured = await new StateStore(store).read().catch((e: unknown) => e);
    // Assess
    expect((await pointers.get('state'))!.version).toBe('2');
    expect(unconfigured).toBeInstanceOf(ObjectStoreError);
    expect((unconfigured as Error).message).toMatch(/commits through root pointers.*STATE_TABLE/);
    expect((await new StateStore(store, pointers).read())!.versions['sku:A']).toBe('3');
  });

  it('two runs moving the same fixed-key state over at once: one wins, the other is refused', async () => {
    // Prepare
    await new StateStore(store).write(stateOf(['A']));
    const [x, y] = [new StateStore(store, pointers), new StateStore(store, pointers)];
    const [sx, sy] = [await x.read(), await y.read()];
    // Act
    await x.write(withVersion(sx!, 'sku:A', '2'));
    const refused = await y.write(withVersion(sy!, 'sku:A', '9')).catch((e: unknown) => e);
    // Assess
    expect(refused).toBeInstanceOf(StateConflictError);
    expect((await new StateStore(store, pointers).read())!.versions['sku:A']).toBe('2');
  });

  it('migrates the single-object state of format 1 straight to a pointer', async () => {
    // Prepare
    await store.put(LEGACY_STATE_KEY, gzipSync(JSON.stringify(stateOf(['A', 'B']))), { contentType: 'application/gzip', cacheControl: 'no-store' });
    const states = new StateStore(store, pointers);
    // Act
    const legacy = await states.read();
    await states.write(withVersion(legacy!, 'sku:B', '5'));
    // Assess
    expect(await store.get(LEGACY_STATE_KEY)).toBeUndefined();
    expect((await new StateStore(store, pointers).read())!.versions).toMatchObject({ 'sku:A': '1', 'sku:B': '5' });
  });

  it('commits the manifest the same way: a stale writer is refused', async () => {
    // Prepare
    const one = new ManifestStore(store, pointers);
    const m = await one.read();
    await one.write({ ...m, generation: 1, entries: { 'index.html': { hash: 'a', contentType: 'text/html', cacheControl: 'c', size: 1 } } });
    const [p, q] = [new ManifestStore(store, pointers), new ManifestStore(store, pointers)];
    const [mp, mq] = [await p.read(), await q.read()];
    // Act
    await p.write({ ...mp, generation: 2, entries: { ...mp.entries, 'a.html': { hash: 'b', contentType: 'text/html', cacheControl: 'c', size: 1 } } }, ['a.html']);
    const refused = await q.write({ ...mq, generation: 2, entries: { ...mq.entries, 'b.html': { hash: 'c', contentType: 'text/html', cacheControl: 'c', size: 1 } } }, ['b.html']).catch((e: unknown) => e);
    // Assess
    expect(refused).toBeInstanceOf(StateConflictError);
    expect(Object.keys((await new ManifestStore(store, pointers).read()).entries).sort()).toEqual(['a.html', 'index.html']);
  });
});
