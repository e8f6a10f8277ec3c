/** The site rendered through Eleventy's programmatic API: pages, escaping, JSON-LD, listings. */
import { describe, expect, it } from 'vitest';
import { renderPages } from '../../functions/shared/build/render.js';
import { buildSiteModel, outlineSite, type SiteConfig } from '../../functions/shared/build/site-model.js';
import { activeSalePrice, validateProduct, type Product } from '../../functions/shared/catalog/product.js';
import { demoProducts } from '../../functions/shared/demo/products.js';
import { demoSnapshot, entry, hyperlinkNode, paragraph, richDoc, snapshotOf } from '../fixtures/content.js';
import { HOSTILE, productItem } from '../fixtures/products.js';
import { DEMO_MARKETS } from '../../functions/shared/markets/markets.js';

const config: SiteConfig = { baseUrl: 'https://shop.example.com', markets: DEMO_MARKETS, listingPageSize: 24, now: new Date('2026-11-28T12:00:00Z') };
const demoCatalog = (n: number): Product[] => [...demoProducts(n)].map(validateProduct);

async function renderAll(model: ReturnType<typeof buildSiteModel>) {
  const pages = await renderPages(model.pages, { sites: model.sites, css: '/assets/style-0123456789.css', js: '/assets/cart-0123456789.js' });
  return new Map(pages.map((p) => [p.url, p.body.toString('utf8')]));
}

describe('site model', () => {
  it('has every page type of docs/contracts.md §3 with 24 products per listing page', () => {
    // Prepare
    const products = demoCatalog(300);
    // Act
    const model = buildSiteModel(demoSnapshot(), products, config);
    // Assess
    const urls = new Set(model.pages.map((p) => p.url));
    for (const url of ['/', '/blog/', '/about/', '/404.html', '/sitemap.xml', '/robots.txt', '/categories/running-shoes/']) expect(urls).toContain(url);
    // Every page type again under the de market's prefix (robots.txt is the site's, one for all).
    for (const url of ['/de/', '/de/blog/', '/de/about/', '/de/404.html', '/de/sitemap.xml', '/de/categories/running-shoes/']) expect(urls).toContain(url);
    expect(urls).not.toContain('/de/robots.txt');
    // One card per item group (a product without one is its own).
    const cardsOf = (list: typeof products) => new Set(list.map((p) => p.itemGroupId ?? p.sku)).size;
    const running = products.filter((p) => p.category === 'running-shoes');
    const listing = model.pages.filter((p) => p.url.startsWith('/categories/running-shoes/'));
    expect(listing).toHaveLength(Math.ceil(cardsOf(running) / 24));
    expect(listing.map((p) => (p.data.products as unknown[]).length).reduce((a, b) => a + b)).toBe(cardsOf(running));
    expect(cardsOf(running)).toBeLessThan(running.length);
    // The de market lists only what has a EUR price.
    const runningInEuro = cardsOf(running.filter((p) => p.price.EUR !== undefined));
    const deListing = model.pages.filter((p) => p.url.startsWith('/de/categories/running-shoes/'));
    expect(deListing.map((p) => (p.data.products as unknown[]).length).reduce((a, b) => a + b)).toBe(runningInEuro);
    expect(model.pages.filter((p) => p.layout === 'product' && p.market === 'us')).toHaveLength(300);
    const inEuro = products.filter((p) => p.price.EUR !== undefined).length;
    expect(inEuro).toBeLessThan(300);
    expect(model.pages.filter((p) => p.layout === 'product' && p.market === 'de')).toHaveLength(inEuro);
    expect(model.warnings).toContainEqual(expect.objectContaining({ subject: 'market de', field: 'price' }));
  });

  it('records what each page read, and listing cards do not depend on descriptions', () => {
    // Prepare
    const products = demoCatalog(100);
    const changed = products.map((p) => (p === products[0] ? { ...p, description: 'Completely new text' } : p));
    // Act
    const before = buildSiteModel(demoSnapshot(), products, config);
    const after = buildSiteModel(demoSnapshot(), changed, config);
    // Assess: only the product's pages differ in data (the de one falls back to the English text)
    const differing = before.pages.filter((p, i) => JSON.stringify(p.data) !== JSON.stringify(after.pages[i]!.data)).map((p) => p.url);
    expect(differing).toEqual([`/products/${products[0]!.slug}/`, `/de/products/${products[0]!.slug}/`]);
    const byMara = before.pages.filter((p) => p.layout === 'post' && p.market === 'us' && (p.data.author as { name: string }).name === 'Mara Lindqvist');
    expect(byMara).toHaveLength(20);
    for (const post of byMara) expect(post.deps).toContain('entry:author-mara');
    expect(before.pages.find((p) => p.url === '/blog/')!.deps).toContain('entry:author-mara');
  });

  it('skips CMS pages with reserved or colliding slugs, with a warning naming the entry', () => {
    // Prepare
    const snapshot = snapshotOf([
      entry('p1', 'page', { title: 'Sneaky', slug: 'products' }),
      entry('p2', 'page', { title: 'Traversal', slug: '../../etc' }),
      entry('p3', 'page', { title: 'Twin', slug: 'etc' }),
    ]);
    // Act
    const model = buildSiteModel(snapshot, [], config);
    // Assess
    expect(model.pages.map((p) => p.url)).toContain('/etc/');
    expect(model.pages.map((p) => p.url)).not.toContain('/products/');
    expect(model.warnings.map((w) => w.subject)).toEqual(expect.arrayContaining(['entry p1', 'entry p3']));
  });

  it('gives colliding product slugs a unique suffix', () => {
    // Act
    const model = buildSiteModel(snapshotOf([]), [validateProduct(productItem({ sku: 'A-1' })), validateProduct(productItem({ sku: 'B-2' }))], config);
    // Assess
    expect(model.pages.filter((p) => p.layout === 'product').map((p) => p.url)).toEqual([
      '/products/trail-runner-2-black-42/', '/products/trail-runner-2-black-42-b-2/', '/de/products/trail-runner-2-black-42/', '/de/products/trail-runner-2-black-42-b-2/',
    ]);
  });

  it('names the products whose page is not at their own slug, per market (what the feeds link to)', () => {
    // Prepare: B-2 loses in both markets; C-3 and D-4 collide in de alone (one German title)
    const german = { translations: { 'de-DE': { title: 'Gleicher Schuh' } } };
    const catalog = [productItem({ sku: 'A-1' }), productItem({ sku: 'B-2' }), productItem({ sku: 'C-3', title: 'Road Shoe', ...german }), productItem({ sku: 'D-4', title: 'Track Shoe', ...german })].map(validateProduct);
    // Act
    const site = outlineSite(snapshotOf([]), catalog, config);
    // Assess
    expect(site.renamed()).toEqual({
      us: { 'B-2': 'trail-runner-2-black-42-b-2' },
      de: { 'B-2': 'trail-runner-2-black-42-b-2', 'D-4': 'gleicher-schuh-d-4' },
    });
    const urls = new Set(site.outline.all.map((r) => r.url));
    for (const [market, prefix] of [['us', '/'], ['de', '/de/']] as const) {
      for (const slug of Object.values(site.renamed()[market]!)) expect(urls).toContain(`${prefix}products/${slug}/`);
    }
    expect(outlineSite(snapshotOf([]), catalog.slice(0, 1), config).renamed()).toEqual({});
  });

  it('leaves the caller\'s catalog as it was, and gives selected pages the data the full model gives them', () => {
    // Prepare: colliding slugs, and a selection across every page kind (targeted rebuilds select)
    const products = [...demoCatalog(300), validateProduct(productItem({ sku: 'A-1' })), validateProduct(productItem({ sku: 'B-2' }))];
    const before = JSON.stringify(products);
    const wanted = (url: string) => url === '/' || url.startsWith('/categories/') || url.endsWith('-b-2/') || url.endsWith('.xml');
    // Act
    const full = buildSiteModel(demoSnapshot(), products, config);
    const selected = buildSiteModel(demoSnapshot(), products, config, (ref) => wanted(ref.url));
    // Assess
    expect(JSON.stringify(products)).toBe(before);
    expect(selected.all).toEqual(full.all);
    expect(selected.pages.length).toBeGreaterThan(10);
    expect(selected.pages).toEqual(full.pages.filter((p) => wanted(p.url)));
    expect(selected.pages.find((p) => p.url === '/')!.data.featured).not.toEqual([]);
  });
});

describe('rendered pages', () => {
  it('escapes hostile catalog and CMS strings everywhere', async () => {
    // Prepare
    const snapshot = snapshotOf([
      entry('cat', 'category', { title: HOSTILE.script, slug: 'running-shoes' }),
      entry('page', 'page', { title: HOSTILE.attribute, slug: 'about', body: richDoc(paragraph(hyperlinkNode('javascript:alert(1)', 'click me'))) }),
    ]);
    const evil = validateProduct(productItem({ title: HOSTILE.closeScript, brand: HOSTILE.attribute, description: `${HOSTILE.script}<p>fine</p>` }));
    // Act
    const html = await renderAll(buildSiteModel(snapshot, [evil], config));
    // Assess
    const all = [...html.values()].join('\n');
    expect(all).not.toContain('<script>alert');
    expect(all).not.toContain('" onmouseover="alert(1)');
    expect(all).not.toContain('javascript:');
    expect(html.get('/about/')).toContain('<p>click me</p>');
    const productPage = html.get(`/products/${evil.slug}/`)!;
    expect(productPage).toContain('&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(productPage).toContain('<p>fine</p>');
  });

  it('shows catalog text with its entities decoded once and its <, > and & as written', async () => {
    // Prepare
    const product = validateProduct(productItem({ title: 'Caf&eacute; Set <Black & Gold> &amp;amp;', brand: 'M&ouml;we' }));
    // Act
    const html = await renderAll(buildSiteModel(snapshotOf([]), [product], config));
    // Assess
    expect(product.slug).toBe('cafe-set-black-gold-amp');
    const page = html.get(`/products/${product.slug}/`)!;
    expect(page).toContain('Café Set &lt;Black &amp; Gold&gt; &amp;amp;');
    expect(page).not.toContain('&amp;eacute;');
    expect(page).toContain('Möwe');
    const ld = JSON.parse(/<script type="application\/ld\+json">([\s\S]*?)<\/script>/.exec(page)![1]!) as { name: string };
    expect(ld.name).toBe('Café Set <Black & Gold> &amp;');
  });

  it('puts a parseable JSON-LD Product with offers matching the catalog on product pages', async () => {
    // Prepare
    const p = validateProduct(productItem({ salePrice: { USD: 9999 }, saleStart: '2026-11-27T00:00:00Z', saleEnd: '2026-12-01T23:59:59Z' }));
    // Act
    const html = await renderAll(buildSiteModel(snapshotOf([entry('c', 'category', { title: 'Running', slug: 'running-shoes' })]), [p], config));
    // Assess
    const page = html.get('/products/trail-runner-2-black-42/')!;
    const ld = JSON.parse(/<script type="application\/ld\+json">(.*?)<\/script>/s.exec(page)![1]!);
    expect(ld).toMatchObject({ '@type': 'Product', sku: 'TR2-BLK-42', gtin: '4006381333931', brand: { name: 'Acme' } });
    // A page offers in its market's currency alone, the price it shows.
    expect(ld.offers).toEqual([expect.objectContaining({ url: 'https://shop.example.com/products/trail-runner-2-black-42/', priceCurrency: 'USD', price: '99.99', priceValidUntil: '2026-12-01' })]);
    expect(page).toMatch(/<del[^>]*>\$129\.99<\/del> <ins[^>]*>\$99\.99<\/ins>/);
    expect(page).not.toContain('€');
    const de = html.get('/de/products/trail-runner-2-black-42/')!;
    const deLd = JSON.parse(/<script type="application\/ld\+json">(.*?)<\/script>/s.exec(de)![1]!);
    expect(deLd.offers).toEqual([expect.objectContaining({ url: 'https://shop.example.com/de/products/trail-runner-2-black-42/', priceCurrency: 'EUR', price: '119.99', availability: 'https://schema.org/InStock' })]);
    expect(de.replace(/\u00a0/g, ' ')).toContain('<li class="price" data-currency="EUR">119,99 €</li>');
    expect(de).not.toContain('$');
    expect(page).toContain('href="/pdf/products/TR2-BLK-42.pdf"');
  });

  it('renders the demo store: landmarks, navigation, sitemap and robots', async () => {
    // Act
    const html = await renderAll(buildSiteModel(demoSnapshot(), demoCatalog(60), config));
    // Assess
    const home = html.get('/')!;
    expect(home).toContain('<nav class="site-nav" aria-label="Main">');
    expect(home).toContain('<main id="main"');
    expect(home).toMatch(/<link rel="stylesheet" href="\/assets\/style-[0-9a-f]{10}\.css">/);
    expect(html.get('/404.html')).toContain('Page not found');
    expect(html.get('/sitemap.xml')).toContain('<loc>https://shop.example.com/products/');
    expect(html.get('/sitemap.xml')).not.toContain('404');
    expect(html.get('/robots.txt')).toContain('Sitemap: https://shop.example.com/sitemap.xml');
    expect(html.get('/robots.txt')).toContain('Sitemap: https://shop.example.com/de/sitemap.xml');
    expect(html.get('/blog/')).toContain('Mara Lindqvist');
  });

  it('lists what is on sale on the Black Friday page, best discounts first, in each market\'s language and currency, after the editor\'s text', async () => {
    // Prepare
    const products = demoCatalog(200);
    const onSale = (currency: string) => products.filter((p) => activeSalePrice(p, currency, config.now) !== undefined);
    // Act
    const html = await renderAll(buildSiteModel(demoSnapshot(), products, config));
    // Assess
    const us = html.get('/black-friday/')!;
    const de = html.get('/de/black-friday/')!;
    expect(onSale('USD').length).toBeGreaterThan(24);
    const section = (page: string) => page.slice(page.indexOf('<section class="collection"'), page.indexOf('</section>'));
    expect(us.indexOf('up to 40% off')).toBeLessThan(us.indexOf('<section class="collection"'));
    expect(section(us)).toContain('<h2 id="collection-collection-on-sale">On sale now</h2>');
    expect(section(us).match(/<li class="card"/g)).toHaveLength(24);
    expect(section(us).match(/<del>\$[\d.,]+<\/del> <ins>\$[\d.,]+<\/ins>/g)).toHaveLength(24);
    // Best discount first: the first card's discount is the largest of all on sale.
    const discount = (p: Product) => 1 - activeSalePrice(p, 'USD', config.now)! / p.price.USD!;
    const best = Math.max(...onSale('USD').map(discount));
    const first = section(us).match(/<a href="\/products\/([^/]+)\/">/)![1];
    expect(discount(products.find((p) => p.slug === first)!)).toBe(best);
    expect(section(de)).toContain('Jetzt im Angebot');
    expect(section(de)).toMatch(/<del>[\d.,]+\s€<\/del>/);
    expect(section(de)).not.toContain('$');
  });

  it('marks every preview page noindex with a banner in its market\'s language, disallows all in robots.txt, and leaves the live site as it was', async () => {
    // Act
    const live = await renderAll(buildSiteModel(demoSnapshot(), demoCatalog(30), config));
    const preview = await renderAll(buildSiteModel(demoSnapshot(), demoCatalog(30), { ...config, preview: true }));
    // Assess
    const html = [...preview].filter(([url]) => url.endsWith('/') || url.endsWith('.html'));
    expect(html.length).toBeGreaterThan(10);
    for (const [url, body] of html) expect(body, url).toContain('<meta name="robots" content="noindex, nofollow">');
    expect(preview.get('/')).toContain('class="preview-banner" role="status">Preview: drafts');
    expect(preview.get('/de/')).toContain('Vorschau: Entwürfe');
    // The receipt: the page's own entry as saved, and when the page was built.
    expect(preview.get('/about/')).toMatch(/<p class="preview-receipt">Shows entry page-about as saved \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC; page built \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\.<\/p>/);
    expect(preview.get('/')).toMatch(/<p class="preview-receipt">Page built /);
    expect(preview.get('/robots.txt')).toBe('User-agent: *\nDisallow: /\n');
    expect(live.get('/robots.txt')).toBe('User-agent: *\nDisallow: /_restatic/\nSitemap: https://shop.example.com/sitemap.xml\nSitemap: https://shop.example.com/de/sitemap.xml\n\n');
    // The live site's only noindex page is its search page (results are no content of their own).
    for (const [url, body] of live) expect(body, url).not.toMatch(url.endsWith('/search/') ? /preview-banner|preview-receipt/ : /noindex|preview-banner|preview-receipt/);
    expect(live.get('/search/')).toContain('<meta name="robots" content="noindex">');
  });

  it('offers a cart where the store has a checkout: the price the page shows in minor units, a hand-off without script, the cart script; none without a checkout', async () => {
    // Prepare: one product on sale now, one out of stock
    const [onSale, soldOut, ...rest] = demoCatalog(30);
    const catalog = [{ ...onSale!, price: { USD: 5000, EUR: 4500 }, salePrice: { USD: 3999 }, saleStart: undefined, saleEnd: undefined }, { ...soldOut!, availability: 'out_of_stock' as const }, ...rest];
    // Act
    const withCart = await renderAll(buildSiteModel(demoSnapshot(), catalog, { ...config, checkoutUrl: 'https://shop.example.com/checkout' }));
    const without = await renderAll(buildSiteModel(demoSnapshot(), catalog, config));
    // Assess
    const page = withCart.get(`/products/${onSale!.slug}/`)!;
    expect(page).toContain(`data-sku="${onSale!.sku}"`);
    expect(page).toContain('data-price="3999" data-currency="USD"');
    expect(page).toContain('action="https://shop.example.com/checkout" method="get"');
    expect(page).toContain(`<input type="hidden" name="items" value="${onSale!.sku}:1">`);
    expect(page).toContain('<script type="module" src="/assets/cart-0123456789.js"></script>');
    expect(page).toContain('data-market="us" data-checkout="https://shop.example.com/checkout"');
    expect(withCart.get(`/de/products/${onSale!.translations?.['de-DE']?.slug ?? onSale!.slug}/`)).toContain('data-price="4500" data-currency="EUR"');
    expect(withCart.get(`/products/${soldOut!.slug}/`)).not.toContain('data-add-to-cart');
    for (const [url, body] of without) expect(body, url).not.toMatch(/data-add-to-cart|cart-0123456789|data-cart/);
  });

  it('gives every page Open Graph and Twitter card tags and the icon; product pages a BreadcrumbList, the home page the Organization', async () => {
    // Prepare
    const products = demoCatalog(30);
    const product = products.find((p) => p.images.length > 0 && p.category === 'running-shoes')!;
    // Act
    const model = buildSiteModel(demoSnapshot(), products, config);
    const html = new Map((await renderPages(model.pages, { sites: model.sites, css: '/assets/style-0123456789.css', icon: '/assets/favicon-0123456789.svg' })).map((p) => [p.url, p.body.toString('utf8')]));
    const page = html.get(`/products/${product.slug}/`)!;
    const lds = [...page.matchAll(/<script type="application\/ld\+json">(.*?)<\/script>/gs)].map((m) => JSON.parse(m[1]!) as Record<string, unknown>);
    const home = html.get('/')!;
    // Assess
    expect(page).toContain('<meta property="og:type" content="product">');
    expect(page).toContain(`<meta property="og:url" content="https://shop.example.com/products/${product.slug}/">`);
    expect(page).toMatch(/<meta property="og:image" content="https?:\/\/[^"]+">/);
    expect(page).toContain('<meta name="twitter:card" content="summary_large_image">');
    expect(page).toContain('<link rel="icon" type="image/svg+xml" href="/assets/favicon-0123456789.svg">');
    const crumbs = lds.find((ld) => ld['@type'] === 'BreadcrumbList') as { itemListElement: Array<{ position: number; name: string; item: string }> };
    expect(crumbs.itemListElement.map((i) => [i.position, i.item])).toEqual([[1, 'https://shop.example.com/'], [2, 'https://shop.example.com/categories/running-shoes/'], [3, `https://shop.example.com/products/${product.slug}/`]]);
    expect(crumbs.itemListElement[2]!.name).toBe(product.title);
    expect(html.get('/de/')).toContain('<meta property="og:locale" content="de_DE">');
    expect(JSON.parse(/<script type="application\/ld\+json">(.*?)<\/script>/s.exec(home)![1]!)).toEqual({ '@context': 'https://schema.org', '@type': 'Organization', name: 'Restatic Outfitters', url: 'https://shop.example.com/' });
    for (const [url, body] of html) if (url.endsWith('/')) expect(body, url).toContain('<meta property="og:title"');
  });

  it('renders the de market in German with EUR prices, its own links and its translations', async () => {
    // Prepare: one product translated, one without a EUR price
    const [first, second, ...rest] = demoCatalog(60).filter((p) => p.price.EUR !== undefined);
    const translated = { ...first!, translations: { 'de-DE': { title: 'Laufschuh Eins', slug: 'laufschuh-eins', description: 'Ein leichter Schuh.' } } };
    const dollarsOnly = { ...second!, price: { USD: second!.price.USD! } };
    // Act
    const html = await renderAll(buildSiteModel(demoSnapshot(), [translated, dollarsOnly, ...rest], config));
    // Assess
    const home = html.get('/de/')!;
    expect(home).toContain('<html lang="de-DE">');
    expect(home).toContain('<a class="brand" href="/de/">');
    expect(home).toContain('>Nach Kategorie einkaufen<');
    expect(home).toContain('Ausrüstung, von Bergführern getestet.');
    expect(home).toContain('href="/de/categories/running-shoes/">Laufschuhe</a>');
    expect(home).toContain('href="/de/blog/"');
    expect(home).not.toMatch(/href="\/(products|categories|blog)\//);
    const page = html.get('/de/products/laufschuh-eins/')!;
    expect(page).toContain('<h1>Laufschuh Eins</h1>');
    expect(page).toContain('Ein leichter Schuh.');
    expect(page).toContain(`>${{ in_stock: 'Auf Lager', out_of_stock: 'Nicht vorrätig', preorder: 'Vorbestellbar', backorder: 'Nachlieferung' }[translated.availability]}`);
    expect(page).toContain(`href="/de/pdf/products/${translated.sku}.pdf">Datenblatt (PDF)</a>`);
    expect(page).toContain('<link rel="canonical" href="https://shop.example.com/de/products/laufschuh-eins/">');
    expect(html.get(`/products/${translated.slug}/`)).toContain(`<h1>${translated.title}</h1>`);
    // Not sold in EUR: no German page, card or sitemap entry.
    expect(html.has(`/products/${dollarsOnly.slug}/`)).toBe(true);
    expect(html.has(`/de/products/${dollarsOnly.slug}/`)).toBe(false);
    expect([...html].filter(([url]) => url.startsWith('/de/')).some(([, body]) => body.includes(dollarsOnly.slug))).toBe(false);
    expect(html.get('/de/404.html')).toContain('Seite nicht gefunden');
    expect(html.get('/de/sitemap.xml')).toContain('<loc>https://shop.example.com/de/products/laufschuh-eins/</loc>');
    expect(html.get('/de/sitemap.xml')).not.toContain('<loc>https://shop.example.com/products/');
  });

  it('links every page to its twins in every market with reciprocal hreflang alternates and x-default', async () => {
    // Prepare
    const catalog = demoCatalog(60);
    catalog[0] = { ...catalog[0]!, translations: { 'de-DE': { title: 'Übersetzt', slug: 'uebersetzt' } } };
    // Act
    const html = await renderAll(buildSiteModel(demoSnapshot(), catalog, config));
    // Assess: crawl the alternates of every HTML page
    const alternatesOf = (body: string) => new Map([...body.matchAll(/<link rel="alternate" hreflang="([^"]+)" href="https:\/\/shop\.example\.com([^"]+)">/g)].map((m) => [m[1]!, m[2]!]));
    let pairs = 0;
    for (const [url, body] of html) {
      if (!body.startsWith('<!doctype html>') || url.endsWith('404.html')) continue;
      const alternates = alternatesOf(body);
      const own = url.startsWith('/de/') ? 'de-DE' : 'en-US';
      expect(alternates.get(own), `${url} names itself`).toBe(url);
      if (alternates.size === 0) continue;
      expect(alternates.get('x-default'), `${url} x-default`).toBe(alternates.get('en-US'));
      for (const [lang, target] of alternates) {
        if (lang === 'x-default') continue;
        expect(alternatesOf(html.get(target)!).get(own), `${target} links back to ${url}`).toBe(url);
        pairs++;
      }
    }
    expect(pairs).toBeGreaterThan(100);
    expect(alternatesOf(html.get('/products/' + catalog[0]!.slug + '/')!).get('de-DE')).toBe('/de/products/uebersetzt/');
  });
});
