/** Item groups as shoppers see them: group names, size order, the listing card and the product page's picker. */
import { describe, expect, it } from 'vitest';
import { groupCardView } from '../../../../functions/shared/build/product-view.js';
import { cardGroups, groupTitle, orderSizes, sizeRange, swatchTone, variantPicker } from '../../../../functions/shared/build/variants.js';
import { messagesFor } from '../../../../functions/shared/markets/messages.js';
import { product } from '../../../fixtures/products.js';

const NOW = new Date('2026-11-20T00:00:00Z');
const market = { currency: 'USD', locale: 'en-US', url: (p: { slug: string }) => `/products/${p.slug}/`, t: messagesFor('en-US') };
const variant = (sku: string, color: string | undefined, size: string | undefined, extra: Record<string, unknown> = {}) =>
  product({ sku, slug: sku.toLowerCase(), title: `Summit 28 — ${color ?? ''}${size ? `, ${size}` : ''}`, itemGroupId: 'S28', ...(color ? { color } : {}), ...(size ? { size } : {}), ...extra });

describe('group names', () => {
  it('keep what the titles share up to a word boundary, without the separator before the variant', () => {
    expect(groupTitle(['Summit 28 — Blue, 41', 'Summit 28 — Red, 42'])).toBe('Summit 28');
    expect(groupTitle(['Summit 28 — Blue, 41', 'Summit 28 — Blue, 42'])).toBe('Summit 28 — Blue');
    expect(groupTitle(['Jacket', 'Jacket, XL'])).toBe('Jacket');
    expect(groupTitle(['Ζεστό μπουφάν — Μπλε', 'Ζεστό μπουφάν — Κόκκινο'])).toBe('Ζεστό μπουφάν');
  });

  it('fall back to the first title when the titles share nothing worth a name', () => {
    expect(groupTitle(['Red shirt', 'Blue shirt'])).toBe('Red shirt');
    expect(groupTitle(['Tent'])).toBe('Tent');
    expect(groupTitle(['Same', 'Same'])).toBe('Same');
  });
});

describe('sizes', () => {
  it('order letters by fit and numbers by value, the unknown after in first-seen order', () => {
    expect(orderSizes(['XL', 'S', 'M', 'S'])).toEqual(['S', 'M', 'XL']);
    expect(orderSizes(['42', '38', '40.5'])).toEqual(['38', '40.5', '42']);
    expect(orderSizes(['one size', 'M', 'tall'])).toEqual(['M', 'one size', 'tall']);
  });

  it('read as a range from three on', () => {
    expect(sizeRange(['44', '38', '41'])).toBe('38–44');
    expect(sizeRange(['M', 'S'])).toBe('S, M');
    expect(sizeRange([])).toBeUndefined();
  });
});

describe('listing cards of item groups', () => {
  it('stand where the group\'s first member stands, one per group, lone products on their own', () => {
    // Prepare
    const a1 = variant('A-1', 'blue', 'M', { itemGroupId: 'A' });
    const b = product({ sku: 'B' });
    const a2 = variant('A-2', 'red', 'M', { itemGroupId: 'A' });
    // Act + Assess
    expect(cardGroups([a1, b, a2]).map((g) => g.map((p) => p.sku))).toEqual([['A-1', 'A-2'], ['B']]);
  });

  it('show the group name, a swatch per colour, the size range, the lowest price and the best availability', () => {
    // Prepare: the cheapest variant is on sale; the first is out of stock
    const members = [
      variant('S-BLU-41', 'blue', '41', { availability: 'out_of_stock', price: { USD: 12000 } }),
      variant('S-BLU-44', 'blue', '44', { price: { USD: 12000 } }),
      variant('S-RED-38', 'red', '38', { price: { USD: 11000 }, salePrice: { USD: 9900 } }),
    ];
    // Act
    const card = groupCardView(members, market, NOW);
    // Assess
    expect(card).toMatchObject({
      sku: 'S-BLU-41', url: '/products/s-blu-41/', title: 'Summit 28', priceFrom: 'From $99.00', onSale: true, sizes: '38–44', availability: 'in_stock',
      swatches: [{ label: 'blue', url: '/products/s-blu-41/', tone: 'blue' }, { label: 'red', url: '/products/s-red-38/', tone: 'red' }],
    });
    expect(card.price).toBeUndefined();
  });

  it('show one price when every variant sells at it, and no swatches for a single colour', () => {
    // Act
    const card = groupCardView([variant('S-M', 'sand', 'M'), variant('S-L', 'sand', 'L')], market, NOW);
    // Assess
    expect(card.price?.regular).toBe('$129.99');
    expect(card.priceFrom).toBeUndefined();
    expect(card.swatches).toBeUndefined();
    expect(card.sizes).toBe('M, L');
    expect(swatchTone('sand')).toBe('other');
  });
});

describe('the product page picker', () => {
  const members = [variant('B-M', 'blue', 'M'), variant('B-L', 'blue', 'L', { availability: 'out_of_stock' }), variant('R-S', 'red', 'S'), variant('R-L', 'red', 'L')];

  it('chooses the same size in another colour, else that colour\'s first; sizes of the current colour in order', () => {
    // Act
    const picker = variantPicker(members[1]!, members, market.url)!;
    // Assess
    expect(picker.colours).toEqual([
      { label: 'blue', url: '/products/b-l/', current: true, tone: 'blue', unavailable: false },
      { label: 'red', url: '/products/r-l/', current: false, tone: 'red', unavailable: false },
    ]);
    expect(picker.sizes).toEqual([
      { label: 'M', url: '/products/b-m/', current: false, unavailable: false },
      { label: 'L', url: '/products/b-l/', current: true, unavailable: true },
    ]);
    expect(variantPicker(members[0]!, members, market.url)!.colours[1]!.url).toBe('/products/r-s/');
  });

  it('is left out when two members share a colour and size (the page lists them by name)', () => {
    expect(variantPicker(members[0]!, [...members, variant('B-M2', 'blue', 'M')], market.url)).toBeUndefined();
    expect(variantPicker(members[0]!, [members[0]!], market.url)).toBeUndefined();
    // One has a colour, the other a size: nothing to pick between on either page.
    const odd = [variant('C-1', 'red', undefined), variant('C-2', undefined, 'M')];
    expect(variantPicker(odd[0]!, odd, market.url)).toBeUndefined();
  });
});
