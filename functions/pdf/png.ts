/**
 * PNG images embedded without pdfkit's PNG parser. pdfkit reads a PNG with png-js, which copies the
 * compressed image data into a JavaScript array one byte at a time: a 1000 × 1000 product photo
 * (≈ 0.9 MB) added ~40 ms to a spec sheet that otherwise takes ~2 ms, in every document that shows
 * it. PNGs without transparency or interlacing (grey, RGB or palette) need no decoding at all: the
 * PDF takes their zlib stream as it is, with PNG predictors. Those are parsed here once per image
 * (the chunks are sliced, not copied byte by byte) and written exactly as pdfkit writes them, so
 * the document's bytes do not change. Anything else (alpha, tRNS, interlaced) goes to pdfkit.
 */
import type { Doc, OpenedImage } from './draw.js';

interface ParsedPng {
  width: number;
  height: number;
  bits: number;
  colors: 1 | 3;
  /** RGB triplets of a palette image. */
  palette?: Buffer;
  /** The IDAT chunks' data, concatenated: one zlib stream. */
  data: Buffer;
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const parsed = new WeakMap<Buffer, ParsedPng | null>();

/** Parses a PNG the PDF can take as it is, or null when pdfkit must decode it. */
function parse(bytes: Buffer): ParsedPng | null {
  if (bytes.length < 33 || !bytes.subarray(0, 8).equals(SIGNATURE)) return null;
  let header: { width: number; height: number; bits: number; colorType: number } | undefined;
  let palette: Buffer | undefined;
  const idat: Buffer[] = [];
  for (let pos = 8; pos + 8 <= bytes.length;) {
    const length = bytes.readUInt32BE(pos);
    const type = bytes.toString('latin1', pos + 4, pos + 8);
    const body = bytes.subarray(pos + 8, pos + 8 + length);
    if (body.length !== length) return null; // truncated
    pos += 12 + length;
    if (type === 'IHDR') {
      const [bits, colorType, , , interlace] = body.subarray(8, 13);
      if (interlace !== 0) return null;
      header = { width: body.readUInt32BE(0), height: body.readUInt32BE(4), bits: bits!, colorType: colorType! };
    } else if (type === 'PLTE') palette = body;
    else if (type === 'tRNS') return null;
    else if (type === 'IDAT') idat.push(body);
    else if (type === 'IEND') break;
  }
  if (!header || idat.length === 0 || header.width === 0 || header.height === 0) return null;
  const { width, height, bits, colorType } = header;
  if (colorType === 0) return { width, height, bits, colors: 1, data: Buffer.concat(idat) };
  if (colorType === 2) return { width, height, bits, colors: 3, data: Buffer.concat(idat) };
  if (colorType === 3 && palette && palette.length % 3 === 0) return { width, height, bits, colors: 1, palette, data: Buffer.concat(idat) };
  return null; // grey or RGB with alpha: pdfkit splits the alpha channel
}

interface Ref { data: Record<string, unknown>; end(chunk?: Uint8Array): void }
type Internals = { ref(data?: Record<string, unknown>): Ref; _imageCount: number };

/**
 * An image pdfkit can draw (`doc.image(image, …)`) for a PNG that needs no decoding; undefined when
 * `bytes` is not such a PNG. Labelled and embedded as pdfkit's own PNG images are.
 */
export function openPng(doc: Doc, bytes: Buffer): OpenedImage | undefined {
  let png = parsed.get(bytes);
  if (png === undefined) parsed.set(bytes, (png = parse(bytes)));
  if (!png) return undefined;
  const internals = doc as unknown as Internals;
  const image = {
    label: `I${++internals._imageCount}`,
    width: png.width,
    height: png.height,
    obj: null as Ref | null,
    embed(document: Internals) {
      if (image.obj) return;
      const obj = (image.obj = document.ref({ Type: 'XObject', Subtype: 'Image', BitsPerComponent: png.bits, Width: png.width, Height: png.height, Filter: 'FlateDecode' }));
      const params = document.ref({ Predictor: 15, Colors: png.colors, BitsPerComponent: png.bits, Columns: png.width });
      obj.data.DecodeParms = params;
      params.end();
      if (png.palette) {
        const palette = document.ref();
        palette.end(png.palette);
        obj.data.ColorSpace = ['Indexed', 'DeviceRGB', png.palette.length / 3 - 1, palette];
      } else {
        obj.data.ColorSpace = png.colors === 1 ? 'DeviceGray' : 'DeviceRGB';
      }
      obj.end(png.data);
    },
  };
  return image;
}
