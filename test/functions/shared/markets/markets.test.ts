/** Markets: one configuration for site, feeds and PDFs; checked at the edge, feed targets derived from it. */
import { describe, expect, it } from 'vitest';
import { DEMO_TARGETS } from '../../../../functions/feeds/targets.js';
import { ConfigError } from '../../../../functions/shared/errors.js';
import { DEMO_MARKETS, defaultMarket, feedTargetsOf, marketPath, parseMarkets } from '../../../../functions/shared/markets/markets.js';

describe('markets', () => {
  it('derives the demo feed targets from the demo markets: us in en/USD, de in de/EUR', () => {
    // Act / Assess
    expect(DEMO_TARGETS).toEqual([
      { id: 'us', country: 'US', language: 'en', currency: 'USD', feedLabel: 'US', market: 'us' },
      { id: 'de', country: 'DE', language: 'de', currency: 'EUR', feedLabel: 'DE', market: 'de' },
    ]);
  });

  it('lets a market have several feed targets, each in the market\'s language and currency', () => {
    // Prepare
    const markets = parseMarkets([...DEMO_MARKETS.slice(0, 1), { ...DEMO_MARKETS[1]!, feeds: [{ id: 'de', country: 'DE', feedLabel: 'DE' }, { id: 'at', country: 'AT', feedLabel: 'AT' }] }]);
    // Act
    const targets = feedTargetsOf(markets);
    // Assess
    expect(targets.filter((t) => t.market === 'de')).toEqual([
      { id: 'de', country: 'DE', language: 'de', currency: 'EUR', feedLabel: 'DE', market: 'de' },
      { id: 'at', country: 'AT', language: 'de', currency: 'EUR', feedLabel: 'AT', market: 'de' },
    ]);
  });

  it('puts the default market first and maps paths under each market\'s prefix', () => {
    // Act
    const markets = parseMarkets([DEMO_MARKETS[1], DEMO_MARKETS[0]]);
    // Assess
    expect(markets.map((m) => m.id)).toEqual(['us', 'de']);
    expect(defaultMarket(markets).id).toBe('us');
    expect(marketPath(markets[0]!, '/products/x/')).toBe('/products/x/');
    expect(marketPath(markets[1]!, '/products/x/')).toBe('/de/products/x/');
    expect(marketPath(markets[1]!, '/')).toBe('/de/');
  });

  it.each([
    ['no default market', [{ ...DEMO_MARKETS[1]! }], /exactly one default market/],
    ['two default markets', [DEMO_MARKETS[0], { ...DEMO_MARKETS[1]!, prefix: '/' }], /exactly one default market .*us, de/],
    ['a duplicate feed id', [DEMO_MARKETS[0], { ...DEMO_MARKETS[1]!, feeds: [{ id: 'us', country: 'DE', feedLabel: 'DE' }] }], /distinct feed ids, got "us" twice/],
    ['a currency that is not ISO 4217', [{ ...DEMO_MARKETS[0]!, currency: 'euro' }], /0\.currency: expected an ISO 4217/],
    ['a prefix outside the URL layout', [DEMO_MARKETS[0], { ...DEMO_MARKETS[1]!, prefix: '/deutsch/' }], /market de to have prefix \/de\//],
  ])('refuses %s with a ConfigError saying what is wrong', (_, raw, message) => {
    // Act
    const failure = (() => { try { parseMarkets(raw, 'RESTATIC_MARKETS'); } catch (e) { return e; } })();
    // Assess
    expect(failure).toBeInstanceOf(ConfigError);
    expect((failure as Error).message).toMatch(/RESTATIC_MARKETS/);
    expect((failure as Error).message).toMatch(message);
  });
});
