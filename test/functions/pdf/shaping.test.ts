/**
 * Pair-composed shaping must give exactly what fontkit gives for the whole word: the same glyph
 * objects, the same scaled positions and the same advance — or decline. Held over every word of the
 * demo catalog's sheets and thousands of random strings from an alphabet chosen to provoke
 * ligatures and kerning.
 */
import { describe, expect, it } from 'vitest';
import { pdfContent, sheetData } from '../../../functions/pdf/data.js';
import { loadPdfFonts } from '../../../functions/pdf/fonts.js';
import { PairShaper, type ScaledRun } from '../../../functions/pdf/shaping.js';
import { validateProduct } from '../../../functions/shared/catalog/product.js';
import { demoProducts } from '../../../functions/shared/demo/products.js';
import { demoSnapshot } from '../../fixtures/content.js';
import { HOSTILE } from '../../fixtures/products.js';

/** Sale windows are read against a fixed instant. */
const NOW = new Date('2026-11-20T00:00:00Z');

const fonts = loadPdfFonts();
type RawRun = { glyphs: Array<{ advanceWidth: number }>; positions: Array<Record<'xAdvance' | 'yAdvance' | 'xOffset' | 'yOffset', number>> };

/** fontkit's shaping of the whole word, scaled as pdfkit's layoutRun scales it. */
function reference(font: typeof fonts.regular, text: string, scale: number): ScaledRun {
  const run = font.layout(text) as unknown as RawRun;
  const positions = run.positions.map((p, i) => ({ xAdvance: p.xAdvance * scale, yAdvance: p.yAdvance * scale, xOffset: p.xOffset * scale, yOffset: p.yOffset * scale, advanceWidth: run.glyphs[i]!.advanceWidth * scale }));
  let advanceWidth = 0;
  for (const p of positions) advanceWidth += p.xAdvance;
  return { glyphs: run.glyphs, positions, advanceWidth };
}

/** Words as pdfkit splits them (after each space or tab, the space kept with the word before). */
function words(text: string): string[] {
  return text.split(/(?<=[ \t])/).filter(Boolean);
}

function sheetWords(): string[] {
  const content = pdfContent(demoSnapshot(), { baseUrl: 'https://shop.example.com' });
  const out = new Set<string>();
  for (const product of [...demoProducts(400)].map(validateProduct)) {
    const d = sheetData(product, content, NOW);
    const texts = [d.title, d.brand ?? '', d.sku, d.gtin ?? '', d.mpn ?? '', d.url, d.version, d.description, d.category ?? '', d.availability,
      ...d.prices.flatMap((p) => [p.price, p.sale ?? '', `${p.sale}  (was ${p.price})`]), ...d.attributes.flat(), ...(d.story ?? []).map((b) => b.text)];
    for (const t of texts) for (const w of words(t)) out.add(w);
  }
  for (const t of Object.values(HOSTILE)) for (const w of words(t)) out.add(w);
  return [...out];
}

function randomWords(count: number): string[] {
  const alphabet = [...' !"#$%&\'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~€£¥—–·…‘’“”•×éèüöäßñçÅøœæŁőĳǅ\u00ad'];
  let seed = 12345;
  const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x80000000;
  return Array.from({ length: count }, () => Array.from({ length: 2 + Math.floor(next() * 14) }, () => alphabet[Math.floor(next() * alphabet.length)]).join(''));
}

describe('pair-composed shaping', () => {
  for (const role of ['regular', 'bold'] as const) {
    it(`gives fontkit's glyphs and positions for every word it composes (${role})`, () => {
      // Prepare
      const font = fonts[role];
      const scale = 1000 / font.unitsPerEm;
      const shaper = new PairShaper(font, scale);
      const corpus = [...sheetWords(), ...randomWords(8000), 'office', 'affinity', 'fluffy', 'AVATAR', 'Tj', 'T.', 'Wa', 'f)'];
      let composed = 0;
      for (const word of corpus) {
        // Act
        const run = shaper.shape(word);
        if (!run) continue;
        composed++;
        // Assess
        const expected = reference(font, word, scale);
        expect(run.glyphs, word).toHaveLength(expected.glyphs.length);
        run.glyphs.forEach((g, i) => expect(g, `${word} glyph ${i}`).toBe(expected.glyphs[i]));
        expect(run.positions, word).toEqual(expected.positions);
        expect(run.advanceWidth, word).toBe(expected.advanceWidth);
      }
      // Most words compose; otherwise the fast path would be dead code.
      expect(composed).toBeGreaterThan(corpus.length * 0.8);
    });
  }

  it('declines ligatures, controls, soft hyphens, non-Latin scripts and single characters', () => {
    // Prepare
    const shaper = new PairShaper(fonts.regular, 1000 / fonts.regular.unitsPerEm);
    const ligature = (fonts.regular.layout('fi') as unknown as RawRun).glyphs.length === 1;
    // Act / Assess
    if (ligature) expect(shaper.shape('fine')).toBeUndefined();
    expect(shaper.shape('Bad\u0007Title')).toBeUndefined();
    expect(shaper.shape('soft\u00adhyphen')).toBeUndefined();
    expect(shaper.shape('Σκηνή')).toBeUndefined();
    expect(shaper.shape('テント')).toBeUndefined();
    expect(shaper.shape('x')).toBeUndefined();
    expect(shaper.shape('SKU-0001')).toBeDefined();
  });
});
