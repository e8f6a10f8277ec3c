/**
 * Drawing helpers shared by the spec sheet and the catalog: text in any script (runs switch to the
 * CJK font where needed), images that degrade to a labelled placeholder, QR codes as vector
 * squares, and the deterministic document settings that make the same data give the same bytes.
 */
import { inflateSync } from 'node:zlib';
import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';
import { batchDocumentOutput, batchPageContent } from './batching.js';
import { shareEmbedding } from './embedding.js';
import { assertPatchable } from './internals.js';
import { openPng } from './png.js';
import type { PdfFonts } from './fonts.js';
import { shareLayouts, textRuns } from './fonts.js';

import type { Doc, OpenedImage } from './doc.js';

export type { Doc, OpenedImage };

/** The internals the patches need were found (once per process, before the first patch). */
let patchesChecked = false;

/** Parses an embeddable image once for repeated use in one document; undefined when it cannot be. */
export function openImage(doc: Doc, bytes: Buffer | undefined): OpenedImage | undefined {
  if (!embeddable(bytes)) return undefined;
  try {
    return openPng(doc, bytes) ?? (doc as unknown as { openImage(src: Buffer): OpenedImage }).openImage(bytes);
  } catch {
    return undefined;
  }
}

/** The parts of pdfkit's PNG image this module touches (png-js's parse under `image`). */
interface PdfkitPng {
  obj: unknown;
  image?: { interlaceMethod: number; hasAlphaChannel: boolean; transparency: { indexed?: unknown }; imgData: Uint8Array };
  embed(doc: Doc): void;
  finalize(): unknown;
}

/**
 * `openImage` for the documents (sheet and catalog), which await it. The PNGs left to pdfkit
 * (interlaced, 16-bit alpha) are decoded by an *asynchronous* inflate, and pdfkit numbers their
 * soft masks and ends their objects in its callback: several in one document were numbered in the
 * order their inflates finished, so the same data could give different bytes. Here such an image
 * is embedded at once and its decoding awaited, so its objects are numbered before the next
 * image's. Its data is inflated once synchronously first: corrupt data gives undefined (the
 * placeholder) instead of an exception in pdfkit's callback, where nothing can catch it and the
 * document would wait for the image forever. Other images are only opened, as `openImage` does.
 */
export async function openImageSettled(doc: Doc, bytes: Buffer | undefined): Promise<OpenedImage | undefined> {
  const image = openImage(doc, bytes);
  const png = image as Partial<PdfkitPng> | undefined;
  const parsed = png?.image;
  if (!png || png.obj || !parsed || typeof png.finalize !== 'function' || typeof png.embed !== 'function') return image;
  if (parsed.interlaceMethod !== 1 && !parsed.hasAlphaChannel && !parsed.transparency.indexed) return image;
  try {
    inflateSync(parsed.imgData);
  } catch {
    return undefined;
  }
  const { finalize, embed } = png as PdfkitPng;
  await new Promise<void>((resolve) => {
    png.finalize = function (this: PdfkitPng) {
      const result = finalize.call(this);
      resolve();
      return result;
    };
    embed.call(png, doc);
  });
  return image;
}

/** Fixed metadata dates: a PDF's bytes depend on its data only, never on when it was rendered. */
const FIXED_DATE = new Date('2000-01-01T00:00:00Z');

export const INK = '#1d2327';
export const MUTED = '#5f6b73';
export const ACCENT = '#b3261e';
export const RULE = '#d0d7de';

/** A new A4 document with embedded fonts registered and fixed metadata. */
export function newDocument(fonts: PdfFonts, meta: { title: string; author: string; subject: string }, options: { bufferPages?: boolean } = {}): Doc {
  const doc = new PDFDocument({
    // Our font from the start: pdfkit would otherwise load Helvetica's metrics for every document.
    font: fonts.regular as never,
    size: 'A4', margin: 48, autoFirstPage: true, bufferPages: options.bufferPages ?? false, compress: true,
    info: { Title: meta.title, Author: meta.author, Subject: meta.subject, Creator: 'Restatic', Producer: 'Restatic', CreationDate: FIXED_DATE, ModDate: FIXED_DATE },
    lang: 'en',
  });
  // pdfkit accepts a parsed fontkit font (anything with `layout`): the parse is shared, not redone.
  doc.registerFont('regular', fonts.regular as never);
  // The initial font *is* 'regular': say so, or pdfkit compares the two fonts' name tables later.
  const internals = doc as unknown as { _fontFamilies: Record<string, unknown>; _font: object };
  if (!patchesChecked) {
    assertPatchable({ PDFDocument: Object.getPrototypeOf(doc) as object, PDFPage: Object.getPrototypeOf(doc.page) as object, EmbeddedFont: Object.getPrototypeOf(internals._font) as object }, internals as unknown as Record<string, unknown>);
    patchesChecked = true;
  }
  internals._fontFamilies.regular = internals._font;
  shareLayouts(Object.getPrototypeOf(internals._font) as object);
  shareEmbedding(Object.getPrototypeOf(internals._font) as object);
  batchPageContent(Object.getPrototypeOf(doc.page) as object);
  batchDocumentOutput(Object.getPrototypeOf(doc) as object);
  doc.registerFont('bold', fonts.bold as never);
  return doc;
}

export interface TextOptions extends PDFKit.Mixins.TextOptions {
  font?: 'regular' | 'bold';
  size?: number;
  color?: string;
}

/**
 * Writes text at (x, y) or at the cursor, wrapping within `width`; runs of CJK characters use the
 * CJK font of the same weight (registered on first use, so documents without any never load it).
 */
export function text(doc: Doc, fonts: PdfFonts, value: string, x: number | undefined, y: number | undefined, options: TextOptions = {}): void {
  const { font = 'regular', size = 10, color = INK, ...rest } = options;
  doc.fontSize(size).fillColor(color);
  const main = font === 'bold' ? fonts.bold : fonts.regular;
  const runs = textRuns(value, fonts, main);
  if (runs.length === 0) runs.push({ role: 'main', text: ' ' });
  const cjk = font === 'bold' ? 'cjk-bold' : 'cjk';
  runs.forEach((run, i) => {
    if (run.role === 'cjk' && !(doc as unknown as { _registeredFonts: Record<string, unknown> })._registeredFonts[cjk]) doc.registerFont(cjk, (font === 'bold' ? fonts.cjkBold() : fonts.cjk()) as never);
    doc.font(run.role === 'cjk' ? cjk : font);
    const opts = { ...rest, continued: i < runs.length - 1 };
    if (i === 0 && x !== undefined && y !== undefined) doc.text(run.text, x, y, opts);
    else doc.text(run.text, opts);
  });
}

/** Which image formats pdfkit can embed, by magic bytes. */
export function embeddable(bytes: Buffer | undefined): bytes is Buffer {
  if (!bytes || bytes.length < 8) return false;
  const png = bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
  const jpeg = bytes[0] === 0xff && bytes[1] === 0xd8;
  return png || jpeg;
}

/**
 * Draws an image fitted and centred in a box, or a placeholder box when there is none or it cannot
 * be embedded (SVG, WebP, corrupt bytes): a missing image never fails a document.
 */
export function imageBox(doc: Doc, fonts: PdfFonts, image: Buffer | OpenedImage | undefined, x: number, y: number, w: number, h: number, placeholder: string): void {
  const opened = Buffer.isBuffer(image) ? openImage(doc, image) : image;
  if (opened) {
    try {
      doc.image(opened as never, x, y, { fit: [w, h], align: 'center', valign: 'center' });
      return;
    } catch {
      // fall through to the placeholder
    }
  }
  doc.save().rect(x, y, w, h).lineWidth(0.5).strokeColor(RULE).stroke().restore();
  text(doc, fonts, placeholder, x, y + h / 2 - 6, { width: w, align: 'center', size: 9, color: MUTED });
}

/** Decimal strings of module coordinates (a QR code is at most 177 modules wide). */
const MODULE_NUMBERS = Array.from({ length: 178 }, (_, i) => String(i));

/**
 * A QR code of `value` as filled squares (one rectangle per horizontal run of dark modules), written
 * as one path. The mask is fixed rather than searched: any mask scans, and the search was most of
 * the cost of a QR code (a sheet's whole budget is a few milliseconds).
 */
export function qrCode(doc: Doc, value: string, x: number, y: number, size: number): void {
  // One byte-mode segment: the segment optimiser (a shortest-path search) buys nothing for a URL.
  const { modules } = QRCode.create([{ data: Buffer.from(value, 'utf8'), mode: 'byte' }], { errorCorrectionLevel: 'M', maskPattern: 2 });
  const n = modules.size;
  const quiet = 2;
  const cell = size / (n + quiet * 2);
  // Drawn in module units (one unit = one module, origin at the first module): small integers keep
  // the content stream short, and it is deflated in every sheet.
  const ops: string[] = [];
  for (let row = 0; row < n; row++) {
    const rowText = MODULE_NUMBERS[row]!;
    let start = -1;
    for (let col = 0; col <= n; col++) {
      const dark = col < n && modules.data[row * n + col] === 1;
      if (dark && start < 0) start = col;
      if (!dark && start >= 0) {
        ops.push(`${MODULE_NUMBERS[start]} ${rowText} ${MODULE_NUMBERS[col - start]} 1 re`);
        start = -1;
      }
    }
  }
  // PDF user space runs bottom-up; pdfkit flips it, so y grows downwards here as everywhere else.
  doc.save().fillColor('#000000').transform(cell, 0, 0, cell, x + quiet * cell, y + quiet * cell);
  (doc as unknown as { addContent(ops: string): void }).addContent(ops.join('\n'));
  doc.fill().restore();
}

/** A thin horizontal rule across the text block. */
export function rule(doc: Doc, y: number): void {
  doc.save().moveTo(doc.page.margins.left, y).lineTo(doc.page.width - doc.page.margins.right, y).lineWidth(0.5).strokeColor(RULE).stroke().restore();
}

/** Collects a document's bytes (spec sheets are small; the catalog streams instead). */
export function collect(doc: Doc): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
}
