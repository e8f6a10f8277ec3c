/**
 * The spec sheet of one product (`/pdf/products/{sku}.pdf`): title, brand, main image, prices per
 * currency with any sale and its dates, availability, identifiers, variant attributes, category,
 * description and the CMS story, the product page URL with a QR code, and a footer with the data
 * version and page numbers. Same data, same bytes.
 */
import { RenderError } from '../shared/errors.js';
import { fill } from '../shared/markets/messages.js';
import type { SheetData } from './data.js';
import { ACCENT, collect, imageBox, INK, MUTED, newDocument, openImageSettled, qrCode, rule, text } from './draw.js';
import type { PdfFonts } from './fonts.js';

export interface SheetAssets {
  fonts: PdfFonts;
  siteName: string;
  /** The main image's bytes, when it could be read. */
  image?: Buffer;
}

const LEFT = 48;
const WIDTH = 595.28 - 96;
const COLUMN_X = 300;
const COLUMN_W = 595.28 - 48 - COLUMN_X;

/** Renders a spec sheet to PDF bytes. */
export async function renderSheet(data: SheetData, assets: SheetAssets): Promise<Buffer> {
  const { fonts } = assets;
  const t = data.labels;
  try {
    const doc = newDocument(fonts, { title: `${data.title} — ${t.specification}`, author: assets.siteName, subject: fill(t.specificationOf, { sku: data.sku }) }, { bufferPages: true });
    const bytes = collect(doc);

    text(doc, fonts, assets.siteName, LEFT, 40, { size: 9, color: MUTED, width: WIDTH / 2, lineBreak: false });
    text(doc, fonts, t.specification, LEFT + WIDTH / 2, 40, { size: 9, color: MUTED, width: WIDTH / 2, align: 'right', lineBreak: false });
    rule(doc, 56);

    text(doc, fonts, data.title, LEFT, 68, { font: 'bold', size: 18, width: WIDTH });
    if (data.brand) text(doc, fonts, data.brand, LEFT, doc.y + 2, { size: 11, color: MUTED, width: WIDTH });
    const top = doc.y + 14;

    imageBox(doc, fonts, await openImageSettled(doc, assets.image), LEFT, top, 230, 230, t.noImage);

    // Right column: prices, availability, identifiers, attributes.
    let y = top;
    const label = (value: string) => { text(doc, fonts, value.toUpperCase(), COLUMN_X, y, { size: 8, color: MUTED, width: COLUMN_W, characterSpacing: 0.5 }); y = doc.y + 2; };
    const line = (value: string, options: { bold?: boolean; color?: string; size?: number } = {}) => {
      text(doc, fonts, value, COLUMN_X, y, { font: options.bold ? 'bold' : 'regular', size: options.size ?? 10, color: options.color ?? INK, width: COLUMN_W });
      y = doc.y + 2;
    };
    label(t.price);
    if (data.prices.length === 0) line(t.priceOnRequest);
    for (const p of data.prices) {
      if (p.sale) {
        line(`${p.sale}  (${fill(t.was, { price: p.price })})`, { bold: true, size: 13, color: ACCENT });
        if (p.saleDates) line(fill(t.sale, { dates: p.saleDates }), { size: 9, color: MUTED });
      } else line(p.price, { bold: true, size: 13 });
    }
    y += 6;
    label(t.availability);
    line(data.availability);
    y += 6;
    label(t.identifiers);
    line(`${t.sku} ${data.sku}`);
    if (data.gtin) line(`GTIN ${data.gtin}`);
    if (data.mpn) line(`MPN ${data.mpn}`);
    y += 6;
    label(t.details);
    if (data.category) line(`${t.category}: ${data.category}`);
    for (const [name, value] of data.attributes) line(`${name}: ${value}`);

    // Below both columns: description and story, flowing onto more pages when long.
    y = Math.max(y, top + 230) + 16;
    rule(doc, y);
    text(doc, fonts, t.description, LEFT, y + 10, { font: 'bold', size: 12, width: WIDTH });
    text(doc, fonts, data.description, LEFT, doc.y + 4, { size: 10, width: WIDTH, lineGap: 2 });
    for (const block of data.story ?? []) {
      if (block.heading) text(doc, fonts, block.text, LEFT, doc.y + 12, { font: 'bold', size: 12, width: WIDTH });
      else text(doc, fonts, block.text, LEFT, doc.y + 4, { size: 10, width: WIDTH, lineGap: 2 });
    }

    // The page URL and its QR code, where there is room below the text (else on a new page).
    if (doc.y + 110 > doc.page.height - 70) doc.addPage();
    const qrY = doc.y + 16;
    qrCode(doc, data.url, LEFT - 6, qrY, 84);
    text(doc, fonts, t.productPage, LEFT + 88, qrY + 22, { size: 8, color: MUTED, width: WIDTH - 90 });
    text(doc, fonts, data.url, LEFT + 88, doc.y + 2, { size: 9, width: WIDTH - 90, link: data.url });

    // Footers once the page count is known (sheets are buffered; they are small).
    const range = doc.bufferedPageRange();
    for (let i = 0; i < range.count; i++) {
      doc.switchToPage(range.start + i);
      const footerY = doc.page.height - 40;
      // Footers sit inside the bottom margin: lift it so pdfkit does not start a new page.
      doc.page.margins.bottom = 0;
      // The data version is the object's metadata, not the customer's business: the footer names the item.
      text(doc, fonts, data.sku, LEFT, footerY, { size: 8, color: MUTED, width: WIDTH / 2, lineBreak: false });
      text(doc, fonts, fill(t.page, { n: i + 1, count: range.count }), LEFT + WIDTH / 2, footerY, { size: 8, color: MUTED, width: WIDTH / 2, align: 'right', lineBreak: false });
    }
    doc.end();
    return await bytes;
  } catch (error) {
    throw new RenderError(`spec sheet for sku ${data.sku}: ${(error as Error).message}`, { cause: error });
  }
}
