/** The page builders, each alone over one model context: what pages each adds and the dependency keys they record. */
import { describe, expect, it } from 'vitest';
import { dep } from '../../../../functions/shared/build/deps.js';
import { addBlogPages } from '../../../../functions/shared/build/model/blog.js';
import { addCategoryPages } from '../../../../functions/shared/build/model/categories.js';
import { addCmsPages } from '../../../../functions/shared/build/model/cms-pages.js';
import { modelContext } from '../../../../functions/shared/build/model/context.js';
import { addSiteFiles } from '../../../../functions/shared/build/model/files.js';
import { addHomePage } from '../../../../functions/shared/build/model/home.js';
import { addProductPages } from '../../../../functions/shared/build/model/products.js';
import type { ContentEntity } from '../../../../functions/shared/content/types.js';
import { entry, paragraph, richDoc, snapshotOf } from '../../../fixtures/content.js';
import { product } from '../../../fixtures/products.js';
import { SITE } from '../../../fixtures/site.js';

const config = { ...SITE, listingPageSize: 2, now: new Date('2026-11-20T00:00:00Z') };
const link = (id: string) => ({ nodeType: 'entry-hyperlink', data: { target: { sys: { id, type: 'Link', linkType: 'Entry' } } }, content: [{ nodeType: 'text', value: 'see', marks: [], data: {} }] });
const context = (entries: ContentEntity[], catalog = [product()]) => modelContext(snapshotOf(entries), catalog, config);

const embed = (id: string) => ({ nodeType: 'embedded-entry-block', data: { target: { sys: { id, type: 'Link', linkType: 'Entry' } } }, content: [] });
const dealsPage = (collection: Record<string, unknown>) => [
  entry('deals', 'page', { title: 'Deals', slug: 'deals', body: richDoc(paragraph({ nodeType: 'text', value: 'Before.', marks: [], data: {} } as never), embed('picks') as never, paragraph({ nodeType: 'text', value: 'After.', marks: [], data: {} } as never)) }),
  entry('picks', 'collection', { title: 'Picks', ...collection }),
];
const bodyOf = (ctx: ReturnType<typeof context>) => ctx.pagesFor().find((p) => p.url === '/deals/')!;
type Part = { html?: string; collection?: { title: string; total: number; products: Array<{ sku: string; price?: { sale?: string } }> } };

describe('collections embedded in CMS pages', () => {
  const sale = (sku: string, price: number, salePrice: number, window: { saleStart?: string; saleEnd?: string } = {}) => product({ sku, slug: sku.toLowerCase(), title: sku, price: { USD: price, EUR: price }, salePrice: { USD: salePrice }, ...window });

  it('lists the products on sale at the build\'s instant, best discount first, where the editor placed it, and re-lists at the next sale instant', () => {
    // Prepare: C's sale has not started, D's has ended, E is not on sale
    const ctx = context(dealsPage({ rule: 'onSale', sort: 'discount' }), [
      sale('A', 10000, 9000), sale('B', 10000, 5000), sale('C', 10000, 1000, { saleStart: '2026-11-27T00:00:00Z' }), sale('D', 10000, 1000, { saleEnd: '2026-11-01T00:00:00Z' }), product({ sku: 'E', slug: 'e' }),
    ]);
    // Act
    addCmsPages(ctx);
    const page = bodyOf(ctx);
    // Assess
    const parts = page.data.body as Part[];
    expect(parts.map((p) => (p.html ? 'html' : 'collection'))).toEqual(['html', 'collection', 'html']);
    expect(parts[0]!.html).toContain('Before.');
    expect(parts[1]!.collection!.products.map((c) => c.sku)).toEqual(['B', 'A']);
    expect(parts[1]!.collection!.products[0]!.price?.sale).toBe('$50.00');
    expect(page.deps).toEqual(expect.arrayContaining([dep.entry('picks'), dep.collection.onSale, dep.sku('A'), dep.sku('B')]));
    expect(page.validUntil).toBe(Date.parse('2026-11-27T00:00:00Z'));
  });

  it('lists a category\'s or a brand\'s products by price, or the skus named in their order, up to its limit, in the market\'s currency', () => {
    // Prepare
    const catalog = [
      product({ sku: 'A', slug: 'a', title: 'A', brand: 'Acme', price: { USD: 300, EUR: 100 } }), product({ sku: 'B', slug: 'b', title: 'B', brand: 'acme ', price: { USD: 100, EUR: 300 } }),
      product({ sku: 'C', slug: 'c', title: 'C', brand: 'Other', category: 'tents', price: { USD: 200, EUR: 200 } }),
    ];
    const category = entry('cat', 'category', { title: 'Running', slug: 'running-shoes' });
    const collection = (c: Record<string, unknown>) => {
      const ctx = context([...dealsPage(c), category], catalog);
      addCmsPages(ctx);
      return ctx;
    };
    // Act
    const byCategory = collection({ rule: 'category', category: { sys: { id: 'cat', type: 'Link', linkType: 'Entry' } }, sort: 'priceAsc' });
    const byBrand = collection({ rule: 'brand', brand: 'ACME', sort: 'priceDesc', limit: 1 });
    const bySkus = collection({ rule: 'skus', skus: ['C', 'GONE', 'A'] });
    // Assess
    const skus = (ctx: ReturnType<typeof context>) => (bodyOf(ctx).data.body as Part[]).find((p) => p.collection)!.collection!;
    expect(skus(byCategory).products.map((c) => c.sku)).toEqual(['B', 'A']);
    expect(bodyOf(byCategory).deps).toEqual(expect.arrayContaining([dep.entry('cat'), dep.collection.category('running-shoes')]));
    expect(skus(byBrand)).toMatchObject({ total: 2, products: [{ sku: 'A' }] });
    expect(bodyOf(byBrand).deps).toContain(dep.collection.brand('acme'));
    expect(skus(bySkus).products.map((c) => c.sku)).toEqual(['C', 'A']);
    expect(bodyOf(bySkus).deps).toEqual(expect.arrayContaining([dep.sku('GONE')]));
  });

  it('warns of a malformed collection, naming the entry and field, and shows it empty while the rest of the page builds', () => {
    // Prepare
    const ctx = context(dealsPage({ rule: 'cheapest', limit: 1000 }), [sale('A', 10000, 9000)]);
    // Act
    addCmsPages(ctx);
    // Assess
    const parts = bodyOf(ctx).data.body as Part[];
    expect(parts.find((p) => p.collection)!.collection).toMatchObject({ title: 'Picks', products: [], total: 0 });
    expect(parts[0]!.html).toContain('Before.');
    expect(ctx.warnings).toEqual([
      { subject: 'entry picks', field: 'rule', message: 'expected one of onSale, category, brand, skus, got "cheapest"; the collection shows nothing' },
      { subject: 'entry picks', field: 'limit', message: 'expected a whole number from 1 to 96, got 1000; showing up to 96' },
    ]);
  });
});

describe('page builders', () => {
  it('product pages read their product, category, story slot, group and every variant', () => {
    // Prepare
    const ctx = context([entry('cat', 'category', { title: 'Running', slug: 'running-shoes' })], [
      product({ sku: 'A-41', slug: 'a-41', itemGroupId: 'A' }), product({ sku: 'A-42', slug: 'a-42', itemGroupId: 'A' }),
    ]);
    // Act
    addProductPages(ctx);
    // Assess
    expect(ctx.pagesFor().map((p) => p.url)).toEqual(['/products/a-41/', '/products/a-42/']);
    expect(ctx.pagesFor()[0]!.deps).toEqual(expect.arrayContaining([dep.sku('A-41'), dep.sku('A-42'), dep.entry('cat'), dep.url('/categories/running-shoes/'), dep.story('A-41'), dep.group('A')]));
    expect(ctx.all.map((r) => r.primary)).toEqual([dep.sku('A-41'), dep.sku('A-42')]);
  });

  it('category listings paginate by the page size and read the listing and the skus they show', () => {
    // Prepare
    const ctx = context([entry('cat', 'category', { title: 'Running', slug: 'running-shoes' })], ['C', 'A', 'B'].map((t) => product({ sku: t, slug: t.toLowerCase(), title: t })));
    // Act
    addCategoryPages(ctx);
    // Assess
    expect(ctx.pagesFor().map((p) => p.url)).toEqual(['/categories/running-shoes/', '/categories/running-shoes/page/2/']);
    expect(ctx.pagesFor()[1]!.deps).toEqual(expect.arrayContaining([dep.listing('running-shoes'), dep.sku('C')]));
    expect(ctx.pagesFor()[1]!.deps).not.toContain(dep.sku('A'));
  });

  it('category listings show one card per item group and read every member on the page', () => {
    // Prepare: are one group (their card stands where A-1 does), B and C are alone
    const ctx = context([entry('cat', 'category', { title: 'Running', slug: 'running-shoes' })], [
      product({ sku: 'A-1', slug: 'a-1', title: 'Alpha — Blue', itemGroupId: 'A', color: 'blue' }), product({ sku: 'A-2', slug: 'a-2', title: 'Alpha — Red', itemGroupId: 'A', color: 'red' }),
      product({ sku: 'B', slug: 'b', title: 'B' }), product({ sku: 'C', slug: 'c', title: 'C' }),
    ]);
    // Act
    addCategoryPages(ctx);
    const [first, second] = ctx.pagesFor();
    // Assess
    expect((first!.data.products as Array<{ sku: string; title: string }>).map((c) => [c.sku, c.title])).toEqual([['A-1', 'Alpha'], ['B', 'B']]);
    expect(first!.deps).toEqual(expect.arrayContaining([dep.sku('A-1'), dep.sku('A-2'), dep.sku('B')]));
    expect(second!.data.pagination).toMatchObject({ page: 2, pageCount: 2, total: 3 });
    expect(second!.deps).not.toContain(dep.sku('A-2'));
  });

  it('CMS pages read the entries their rich text links to', () => {
    // Prepare
    const ctx = context([entry('about', 'page', { title: 'About', slug: 'about', body: richDoc(paragraph(link('shipping') as never)) }), entry('shipping', 'page', { title: 'Shipping', slug: 'shipping' })]);
    // Act
    addCmsPages(ctx);
    // Assess
    const about = ctx.pagesFor().find((p) => p.url === '/about/')!;
    expect(about.deps).toEqual([dep.entry('about'), dep.entry('shipping')]);
    expect(JSON.stringify(about.data.body)).toContain('href=\\"/shipping/\\"');
  });

  it('the journal lists posts newest first and the home page shows the latest, reading featured skus even before they exist', () => {
    // Prepare
    const ctx = context([
      entry('old', 'blogPost', { title: 'Old', slug: 'old', publishDate: '2026-01-01' }), entry('new', 'blogPost', { title: 'New', slug: 'new', publishDate: '2026-06-01' }),
      entry('settings', 'siteSettings', { siteName: 'Shop', featuredSkus: ['TR2-BLK-42', 'COMING-SOON'] }),
    ]);
    // Act
    const posts = addBlogPages(ctx);
    addHomePage(ctx, posts);
    // Assess
    expect(posts.map((p) => p.url)).toEqual(['/blog/new/', '/blog/old/']);
    const home = ctx.pagesFor().find((p) => p.url === '/')!;
    expect((home.data.posts as Array<{ url: string }>).map((p) => p.url)).toEqual(['/blog/new/', '/blog/old/']);
    expect(home.deps).toEqual(expect.arrayContaining([dep.sku('COMING-SOON'), dep.urlsetOf('blog'), dep.entry('new')]));
    expect((home.data.featured as unknown[])).toHaveLength(1);
  });

  it('the site files list every directory URL in the sitemap but the search page, and nothing else', () => {
    // Prepare
    const ctx = context([]);
    addProductPages(ctx);
    // Act
    addSiteFiles(ctx);
    // Assess
    expect(ctx.all.map((r) => r.url)).toEqual(['/products/trail-runner-2-black-42/', '/404.html', '/search/', '/sitemap.xml', '/robots.txt']);
    expect(ctx.pagesFor().find((p) => p.url === '/sitemap.xml')!.data.urls).toEqual(['https://shop.example.com/products/trail-runner-2-black-42/']);
  });
});
