import { describe, expect, it } from 'vitest';
import { activeSalePrice, nextPriceChange, validateProduct } from '../../../functions/shared/catalog/product.js';
import { ValidationError } from '../../../functions/shared/errors.js';
import { HOSTILE, product, productItem } from '../../fixtures/products.js';

function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof ValidationError) return error.field;
    throw error;
  }
  return undefined;
}

describe('validateProduct', () => {
  it('accepts the docs/contracts.md §4 example and derives the slug from the title', () => {
    // Act
    const p = validateProduct(productItem());
    // Assess
    expect(p.slug).toBe('trail-runner-2-black-42');
    expect(p.price).toEqual({ USD: 12999, EUR: 11999 });
    expect(p.condition).toBe('new');
  });

  it.each([
    ['sku', { sku: 'has space' }],
    ['sku', { sku: 'x'.repeat(51) }],
    ['title', { title: '   ' }],
    ['description', { description: 42 }],
    ['price', { price: undefined }],
    ['price.USD', { price: { USD: 12.5 } }],
    ['price.usd', { price: { usd: 100 } }],
    ['salePrice.EUR', { salePrice: { EUR: -1 } }],
    ['availability', { availability: 'maybe' }],
    ['condition', { condition: 'broken' }],
    ['saleStart', { saleStart: 'next friday' }],
    ['saleEnd', { saleStart: '2026-12-02T00:00:00Z', saleEnd: '2026-12-01T00:00:00Z' }],
    ['stock', { stock: 1.5 }],
    ['images[0]', { images: ['javascript:alert(1)'] }],
    ['images[1]', { images: ['/ok.png', '/../../secret'] }],
    ['gtin', { gtin: 'abc' }],
    ['identifierExists', { identifierExists: 'yes' }],
  ])('refuses a bad %s with an error naming the field', (field, overrides) => {
    // Act
    const found = fieldOf(() => validateProduct(productItem(overrides)));
    // Assess
    expect(found).toBe(field);
  });

  it('says what was expected and what arrived, and names the sku', () => {
    // Act / Assess
    expect(() => validateProduct(productItem({ price: { USD: '12' } }))).toThrow(
      'product TR2-BLK-42: expected `price.USD` to be a non-negative integer amount in minor units, got "12" (string)',
    );
  });

  it('normalises hostile slugs so no key can leave /products/', () => {
    // Act
    const slugs = [HOSTILE.traversal, 'a/b', HOSTILE.encodedTraversal, '..'].map((slug) => validateProduct(productItem({ slug })).slug);
    // Assess
    expect(slugs).toEqual(['etc-passwd', 'a-b', 'trail-runner-2-black-42', 'trail-runner-2-black-42']);
    for (const slug of slugs) expect(slug).toMatch(/^[a-z0-9-]+$/);
  });

  it('strips control characters from text', () => {
    // Act
    const p = validateProduct(productItem({ title: HOSTILE.control }));
    // Assess
    expect(p.title).toBe('Bad[31mTitle');
  });

  it('transliterates titles in other scripts, so Greek and Cyrillic titles get distinct readable URLs', () => {
    // Act: these two both became /products/52623/ when non-Latin letters were dropped
    const greek = validateProduct(productItem({ title: 'Ζεστό μπουφάν 52623', sku: 'GR-1' }));
    const cyrillic = validateProduct(productItem({ title: 'Тёплая куртка 52623', sku: 'RU-1' }));
    const japanese = validateProduct(productItem({ title: '登山用ヘッドランプ', sku: 'HDL-1' }));
    // Assess
    expect(greek.slug).toBe('zesto-mpoyfan-52623');
    expect(cyrillic.slug).toBe('teplaya-kurtka-52623');
    expect(japanese.slug).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    expect(japanese.slug).not.toBe('hdl-1');
  });

  it('falls back to the sku for titles with no letters at all', () => {
    // Act
    const p = validateProduct(productItem({ title: '★ — ★', sku: 'HDL-1' }));
    // Assess
    expect(p.slug).toBe('hdl-1');
  });
});

describe('validateProduct: translations', () => {
  it('keeps per-locale title, description and slug (docs/contracts.md §4), the slug normalised or derived from the translated title', () => {
    // Act
    const p = validateProduct(productItem({ translations: {
      'de-DE': { title: 'Trail Runner 2 — Schwarz, 42', description: '  Leicht und griffig.  ' },
      'fr-FR': { slug: 'Coureur de Sentier' },
    } }));
    // Assess
    expect(p.translations).toEqual({
      'de-DE': { title: 'Trail Runner 2 — Schwarz, 42', description: 'Leicht und griffig.', slug: 'trail-runner-2-schwarz-42' },
      'fr-FR': { slug: 'coureur-de-sentier' },
    });
  });

  it('drops empty translations instead of storing nothing', () => {
    // Act
    const p = validateProduct(productItem({ translations: { 'de-DE': { title: '   ' } } }));
    // Assess
    expect(p.translations).toBeUndefined();
  });

  it.each([
    ['translations', { translations: ['de-DE'] }],
    ['translations.german', { translations: { german: { title: 'x' } } }],
    ['translations.de-DE', { translations: { 'de-DE': 'Laufschuh' } }],
    ['translations.de-DE.title', { translations: { 'de-DE': { title: 42 } } }],
    ['translations.de-DE.price', { translations: { 'de-DE': { price: { EUR: 1 } } } }],
    ['translations.de-DE.description', { translations: { 'de-DE': { description: 'x'.repeat(20001) } } }],
  ])('refuses a bad translation naming the field %s', (field, overrides) => {
    // Act / Assess
    expect(fieldOf(() => validateProduct(productItem(overrides)))).toBe(field);
  });
});

describe('activeSalePrice', () => {
  const sale = product({ salePrice: { USD: 9999 }, saleStart: '2026-11-27T00:00:00Z', saleEnd: '2026-12-01T23:59:59Z' });

  it.each([
    ['before the window', '2026-11-26T23:59:59Z', undefined],
    ['inside the window', '2026-11-28T12:00:00Z', 9999],
    ['after the window', '2026-12-02T00:00:00Z', undefined],
  ])('%s', (_label, now, expected) => {
    expect(activeSalePrice(sale, 'USD', new Date(now))).toBe(expected);
  });

  it('ignores a sale price that is not below the price', () => {
    expect(activeSalePrice(product({ salePrice: { USD: 12999 } }), 'USD', new Date())).toBeUndefined();
  });
});

describe('nextPriceChange', () => {
  const sale = product({ salePrice: { USD: 9999 }, saleStart: '2026-11-27T00:00:00Z', saleEnd: '2026-12-01T23:59:59Z' });

  it.each([
    ['before the window: its start', '2026-11-26T00:00:00Z', '2026-11-27T00:00:00.000Z'],
    ['inside the window: the millisecond after its end', '2026-11-28T12:00:00Z', '2026-12-01T23:59:59.001Z'],
    ['at its end, still on', '2026-12-01T23:59:59Z', '2026-12-01T23:59:59.001Z'],
  ])('%s', (_label, now, expected) => {
    // Act
    const next = nextPriceChange(sale, new Date(now));
    // Assess: the sale shows just before the instant and not (or newly) from it
    expect(new Date(next!).toISOString()).toBe(expected);
    expect(activeSalePrice(sale, 'USD', new Date(next! - 1))).not.toBe(activeSalePrice(sale, 'USD', new Date(next!)));
  });

  it('is absent after the window, without a window end, and for a sale price not below the price', () => {
    expect(nextPriceChange(sale, new Date('2026-12-02T00:00:00Z'))).toBeUndefined();
    expect(nextPriceChange(product({ salePrice: { USD: 9999 } }), new Date())).toBeUndefined();
    expect(nextPriceChange(product({ salePrice: { USD: 12999 }, saleEnd: '2030-01-01T00:00:00Z' }), new Date())).toBeUndefined();
  });
});
