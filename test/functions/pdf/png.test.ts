/**
 * PNGs embedded without decoding must give exactly the document pdfkit's own PNG path gives; the
 * ones that need decoding (alpha, transparency, interlacing) must still go to pdfkit.
 */
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { collect, newDocument, openImage, type Doc, type OpenedImage } from '../../../functions/pdf/draw.js';
import { loadPdfFonts } from '../../../functions/pdf/fonts.js';
import { openPng } from '../../../functions/pdf/png.js';
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

  it('hands PNGs that need decoding (alpha, tRNS, interlaced, truncated) to pdfkit', async () => {
    // Prepare
    const doc = newDocument(fonts, { title: 't', author: 'a', subject: 's' });
    const alpha = png(20, 10, 6);
    const transparent = png(20, 10, 2, [['tRNS', Buffer.from([0, 0, 0, 0, 0, 0])]]);
    const interlaced = png(20, 10, 2, [], 1);
    const truncated = png(20, 10, 2).subarray(0, 60);
    // Act / Assess
    for (const image of [alpha, transparent, interlaced, truncated]) expect(openPng(doc, image)).toBeUndefined();
    const ours = await render((d) => openImage(d, alpha));
    expect(ours.equals(await render(pdfkitOpen(alpha)))).toBe(true);
    expect(openImage(doc, truncated)).toBeUndefined();
  });
});
