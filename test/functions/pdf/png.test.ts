/**
 * PNGs embedded without decoding must give exactly the document pdfkit's own PNG path gives; PNGs
 * with an alpha channel are decoded here (synchronously, so documents stay deterministic) into the
 * same image and soft mask pdfkit makes, as are palette PNGs with tRNS; the rest (a grey/RGB colour
 * key, interlacing, 16-bit alpha) go to pdfkit, and where a document has several of those, pdfkit's
 * asynchronous decoding is awaited image by image.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { collect, newDocument, openImage, openImageSettled, type Doc, type OpenedImage } from '../../../functions/pdf/draw.js';
import { loadPdfFonts } from '../../../functions/pdf/fonts.js';
import { openPng, unfilter } from '../../../functions/pdf/png.js';
import { pngChunk as chunk } from '../../../functions/shared/demo/png.js';

const fonts = loadPdfFonts();

/** A PNG of the given colour type with pseudo-random pixels (8 bits per sample, filter 0). */
function png(width: number, height: number, colorType: 0 | 2 | 3 | 6, extra: Array<[string, Buffer]> = [], interlace = 0): Buffer {
  const samples = { 0: 1, 2: 3, 3: 1, 6: 4 }[colorType];
  const raw = Buffer.alloc((width * samples + 1) * height);
  let seed = 42;
  for (let i = 0; i < raw.length; i++) raw[i] = i % (width * samples + 1) === 0 ? 0 : (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % (colorType === 3 ? 4 : 256);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, colorType, 0, 0, interlace], 8);
  const chunks = [chunk('IHDR', ihdr), ...extra.map(([t, d]) => chunk(t, d))];
  // Split the stream over two IDAT chunks, as encoders do for large images.
  const z = deflateSync(raw);
  chunks.push(chunk('IDAT', z.subarray(0, z.length >> 1)), chunk('IDAT', z.subarray(z.length >> 1)), chunk('IEND', Buffer.alloc(0)));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), ...chunks]);
}

/**
 * An 8-bit PNG whose rows cycle through all five filter types (None, Sub, Up, Average, Paeth),
 * filtered here as an encoder would: the decoder must undo each.
 */
function filteredPng(width: number, height: number, colorType: 4 | 6, options: { bits?: 8 | 16; seed?: number } = {}): { png: Buffer; pixels: Uint8Array } {
  const bits = options.bits ?? 8;
  const bpp = ((colorType === 4 ? 2 : 4) * bits) / 8;
  const stride = width * bpp;
  const pixels = new Uint8Array(stride * height);
  let seed = options.seed ?? 7;
  // Smooth gradients plus noise, so the predictors have something to predict.
  for (let i = 0; i < pixels.length; i++) pixels[i] = ((i % stride) + (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % 16 + Math.floor(i / stride) * 3) & 0xff;
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    const filter = y % 5;
    raw[y * (stride + 1)] = filter;
    for (let x = 0; x < stride; x++) {
      const v = pixels[y * stride + x]!;
      const a = x >= bpp ? pixels[y * stride + x - bpp]! : 0;
      const b = y > 0 ? pixels[(y - 1) * stride + x]! : 0;
      const c = x >= bpp && y > 0 ? pixels[(y - 1) * stride + x - bpp]! : 0;
      const p = a + b - c;
      const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      raw[y * (stride + 1) + 1 + x] = (v - [0, a, b, (a + b) >> 1, paeth][filter]!) & 0xff;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([bits, colorType, 0, 0, 0], 8);
  const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
  return { png, pixels };
}

/** Every run has the same bytes and `count` soft-masked images, each mask numbered right after its image. */
function expectStableMasks(runs: Buffer[], count: number): void {
  for (const run of runs) expect(run.equals(runs[0]!)).toBe(true);
  const masked = images(runs[0]!).filter((i) => i.dict.includes('/SMask'));
  expect(masked).toHaveLength(count);
  for (const image of masked) expect(image.dict).toContain(`/SMask ${image.num + 1} 0 R`);
}

/** The document's image XObjects: object number, dictionary text, inflated stream. */
function images(pdf: Buffer): Array<{ num: number; dict: string; data: Buffer }> {
  const text = pdf.toString('latin1');
  const found: Array<{ num: number; dict: string; data: Buffer }> = [];
  for (const m of text.matchAll(/(\d+) 0 obj\s*<<((?:(?!endobj)[^])*?)>>\s*stream\n/g)) {
    if (!m[2]!.includes('/Subtype /Image')) continue;
    const length = Number(/\/Length (\d+)/.exec(m[2]!)![1]);
    const start = m.index! + m[0].length;
    found.push({ num: Number(m[1]), dict: m[2]!, data: inflateSync(pdf.subarray(start, start + length)) });
  }
  return found;
}

async function render(open: (doc: Doc) => OpenedImage | undefined): Promise<Buffer> {
  const doc = newDocument(fonts, { title: 't', author: 'a', subject: 's' });
  const bytes = collect(doc);
  doc.image(open(doc) as never, 20, 20, { fit: [200, 200] });
  doc.image(open(doc) as never, 20, 300, { fit: [100, 100] });
  doc.end();
  return bytes;
}

const pdfkitOpen = (bytes: Buffer) => (doc: Doc) => (doc as unknown as { openImage(b: Buffer): OpenedImage }).openImage(bytes);

describe('PNG embedding', () => {
  const palette = Buffer.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255]);
  for (const [name, image] of [['grey', png(61, 37, 0)], ['RGB', png(64, 48, 2)], ['palette', png(33, 21, 3, [['PLTE', palette]])]] as const) {
    it(`writes a ${name} PNG byte for byte as pdfkit does, without decoding it`, async () => {
      // Act
      const ours = await render((doc) => openImage(doc, image));
      const theirs = await render(pdfkitOpen(image));
      // Assess
      expect(openPng(newDocument(fonts, { title: 't', author: 'a', subject: 's' }), image)).toBeDefined();
      expect(ours.equals(theirs)).toBe(true);
    });
  }

  it('hands PNGs that need pdfkit (tRNS, interlaced, 16-bit alpha, truncated) to pdfkit', async () => {
    // Prepare
    const doc = newDocument(fonts, { title: 't', author: 'a', subject: 's' });
    const transparent = png(20, 10, 2, [['tRNS', Buffer.from([0, 0, 0, 0, 0, 0])]]);
    const interlaced = png(20, 10, 2, [], 1);
    const deep = filteredPng(20, 10, 6, { bits: 16 }).png;
    const truncated = png(20, 10, 2).subarray(0, 60);
    // Act / Assess
    for (const image of [transparent, interlaced, deep, truncated]) expect(openPng(doc, image)).toBeUndefined();
    const ours = await render((d) => openImage(d, transparent));
    expect(ours.equals(await render(pdfkitOpen(transparent)))).toBe(true);
    expect(openImage(doc, truncated)).toBeUndefined();
  });

  it('undoes all five PNG filters', () => {
    for (const colorType of [4, 6] as const) {
      // Prepare
      const { png: image, pixels } = filteredPng(37, 23, colorType);
      // Act
      const ours = unfilter(inflateSync(image.subarray(33, image.length - 12).subarray(8, -4)), 37, 23, colorType === 4 ? 2 : 4);
      // Assess
      expect(Buffer.from(ours).equals(Buffer.from(pixels))).toBe(true);
    }
  });

  it('embeds an alpha PNG as pdfkit does (colour image plus soft mask), its mask numbered right after it', async () => {
    for (const colorType of [4, 6] as const) {
      // Prepare
      const { png: image, pixels } = filteredPng(41, 29, colorType);
      const colors = colorType === 4 ? 1 : 3;
      // Act
      const ours = await render((doc) => openImage(doc, image));
      const theirs = await render(pdfkitOpen(image));
      // Assess: the same images as pdfkit's (dictionaries up to object numbers, decoded samples)
      const same = (pdf: Buffer) => images(pdf).map((i) => `${i.dict.replace(/\d+ 0 R/g, 'R')} ${i.data.toString('hex')}`).sort();
      expect(same(ours)).toEqual(same(theirs));
      const ourImages = images(ours);
      const color = ourImages.find((i) => i.dict.includes('/SMask'))!;
      const mask = ourImages.find((i) => i.num === Number(/\/SMask (\d+) 0 R/.exec(color.dict)![1]))!;
      expect(mask.num).toBe(color.num + 1);
      const split = { color: [] as number[], alpha: [] as number[] };
      pixels.forEach((v, i) => (i % (colors + 1) === colors ? split.alpha : split.color).push(v));
      expect([...color.data]).toEqual(split.color);
      expect([...mask.data]).toEqual(split.alpha);
    }
  });

  it('gives the same bytes every time for a document with many alpha images (pdfkit\'s own path does not)', async () => {
    // Prepare: eight alpha images of different sizes in one document, as on a catalog page
    const alphas = Array.from({ length: 8 }, (_, i) => filteredPng(60 + i * 40, 50 + i * 30, 6, { seed: i + 1 }).png);
    const draw = async () => {
      const doc = newDocument(fonts, { title: 't', author: 'a', subject: 's' });
      const bytes = collect(doc);
      alphas.forEach((a, i) => doc.image(openImage(doc, a) as never, 20 + (i % 4) * 120, 20 + Math.floor(i / 4) * 150, { fit: [100, 100] }));
      doc.end();
      return bytes;
    };
    // Act
    const runs = await Promise.all(Array.from({ length: 6 }, draw));
    // Assess: identical, and every mask right after its image (in pdfkit's path the masks are made
    // in inflate callbacks, after every image, in the order the inflates happen to finish)
    expectStableMasks(runs, 8);
  });

  it('gives a palette PNG with tRNS the soft mask pdfkit gives it, the same every time', async () => {
    // Prepare: 4 palette entries, the first two partly transparent, the rest opaque (short table)
    const palette = Buffer.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255]);
    const images8 = Array.from({ length: 6 }, (_, i) => png(30 + i * 17, 20 + i * 9, 3, [['PLTE', palette], ['tRNS', Buffer.from([0, 128])]]));
    const draw = async (open: (doc: Doc, bytes: Buffer) => OpenedImage | undefined) => {
      const doc = newDocument(fonts, { title: 't', author: 'a', subject: 's' });
      const bytes = collect(doc);
      images8.forEach((b, i) => doc.image(open(doc, b) as never, 20 + (i % 3) * 150, 20 + Math.floor(i / 3) * 150, { fit: [100, 100] }));
      doc.end();
      return bytes;
    };
    // Act
    const ours = await Promise.all(Array.from({ length: 4 }, () => draw(openImage)));
    const theirs = await draw((doc, b) => pdfkitOpen(b)(doc));
    // Assess: identical runs; the same images and masks as pdfkit's (up to object numbers)
    for (const run of ours) expect(run.equals(ours[0]!)).toBe(true);
    expect(openPng(newDocument(fonts, { title: 't', author: 'a', subject: 's' }), images8[0]!)).toBeDefined();
    const same = (pdf: Buffer) => images(pdf).map((i) => `${i.dict.replace(/\d+ 0 R/g, 'R')} ${i.data.toString('hex')}`).sort();
    expect(same(ours[0]!)).toEqual(same(theirs));
    const masks = images(ours[0]!).filter((i) => i.dict.includes('/Decode [0 1]'));
    expect(masks).toHaveLength(6);
    expect(new Set(masks.flatMap((m) => [...m.data]))).toEqual(new Set([0, 128, 255]));
  });

  it('draws the placeholder for an alpha PNG whose image data is corrupt, instead of failing the thread', () => {
    // Prepare
    const { png: image } = filteredPng(20, 10, 6);
    const corrupt = Buffer.concat([image.subarray(0, 33), chunk('IDAT', Buffer.from('not zlib at all')), chunk('IEND', Buffer.alloc(0))]);
    const doc = newDocument(fonts, { title: 't', author: 'a', subject: 's' });
    // Act / Assess
    expect(openImage(doc, corrupt)).toBeUndefined();
  });

  it('numbers the images pdfkit decodes itself (16-bit alpha) in a fixed order when they are opened settled', async () => {
    // Prepare: six 16-bit alpha PNGs of different sizes, as a catalog page might show
    const deep = Array.from({ length: 6 }, (_, i) => filteredPng(40 + i * 30, 30 + i * 20, 6, { bits: 16, seed: i + 1 }).png);
    const draw = async () => {
      const doc = newDocument(fonts, { title: 't', author: 'a', subject: 's' });
      const bytes = collect(doc);
      const opened: Array<OpenedImage | undefined> = [];
      for (const image of deep) opened.push(await openImageSettled(doc, image));
      opened.forEach((image, i) => doc.image(image as never, 20 + (i % 3) * 150, 20 + Math.floor(i / 3) * 150, { fit: [100, 100] }));
      doc.end();
      return bytes;
    };
    // Act
    const runs = await Promise.all(Array.from({ length: 4 }, draw));
    // Assess: identical runs, each mask right after its image (opened plainly, pdfkit numbers the
    // masks after all the images, in the order its inflates finish)
    expectStableMasks(runs, 6);
  });

  it('draws the placeholder for a PNG pdfkit would decode whose image data is corrupt', async () => {
    // Prepare
    const { png: image } = filteredPng(20, 10, 6, { bits: 16 });
    const corrupt = Buffer.concat([image.subarray(0, 33), chunk('IDAT', Buffer.from('not zlib at all')), chunk('IEND', Buffer.alloc(0))]);
    // Act / Assess
    expect(await openImageSettled(newDocument(fonts, { title: 't', author: 'a', subject: 's' }), corrupt)).toBeUndefined();
  });

  const poppler = (() => { try { execFileSync('pdftoppm', ['-v'], { stdio: 'ignore' }); return true; } catch { return false; } })();
  it.skipIf(!poppler)('renders an alpha PNG exactly as pdfkit\'s path renders it (pdftoppm)', async () => {
    // Prepare
    const { png: image } = filteredPng(64, 48, 6, { seed: 3 });
    const dir = mkdtempSync(join(tmpdir(), 'restatic-png-'));
    const raster = (pdf: Buffer, name: string) => {
      writeFileSync(join(dir, `${name}.pdf`), pdf);
      execFileSync('pdftoppm', ['-r', '72', '-f', '1', '-l', '1', '-singlefile', join(dir, `${name}.pdf`), join(dir, name)]);
      return readFileSync(join(dir, `${name}.ppm`));
    };
    // Act
    const ours = raster(await render((doc) => openImage(doc, image)), 'ours');
    const theirs = raster(await render(pdfkitOpen(image)), 'theirs');
    // Assess: same pixels, and not a blank page
    expect(ours.equals(theirs)).toBe(true);
    expect(new Set(ours.subarray(100)).size).toBeGreaterThan(10);
  });
});
