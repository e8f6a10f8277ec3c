/**
 * Font programs embedded once per glyph set, not once per document. pdfkit builds a fresh subset of
 * each font for every document (glyphs numbered in order of first use), encodes it as a TrueType
 * file and deflates it, and deflates a ToUnicode map beside it: a quarter of a spec sheet's CPU,
 * for bytes that barely change from one sheet to the next.
 *
 * Here every document's subset of a seeded font starts with the same glyphs in the same order (the
 * printable ASCII range and the typographic marks the PDFs print), so a document that uses no other
 * glyph — most Latin sheets — has exactly the subset the previous one had, and the deflated font
 * program and ToUnicode map are taken from a cache keyed by the subset's glyph list. Documents with
 * other glyphs (Greek, Cyrillic, accented titles) add them after the seed and are cached under their
 * own list. The cost is a few kilobytes per PDF (the seed's glyphs are embedded even when unused);
 * the bytes depend only on the document, never on what the cache held before.
 */
import { deflateSync } from 'node:zlib';
import type { Font } from 'fontkit';

/** Characters whose glyphs open every subset of a seeded font, in this order. */
export const SEED_CHARACTERS = [...Array.from({ length: 95 }, (_, i) => String.fromCodePoint(0x20 + i)), ...'€£¥—–·…‘’“”•×'];

interface SeedGlyph { id: number; advanceWidth: number; codePoints: number[] }
const seeds = new WeakMap<object, SeedGlyph[]>();
/** Deflated font programs and ToUnicode maps by subset glyph list, per font. */
const programs = new WeakMap<object, Map<string, { file?: Buffer; cmap?: Buffer }>>();
const PROGRAM_CACHE_LIMIT = 500;
/** Glyph ids as pdfkit writes them in text (four hex digits), by id. */
const HEX4: string[] = [];

/** Makes every document's subset of `font` start with the seed glyphs. */
export function seedSubsets(font: Font): void {
  const glyphs: SeedGlyph[] = [];
  for (const char of SEED_CHARACTERS) {
    const cp = char.codePointAt(0)!;
    if (font.hasGlyphForCodePoint(cp)) glyphs.push(font.glyphForCodePoint(cp) as unknown as SeedGlyph);
  }
  seeds.set(font, glyphs);
}

interface Ref { end(chunk?: Buffer | string): void }
interface EmbeddedFont {
  font: Font;
  scale: number;
  document: { compress: boolean; ref(data?: object): Ref };
  subset: { glyphs: number[]; includeGlyph(id: number): number; encode(): Buffer };
  widths: number[];
  unicode: number[][];
  restaticSeeded?: true;
  /** The subset's glyph list when embedding began: the cache key for its program and ToUnicode map. */
  restaticKey?: string;
  encode(text: string, features?: unknown): unknown;
  layout(text: string, features?: unknown): { glyphs: SeedGlyph[]; positions: unknown[] };
  embed(): unknown;
  toUnicodeCmap(): Ref;
}

function cached(font: Font, key: string) {
  let cache = programs.get(font);
  if (!cache) programs.set(font, (cache = new Map()));
  let entry = cache.get(key);
  if (!entry) {
    if (cache.size >= PROGRAM_CACHE_LIMIT) cache.clear();
    cache.set(key, (entry = {}));
  }
  return entry;
}

/**
 * Runs `build` with the document's next `ref()` created as an already-deflated stream, whose
 * `end` receives the uncompressed bytes and writes `deflated(bytes)` instead.
 */
function withDeflatedRef<T>(font: EmbeddedFont, deflated: (chunk: Buffer | string) => Buffer, build: () => T): T {
  const doc = font.document;
  const ref = doc.ref;
  doc.ref = function (data?: object) {
    delete (doc as { ref?: unknown }).ref;
    // pdfkit opens the font file and the ToUnicode stream with `ref()` and no data; anything else
    // means pdfkit changed underneath us.
    if (data !== undefined) throw new Error('pdfkit: expected the embedded stream to be the first object created');
    const stream = ref.call(doc, { Filter: 'FlateDecode' });
    const end = stream.end.bind(stream);
    stream.end = (chunk?: Buffer | string) => end(chunk === undefined ? chunk : deflated(chunk));
    return stream;
  };
  try {
    return build();
  } finally {
    delete (doc as { ref?: unknown }).ref;
  }
}

/**
 * Patches pdfkit's EmbeddedFont prototype (once) to seed subsets, reuse encoded programs and
 * encode text without per-glyph string garbage.
 */
export function shareEmbedding(embeddedFontPrototype: object): void {
  const proto = embeddedFontPrototype as EmbeddedFont & { restaticEmbedding?: true };
  if (proto.restaticEmbedding) return;
  const { embed, toUnicodeCmap } = proto;

  proto.encode = function (this: EmbeddedFont, text: string, features?: unknown) {
    if (!this.restaticSeeded) {
      this.restaticSeeded = true;
      // Same values pdfkit's encode records when it first meets a glyph.
      for (const glyph of seeds.get(this.font) ?? []) {
        const gid = this.subset.includeGlyph(glyph.id);
        this.widths[gid] ??= glyph.advanceWidth * this.scale;
        this.unicode[gid] ??= glyph.codePoints;
      }
    }
    // pdfkit's encode, with each glyph id's four hex digits made once per process rather than
    // three strings per glyph per document.
    const { glyphs, positions } = this.layout(text, features);
    const hex: string[] = [];
    for (const glyph of glyphs) {
      const gid = this.subset.includeGlyph(glyph.id);
      hex.push((HEX4[gid] ??= `0000${gid.toString(16)}`.slice(-4)));
      if (this.widths[gid] == null) this.widths[gid] = glyph.advanceWidth * this.scale;
      if (this.unicode[gid] == null) this.unicode[gid] = glyph.codePoints;
    }
    return [hex, positions];
  };

  proto.embed = function (this: EmbeddedFont) {
    if (!seeds.has(this.font) || !this.document.compress) return embed.call(this);
    // Keyed by the glyphs the document used, taken before encoding: fontkit's encode appends the
    // parts of composite glyphs to the list, and the ToUnicode map (built after) must use this key,
    // or a document that used those parts as text would find a map that lacks them.
    this.restaticKey = this.subset.glyphs.join(' ');
    const entry = cached(this.font, this.restaticKey);
    const subset = this.subset;
    const program = entry.file ??= deflateSync(subset.encode());
    subset.encode = () => program;
    return withDeflatedRef(this, () => program, () => embed.call(this));
  };

  proto.toUnicodeCmap = function (this: EmbeddedFont) {
    if (!seeds.has(this.font) || !this.document.compress || this.restaticKey === undefined) return toUnicodeCmap.call(this);
    const entry = cached(this.font, this.restaticKey);
    if (entry.cmap) {
      const cmap = entry.cmap;
      return withDeflatedRef(this, () => cmap, () => { const ref = this.document.ref(); ref.end(cmap); return ref; });
    }
    // pdfkit writes a string chunk as its char codes plus a newline (PDFReference.write).
    return withDeflatedRef(this, (chunk) => (entry.cmap = deflateSync(typeof chunk === 'string' ? Buffer.from(`${chunk}\n`, 'latin1') : chunk)), () => toUnicodeCmap.call(this));
  };
  proto.restaticEmbedding = true;
}
