/**
 * PNG images embedded without pdfkit's PNG parser. pdfkit reads a PNG with png-js, which copies the
 * compressed image data into a JavaScript array one byte at a time: a 1000 × 1000 product photo
 * (≈ 0.9 MB) added ~40 ms to a spec sheet that otherwise takes ~2 ms, in every document that shows
 * it. PNGs without transparency or interlacing (grey, RGB or palette) need no decoding at all: the
 * PDF takes their zlib stream as it is, with PNG predictors. Those are parsed here once per image
 * (the chunks are sliced, not copied byte by byte) and written exactly as pdfkit writes them, so
 * the document's bytes do not change.
 *
 * PNGs with an alpha channel (grey or RGB plus alpha, 8 bits: cut-out product photos) must be
 * decoded, because PDF keeps the alpha in a separate soft mask. pdfkit decodes them with an
 * *asynchronous* inflate and creates the mask object in its callback, so with several such images
 * in one document (the catalog) the objects' numbers depended on which inflate finished first: the
 * same data could give different bytes. Here they are decoded synchronously (typed arrays, once per
 * image buffer) and written as pdfkit writes them (same dictionaries, same deflate), the mask
 * created right after its image. Palette PNGs with a tRNS chunk (8 bits) get their soft mask the
 * same way. Anything else (16-bit alpha, a grey/RGB colour key, interlaced) goes to pdfkit.
 */
import { deflateSync, inflateSync } from 'node:zlib';
import type { Doc, OpenedImage } from './doc.js';

interface ParsedPng {
  width: number;
  height: number;
  bits: number;
  colors: 1 | 3;
  /** RGB triplets of a palette image. */
  palette?: Buffer;
  /** The IDAT chunks' data, concatenated: one zlib stream. */
  data: Buffer;
  /** With an alpha channel: the colour samples and the alpha samples, each deflated (made on first embedding). */
  alpha?: { color?: Buffer; mask?: Buffer };
  /** A palette image's tRNS alphas by index, and its deflated soft mask (made on first embedding). */
  indexedAlpha?: { table: Buffer; mask?: Buffer };
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const parsed = new WeakMap<Buffer, ParsedPng | null>();

/** Parses a PNG the PDF can take as it is, or null when pdfkit must decode it. */
function parse(bytes: Buffer): ParsedPng | null {
  if (bytes.length < 33 || !bytes.subarray(0, 8).equals(SIGNATURE)) return null;
  let header: { width: number; height: number; bits: number; colorType: number } | undefined;
  let palette: Buffer | undefined;
  let trns: Buffer | undefined;
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
    else if (type === 'tRNS') trns = body;
    else if (type === 'IDAT') idat.push(body);
    else if (type === 'IEND') break;
  }
  if (!header || idat.length === 0 || header.width === 0 || header.height === 0) return null;
  const { width, height, bits, colorType } = header;
  // tRNS on a palette image (8 bits) is decoded here; on grey or RGB (a colour key) pdfkit's turn.
  if (trns && !(colorType === 3 && bits === 8)) return null;
  if (colorType === 0) return { width, height, bits, colors: 1, data: Buffer.concat(idat) };
  if (colorType === 2) return { width, height, bits, colors: 3, data: Buffer.concat(idat) };
  if (colorType === 3 && palette && palette.length % 3 === 0) return { width, height, bits, colors: 1, palette, data: Buffer.concat(idat), ...(trns ? { indexedAlpha: { table: trns } } : {}) };
  if ((colorType === 4 || colorType === 6) && bits === 8) return { width, height, bits, colors: colorType === 4 ? 1 : 3, data: Buffer.concat(idat), alpha: {} };
  return null; // 16-bit alpha, other bit depths: pdfkit decodes them
}

/**
 * Undoes PNG's per-row filters (None, Sub, Up, Average, Paeth) of an 8-bit image with `bpp` bytes
 * a pixel; throws on a stream that is short or names an unknown filter.
 */
export function unfilter(filtered: Uint8Array, width: number, height: number, bpp: number): Uint8Array {
  const stride = width * bpp;
  if (filtered.length < (stride + 1) * height) throw new Error(`PNG data: expected ${(stride + 1) * height} bytes, got ${filtered.length}`);
  const out = new Uint8Array(stride * height);
  // A zero row stands in for the row above the first, so every filter reads `up` the same way.
  const zero = new Uint8Array(stride);
  // One loop per filter type: the type is fixed for a row, so it is tested once a row, not once a byte.
  for (let y = 0; y < height; y++) {
    const filter = filtered[y * (stride + 1)];
    const src = filtered.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const row = out.subarray(y * stride, (y + 1) * stride);
    const up = y > 0 ? out.subarray((y - 1) * stride, y * stride) : zero;
    switch (filter) {
      case 0:
        row.set(src);
        break;
      case 1:
        for (let x = 0; x < stride; x++) row[x] = (src[x]! + (x >= bpp ? row[x - bpp]! : 0)) & 0xff;
        break;
      case 2:
        for (let x = 0; x < stride; x++) row[x] = (src[x]! + up[x]!) & 0xff;
        break;
      case 3:
        for (let x = 0; x < stride; x++) row[x] = (src[x]! + (((x >= bpp ? row[x - bpp]! : 0) + up[x]!) >> 1)) & 0xff;
        break;
      case 4:
        for (let x = 0; x < stride; x++) {
          const left = x >= bpp ? row[x - bpp]! : 0;
          const above = up[x]!;
          const upLeft = x >= bpp ? up[x - bpp]! : 0;
          const p = left + above - upLeft;
          const pa = Math.abs(p - left);
          const pb = Math.abs(p - above);
          const pc = Math.abs(p - upLeft);
          row[x] = (src[x]! + (pa <= pb && pa <= pc ? left : pb <= pc ? above : upLeft)) & 0xff;
        }
        break;
      default:
        throw new Error(`PNG data: unknown filter ${filter} on row ${y}`);
    }
  }
  return out;
}

/** A palette PNG's soft mask: each pixel's tRNS alpha (indices past the table are opaque), deflated. */
function indexedMask(png: ParsedPng, table: Buffer): Buffer {
  const indices = unfilter(inflateSync(png.data), png.width, png.height, 1);
  const mask = new Uint8Array(indices.length);
  for (let i = 0; i < indices.length; i++) mask[i] = table[indices[i]!] ?? 255;
  return deflateSync(mask);
}

/** Splits an alpha PNG's pixels into colour and alpha samples, each deflated as pdfkit deflates them. */
function splitAlpha(png: ParsedPng): { color: Buffer; mask: Buffer } {
  const pixels = unfilter(inflateSync(png.data), png.width, png.height, png.colors + 1);
  const count = png.width * png.height;
  const color = new Uint8Array(count * png.colors);
  const mask = new Uint8Array(count);
  for (let i = 0, p = 0, c = 0; i < count; i++) {
    for (let k = 0; k < png.colors; k++) color[c++] = pixels[p++]!;
    mask[i] = pixels[p++]!;
  }
  return { color: deflateSync(color), mask: deflateSync(mask) };
}

interface Ref { data: Record<string, unknown>; end(chunk?: Uint8Array): void }
type Internals = { ref(data?: Record<string, unknown>): Ref; _imageCount: number };

/** A soft mask object (deflated 8-bit alpha), with the dictionary pdfkit gives its own. */
function softMask(document: Internals, png: ParsedPng, deflated: Buffer): Ref {
  const mask = document.ref({ Type: 'XObject', Subtype: 'Image', Height: png.height, Width: png.width, BitsPerComponent: 8, Filter: 'FlateDecode', ColorSpace: 'DeviceGray', Decode: [0, 1] });
  mask.end(deflated);
  return mask;
}

/**
 * An image pdfkit can draw (`doc.image(image, …)`) for a PNG handled here; undefined when `bytes`
 * is not such a PNG (pdfkit's turn). Throws when an alpha PNG's image data is corrupt. Labelled and
 * embedded as pdfkit's own PNG images are.
 */
export function openPng(doc: Doc, bytes: Buffer): OpenedImage | undefined {
  let png = parsed.get(bytes);
  if (png === undefined) parsed.set(bytes, (png = parse(bytes)));
  if (!png) return undefined;
  // Corrupt image data throws here, synchronously, and the caller draws the placeholder (pdfkit's
  // decoder would throw in an inflate callback, where nothing can catch it).
  if (png.alpha && !png.alpha.color) Object.assign(png.alpha, splitAlpha(png));
  if (png.indexedAlpha && !png.indexedAlpha.mask) png.indexedAlpha.mask = indexedMask(png, png.indexedAlpha.table);
  const internals = doc as unknown as Internals;
  const image = {
    label: `I${++internals._imageCount}`,
    width: png.width,
    height: png.height,
    obj: null as Ref | null,
    embed(document: Internals) {
      if (image.obj) return;
      const obj = (image.obj = document.ref({ Type: 'XObject', Subtype: 'Image', BitsPerComponent: png.bits, Width: png.width, Height: png.height, Filter: 'FlateDecode' }));
      if (png.alpha) {
        obj.data.ColorSpace = png.colors === 1 ? 'DeviceGray' : 'DeviceRGB';
        obj.data.SMask = softMask(document, png, png.alpha.mask!);
        obj.end(png.alpha.color);
        return;
      }
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
      if (png.indexedAlpha) obj.data.SMask = softMask(document, png, png.indexedAlpha.mask!);
      obj.end(png.data);
    },
  };
  return image;
}
