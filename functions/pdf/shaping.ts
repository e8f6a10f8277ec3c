/**
 * Pair-composed shaping for simple Latin words. Most words a spec sheet shapes once and never again
 * are SKUs, GTINs, prices, URLs and hashes: unique per product, so a word cache cannot help, and
 * running each through fontkit's OpenType engine (GSUB/GPOS lookups) was the largest single cost
 * of a sheet. In Noto Sans such words shape pairwise: every glyph is its character's own glyph, and
 * kerning only changes a glyph's advance according to the glyph after it. So a word is put together
 * from shaped single characters and shaped pairs, both cached per font and script — the same glyphs
 * and the same numbers fontkit gives for the whole word.
 *
 * That holds only where the font has no rule looking further than a pair. Every pair is checked as
 * it is first met (a ligature, a substitution or a positioned second glyph disqualifies it and the
 * word takes fontkit's full path), and `test/functions/pdf/shaping.test.ts` holds the composition
 * equal to fontkit over every word of the demo catalog and thousands of random strings.
 */
import type { Font } from 'fontkit';

/** A shaped run as pdfkit's `EmbeddedFont.layoutRun` returns it: positions scaled to 1000/em. */
export interface ScaledRun { glyphs: unknown[]; positions: ScaledPosition[]; advanceWidth: number }
export interface ScaledPosition { xAdvance: number; yAdvance: number; xOffset: number; yOffset: number; advanceWidth: number }

interface RawGlyph { id: number; advanceWidth: number }
interface RawPosition { xAdvance: number; yAdvance: number; xOffset: number; yOffset: number }
interface RawRun { glyphs: RawGlyph[]; positions: RawPosition[]; script: string }
type Layout = (text: string, features: undefined, script?: string) => RawRun;

interface Single { glyph: RawGlyph; position: RawPosition; script: string }

const PAIR_CACHE_LIMIT = 50_000;

/** Characters the composition accepts: Latin letters, digits, punctuation, symbols, currency. */
function simple(code: number): boolean {
  if (code < 0x20 || (code >= 0x7f && code < 0xa0) || code === 0xad) return false; // controls, soft hyphen
  return code < 0x250 || (code >= 0x2010 && code <= 0x2044) || (code >= 0x20a0 && code <= 0x20c0);
}

/** Composes the shaping of simple Latin words from cached single characters and pairs. */
export class PairShaper {
  private readonly layout: Layout;
  private readonly singles = new Map<string, Single | null>();
  /** The first glyph's x advance in a pair (unscaled), or null where the pair does not compose. */
  private readonly pairs = new Map<string, number | null>();
  private readonly common: string;

  constructor(font: Font, private readonly scale: number) {
    this.layout = (font.layout as unknown as Layout).bind(font);
    // The script fontkit reports for text with no script of its own (digits, punctuation).
    this.common = this.layout('0', undefined).script;
  }

  /** The word shaped as pdfkit would scale it, or undefined where it must take fontkit's full path. */
  shape(text: string): ScaledRun | undefined {
    const n = text.length;
    if (n < 2 || n > 256) return undefined;
    const chars: string[] = [];
    for (let i = 0; i < n; i++) {
      if (!simple(text.charCodeAt(i))) return undefined;
      chars.push(text[i]!);
    }
    // The word's script is that of its first character with one (fontkit's rule); Latin or none.
    let script = this.common;
    const singles: Single[] = [];
    for (const char of chars) {
      const single = this.single(char);
      if (!single) return undefined;
      if (script === this.common && single.script !== this.common) script = single.script;
      singles.push(single);
    }
    if (script !== this.common) {
      // Shaped alone, each character used its own script; in the word it uses the word's.
      for (let i = 0; i < n; i++) {
        const single = this.single(chars[i]!, script);
        if (!single) return undefined;
        singles[i] = single;
      }
    }
    const glyphs: unknown[] = [];
    const positions: ScaledPosition[] = [];
    let advanceWidth = 0;
    const scale = this.scale;
    for (let i = 0; i < n; i++) {
      const { glyph, position } = singles[i]!;
      let xAdvance = position.xAdvance;
      if (i < n - 1) {
        const paired = this.pair(chars[i]!, chars[i + 1]!, script, singles[i]!, singles[i + 1]!);
        if (paired === null) return undefined;
        xAdvance = paired;
      }
      // The same operations in the same order as pdfkit's layoutRun and fontkit's advanceWidth.
      const scaled = { xAdvance: xAdvance * scale, yAdvance: position.yAdvance * scale, xOffset: position.xOffset * scale, yOffset: position.yOffset * scale, advanceWidth: glyph.advanceWidth * scale };
      advanceWidth += scaled.xAdvance;
      glyphs.push(glyph);
      positions.push(scaled);
    }
    return { glyphs, positions, advanceWidth };
  }

  private single(char: string, script?: string): Single | null {
    const key = script === undefined ? char : `${script}\u0000${char}`;
    let single = this.singles.get(key);
    if (single === undefined) {
      const run = this.layout(char, undefined, script);
      single = run.glyphs.length === 1 && run.glyphs[0]!.id !== 0 ? { glyph: run.glyphs[0]!, position: { ...run.positions[0]! }, script: run.script } : null;
      this.singles.set(key, single);
    }
    return single;
  }

  private pair(a: string, b: string, script: string, first: Single, second: Single): number | null {
    const key = `${script}\u0000${a}${b}`;
    let paired = this.pairs.get(key);
    if (paired === undefined) {
      const run = this.layout(a + b, undefined, script);
      const [p0, p1] = run.positions;
      const same = (x: RawPosition, y: RawPosition) => x.xAdvance === y.xAdvance && x.yAdvance === y.yAdvance && x.xOffset === y.xOffset && x.yOffset === y.yOffset;
      const composes = run.glyphs.length === 2 && run.glyphs[0] === first.glyph && run.glyphs[1] === second.glyph
        && p0!.yAdvance === first.position.yAdvance && p0!.xOffset === first.position.xOffset && p0!.yOffset === first.position.yOffset
        && same(p1!, second.position);
      paired = composes ? p0!.xAdvance : null;
      // Bounded: text mixing hundreds of distinct Latin letters could otherwise grow it for ever.
      if (this.pairs.size >= PAIR_CACHE_LIMIT) this.pairs.clear();
      this.pairs.set(key, paired);
    }
    return paired;
  }
}
