/** Planning a targeted rebuild: changed keys → candidate pages, URL-set changes, slug redirects. */
import { describe, expect, it } from 'vitest';
import { planPages, productChangeKeys } from '../../../functions/rebuild/plan.js';
import type { PageRef } from '../../../functions/shared/build/site-model.js';
import type { PageIndexEntry } from '../../../functions/shared/state/site-state.js';

const entry = (deps: string[], primary?: string): PageIndexEntry => ({ key: 'k', layout: 'product', dataHash: 'h', deps, ...(primary ? { primary } : {}) });
const ref = (url: string, primary?: string): PageRef => ({ url, key: url.slice(1), layout: 'product', ...(primary ? { primary } : {}) });

const previous: Record<string, PageIndexEntry> = {
  '/': entry(['urlset:blog', 'urlset:categories', 'sku:A']),
  '/products/a/': entry(['sku:A', 'entry:cat-1'], 'sku:A'),
  '/products/b/': entry(['sku:B', 'entry:cat-1'], 'sku:B'),
  '/categories/shoes/': entry(['entry:cat-1', 'listing:shoes', 'sku:A', 'sku:B']),
  '/categories/shoes/page/2/': entry(['entry:cat-1', 'listing:shoes', 'sku:C']),
  '/sitemap.xml': entry(['urlset']),
};
const sameUrls = Object.entries(previous).map(([url, e]) => ref(url, e.primary));

describe('planPages', () => {
  it('makes candidates of exactly the pages that read a changed key', () => {
    // Act
    const plan = planPages(['sku:B'], previous, sameUrls);
    // Assess
    expect([...plan.candidates].sort()).toEqual(['/categories/shoes/', '/products/b/']);
    expect(plan.removed).toEqual([]);
    expect(plan.redirects).toEqual({});
  });

  it('adds new pages and the pages that list URLs when the URL set changes, and redirects a moved record', () => {
    // Prepare: product A's slug changed
    const next = [ref('/'), ref('/products/a-new/', 'sku:A'), ref('/products/b/', 'sku:B'), ref('/categories/shoes/'), ref('/categories/shoes/page/2/'), ref('/sitemap.xml')];
    // Act
    const plan = planPages(['sku:A'], previous, next);
    // Assess: the old URL is removed (not a candidate) and redirects to the new one
    expect([...plan.candidates].sort()).toEqual(['/', '/categories/shoes/', '/products/a-new/', '/sitemap.xml']);
    expect(plan.removed).toEqual(['/products/a/']);
    expect(plan.redirects).toEqual({ '/products/a/': '/products/a-new/' });
  });

  it('makes every page of a category a candidate for a change a listing shows, and not for a detail-only change', () => {
    // Prepare
    const before = { sku: 'A', title: 'Shoe', category: 'shoes', description: 'old' } as never;
    const detail = { sku: 'A', title: 'Shoe', category: 'shoes', description: 'new' } as never;
    const renamed = { sku: 'A', title: 'Boot', category: 'shoes', description: 'old' } as never;
    // Act
    const detailPlan = planPages(productChangeKeys('A', before, detail), previous, sameUrls);
    const renamedPlan = planPages(productChangeKeys('A', before, renamed), previous, sameUrls);
    // Assess
    expect(productChangeKeys('A', before, detail)).toEqual(['sku:A', 'collection:category:shoes']);
    expect([...detailPlan.candidates].sort()).toEqual(['/', '/categories/shoes/', '/products/a/']);
    expect(productChangeKeys('A', before, renamed)).toEqual(['sku:A', 'listing:shoes', 'collection:category:shoes']);
    expect([...renamedPlan.candidates].sort()).toEqual(['/', '/categories/shoes/', '/categories/shoes/page/2/', '/products/a/']);
  });

  it('leaves the other pages of a category alone for a change only its card shows (price, stock, image)', () => {
    // Prepare: a card shows the price; its order is by title, so only the page showing the card reads it
    const before = { sku: 'A', title: 'Shoe', category: 'shoes', price: { USD: 100 }, availability: 'in_stock', images: [] } as never;
    const repriced = { sku: 'A', title: 'Shoe', category: 'shoes', price: { USD: 90 }, availability: 'out_of_stock', images: ['x'] } as never;
    // Act
    const keys = productChangeKeys('A', before, repriced);
    // Assess
    expect(keys).toEqual(['sku:A', 'collection:category:shoes']);
    expect([...planPages(keys, previous, sameUrls).candidates].sort()).toEqual(['/', '/categories/shoes/', '/products/a/']);
  });

  it('touches the on-sale collections for any change of a product with a sale price (before or after), and its brand\'s', () => {
    // Prepare
    const plain = { sku: 'A', title: 'Shoe', brand: ' Acme ', price: { USD: 100 }, availability: 'in_stock', images: [] } as never;
    const onSale = { sku: 'A', title: 'Shoe', brand: ' Acme ', price: { USD: 100 }, salePrice: { USD: 80 }, availability: 'in_stock', images: [] } as never;
    const restocked = { sku: 'A', title: 'Shoe', brand: ' Acme ', price: { USD: 100 }, availability: 'out_of_stock', images: [] } as never;
    // Act
    const started = productChangeKeys('A', plain, onSale);
    const ended = productChangeKeys('A', onSale, plain);
    const neither = productChangeKeys('A', plain, restocked);
    // Assess
    expect(started).toEqual(['sku:A', 'collection:brand:acme', 'collection:onSale']);
    expect(new Set(ended)).toEqual(new Set(started));
    expect(neither).toEqual(['sku:A', 'collection:brand:acme']);
  });

  it('makes a page whose time has come a candidate, and not before', () => {
    // Prepare: product B's sale ends at T (the page changes at T)
    const T = Date.parse('2026-12-01T23:59:00.001Z');
    const timed = { ...previous, '/products/b/': { ...previous['/products/b/']!, validUntil: T } };
    // Act
    const before = planPages([], timed, sameUrls, { now: new Date(T - 1) });
    const at = planPages([], timed, sameUrls, { now: new Date(T) });
    // Assess
    expect([...before.candidates]).toEqual([]);
    expect([...at.candidates]).toEqual(['/products/b/']);
  });

  it('makes a URL that passed to another record a candidate, and redirects the old record to its new URL', () => {
    // Prepare: A gave up slug "a"; B (which wanted "a" and lived at /products/b/) takes it over
    const next = [ref('/'), ref('/products/a/', 'sku:B'), ref('/products/a-2/', 'sku:A'), ref('/categories/shoes/'), ref('/categories/shoes/page/2/'), ref('/sitemap.xml')];
    // Act
    const plan = planPages([], previous, next);
    // Assess
    expect(plan.candidates.has('/products/a/')).toBe(true);
    expect(plan.redirects).toEqual({ '/products/b/': '/products/a/' });
  });

  it('makes every page a candidate when asked (the shell changed, or reconciliation)', () => {
    // Act
    const plan = planPages([], previous, sameUrls, { now: new Date(0), all: true });
    // Assess
    expect([...plan.candidates].sort()).toEqual(Object.keys(previous).sort());
  });
});
