/** A product as a market shows it: the locale's text along the fallback chain, sold only where it has a price. */
import { describe, expect, it } from 'vitest';
import { DEMO_MARKETS } from '../../../../functions/shared/markets/markets.js';
import { localeChain, localizedText, soldIn } from '../../../../functions/shared/markets/localize.js';
import { product } from '../../../fixtures/products.js';

const LOCALES = [{ code: 'en-US', default: true }, { code: 'de-DE', fallbackCode: 'en-US' }, { code: 'de-AT', fallbackCode: 'de-DE' }];

describe('localeChain', () => {
  it('follows fallbackCode to the default locale', () => {
    // Act / Assess
    expect(localeChain(LOCALES, 'de-AT')).toEqual(['de-AT', 'de-DE', 'en-US']);
    expect(localeChain(LOCALES, 'en-US')).toEqual(['en-US']);
  });

  it('ends at the default locale even without a fallback, and stops at a cycle', () => {
    // Act / Assess
    expect(localeChain([{ code: 'en-US', default: true }, { code: 'fr-FR', fallbackCode: null }], 'fr-FR')).toEqual(['fr-FR', 'en-US']);
    expect(localeChain([{ code: 'en-US', default: true }, { code: 'a-A', fallbackCode: 'b-B' }, { code: 'b-B', fallbackCode: 'a-A' }], 'a-A')).toEqual(['a-A', 'b-B', 'en-US']);
  });
});

describe('localizedText', () => {
  it('takes each field from the first locale that has it, and says where it came from', () => {
    // Prepare
    const p = product({ title: 'Trail Runner', description: 'Light.', slug: 'trail-runner', translations: { 'de-DE': { title: 'Laufschuh', slug: 'laufschuh' }, 'de-AT': { description: 'Leicht, österreichisch.' } } });
    // Act
    const at = localizedText(p, localeChain(LOCALES, 'de-AT'), 'en-US');
    const de = localizedText(p, localeChain(LOCALES, 'de-DE'), 'en-US');
    // Assess
    expect(at).toEqual({ title: 'Laufschuh', description: 'Leicht, österreichisch.', slug: 'laufschuh', from: { title: 'de-DE', description: 'de-AT', slug: 'de-DE' } });
    expect(de).toMatchObject({ title: 'Laufschuh', description: 'Light.', from: { description: 'en-US' } });
  });

  it("is the product's own text in the default locale, whatever the translations say", () => {
    // Act
    const us = localizedText(product({ title: 'Trail Runner', translations: { 'en-US': { title: 'ignored' } } }), ['en-US'], 'en-US');
    // Assess
    expect(us.title).toBe('Trail Runner');
  });
});

describe('soldIn', () => {
  it('sells a product only in markets whose currency it has a price in', () => {
    // Prepare
    const [us, de] = DEMO_MARKETS as [typeof DEMO_MARKETS[0], typeof DEMO_MARKETS[0]];
    const dollarsOnly = product({ price: { USD: 1000 } });
    // Act / Assess
    expect(soldIn(dollarsOnly, us)).toBe(true);
    expect(soldIn(dollarsOnly, de)).toBe(false);
  });
});
