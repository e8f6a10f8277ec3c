/**
 * pdfkit's output in a few pieces rather than hundreds of tiny arrays. pdfkit turns every drawing
 * operation into its own small Uint8Array as it is written (hundreds per spec sheet: each text
 * fragment, colour, rule), and every line of the document's own output (object headers,
 * dictionaries, the xref table) too. Each is a separately allocated and swept ArrayBuffer, and
 * sweeping them was a large share of the GC threads' time. Here a page keeps its operations as
 * strings and hands pdfkit one buffer when it ends, and the document joins its lines until binary
 * data or its end follows. The bytes are the same: pdfkit appends a newline to each and keeps the
 * low byte of each character, as latin1 does.
 */
import { Readable } from 'node:stream';

interface Page {
  write(chunk: unknown): unknown;
  end(): unknown;
  restaticPending?: string[];
}

/** Patches pdfkit's PDFPage prototype (once) to collect string operations until the page ends. */
export function batchPageContent(pagePrototype: object): void {
  const proto = pagePrototype as Page & { restaticBatched?: true };
  if (proto.restaticBatched) return;
  const { write, end } = proto;
  const flush = (page: Page) => {
    const pending = page.restaticPending;
    if (!pending || pending.length === 0) return;
    page.restaticPending = [];
    write.call(page, Buffer.from(`${pending.join('\n')}\n`, 'latin1'));
  };
  proto.write = function (this: Page, chunk: unknown) {
    if (chunk instanceof Uint8Array) {
      flush(this);
      return write.call(this, chunk);
    }
    (this.restaticPending ??= []).push(String(chunk));
    return undefined;
  };
  proto.end = function (this: Page) {
    flush(this);
    return end.call(this);
  };
  proto.restaticBatched = true;
}

interface Document {
  _write(data: unknown): void;
  _offset: number;
  push(chunk: unknown): boolean;
  restaticLines?: string[];
}

/**
 * Patches pdfkit's PDFDocument prototype (once) to join the document's text lines into one chunk,
 * pushed before the next binary chunk (stream data) or the end of the document. Offsets (for the
 * xref table) advance exactly as before: one byte per character plus the newline.
 */
export function batchDocumentOutput(documentPrototype: object): void {
  const proto = documentPrototype as Document & { restaticBatched?: true };
  if (proto.restaticBatched) return;
  const { _write: write } = proto;
  const push = Readable.prototype.push;
  proto._write = function (this: Document, data: unknown) {
    if (data instanceof Uint8Array) return write.call(this, data);
    const line = `${String(data)}\n`;
    (this.restaticLines ??= []).push(line);
    this._offset += line.length;
    return undefined;
  };
  proto.push = function (this: Document, chunk: unknown) {
    const lines = this.restaticLines;
    if (lines && lines.length > 0) {
      this.restaticLines = [];
      push.call(this as unknown as Readable, Buffer.from(lines.join(''), 'latin1'));
    }
    return push.call(this as unknown as Readable, chunk);
  };
  proto.restaticBatched = true;
}
