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

  it('CMS pages read the entries their rich text links to', () => {
    // Prepare
    const ctx = context([entry('about', 'page', { title: 'About', slug: 'about', body: richDoc(paragraph(link('shipping') as never)) }), entry('shipping', 'page', { title: 'Shipping', slug: 'shipping' })]);
    // Act
    addCmsPages(ctx);
    // Assess
    const about = ctx.pagesFor().find((p) => p.url === '/about/')!;
    expect(about.deps).toEqual([dep.entry('about'), dep.entry('shipping')]);
    expect(String(about.data.bodyHtml)).toContain('href="/shipping/"');
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

  it('the site files list every directory URL in the sitemap and nothing else', () => {
    // Prepare
    const ctx = context([]);
    addProductPages(ctx);
    // Act
    addSiteFiles(ctx);
    // Assess
    expect(ctx.all.map((r) => r.url)).toEqual(['/products/trail-runner-2-black-42/', '/404.html', '/sitemap.xml', '/robots.txt']);
    expect(ctx.pagesFor().find((p) => p.url === '/sitemap.xml')!.data.urls).toEqual(['https://shop.example.com/products/trail-runner-2-black-42/']);
  });
});
