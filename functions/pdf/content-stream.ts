/**
 * Page content written in one piece. pdfkit turns every drawing operation into its own small
 * Uint8Array as it is written (hundreds per spec sheet: each text fragment, colour, rule), which
 * the page concatenates and deflates when it ends. Each of those arrays is a separately allocated
 * and swept ArrayBuffer, and sweeping them showed up as a large share of the GC threads' time.
 * Here a page keeps its operations as strings and hands pdfkit one buffer when it ends: the same
 * bytes (pdfkit appends a newline to each operation and keeps the low byte of each character,
 * as latin1 does).
 */
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
