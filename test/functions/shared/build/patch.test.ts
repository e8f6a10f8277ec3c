/**
 * A warm outline patched with catalog changes equals a fresh outline of the new catalog: the same
 * pages listed, the same data and dependencies on every page, the same warnings. The targeted
 * rebuild plans against the patched one, so this is what keeps it equal to a full build.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { outlineSite, type SiteConfig, type SiteOutline } from '../../../../functions/shared/build/site-model.js';
import type { Product } from '../../../../functions/shared/catalog/product.js';
import type { ContentEntity } from '../../../../functions/shared/content/types.js';
import { entry, paragraph, richDoc, snapshotOf, textNode } from '../../../fixtures/content.js';
import { product } from '../../../fixtures/products.js';
import { DEMO_MARKETS } from '../../../../functions/shared/markets/markets.js';

const START = Date.parse('2026-11-30T22:00:00Z');
const SKUS = ['A-1', 'B-2', 'C-3', 'D-4', 'E-5', 'F-6'];
const content = snapshotOf([
  entry('cat-tents', 'category', { title: 'Tents', slug: 'tents' }),
  entry('cat-boots', 'category', { title: 'Boots', slug: 'boots' }),
  entry('settings', 'siteSettings', { siteName: 'Mini', featuredSkus: ['A-1', 'F-6'] }),
]);
const config = (now: number): SiteConfig => ({ baseUrl: 'https://shop.example.com', markets: DEMO_MARKETS, listingPageSize: 2, now: new Date(now) });

const productArbitrary = (sku: string): fc.Arbitrary<Product> => fc.record({
  title: fc.constantFrom('Dome Tent', 'Trail Boot', 'Ζεστό μπουφάν', 'apple'),
  // Collisions now and then: a change that starts or ends one is refused (the caller outlines afresh).
  slug: fc.oneof({ weight: 12, arbitrary: fc.constantFrom(`p-${sku.toLowerCase()}`, `q-${sku.toLowerCase()}`) }, { weight: 1, arbitrary: fc.constantFrom('shared', 'shared-a-1') }),
  category: fc.option(fc.constantFrom('tents', 'boots', 'unlisted'), { nil: undefined }),
  group: fc.option(fc.constantFrom('G1', 'G2'), { nil: undefined }),
  price: fc.integer({ min: 1000, max: 1003 }),
  sale: fc.option(fc.record({ price: fc.integer({ min: 500, max: 900 }), start: fc.integer({ min: -60, max: 60 }), end: fc.integer({ min: 61, max: 240 }) }), { nil: undefined }),
}).map(({ title, slug, category, group, price, sale }) => product({
  sku, title, slug, price: { USD: price, EUR: price + 100 },
  ...(category ? { category } : { category: undefined }),
  ...(group ? { itemGroupId: group, color: sku } : {}),
  ...(sale ? { salePrice: { USD: sale.price, EUR: sale.price }, saleStart: new Date(START + sale.start * 60_000).toISOString(), saleEnd: new Date(START + sale.end * 60_000).toISOString() } : {}),
}));

const changeArbitrary = fc.uniqueArray(fc.constantFrom(...SKUS), { minLength: 1, maxLength: 3 }).chain((skus) =>
  fc.tuple(...skus.map((sku) => fc.option(productArbitrary(sku), { nil: undefined, freq: 4 }).map((p) => [sku, p] as const))));

/** What an outline lists and shows, order-free. */
function view(outline: SiteOutline) {
  const byUrl = <T extends { url: string }>(list: T[]) => [...list].sort((a, b) => (a.url < b.url ? -1 : 1));
  return {
    refs: byUrl(outline.outline.all.map((r) => ({ ...r }))),
    pages: byUrl(outline.pagesFor()),
    warnings: outline.outline.warnings.map((w) => JSON.stringify(w)).sort(),
  };
}

describe('patched outline', () => {
  it('equals a fresh outline of the new catalog after any sequence of changes', () => {
    let patched = 0;
    fc.assert(fc.property(
      fc.tuple(...SKUS.map((sku) => fc.option(productArbitrary(sku), { nil: undefined }))),
      fc.array(fc.tuple(changeArbitrary, fc.integer({ min: 0, max: 120 })), { minLength: 1, maxLength: 6 }),
      (initial, steps) => {
        // Prepare
        const catalog = new Map(initial.filter((p): p is Product => p !== undefined).map((p) => [p.sku, p]));
        let now = START;
        let warm = outlineSite(content, [...catalog.values()], config(now));
        for (const [changes, minutes] of steps) {
          now += minutes * 60_000;
          for (const [sku, p] of changes) if (p) catalog.set(sku, p); else catalog.delete(sku);
          // Act
          const delta = warm.patch(new Map(changes), new Date(now));
          // Assess
          const fresh = outlineSite(content, [...catalog.values()], config(now));
          if (delta) {
            patched++;
            expect(view(warm)).toEqual(view(fresh));
          } else {
            warm = fresh;
          }
        }
      },
    ), { numRuns: 300, seed: 20261203 });
    expect(patched).toBeGreaterThan(300);
  });

  it('refuses a change that starts a slug collision, leaving the outline as it was', () => {
    // Prepare
    const a = product({ sku: 'A-1', slug: 'tent', category: 'tents' });
    const warm = outlineSite(content, [a, product({ sku: 'B-2', slug: 'boot', category: 'tents' })], config(START));
    const before = view(warm);
    // Act
    const delta = warm.patch(new Map([['B-2', product({ sku: 'B-2', slug: 'tent', category: 'tents' })]]), new Date(START));
    // Assess
    expect(delta).toBeUndefined();
    expect(view(warm)).toEqual(before);
  });

  it('re-lists only the product, its category and the home page for a price change', () => {
    // Prepare
    const products = SKUS.map((sku) => product({ sku, slug: sku.toLowerCase(), category: 'tents' }));
    const warm = outlineSite(content, products, config(START));
    // Act
    const delta = warm.patch(new Map([['C-3', { ...products[2]!, price: { ...products[2]!.price, USD: 1 } }]]), new Date(START));
    // Assess: the EUR market shows nothing of a USD price
    expect(delta?.after.map((r) => r.url).sort()).toEqual(['/', '/categories/tents/', '/categories/tents/page/2/', '/categories/tents/page/3/', '/products/c-3/']);
  });

  it('re-lists only the German market for a EUR price change', () => {
    // Prepare
    const products = SKUS.map((sku) => product({ sku, slug: sku.toLowerCase(), category: 'tents' }));
    const warm = outlineSite(content, products, config(START));
    // Act
    const delta = warm.patch(new Map([['C-3', { ...products[2]!, price: { ...products[2]!.price, EUR: 1 } }]]), new Date(START));
    // Assess
    expect(delta?.after.map((r) => r.url).sort()).toEqual(['/de/', '/de/categories/tents/', '/de/categories/tents/page/2/', '/de/categories/tents/page/3/', '/de/products/c-3/']);
  });

  it('re-lists a category whose entry changed, and no product, for a category title change', () => {
    // Prepare
    const products = SKUS.map((sku) => product({ sku, slug: sku.toLowerCase(), category: 'tents' }));
    const warm = outlineSite(content, products, config(START));
    const renamed = snapshotOf([...content.entries.values()].map((e) => (e.sys.id === 'cat-tents' ? entry('cat-tents', 'category', { title: 'Shelters', slug: 'tents' }, 2) : e)));
    // Act
    const delta = warm.patchContent(renamed, new Set(['entry:cat-tents']), new Date(START));
    // Assess: the tents listing (all its pages) and the units that read content; no product page
    const urls = delta!.after.map((r) => r.url);
    expect(urls).toContain('/categories/tents/page/3/');
    expect(urls.filter((u) => u.includes('/products/'))).toEqual([]);
    expect(urls.filter((u) => u.includes('/boots/'))).toEqual([]);
    expect(view(warm)).toEqual(view(outlineSite(renamed, products, config(START))));
  });

  it('refuses a content change that changes the navigation, leaving the outline as it was', () => {
    // Prepare: the about page is in the navigation
    const withNav = [...content.entries.values()].map((e) => (e.sys.id === 'settings' ? entry('settings', 'siteSettings', { siteName: 'Mini', navigation: [{ sys: { type: 'Link', linkType: 'Entry', id: 'about' } }] }) : e));
    const about = (title: string) => entry('about', 'page', { title, slug: 'about', body: richDoc(paragraph(textNode('Hi.'))) });
    const warm = outlineSite(snapshotOf([...withNav, about('About')]), [product({ sku: 'A-1', category: 'tents' })], config(START));
    const before = view(warm);
    // Act
    const delta = warm.patchContent(snapshotOf([...withNav, about('About us')]), new Set(['entry:about']), new Date(START));
    // Assess
    expect(delta).toBeUndefined();
    expect(view(warm)).toEqual(before);
  });

  it('equals a fresh outline of the new content after any sequence of publishes, unpublishes and catalog changes', () => {
    const link = (id: string) => ({ sys: { type: 'Link', linkType: 'Entry', id } });
    const entryLink = (id: string, label: string) => ({ nodeType: 'entry-hyperlink', data: { target: link(id) }, content: [textNode(label)] });
    /** Editorial entries by id, as functions of a variant: slugs move and collide, titles change, links point across. */
    const ENTRIES: Record<string, (v: number) => ContentEntity> = {
      'cat-tents': (v) => entry('cat-tents', 'category', { title: v % 2 ? 'Tents' : 'Shelters', slug: v % 3 === 2 ? 'shelters' : 'tents', description: richDoc(paragraph(entryLink('post-1', 'read'))) }, v + 1),
      'cat-boots': (v) => entry('cat-boots', 'category', { title: v % 2 ? 'Boots' : 'Footwear', slug: v % 3 === 2 ? 'tents' : 'boots' }, v + 1),
      'page-about': (v) => entry('page-about', 'page', { title: `About ${v}`, slug: v % 3 === 2 ? 'about-us' : 'about', body: richDoc(paragraph(entryLink('cat-tents', 'tents'), entryLink('post-1', 'journal'))) }, v + 1),
      'page-deals': (v) => entry('page-deals', 'page', { title: 'Deals', slug: 'deals', body: richDoc(paragraph(textNode(`Deals ${v}`)), { nodeType: 'embedded-entry-block', data: { target: link('collection-1') }, content: [] } as never) }, v + 1),
      'collection-1': (v) => entry('collection-1', 'collection', [{ title: 'Tents', rule: 'category', category: link('cat-tents'), limit: 2 }, { title: 'Sale', rule: 'onSale' }, { title: 'Bad', rule: 'cheapest' }][v % 3]!, v + 1),
      'post-1': (v) => entry('post-1', 'blogPost', { title: `Post ${v}`, slug: v % 3 === 2 ? 'moved' : 'first', author: link('author-1'), publishDate: `2026-1${v % 2}-01`, body: richDoc(paragraph(entryLink('page-about', 'about'))) }, v + 1),
      'post-2': (v) => entry('post-2', 'blogPost', { title: `Second ${v}`, slug: v % 4 === 3 ? 'first' : 'second', publishDate: '2026-10-15', body: richDoc(paragraph(textNode('Hi.'))) }, v + 1),
      'author-1': (v) => entry('author-1', 'author', { name: `Mara ${v}`, bio: 'Guide.' }, v + 1),
      'story-a': (v) => entry('story-a', 'productContent', { sku: v % 2 ? 'A-1' : 'B-2', story: richDoc(paragraph(textNode(`Story ${v} `), entryLink('cat-boots', 'boots'))) }, v + 1),
    };
    const settings = entry('settings', 'siteSettings', { siteName: 'Mini', navigation: [link('cat-boots')], featuredSkus: ['A-1', 'F-6'] });
    const step = fc.oneof(
      { weight: 3, arbitrary: fc.record({ kind: fc.constant('publish' as const), id: fc.constantFrom(...Object.keys(ENTRIES)), variant: fc.nat(5) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('unpublish' as const), id: fc.constantFrom(...Object.keys(ENTRIES)) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('catalog' as const), changes: changeArbitrary }) },
    );
    let patched = 0;
    fc.assert(fc.property(
      fc.tuple(...SKUS.map((sku) => fc.option(productArbitrary(sku), { nil: undefined }))),
      fc.array(step, { minLength: 1, maxLength: 8 }),
      (initial, steps) => {
        // Prepare: every entry published at variant 1
        const catalog = new Map(initial.filter((p): p is Product => p !== undefined).map((p) => [p.sku, p]));
        const entries = new Map(Object.entries(ENTRIES).map(([id, make]) => [id, make(1)]));
        const snapshot = () => snapshotOf([settings, ...entries.values()]);
        let now = START;
        let warm = outlineSite(snapshot(), [...catalog.values()], config(now));
        for (const s of steps) {
          now += 7 * 60_000;
          // Act
          let delta;
          if (s.kind === 'catalog') {
            for (const [sku, p] of s.changes) if (p) catalog.set(sku, p); else catalog.delete(sku);
            delta = warm.patch(new Map(s.changes), new Date(now));
          } else {
            if (s.kind === 'publish') entries.set(s.id, ENTRIES[s.id]!(s.variant));
            else entries.delete(s.id);
            delta = warm.patchContent(snapshot(), new Set([`entry:${s.id}`]), new Date(now));
          }
          // Assess
          const fresh = outlineSite(snapshot(), [...catalog.values()], config(now));
          if (delta) {
            if (s.kind !== 'catalog') patched++;
            expect(view(warm)).toEqual(view(fresh));
          } else {
            warm = fresh;
          }
        }
      },
    ), { numRuns: 200, seed: 20261207 });
    expect(patched).toBeGreaterThan(400);
  });
});
