/**
 * The PDFs' fonts: Noto Sans (Latin, Greek, Cyrillic, Vietnamese…) regular and bold, and Noto Sans
 * JP for Chinese/Japanese characters, from npm packages (OFL 1.1), embedded as subsets. pdfkit's
 * built-in Helvetica cannot encode anything beyond Latin-1. Fonts are parsed once per process (or
 * worker thread) and shared by every document: parsing per document costs ~90 ms a PDF.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { create, type Font } from 'fontkit';
import { ConfigError } from '../shared/errors.js';
import { seedSubsets } from './embedding.js';
import { PairShaper, type ScaledRun } from './shaping.js';

export interface PdfFonts {
  regular: Font;
  bold: Font;
  /** Loaded on first use: most documents never need it. */
  cjk(): Font;
  /** The CJK font's bold, for bold runs (titles): a Japanese run of a bold title is bold too. */
  cjkBold(): Font;
}

/** Font files by role: from the npm packages, or from `dir` (a Lambda bundle copies them there). */
export function fontFiles(dir?: string): Record<'regular' | 'bold' | 'cjk' | 'cjkBold', string> {
  if (dir) return { regular: join(dir, 'NotoSans-Regular.ttf'), bold: join(dir, 'NotoSans-Bold.ttf'), cjk: join(dir, 'NotoSansJP-Regular.ttf'), cjkBold: join(dir, 'NotoSansJP-Bold.ttf') };
  const require = createRequire(import.meta.url);
  return {
    regular: require.resolve('@expo-google-fonts/noto-sans/400Regular/NotoSans_400Regular.ttf'),
    bold: require.resolve('@expo-google-fonts/noto-sans/700Bold/NotoSans_700Bold.ttf'),
    cjk: require.resolve('@expo-google-fonts/noto-sans-jp/400Regular/NotoSansJP_400Regular.ttf'),
    cjkBold: require.resolve('@expo-google-fonts/noto-sans-jp/700Bold/NotoSansJP_700Bold.ttf'),
  };
}

function open(file: string): Font {
  try {
    return mapCharacters(memoizeGlyphDecoding(create(readFileSync(file)) as Font));
  } catch (error) {
    throw new ConfigError('font', `expected a TrueType font at ${file}: ${(error as Error).message}`);
  }
}

const LAYOUT_CACHE_LIMIT = 20_000;

/**
 * Decodes each glyph once per process: pdfkit's font subsetter decodes every glyph it embeds in
 * every document (to find compound glyphs' parts), the same glyphs document after document. The
 * decoded outline is only read there, never changed.
 */
function memoizeGlyphDecoding(font: Font): Font {
  const getGlyph = font.getGlyph.bind(font);
  (font as { getGlyph: unknown }).getGlyph = (id: number, codePoints?: number[]) => {
    const glyph = getGlyph(id, codePoints) as unknown as { _decode(): unknown; restaticMemo?: true };
    if (!glyph.restaticMemo) {
      const decode = glyph._decode.bind(glyph);
      let decoded: unknown;
      let done = false;
      glyph._decode = () => {
        if (!done) { decoded = decode(); done = true; }
        return decoded;
      };
      glyph.restaticMemo = true;
    }
    return glyph as never;
  };
  return font;
}

/**
 * Alternative encodings of characters that have a canonical one elsewhere (CJK radicals and
 * compatibility ideographs, presentation-form ligatures, mathematical letters, private use): a
 * glyph they share must keep the canonical character's code point.
 */
const ALTERNATIVE_FORMS: Array<[number, number]> = [[0x2e80, 0x2fdf], [0xe000, 0xf8ff], [0xf900, 0xfaff], [0xfb00, 0xfb4f], [0xfe30, 0xfe4f], [0x1d400, 0x1d7ff], [0x2f800, 0x2fa1f]];

/**
 * Creates the glyph of every mapped character up front, lowest code point first. fontkit keeps
 * one object per glyph holding the code points it was *first* created with, and pdfkit writes those
 * into the PDF's ToUnicode map. Created lazily, a glyph first met as part of an accented glyph
 * (while a subset is encoded) has no code points, and every later document maps it to nothing: a
 * document's bytes (and its text extraction) depended on what the thread rendered before it.
 * Ligatures made by shaping (fi, fl) are left to shaping, which records their letters.
 */
function mapCharacters(font: Font): Font {
  const canonical = (cp: number) => !ALTERNATIVE_FORMS.some(([from, to]) => cp >= from && cp <= to);
  for (const cp of font.characterSet.filter(canonical).sort((a, b) => a - b)) font.glyphForCodePoint(cp);
  return font;
}

const runs = new WeakMap<object, Map<string, ScaledRun>>();
const shapers = new WeakMap<object, PairShaper>();

/**
 * Shapes each word once per process instead of once per document. pdfkit caches a word's layout
 * only within one document, and shaping (GSUB/GPOS lookups) was half the cost of a spec sheet.
 * pdfkit's `layoutRun` scales the shaped positions by a per-font constant (1000 / unitsPerEm), so
 * the scaled run is the same in every document; pdfkit only reads it afterwards (word spacing
 * copies a position before changing it), so one shared run serves every document. Words met for
 * the first time are composed from shaped pairs where that gives fontkit's result (shaping.ts).
 */
export function shareLayouts(embeddedFontPrototype: object): void {
  type EmbeddedFont = { font: Font; scale: number };
  const proto = embeddedFontPrototype as { layoutRun(this: EmbeddedFont, text: string, features?: unknown): ScaledRun; restaticShared?: true };
  if (proto.restaticShared) return;
  const layoutRun = proto.layoutRun;
  proto.layoutRun = function (this: EmbeddedFont, text: string, features?: unknown): ScaledRun {
    let cache = runs.get(this.font);
    if (!cache) runs.set(this.font, (cache = new Map()));
    const key = features === undefined ? text : `${text}\u0000${JSON.stringify(features)}`;
    let run = cache.get(key);
    if (!run) {
      let shaper = shapers.get(this.font);
      if (!shaper) shapers.set(this.font, (shaper = new PairShaper(this.font, this.scale)));
      const shaped = (features === undefined ? shaper.shape(text) : undefined) ?? layoutRun.call(this, text, features);
      run = { glyphs: shaped.glyphs, positions: shaped.positions, advanceWidth: shaped.advanceWidth };
      if (cache.size >= LAYOUT_CACHE_LIMIT) cache.clear();
      cache.set(key, run);
    }
    return run;
  };
  proto.restaticShared = true;
}

const loaded = new Map<string, PdfFonts>();

/** The fonts, parsed once per process for each location. */
export function loadPdfFonts(dir?: string): PdfFonts {
  const key = dir ?? '';
  let fonts = loaded.get(key);
  if (!fonts) {
    const files = fontFiles(dir);
    let cjk: Font | undefined;
    let cjkBold: Font | undefined;
    fonts = { regular: open(files.regular), bold: open(files.bold), cjk: () => (cjk ??= open(files.cjk)), cjkBold: () => (cjkBold ??= open(files.cjkBold)) };
    // Latin subsets open with the same glyphs in every document, so their programs are reused.
    seedSubsets(fonts.regular);
    seedSubsets(fonts.bold);
    loaded.set(key, fonts);
  }
  return fonts;
}

export type FontRole = 'main' | 'cjk';

/**
 * Splits text into runs the fonts can draw: characters Noto Sans lacks go to the CJK font when it
 * has them; characters neither has (emoji, private use) are dropped rather than drawn as boxes.
 */
export function textRuns(text: string, fonts: PdfFonts, main: Font = fonts.regular): Array<{ role: FontRole; text: string }> {
  const runs: Array<{ role: FontRole; text: string }> = [];
  let role: FontRole = 'main';
  let current = '';
  for (const char of text) {
    const cp = char.codePointAt(0)!;
    let next: FontRole;
    // Whitespace and common punctuation stay in the current run (no needless font switches).
    if (cp < 0x2e80 && (main.hasGlyphForCodePoint(cp) || cp <= 0x20)) next = cp <= 0x40 ? role : 'main';
    else if (fonts.cjk().hasGlyphForCodePoint(cp)) next = 'cjk';
    else if (main.hasGlyphForCodePoint(cp)) next = 'main';
    else continue;
    if (next !== role && current) {
      runs.push({ role, text: current });
      current = '';
    }
    role = next;
    current += char;
  }
  if (current) runs.push({ role, text: current });
  return runs;
}
