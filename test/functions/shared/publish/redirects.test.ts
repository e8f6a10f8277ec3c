/** The redirect map after a full build: what moved gets a 301 in its own market, what points nowhere goes. */
import { describe, expect, it } from 'vitest';
import { readRedirects, reconcileRedirects, writeRedirects } from '../../../../functions/shared/publish/redirects.js';
import { MemoryStore } from '../../../fixtures/memory.js';

const SITES = { us: { market: 'us', prefix: '/' }, de: { market: 'de', prefix: '/de/' } };

describe('reconcileRedirects', () => {
  it('redirects a record\'s old URL to its new one in the same market, and keeps the rest', async () => {
    // Prepare: A-1 moved from /products/a/ to /products/a-2/ (and its German page likewise); /about/ stays
    const store = new MemoryStore();
    await writeRedirects(store, { '/old-about/': '/about/' });
    const previous = { '/products/a/': { primary: 'sku:A-1' }, '/de/products/a/': { primary: 'sku:A-1' }, '/about/': { primary: 'entry:about' } };
    const next = { '/products/a-2/': { primary: 'sku:A-1' }, '/de/products/a-2/': { primary: 'sku:A-1' }, '/about/': { primary: 'entry:about' } };
    // Act
    const merged = await reconcileRedirects(store, previous, next, SITES);
    // Assess
    expect(merged).toEqual({ '/old-about/': '/about/', '/products/a/': '/products/a-2/', '/de/products/a/': '/de/products/a-2/' });
    expect(await readRedirects(store)).toEqual(merged);
  });

  it('drops a redirect whose target is gone and one whose source is a page again, and collapses chains', async () => {
    // Prepare
    const store = new MemoryStore();
    await writeRedirects(store, { '/products/gone-old/': '/products/gone/', '/products/back/': '/products/elsewhere/', '/products/x/': '/products/y/', '/products/y/': '/products/z/' });
    const next = { '/products/back/': { primary: 'sku:B' }, '/products/elsewhere/': { primary: 'sku:C' }, '/products/z/': { primary: 'sku:X' } };
    // Act
    const merged = await reconcileRedirects(store, {}, next, SITES);
    // Assess
    expect(merged).toEqual({ '/products/x/': '/products/z/', '/products/y/': '/products/z/' });
  });

  it('writes nothing when the map stays as it is', async () => {
    // Prepare
    const store = new MemoryStore();
    await writeRedirects(store, { '/products/a/': '/products/b/' });
    const before = store.objects.get('_restatic/redirects.json')!;
    // Act
    await reconcileRedirects(store, { '/products/b/': { primary: 'sku:B' } }, { '/products/b/': { primary: 'sku:B' } }, SITES);
    // Assess
    expect(store.objects.get('_restatic/redirects.json')).toBe(before);
  });
});
