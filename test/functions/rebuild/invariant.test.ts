/**
 * The live-site invariant: for any sequence of changes (products, entries, the clock passing sale
 * instants), the bucket after the targeted runs equals a full build from the same data at the same
 * instant, object for object, sheets by data version, and every internal link resolves. When this
 * fails, the design is wrong, not the test.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvariantHarness, invariantProperty } from '../../fixtures/invariant.js';

describe('live site = full build', () => {
  it('holds over random sequences of changes (seeded)', async () => {
    // Act + Assess: fast-check shrinks a failure to its shortest sequence
    await fc.assert(invariantProperty(), { numRuns: Number(process.env.INVARIANT_RUNS ?? 30), seed: Number(process.env.INVARIANT_SEED ?? 20261201) });
  }, 240_000);

  it('holds across compactions, between runs and inside a run\'s commit', async () => {
    // Prepare
    const harness = new InvariantHarness();
    await harness.start();
    const put = (sku: string, price: number) => harness.apply({ kind: 'put', sku, title: 0, slug: undefined, category: 0, price, sale: undefined, group: false, euro: 1, german: undefined });
    // Act: segments, a compaction between runs, more segments, a compaction landing in the next commit
    await put('A-1', 1001);
    await put('B-2', 1002);
    await harness.apply({ kind: 'compact', during: false });
    await put('C-3', 1003);
    await harness.apply({ kind: 'compact', during: true });
    await put('A-1', 1000);
    await harness.apply({ kind: 'publish', id: 'page-about', variant: 2 });
    // Assess: both documents compacted both times, and the site is what a full build makes
    expect(harness.compactions).toBe(4);
    expect(await harness.divergences()).toEqual([]);
  });

  it('ends a sale at its instant: page, listing and sheet flip without any other change', async () => {
    // Prepare: a sale that ends 100 s from now
    const harness = new InvariantHarness();
    await harness.start();
    await harness.apply({ kind: 'put', sku: 'A-1', title: 0, slug: undefined, category: 0, price: 1000, sale: { price: 700, start: undefined, end: 100 / 60 }, group: false, euro: 1, german: undefined });
    const page = () => harness.store.objects.get('products/dome-tent/index.html')!.body.toString('utf8');
    const during = page();
    // Act
    await harness.advance(101_000);
    // Assess
    expect(during).toContain('$7.00');
    expect(page()).not.toContain('$7.00');
    expect(harness.runs.at(-1)?.changedProducts).toEqual(['A-1']);
    expect(await harness.divergences()).toEqual([]);
  });

  it('waits for the instant when a schedule fires early, then flips the sale', async () => {
    // Prepare: a sale that ends in 100 minutes, and its schedule
    const harness = new InvariantHarness();
    await harness.start();
    await harness.apply({ kind: 'put', sku: 'A-1', title: 0, slug: undefined, category: 0, price: 1000, sale: { price: 700, start: undefined, end: 100 }, group: false, euro: 1, german: undefined });
    const [instant] = [...harness.schedule];
    // Act: EventBridge fires 45 s early
    await harness.fireEarly(instant!, 45_000);
    // Assess: the run waited for the instant (the clock moved to it) and the page shows the regular price
    expect(harness.now).toBe(instant);
    expect(harness.store.objects.get('products/dome-tent/index.html')!.body.toString('utf8')).not.toContain('$7.00');
    expect(await harness.divergences()).toEqual([]);
  });

  it('reconciliation finds what pages would show now, not only changed records', async () => {
    // Prepare: a sale ends while nothing runs (no timer fired), so the live page is stale
    const harness = new InvariantHarness();
    await harness.start();
    await harness.apply({ kind: 'put', sku: 'A-1', title: 0, slug: undefined, category: 0, price: 1000, sale: { price: 700, start: undefined, end: 10 }, group: false, euro: 1, german: undefined });
    harness.skipClock(11 * 60_000);
    const stale = (await harness.divergences()).map((d) => d.key);
    // Act
    await harness.reconcile();
    // Assess
    expect(stale).toContain('products/dome-tent/index.html');
    expect(await harness.divergences()).toEqual([]);
  });

  it('moves the later listing pages when a product leaves its item group\'s card', async () => {
    // Prepare: in "tents" (two cards a page) A-1 and B-2 share one card (group H), then C-3 and D-4
    const harness = new InvariantHarness();
    await harness.start();
    const put = (sku: string, title: number, group: boolean) => harness.apply({ kind: 'put', sku, title, slug: undefined, category: 0, price: 1000, sale: undefined, group, euro: 1, german: undefined });
    await put('A-1', 0, true);
    await put('B-2', 0, true);
    await put('C-3', 1, false);
    await put('D-4', 1, false);
    const page2 = () => harness.store.objects.get('categories/tents/page/2/index.html')!.body.toString('utf8');
    expect(page2()).toContain('data-sku="D-4"');
    // Act: B-2 leaves the group, nothing else of it changes
    await put('B-2', 0, false);
    // Assess: four cards now, so C-3 moved to page 2, which does not show B-2
    expect(page2()).toContain('data-sku="C-3"');
    expect(await harness.divergences()).toEqual([]);
  });

  it('keeps a live product on its URL when a newcomer claims the same slug', async () => {
    // Prepare: A-1 lives at /products/dome-tent/
    const harness = new InvariantHarness();
    await harness.start();
    // Act: E-5 (sorted before nobody, yet newer) takes the same explicit slug
    await harness.apply({ kind: 'put', sku: 'E-5', title: 1, slug: 'dome-tent', category: 0, price: 1000, sale: undefined, group: false, euro: 1, german: undefined });
    // Assess
    const owner = harness.store.objects.get('products/dome-tent/index.html')!.body.toString('utf8');
    expect(owner).toContain('data-sku="A-1"');
    expect(harness.store.objects.get('products/dome-tent-e-5/index.html')!.body.toString('utf8')).toContain('data-sku="E-5"');
    expect(harness.runs.at(-1)?.warnings.join('\n')).toMatch(/product E-5: slug "dome-tent" belongs to product A-1; using "dome-tent-e-5"/);
    expect(await harness.divergences()).toEqual([]);
  });

  it('removes every link to an unpublished category, on every page', async () => {
    // Prepare
    const harness = new InvariantHarness();
    await harness.start();
    // Act
    await harness.apply({ kind: 'unpublish', id: 'cat-tents' });
    // Assess
    const linking = [...harness.store.objects].filter(([key, o]) => key.endsWith('.html') && o.body.toString('utf8').includes('href="/categories/tents/"'));
    expect(linking.map(([key]) => key)).toEqual([]);
    expect(await harness.divergences()).toEqual([]);
  });
});
