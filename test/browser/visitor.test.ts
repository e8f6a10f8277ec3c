/**
 * A visitor in a real browser: Debian's chromium driven by playwright-core against the local stack.
 * Navigation, the 404 page, keyboard use of the menu, axe-core (no serious/critical violations),
 * JSON-LD on every page type, and screenshots of each page type for review (test-results/).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toDecimalString } from '../../functions/shared/build/money.js';
import { silentLogger } from '../../functions/shared/logger.js';
import { readLocalConfig } from '../../local/config.js';
import { startLocalStack, type LocalStack } from '../../local/stack.js';

const SCREENSHOTS = join(process.cwd(), 'test-results', 'screenshots');
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let stack: LocalStack;
let browser: Browser;
let page: Page;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'restatic-browser-'));
  mkdirSync(SCREENSHOTS, { recursive: true });
  stack = await startLocalStack(readLocalConfig({ PORT: '0', RESTATIC_DATA_DIR: dataDir, DEMO_PRODUCTS: '1200', LOG_LEVEL: 'silent' }), { logger: silentLogger });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function axeViolations(): Promise<Array<{ id: string; impact: string; help: string }>> {
  await page.addScriptTag({ content: AXE_SOURCE });
  const result = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(): Promise<{ violations: Array<{ id: string; impact: string; help: string }> }> } }).axe;
    return (await axe.run()).violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help }));
  });
  return result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

async function jsonLd(): Promise<unknown[]> {
  const blocks = await page.locator('script[type="application/ld+json"]').allTextContents();
  return blocks.map((text) => JSON.parse(text) as unknown);
}

describe('a visitor', () => {
  it('goes home → category → page 2 → product → back', async () => {
    // Act / Assess
    await page.goto(`${stack.url}/`);
    await expect(page.title()).resolves.toBe('Restatic Outfitters');
    await page.screenshot({ path: join(SCREENSHOTS, 'home.png'), fullPage: true });

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Running Shoes' }).click();
    await page.waitForURL(/\/categories\/running-shoes\/$/);
    await expect(page.locator('h1').textContent()).resolves.toContain('Running Shoes');
    await page.screenshot({ path: join(SCREENSHOTS, 'category.png'), fullPage: true });

    await page.getByRole('link', { name: 'Next' }).click();
    await page.waitForURL(/\/categories\/running-shoes\/page\/2\/$/);
    expect(await page.locator('.cards .card').count()).toBeGreaterThan(0);

    const firstCard = page.locator('.cards .card a').first();
    const productTitle = (await firstCard.locator('.card-title').textContent())!.trim();
    await firstCard.click();
    await page.waitForURL(/\/products\/[a-z0-9-]+\/$/);
    // A card names its item group; the page its variant (`Summit 28` → `Summit 28 — Blue, 41`).
    expect((await page.locator('h1').textContent())!.startsWith(productTitle)).toBe(true);
    await page.screenshot({ path: join(SCREENSHOTS, 'product.png'), fullPage: true });

    await page.goBack();
    await page.waitForURL(/\/page\/2\/$/);
  });

  it('shops the German store: /de/ → category → product → its German spec sheet, all in German and euros', async () => {
    // Act / Assess
    await page.goto(`${stack.url}/de/`);
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('de-DE');
    await page.getByRole('navigation', { name: 'Hauptmenü' }).getByRole('link', { name: 'Laufschuhe' }).click();
    await page.waitForURL(/\/de\/categories\/running-shoes\/$/);
    await expect(page.locator('h1').textContent()).resolves.toContain('Laufschuhe');
    const prices = await page.locator('.cards .card .price').allTextContents();
    expect(prices.length).toBeGreaterThan(0);
    for (const price of prices) expect(price, 'every card in euros, formatted for de-DE').toMatch(/^\s*(\d{1,3}(\.\d{3})*,\d{2}\s€\s*)+$/);
    await page.screenshot({ path: join(SCREENSHOTS, 'de-category.png'), fullPage: true });

    const firstCard = page.locator('.cards .card a').first();
    const productTitle = (await firstCard.locator('.card-title').textContent())!.trim();
    await firstCard.click();
    await page.waitForURL(/\/de\/products\/[a-z0-9-]+\/$/);
    await expect(page.locator('h1').textContent()).resolves.toBe(productTitle);
    expect(await axeViolations()).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'de-product.png'), fullPage: true });

    const sheet = page.getByRole('link', { name: 'Datenblatt (PDF)' });
    const href = (await sheet.getAttribute('href'))!;
    expect(href).toMatch(/^\/de\/pdf\/products\/[^/]+\.pdf$/);
    // Spec sheets are rendered after the pages at start: wait for this one.
    let pdf = await page.request.get(`${stack.url}${href}`);
    for (let tries = 0; pdf.status() === 404 && tries < 300; tries++) {
      await new Promise((r) => setTimeout(r, 200));
      pdf = await page.request.get(`${stack.url}${href}`);
    }
    expect(pdf.status()).toBe(200);
    expect(pdf.headers()['content-type']).toBe('application/pdf');
  });

  it('sees the 404 page with status 404', async () => {
    // Act
    const response = await page.goto(`${stack.url}/products/no-such-thing/`);
    // Assess
    expect(response?.status()).toBe(404);
    await expect(page.locator('h1').textContent()).resolves.toBe('Page not found');
    await page.screenshot({ path: join(SCREENSHOTS, 'not-found.png') });
  });

  it('reaches and follows the menu with the keyboard alone', async () => {
    // Prepare
    await page.goto(`${stack.url}/`);
    // Act: the first Tab lands on the skip link, then the brand, then the first menu item
    await page.keyboard.press('Tab');
    const skip = await page.evaluate(() => document.activeElement?.textContent);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => ({ text: document.activeElement?.textContent, inNav: Boolean(document.activeElement?.closest('nav[aria-label="Main"]')) }));
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/categories\/running-shoes\/$/);
    // Assess
    expect(skip).toBe('Skip to content');
    expect(focused).toEqual({ text: 'Running Shoes', inNav: true });
    await expect(page.locator('nav[aria-label="Main"] a[aria-current="page"]').textContent()).resolves.toBe('Running Shoes');
  });

  it.each([
    ['home', '/'],
    ['category', '/categories/hiking-boots/'],
    ['cms page', '/about/'],
    ['blog index', '/blog/'],
    ['blog post', '/blog/how-to-layer-for-a-cold-summit/'],
    ['404', '/missing/'],
    ['German home', '/de/'],
    ['German category', '/de/categories/hiking-boots/'],
    ['German cms page', '/de/about/'],
    ['German blog post', '/de/blog/how-to-layer-for-a-cold-summit/'],
  ])('finds no serious or critical axe violations on the %s', async (name, path) => {
    // Act
    const response = await page.goto(`${stack.url}${path}`);
    const violations = await axeViolations();
    await page.screenshot({ path: join(SCREENSHOTS, `${name.replace(/\s+/g, '-')}.png`), fullPage: true });
    // Assess: the page itself, not the 404 page in its place
    expect(response?.status(), path).toBe(name === '404' ? 404 : 200);
    expect(violations).toEqual([]);
  });

  it('finds no serious or critical axe violations on a product page, whose JSON-LD offers match the catalog', async () => {
    // Prepare
    const { products } = await stack.services.catalog.scanAll();
    const product = products.find((p) => p.salePrice === undefined && p.price.EUR !== undefined)!;
    // Act
    // Each market's page offers its own currency only.
    for (const [path, currency] of [[`/products/${product.slug}/`, 'USD'], [`/de/products/${product.translations?.['de-DE']?.slug ?? product.slug}/`, 'EUR']] as const) {
      await page.goto(`${stack.url}${path}`);
      const violations = await axeViolations();
      const [ld] = (await jsonLd()) as Array<{ '@type': string; sku: string; offers: Array<{ priceCurrency: string; price: string; availability: string }> }>;
      // Assess
      expect(violations, path).toEqual([]);
      expect(ld!['@type']).toBe('Product');
      expect(ld!.sku).toBe(product.sku);
      expect(Object.fromEntries(ld!.offers.map((o) => [o.priceCurrency, o.price]))).toEqual({ [currency]: toDecimalString(product.price[currency]!, currency) });
      for (const offer of ld!.offers) expect(offer.availability).toMatch(/^https:\/\/schema\.org\//);
    }
  });

  it('puts two products in the cart, keeps it across pages, and hands it to the checkout; the open cart has no axe violations', async () => {
    // Prepare
    const { products } = await stack.services.catalog.scanAll();
    const [a, b] = products.filter((p) => p.salePrice === undefined && p.availability === 'in_stock' && p.price.USD !== undefined);
    // Act: two of the first, one of the second
    await page.goto(`${stack.url}/products/${a!.slug}/`);
    await page.evaluate(() => localStorage.clear());
    await page.reload();
    await page.getByLabel('Quantity').fill('2');
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await expect(page.locator('.add-to-cart [role="status"]').textContent()).resolves.toBe('Added to your cart.');
    await page.goto(`${stack.url}/products/${b!.slug}/`);
    await page.getByRole('button', { name: 'Add to cart' }).click();
    const count = await page.locator('[data-cart-count]').first().textContent();
    await page.getByRole('button', { name: /^Cart/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Cart' });
    const lines = await dialog.locator('[data-cart-items] li').count();
    const total = await dialog.locator('[data-cart-total] output').textContent();
    const violations = await axeViolations();
    await page.screenshot({ path: join(SCREENSHOTS, 'cart.png') });
    await dialog.getByRole('link', { name: 'Check out' }).click();
    await page.waitForURL(/\/_local\/checkout\?/);
    const handedOver = new URL(page.url()).searchParams;
    // Assess
    expect(count).toBe('3');
    expect(lines).toBe(2);
    expect(total).toBe(`$${((2 * a!.price.USD! + b!.price.USD!) / 100).toLocaleString('en-US', { minimumFractionDigits: 2 })}`);
    expect(violations).toEqual([]);
    expect(handedOver.get('items')).toBe(`${a!.sku}:2,${b!.sku}:1`);
    expect(handedOver.get('currency')).toBe('USD');
    await expect(page.locator('h1').textContent()).resolves.toBe('Checkout (local demo)');
    await expect(page.locator('body').textContent()).resolves.toContain(a!.title);
  });

  it('searches from the header: finds a product by a word of its title, in English and in the German store, with no axe violations', async () => {
    // Prepare: a product title with a word no other product has
    const product = (await stack.services.catalog.scanAll()).products.find((p) => p.price.EUR !== undefined && p.translations?.['de-DE']?.title)!;
    const word = product.title.split(/[\s—,]+/).find((w) => w.length > 4)!;
    // Act
    await page.goto(`${stack.url}/`);
    await page.getByRole('searchbox', { name: 'Search' }).fill(word);
    await page.getByRole('searchbox', { name: 'Search' }).press('Enter');
    await page.waitForURL(/\/search\/\?q=/);
    const results = page.locator('[data-search-results] .card');
    await results.first().waitFor();
    const titles = await page.locator('[data-search-results] .card-title').allTextContents();
    const status = await page.locator('[data-search-status]').textContent();
    await page.screenshot({ path: join(SCREENSHOTS, 'search.png'), fullPage: true });
    const violations = await axeViolations();
    await page.goto(`${stack.url}/de/search/?q=${encodeURIComponent(product.translations!['de-DE']!.title!.split(/[\s—,]+/)[0]!)}`);
    await page.locator('[data-search-results] .card').first().waitFor();
    const germanLinks = await page.locator('[data-search-results] .card a').evaluateAll((links) => links.map((a) => a.getAttribute('href')));
    // Assess
    expect(titles.some((t) => t.includes(word))).toBe(true);
    expect(status).toMatch(new RegExp(`^\\d+ results for “${word}”$`));
    expect(violations).toEqual([]);
    expect(germanLinks.length).toBeGreaterThan(0);
    for (const href of germanLinks) expect(href).toMatch(/^\/de\//);
  });

  it('has valid JSON (or none) in every page type', async () => {
    for (const path of ['/', '/categories/tents/', '/about/', '/blog/']) {
      await page.goto(`${stack.url}${path}`);
      await expect(jsonLd()).resolves.toBeInstanceOf(Array);
    }
  });
});

describe('screenshots for review', () => {
  it('takes home, a listing, a product and the Black Friday page at desktop (1280 px) and phone (390 px) widths, each page laid out within its width', async () => {
    // Prepare
    const product = (await stack.services.catalog.scanAll()).products.find((p) => p.images.length > 1)!;
    const pages = { home: '/', listing: '/categories/running-shoes/', product: `/products/${product.slug}/`, 'black-friday': '/black-friday/' };
    const overflow: string[] = [];
    // Act
    for (const [device, viewport] of [['desktop', { width: 1280, height: 900 }], ['mobile', { width: 390, height: 844 }]] as const) {
      const tab = await browser.newPage({ viewport, deviceScaleFactor: device === 'mobile' ? 2 : 1 });
      for (const [name, path] of Object.entries(pages)) {
        await tab.goto(`${stack.url}${path}`, { waitUntil: 'networkidle' });
        // Lazy images below the fold load once scrolled to.
        await tab.evaluate(async () => { for (let y = 0; y < document.body.scrollHeight; y += 600) { window.scrollTo(0, y); await new Promise((r) => setTimeout(r, 30)); } window.scrollTo(0, 0); });
        await tab.waitForLoadState('networkidle');
        // Nothing wider than the viewport (no sideways scrolling on a phone).
        if (await tab.evaluate(() => document.documentElement.scrollWidth > window.innerWidth)) overflow.push(`${device} ${path}`);
        await tab.screenshot({ path: join(SCREENSHOTS, `${device}-${name}.png`), fullPage: device === 'desktop' });
      }
      await tab.close();
    }
    // Assess
    expect(overflow).toEqual([]);
  });
});

describe('quality measured by Lighthouse', () => {
  it('scores home, a listing, a product and the Black Friday page on the mobile profile: performance ≥ 95, accessibility 100, best practices ≥ 95, SEO 100', async () => {
    // Prepare: Lighthouse drives its own chromium (the same Debian build) over the DevTools protocol
    const { default: lighthouse } = await import('lighthouse');
    const { launch } = await import('chrome-launcher');
    const product = (await stack.services.catalog.scanAll()).products.find((p) => p.images.length > 0)!;
    const paths = ['/', '/categories/running-shoes/', `/products/${product.slug}/`, '/black-friday/'];
    const chrome = await launch({ chromePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', chromeFlags: ['--headless=new', '--no-sandbox', '--disable-gpu'] });
    const scores: Record<string, Record<string, number>> = {};
    const failing: Record<string, string[]> = {};
    try {
      // Act
      for (const path of paths) {
        const result = await lighthouse(`${stack.url}${path}`, { port: chrome.port, logLevel: 'error', output: 'json', onlyCategories: ['performance', 'accessibility', 'best-practices', 'seo'] });
        const lhr = result!.lhr;
        scores[path] = Object.fromEntries(Object.entries(lhr.categories).map(([id, c]) => [id, Math.round((c.score ?? 0) * 100)]));
        // What cost points, for the report and the failure message.
        failing[path] = Object.values(lhr.audits).filter((a) => a.score !== null && a.score < 1 && a.scoreDisplayMode !== 'informative' && a.scoreDisplayMode !== 'manual')
          .map((a) => `${a.id} (${a.score})${(a.details as { items?: Array<{ url?: string; description?: string }> } | undefined)?.items?.slice(0, 3).map((i) => ` ${i.url ?? ''} ${i.description ?? ''}`.trimEnd()).join(';') ?? ''}`);
      }
    } finally {
      await chrome.kill();
    }
    writeFileSync(join(SCREENSHOTS, '..', 'lighthouse.json'), `${JSON.stringify({ scores, failing }, null, 1)}\n`);
    // Assess
    for (const path of paths) {
      const s = scores[path]!;
      const context = `${path}: ${JSON.stringify(s)}; below 1: ${failing[path]!.join(', ')}`;
      expect(s.performance, context).toBeGreaterThanOrEqual(95);
      expect(s.accessibility, context).toBe(100);
      expect(s['best-practices'], context).toBeGreaterThanOrEqual(95);
      expect(s.seo, context).toBe(100);
    }
  }, 300_000);
});
