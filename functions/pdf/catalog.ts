/**
 * The store catalog (`/pdf/catalog.pdf`): a cover, a table of contents with page numbers, one
 * section per category (CMS order) with its products in a fixed 3 × 3 grid, and page numbers in
 * every footer. The layout is fixed, so every page number is known before the first page is drawn:
 * the document streams to its sink page by page and is never held whole (10,000 products ≈ 1,100
 * pages in a bounded amount of memory).
 */
import type { Writable } from 'node:stream';
import { RenderError } from '../shared/errors.js';
import { sha256 } from '../shared/hash.js';
import { fill, messagesFor, type PdfLabels } from '../shared/markets/messages.js';
import type { CatalogEntry } from './data.js';
import { ACCENT, type Doc, imageBox, INK, MUTED, newDocument, openImageSettled, type OpenedImage, rule, text } from './draw.js';
import type { PdfFonts } from './fonts.js';

export interface CatalogSection {
  title: string;
  entries: CatalogEntry[];
}

export interface CatalogAssets {
  fonts: PdfFonts;
  siteName: string;
  /** The catalog's words in its market's language. @default English */
  labels?: PdfLabels;
  /** Reads an image by site path or URL; undefined when it cannot be had. */
  image(src: string): Promise<Buffer | undefined>;
}

export interface CatalogResult {
  pages: number;
  products: number;
  /** sha256 (12 hex digits) of everything the catalog shows: printed on the cover. */
  version: string;
}

const COLUMNS = 3;
const ROWS = 3;
const PER_PAGE = COLUMNS * ROWS;
const TOC_PER_PAGE = 32;
const LEFT = 48;
const TOP = 96;
const WIDTH = 595.28 - 96;
const GAP = 14;
const CELL_W = (WIDTH - GAP * (COLUMNS - 1)) / COLUMNS;
const CELL_H = 200;
const IMAGE_H = 110;
/** Opened images kept for reuse within one document (each is embedded once). */
const IMAGE_CACHE_LIMIT = 500;

/** The catalog's version: a hash of every value it shows, its words (site name, labels) included. */
export function catalogVersion(sections: readonly CatalogSection[], words: { siteName: string; labels?: PdfLabels }): string {
  return sha256(JSON.stringify({ sections, siteName: words.siteName, labels: words.labels ?? messagesFor('en').pdf })).slice(0, 12);
}

/** Streams the catalog PDF into `sink` (a file, an upload), resolving once the sink has it all. */
export async function renderCatalog(sections: readonly CatalogSection[], assets: CatalogAssets, sink: Writable, onPage?: (page: number, total: number) => void): Promise<CatalogResult> {
  const { fonts } = assets;
  const t = assets.labels ?? messagesFor('en').pdf;
  const populated = sections.filter((s) => s.entries.length > 0);
  const tocPages = Math.max(1, Math.ceil(populated.length / TOC_PER_PAGE));
  const startPages: number[] = [];
  let total = 1 + tocPages;
  for (const section of populated) {
    startPages.push(total + 1);
    total += Math.ceil(section.entries.length / PER_PAGE);
  }
  const version = catalogVersion(populated, assets);
  const products = populated.reduce((n, s) => n + s.entries.length, 0);
  let page = 1;

  const doc = newDocument(fonts, { title: `${assets.siteName} — ${t.catalogFooter}`, author: assets.siteName, subject: `${t.catalog}, ${fill(t.catalogSummary, { products, categories: populated.length })}` });
  const done = new Promise<void>((resolve, reject) => {
    sink.on('finish', resolve);
    sink.on('error', reject);
    doc.on('error', reject);
  });
  doc.pipe(sink);
  try {
    const footer = () => {
      doc.page.margins.bottom = 0;
      text(doc, fonts, `${assets.siteName} · ${t.catalogFooter}`, LEFT, doc.page.height - 40, { size: 8, color: MUTED, width: WIDTH / 2, lineBreak: false });
      text(doc, fonts, fill(t.page, { n: page, count: total }), LEFT + WIDTH / 2, doc.page.height - 40, { size: 8, color: MUTED, width: WIDTH / 2, align: 'right', lineBreak: false });
      onPage?.(page, total);
    };
    const nextPage = () => {
      doc.addPage();
      page++;
    };

    // Cover.
    text(doc, fonts, assets.siteName, LEFT, 260, { font: 'bold', size: 34, width: WIDTH, align: 'center' });
    text(doc, fonts, t.catalog, LEFT, doc.y + 8, { size: 18, color: MUTED, width: WIDTH, align: 'center' });
    text(doc, fonts, fill(t.catalogSummary, { products, categories: populated.length }), LEFT, doc.y + 24, { size: 11, width: WIDTH, align: 'center' });
    onPage?.(page, total);

    // Table of contents.
    for (let tocPage = 0; tocPage < tocPages; tocPage++) {
      nextPage();
      text(doc, fonts, tocPage === 0 ? t.contents : t.contentsContinued, LEFT, 60, { font: 'bold', size: 18, width: WIDTH });
      let y = 100;
      for (let i = tocPage * TOC_PER_PAGE; i < Math.min(populated.length, (tocPage + 1) * TOC_PER_PAGE); i++) {
        const section = populated[i]!;
        text(doc, fonts, `${section.title} (${section.entries.length})`, LEFT, y, { size: 11, width: WIDTH - 60, lineBreak: false, ellipsis: true, height: 16 });
        text(doc, fonts, String(startPages[i]), LEFT + WIDTH - 60, y, { size: 11, width: 60, align: 'right', lineBreak: false });
        doc.save().moveTo(LEFT, y + 15).lineTo(LEFT + WIDTH, y + 15).lineWidth(0.3).dash(1, { space: 2 }).strokeColor('#c0c7ce').stroke().undash().restore();
        y += 20;
      }
      footer();
    }

    // Sections: a heading on each page, then the grid.
    const opened = new Map<string, OpenedImage | undefined>();
    /**
     * A page's images: read in parallel, then opened in the page's order. Opening names an image
     * (I1, I2, …) in the document, so opening each as its read finished would make the bytes
     * depend on which read finished first.
     */
    const imagesFor = async (entries: CatalogEntry[]): Promise<Array<OpenedImage | undefined>> => {
      const bytes = await Promise.all(entries.map((e) => (e.image && !opened.has(e.image) ? assets.image(e.image) : undefined)));
      const images: Array<OpenedImage | undefined> = [];
      for (const [i, e] of entries.entries()) {
        if (!e.image) images.push(undefined);
        else if (opened.has(e.image)) images.push(opened.get(e.image));
        else {
          const image = await openImageSettled(doc, bytes[i]);
          if (opened.size < IMAGE_CACHE_LIMIT) opened.set(e.image, image);
          images.push(image);
        }
      }
      return images;
    };
    for (const section of populated) {
      for (let first = 0; first < section.entries.length; first += PER_PAGE) {
        const entries = section.entries.slice(first, first + PER_PAGE);
        const images = await imagesFor(entries);
        nextPage();
        text(doc, fonts, first === 0 ? section.title : fill(t.sectionContinued, { title: section.title }), LEFT, 52, { font: 'bold', size: 16, width: WIDTH, lineBreak: false, ellipsis: true, height: 22 });
        rule(doc, 80);
        entries.forEach((entry, i) => card(doc, fonts, entry, images[i], LEFT + (i % COLUMNS) * (CELL_W + GAP), TOP + Math.floor(i / COLUMNS) * (CELL_H + GAP), t.noImage));
        footer();
      }
    }
    doc.end();
    await done;
    return { pages: total, products, version };
  } catch (error) {
    // `done` rejects with the sink's error below; unobserved, that rejection would end the process.
    done.catch(() => undefined);
    doc.unpipe(sink);
    sink.destroy(error as Error);
    throw new RenderError(`catalog PDF (page ${page} of ${total}): ${(error as Error).message}`, { cause: error });
  }
}

function card(doc: Doc, fonts: PdfFonts, entry: CatalogEntry, image: OpenedImage | undefined, x: number, y: number, noImage: string): void {
  imageBox(doc, fonts, image as never, x, y, CELL_W, IMAGE_H, noImage);
  let ty = y + IMAGE_H + 6;
  text(doc, fonts, entry.title, x, ty, { font: 'bold', size: 9, width: CELL_W, height: 26, ellipsis: true });
  ty = y + IMAGE_H + 34;
  if (entry.brand) text(doc, fonts, entry.brand, x, ty, { size: 8, color: MUTED, width: CELL_W, lineBreak: false, ellipsis: true, height: 11 });
  ty += 12;
  if (entry.sale) {
    text(doc, fonts, entry.sale, x, ty, { font: 'bold', size: 11, color: ACCENT, width: CELL_W, lineBreak: false });
    text(doc, fonts, `was ${entry.price}`, x, ty + 14, { size: 8, color: MUTED, width: CELL_W, lineBreak: false });
  } else text(doc, fonts, entry.price, x, ty, { font: 'bold', size: 11, color: INK, width: CELL_W, lineBreak: false });
  text(doc, fonts, `${entry.availability} · ${entry.sku}`, x, y + CELL_H - 14, { size: 7, color: MUTED, width: CELL_W, lineBreak: false, ellipsis: true, height: 10 });
}
