/** Poison isolation: one change that fails costs that change, never the rest of its batch. */
import { PutCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { runIsolated } from '../../../functions/rebuild/isolate.js';
import { InvalidChangeError, type RebuildResult } from '../../../functions/rebuild/worker.js';
import type { ChangeEnvelope } from '../../../functions/shared/changes/envelope.js';
import type { ContentEntity } from '../../../functions/shared/content/types.js';
import { CatalogError, isRetryable } from '../../../functions/shared/errors.js';
import { silentLogger } from '../../../functions/shared/logger.js';
import { readState } from '../../../functions/shared/state/site-state.js';
import { entryChange, productChange } from '../../fixtures/events.js';
import { publishedSite } from '../../fixtures/site.js';

const UPDATED = '2026-11-21T10:00:00.000Z';

/** Publishes a new shipping title into the local space (the CDA stand-in) and returns its envelope. */
async function shippingRetitled(space: Awaited<ReturnType<typeof publishedSite>>['space'], title: string): Promise<ChangeEnvelope> {
  const entry = (await space.sync()).entries.find((e) => e.sys.id === 'page-shipping')!;
  const next: ContentEntity = { ...entry, sys: { ...entry.sys, updatedAt: UPDATED }, fields: { ...entry.fields, title: { 'en-US': title } } };
  space.apply('upsert', 'Entry', next);
  return entryChange('page-shipping', Date.parse(UPDATED));
}

describe('poison isolation', () => {
  it('publishes the good change of a batch whose other change carries a version that is not a number', async () => {
    // Prepare
    const site = await publishedSite();
    const good = await shippingRetitled(site.space, 'Shipping, fast');
    const poison = { ...entryChange('page-about', 0), version: 'x' };
    // Act
    const result = await runIsolated(site.worker, [poison, good], silentLogger);
    // Assess
    expect(await site.page('/shipping/')).toContain('Shipping, fast');
    expect(result.failed.map((f) => f.envelope)).toEqual([poison]);
    expect(result.failed[0]!.error).toBeInstanceOf(InvalidChangeError);
    expect(isRetryable(result.failed[0]!.error)).toBe(false);
    expect((await readState(site.store))!.versions['entry:page-shipping']).toBe(good.version);
  });

  it('splits a failing batch down to the change that fails alone, and publishes every other one', async () => {
    // Prepare: reading one sku throws a bug-like error (not a transient one)
    const site = await publishedSite({
      wrapCatalog: (catalog) => ({ ...catalog, get: async (sku) => { if (sku === 'POISON-1') throw new TypeError('Cannot read properties of undefined'); return catalog.get(sku); } }),
    });
    const products = (await site.catalog.scanAll()).products.slice(0, 6);
    for (const p of products) await site.catalog.put({ ...p, slug: undefined, description: `Fresh words for ${p.sku}.` });
    const batch = [...products.slice(0, 3).map((p) => productChange(p.sku, 9)), productChange('POISON-1', 9), ...products.slice(3).map((p) => productChange(p.sku, 9))];
    const runs: number[] = [];
    const counting = { run: (envelopes: readonly ChangeEnvelope[]) => { runs.push(envelopes.length); return site.worker.run(envelopes); } };
    // Act
    const result = await runIsolated(counting, batch, silentLogger);
    // Assess
    expect(result.failed.map((f) => f.envelope.id)).toEqual(['POISON-1']);
    expect(result.failed[0]!.error.message).toContain('Cannot read properties');
    for (const p of products) expect(await site.page(`/products/${p.slug}/`)).toContain(`Fresh words for ${p.sku}.`);
    // One run of seven, then halves: at most 2·log2(7) + 1 runs.
    expect(runs[0]).toBe(7);
    expect(runs.length).toBeLessThanOrEqual(7);
  });

  it('retries a transient failure as a whole batch instead of splitting it', async () => {
    // Prepare
    let calls = 0;
    const worker = { run: async (): Promise<RebuildResult> => { calls++; throw new CatalogError('DynamoDB GetItem throttled', { retryable: true }); } };
    // Act
    const outcome = await runIsolated(worker, [productChange('A', 1), productChange('B', 1)], silentLogger).catch((e: unknown) => e);
    // Assess
    expect(outcome).toBeInstanceOf(CatalogError);
    expect(calls).toBe(1);
  });
});

describe('invalid catalog items', () => {
  it("withdraws a product whose table item breaks the product rules, reports it, and doesn't fail the run", async () => {
    // Prepare: the store's own importer writes an item no validating route would accept
    const site = await publishedSite();
    const [product, other] = (await site.catalog.scanAll()).products;
    await DynamoDBDocumentClient.from(site.dynamo).send(new PutCommand({ TableName: site.table, Item: { sku: product!.sku, title: product!.title, price: { USD: -5 } } }));
    await site.catalog.put({ ...other!, slug: undefined, description: 'Still going.' });
    // Act
    const result = await site.worker.run([productChange(product!.sku, 4), productChange(other!.sku, 4)]);
    // Assess
    expect(result.failed).toEqual([]);
    expect(result.rejected).toEqual([expect.objectContaining({ sku: product!.sku })]);
    expect(await site.page(`/products/${product!.slug}/`)).toBeUndefined();
    expect(await site.page(`/products/${other!.slug}/`)).toContain('Still going.');
  });

  it('keeps a live page when reading its product fails transiently, and fails the run to be retried', async () => {
    // Prepare
    const site = await publishedSite({ wrapCatalog: (catalog) => ({ ...catalog, get: async () => { throw new CatalogError('DynamoDB GetItem failed: ProvisionedThroughputExceeded', { retryable: true }); } }) });
    const product = (await site.catalog.scanAll()).products[0]!;
    // Act
    const outcome = await site.worker.run([productChange(product.sku, 4)]).catch((e: unknown) => e);
    // Assess
    expect(outcome).toBeInstanceOf(CatalogError);
    expect(await site.page(`/products/${product.slug}/`)).toBeDefined();
  });
});

describe('a split batch whose second half then fails transiently', () => {
  it('returns the first half\'s result and the second half as failed (to retry), instead of losing what went live', async () => {
    // Prepare: the whole batch fails for good (poison), the first half goes live, the second half meets throttling
    const [a, b, c, d] = ['A', 'B', 'C', 'D'].map((sku) => productChange(sku, 1));
    const poison = new InvalidChangeError('Expected a decimal version, got "x"');
    const throttled = new CatalogError('DynamoDB GetItem C: ThrottlingException', { retryable: true });
    const runs: string[][] = [];
    const worker = {
      run: async (envelopes: readonly ChangeEnvelope[]): Promise<RebuildResult> => {
        runs.push(envelopes.map((e) => e.id));
        if (envelopes.length === 4) throw poison;
        if (envelopes[0]!.id === 'C') throw throttled;
        return { mode: 'targeted', skipped: [], failed: [], rendered: ['/products/a/'], renderedPages: [], uploaded: [], deleted: [], invalidated: [], redirects: {}, changedProducts: envelopes.map((e) => e.id), warnings: [], rejected: [{ sku: 'B', field: 'price', message: 'bad' }], stages: {}, timings: { read: 0, build: 0, publish: 0, commit: 0 } };
      },
    };
    // Act
    const result = await runIsolated(worker, [a!, b!, c!, d!], silentLogger);
    // Assess
    expect(runs).toEqual([['A', 'B', 'C', 'D'], ['A', 'B'], ['C', 'D']]);
    expect(result.changedProducts).toEqual(['A', 'B']);
    expect(result.rejected).toEqual([{ sku: 'B', field: 'price', message: 'bad' }]);
    expect(result.failed.map((f) => [f.envelope.id, f.error])).toEqual([['C', throttled], ['D', throttled]]);
  });
});
