/** Spec sheets and the catalog as documents: text, fonts, determinism, hostile input, page numbers. */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, symlinkSync, writeFileSync, createWriteStream, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Writable } from 'node:stream';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderCatalog } from '../../../functions/pdf/catalog.js';
import { catalogSections, pdfContent, sheetData } from '../../../functions/pdf/data.js';
import { collect, newDocument, text } from '../../../functions/pdf/draw.js';
import { fontFiles, loadPdfFonts, textRuns } from '../../../functions/pdf/fonts.js';
import { renderSheet } from '../../../functions/pdf/sheet.js';
import { validateProduct } from '../../../functions/shared/catalog/product.js';
import { productImage } from '../../../functions/shared/demo/images.js';
import { pngChunk } from '../../../functions/shared/demo/png.js';
import { demoProducts } from '../../../functions/shared/demo/products.js';
import { DEMO_CATEGORIES } from '../../../functions/shared/demo/vocabulary.js';
import { demoSnapshot } from '../../fixtures/content.js';
import { HOSTILE, product } from '../../fixtures/products.js';

/** Sale windows are read against a fixed instant inside the Greek tent's sale (27 Nov – 1 Dec). */
const NOW = new Date('2026-11-28T00:00:00Z');

const has = (tool: string, flag = '-v') => { try { execFileSync(tool, [flag], { stdio: 'ignore' }); return true; } catch { return false; } };
// poppler-utils: .ci/run installs it; a bare machine may not have it.
const poppler = has('pdftotext') && has('pdffonts');
const zbar = poppler && has('zbarimg', '--version') && has('pdftoppm');
const fonts = loadPdfFonts();
const content = pdfContent(demoSnapshot(), { baseUrl: 'https://shop.example.com' });
const image = productImage(DEMO_CATEGORIES.find((c) => c.slug === 'backpacks')!, 'teal').body as Buffer;
const file = (bytes: Buffer) => { const f = join(mkdtempSync(join(tmpdir(), 'restatic-pdf-')), 'doc.pdf'); writeFileSync(f, bytes); return f; };
/** The fonts parsed anew (their caches empty), from copies of the font files. */
const freshFonts = () => {
  const dir = mkdtempSync(join(tmpdir(), 'restatic-fonts-'));
  const files = fontFiles();
  copyFileSync(files.regular, join(dir, 'NotoSans-Regular.ttf'));
  copyFileSync(files.bold, join(dir, 'NotoSans-Bold.ttf'));
  symlinkSync(files.cjk, join(dir, 'NotoSansJP-Regular.ttf'));
  return loadPdfFonts(dir);
};
const pdfText = (f: string, ...args: string[]) => execFileSync('pdftotext', ['-layout', ...args, f, '-'], { encoding: 'utf8' });

const greek = product({ sku: 'GR-1', slug: 'gr-1', title: 'Σκηνή δύο ατόμων — Κόκκινο', brand: 'Ορεινή', price: { USD: 12999, EUR: 11999 }, salePrice: { USD: 9999 }, saleStart: '2026-11-27T00:00:00Z', saleEnd: '2026-12-01T23:59:00Z', gtin: '4006381333931', images: ['/assets/img/x.png'], category: 'tents' });

describe('spec sheet', () => {
  it.runIf(poppler)('shows title, prices, identifiers and a non-Latin title as text, with its fonts embedded', async () => {
    // Act
    const f = file(await renderSheet(sheetData(greek, content, NOW), { fonts, siteName: content.siteName, image }));
    // Assess
    const text = pdfText(f);
    expect(text).toContain('Σκηνή δύο ατόμων — Κόκκινο');
    expect(text).toContain('$99.99');
    expect(text).toContain('$129.99');
    expect(text).not.toContain('€');
    expect(text).toContain('GTIN 4006381333931');
    expect(text).toContain('https://shop.example.com/products/gr-1/');
    // No internal hashes for customers: the data version is the object's metadata only.
    expect(text).not.toMatch(/version|\b[0-9a-f]{12}\b/i);
    const fontList = execFileSync('pdffonts', [f], { encoding: 'utf8' });
    expect(fontList).toMatch(/NotoSans-Regular\s+CID TrueType\s+Identity-H\s+yes yes yes/);
    expect(fontList).not.toMatch(/Helvetica/);
  });

  it.runIf(poppler)('shows the German market its sheet in German, in euros only, linking to its German page', async () => {
    // Prepare
    const de = content.markets.find((m) => m.market.id === 'de')!;
    const translated = { ...greek, translations: { 'de-DE': { title: 'Zweipersonenzelt — Rot', slug: 'zweipersonenzelt-rot' } } };
    // Act
    const f = file(await renderSheet(sheetData(de.view(translated)!, de, NOW), { fonts, siteName: de.siteName, image }));
    // Assess
    const text = pdfText(f);
    expect(text).toContain('Zweipersonenzelt — Rot');
    expect(text).toContain('Produktdatenblatt');
    expect(text).toContain('PREIS');
    expect(text).toContain('119,99 €');
    expect(text).toContain('Auf Lager');
    expect(text).not.toContain('$');
    expect(text).toContain('https://shop.example.com/de/products/zweipersonenzelt-rot/');
  });

  it.runIf(poppler)('labels a missing image in the market\'s language', async () => {
    // Prepare
    const de = content.markets.find((m) => m.market.id === 'de')!;
    // Act
    const f = file(await renderSheet(sheetData(de.view({ ...greek, images: [] })!, de, NOW), { fonts, siteName: de.siteName }));
    // Assess
    expect(pdfText(f)).toContain('Kein Bild');
    expect(pdfText(f)).not.toContain('No image');
  });

  it.runIf(poppler)('draws Japanese and Cyrillic text with the right fonts and drops what no font has', async () => {
    // Prepare
    const mixed = product({ sku: 'JP-1', slug: 'jp-1', title: '登山用ヘッドランプ Фонарь 🔦', images: [] });
    // Act
    const f = file(await renderSheet(sheetData(mixed, content, NOW), { fonts, siteName: content.siteName }));
    // Assess
    expect(pdfText(f)).toContain('登山用ヘッドランプ Фонарь');
    // The title is bold in every script: its Japanese run too (it was drawn regular beside bold Latin).
    expect(execFileSync('pdffonts', [f], { encoding: 'utf8' })).toContain('NotoSansJP-Bold');
    expect(pdfText(f)).toContain('No image');
  });

  it.runIf(zbar)('prints a QR code that scans to the product page', async () => {
    // Act
    const f = file(await renderSheet(sheetData(greek, content, NOW), { fonts, siteName: content.siteName, image }));
    execFileSync('pdftoppm', ['-r', '150', '-png', '-f', '1', '-l', '1', '-singlefile', f, f]);
    // Assess
    expect(execFileSync('zbarimg', ['-q', '--raw', `${f}.png`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()).toBe('https://shop.example.com/products/gr-1/');
  });

  it('renders the same bytes for the same data, and different bytes (and version) when a shown field changes', async () => {
    // Act
    const a = await renderSheet(sheetData(greek, content, NOW), { fonts, siteName: content.siteName, image });
    const b = await renderSheet(sheetData(greek, content, NOW), { fonts, siteName: content.siteName, image });
    const cheaper = sheetData({ ...greek, price: { USD: 11999, EUR: 11999 } }, content, NOW);
    // Assess
    expect(b.equals(a)).toBe(true);
    expect(cheaper.version).not.toBe(sheetData(greek, content, NOW).version);
    expect(sheetData({ ...greek, stock: 3, shippingWeightGrams: 900, updatedAt: '2026-11-21T00:00:00Z' }, content, NOW).version).toBe(sheetData(greek, content, NOW).version);
  });

  it('renders the same bytes whatever the thread rendered before (fresh fonts vs. fonts used by other documents)', async () => {
    // Prepare: two separately parsed font sets; one first renders documents with accented glyphs
    // (built from parts that other documents use as plain letters) and many other words.
    const used = freshFonts();
    const accented = product({ sku: 'AC-1', slug: 'ac-1', title: 'Ύψος ύφασμα — Šťastný Ĳssel Ǆ café', brand: 'Ἀθῆναι Ώρα', category: 'tents' });
    for (const p of [accented, ...[...demoProducts(30)].map(validateProduct)]) await renderSheet(sheetData(p, content, NOW), { fonts: used, siteName: content.siteName, image });
    const plainGreek = product({ sku: 'GR-2', slug: 'gr-2', title: 'υψηλή σκηνή υ ω ε ο', category: 'tents' });
    // Act
    const afterOthers = await renderSheet(sheetData(plainGreek, content, NOW), { fonts: used, siteName: content.siteName, image });
    const first = await renderSheet(sheetData(plainGreek, content, NOW), { fonts: freshFonts(), siteName: content.siteName, image });
    // Assess
    expect(afterOthers.equals(first)).toBe(true);
  });

  it('maps every glyph to its text when the parts of a composite letter were embedded before as parts only', async () => {
    // Prepare: "Á" embeds the acute accent only as a part of Á; the next document prints the accent.
    const line = async (fontSet: typeof fonts, value: string) => {
      const doc = newDocument(fontSet, { title: 't', author: 'a', subject: 's' });
      const bytes = collect(doc);
      text(doc, fontSet, value, 50, 50);
      doc.end();
      return bytes;
    };
    const used = freshFonts();
    await line(used, 'Á');
    // Act
    const afterOthers = await line(used, 'Á´');
    const first = await line(freshFonts(), 'Á´');
    // Assess
    expect(afterOthers.equals(first)).toBe(true);
    if (poppler) expect(pdfText(file(afterOthers))).toContain('Á´');
  });

  it.runIf(poppler)('prints hostile strings as plain text: a title as written, description markup gone, no control characters, long titles wrap', async () => {
    // Prepare
    const hostile = product({ sku: 'H-1', slug: 'h-1', title: `${HOSTILE.script} ${'Very long title words '.repeat(12)}`, description: `${HOSTILE.control} <b>bold</b> &amp; more`, images: ['https://evil.example.com/x.svg'] });
    // Act
    const f = file(await renderSheet(sheetData(hostile, content, NOW), { fonts, siteName: content.siteName }));
    // Assess
    const text = pdfText(f);
    // A title is text, not HTML: it prints as written. Only the description is light HTML.
    expect(text).toContain('<script>alert("x")</script> Very long title words');
    expect(text).toContain('Bad[31mTitle bold & more');
    expect(text).not.toContain('<b>');
    expect(text).not.toMatch(/[\u0000-\u0008\u001b]/);
    expect(text).toContain('No image');
  });

  it('draws the placeholder for an image whose data only decoding shows to be corrupt (a 16-bit alpha PNG)', async () => {
    // Prepare: a well-formed header over image data that is not a zlib stream
    const header = Buffer.alloc(13);
    header.writeUInt32BE(20, 0);
    header.writeUInt32BE(10, 4);
    header.set([16, 6, 0, 0, 0], 8);
    const corrupt = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), pngChunk('IHDR', header), pngChunk('IDAT', Buffer.from('not zlib at all')), pngChunk('IEND', Buffer.alloc(0))]);
    // Act: pdfkit would decode it in an inflate callback and throw there, out of reach
    const pdf = await renderSheet(sheetData(greek, content, NOW), { fonts, siteName: content.siteName, image: corrupt });
    // Assess
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    if (poppler) expect(pdfText(file(pdf))).toContain('No image');
  });

  it('splits text into font runs without losing characters any font has', () => {
    // Act
    const runs = textRuns('Crête 茶 Ω 🙂!', fonts);
    // Assess
    expect(runs.map((r) => r.text).join('')).toBe('Crête 茶 Ω !');
    expect(runs.find((r) => r.text.includes('茶'))?.role).toBe('cjk');
  });
});

describe('catalog', () => {
  it.runIf(poppler)('titles a category continued on a later page in the catalog\'s language', async () => {
    // Prepare: 20 tents span three pages of the German catalog
    const de = content.markets.find((m) => m.market.id === 'de')!;
    const products = Array.from({ length: 20 }, (_, i) => product({ sku: `T-${i}`, slug: `t-${i}`, title: `Zelt ${String(i).padStart(2, '0')}`, category: 'tents', images: [] }));
    const f = join(mkdtempSync(join(tmpdir(), 'restatic-catalog-')), 'catalog.pdf');
    // Act
    await renderCatalog(catalogSections(products, de, NOW), { fonts, siteName: 'Test Store', labels: de.t.pdf, image: async () => undefined }, createWriteStream(f));
    // Assess
    const text = pdfText(f);
    expect(text).toContain('(Fortsetzung)');
    expect(text).not.toContain('(continued)');
  });

  it.runIf(poppler)('has a cover, contents with the right page numbers, sections and page numbers in every footer', async () => {
    // Prepare: 20 tents (3 pages), 2 backpacks, 1 product without a category
    const products = [
      ...Array.from({ length: 20 }, (_, i) => product({ sku: `T-${i}`, slug: `t-${i}`, title: `Tent ${String(i).padStart(2, '0')}`, category: 'tents', images: ['/img/t.png'] })),
      product({ sku: 'B-1', slug: 'b-1', title: 'Backpack Ω', category: 'backpacks', images: [] }),
      product({ sku: 'B-2', slug: 'b-2', title: 'Backpack Two', category: 'backpacks', salePrice: { USD: 100 }, images: [] }),
      product({ sku: 'X-1', slug: 'x-1', title: 'Loose item', category: undefined, images: [] }),
    ];
    const sections = catalogSections(products, content, NOW);
    const f = join(mkdtempSync(join(tmpdir(), 'restatic-catalog-')), 'catalog.pdf');

    // Act
    const result = await renderCatalog(sections, { fonts, siteName: 'Test Store', image: async () => image }, createWriteStream(f));

    // Assess: cover 1, contents 2, backpacks 3, tents 4–6, other 7
    expect(result).toMatchObject({ pages: 7, products: 23 });
    const contents = pdfText(f, '-f', '2', '-l', '2');
    expect(contents).toMatch(/Backpacks \(2\)\s+3/);
    expect(contents).toMatch(/Tents \(20\)\s+4/);
    expect(contents).toMatch(/Other products \(1\)\s+7/);
    expect(pdfText(f, '-f', '4', '-l', '4')).toContain('Tent 00');
    expect(pdfText(f, '-f', '6', '-l', '6')).toContain('Tent 19');
    expect(pdfText(f, '-f', '7', '-l', '7')).toContain('Page 7 of 7');
    expect(pdfText(f, '-f', '1', '-l', '1')).toContain('23 products in 3 categories');
    expect(pdfText(f)).not.toMatch(/version|\b[0-9a-f]{12}\b/i);
    expect(readFileSync(f).subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('renders the same bytes whatever order its images arrive in', async () => {
    // Prepare: one page of eight products, each with its own image
    const colours = ['red', 'blue', 'green', 'black', 'grey', 'orange', 'teal', 'yellow'];
    const backpacks = DEMO_CATEGORIES.find((c) => c.slug === 'backpacks')!;
    const pictures = new Map(colours.map((colour) => [`/img/${colour}.png`, productImage(backpacks, colour).body as Buffer]));
    const products = colours.map((colour, i) => product({ sku: `C-${i}`, slug: `c-${i}`, title: `Pack ${i}`, category: 'backpacks', images: [`/img/${colour}.png`] }));
    const sections = catalogSections(products, content, NOW);
    const render = async (image: (src: string) => Promise<Buffer | undefined>) => {
      const chunks: Buffer[] = [];
      const sink = new Writable({ write(chunk: Buffer, _encoding, done) { chunks.push(chunk); done(); } });
      await renderCatalog(sections, { fonts, siteName: 'Test Store', image }, sink);
      return Buffer.concat(chunks);
    };
    let calls = 0;

    // Act: images answered in the order asked for, then in the reverse order (as parallel reads of
    // a bucket or an image host may finish)
    const inOrder = await render(async (src) => pictures.get(src));
    const reversed = await render((src) => {
      const wait = 40 - 5 * calls++;
      return new Promise((resolve) => setTimeout(() => resolve(pictures.get(src)), wait));
    });

    // Assess
    expect(calls).toBe(colours.length);
    expect(reversed.equals(inOrder)).toBe(true);
  });
});
