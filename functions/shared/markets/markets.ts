/**
 * Markets: one configuration the site, the feeds and the PDFs share (docs/contracts.md §3). A
 * market is a storefront in one locale and one currency under a URL prefix; the default market
 * owns the unprefixed paths. Feed targets are derived from markets (a market may have several).
 */
import * as v from 'valibot';
import { ConfigError } from '../errors.js';

export interface FeedTargetDef {
  /** Feed file name: `/feeds/google/{id}.xml`. */
  id: string;
  country: string;
  feedLabel: string;
}

export interface Market {
  /** `us`, `de`: also the feed target id when the market has one target. */
  id: string;
  /** Contentful locale code (`en-US`, `de-DE`): content and product translations in it. */
  locale: string;
  /** ISO 3166-1 alpha-2 country the market sells to. */
  country: string;
  /** ISO 4217: the one currency its pages show. */
  currency: string;
  /** `/` for the default market, else `/{id}/`. */
  prefix: string;
  /** Google feed targets of this market (their language and currency are the market's). */
  feeds: FeedTargetDef[];
}

/** A feed target as the feed job takes it: the market's language and currency with the target's country and label. */
export interface MarketFeedTarget {
  id: string;
  country: string;
  language: string;
  currency: string;
  feedLabel: string;
  /** The market whose pages the feed links to. */
  market: string;
}

/** Market id → sku → the slug of the product's page there, where that is not the product's own (a slug collision's losers). */
export type ProductSlugs = Record<string, Record<string, string>>;

/** The demo store: `us` (en-US, USD, `/`) and `de` (de-DE, EUR, `/de/`). */
export const DEMO_MARKETS: Market[] = [
  { id: 'us', locale: 'en-US', country: 'US', currency: 'USD', prefix: '/', feeds: [{ id: 'us', country: 'US', feedLabel: 'US' }] },
  { id: 'de', locale: 'de-DE', country: 'DE', currency: 'EUR', prefix: '/de/', feeds: [{ id: 'de', country: 'DE', feedLabel: 'DE' }] },
];

const code = (pattern: RegExp, expected: string) => v.pipe(v.string(), v.regex(pattern, expected));
const MarketSchema = v.object({
  id: code(/^[a-z0-9]{2,10}$/, 'expected 2–10 lowercase letters or digits'),
  locale: code(/^[a-z]{2}(-[A-Z][A-Za-z]{1,3})?$/, 'expected a locale code such as de-DE'),
  country: code(/^[A-Z]{2}$/, 'expected an ISO 3166 country code such as DE'),
  currency: code(/^[A-Z]{3}$/, 'expected an ISO 4217 currency code such as EUR'),
  prefix: code(/^\/([a-z0-9-]+\/)?$/, 'expected / or /{segment}/'),
  feeds: v.array(v.object({ id: code(/^[a-z0-9-]{1,40}$/, 'expected a feed id of [a-z0-9-]'), country: code(/^[A-Z]{2}$/, 'expected an ISO 3166 country code'), feedLabel: v.pipe(v.string(), v.minLength(1), v.maxLength(20)) })),
});

/**
 * Checks a markets configuration (JSON from the environment or a file): the schema, exactly one
 * default market (prefix `/`), distinct ids, prefixes and feed ids. The default market comes first.
 *
 * @throws ConfigError naming `variable`, the market and what is wrong
 */
export function parseMarkets(raw: unknown, variable = 'MARKETS'): Market[] {
  const result = v.safeParse(v.pipe(v.array(MarketSchema), v.minLength(1, 'expected at least one market')), raw);
  if (!result.success) {
    const issue = result.issues[0];
    throw new ConfigError(variable, `${v.getDotPath(issue) ?? 'markets'}: ${issue.message}, got ${JSON.stringify(issue.input)}`);
  }
  const markets = result.output;
  const defaults = markets.filter((m) => m.prefix === '/');
  if (defaults.length !== 1) throw new ConfigError(variable, `expected exactly one default market (prefix "/"), got ${defaults.length}: ${defaults.map((m) => m.id).join(', ') || 'none'}`);
  const seen = (what: string, values: string[]) => {
    const dup = values.find((x, i) => values.indexOf(x) !== i);
    if (dup) throw new ConfigError(variable, `expected distinct ${what}, got ${JSON.stringify(dup)} twice`);
  };
  seen('market ids', markets.map((m) => m.id));
  seen('prefixes', markets.map((m) => m.prefix));
  seen('feed ids', markets.flatMap((m) => m.feeds.map((f) => f.id)));
  for (const m of markets) {
    if (m.prefix !== '/' && m.prefix !== `/${m.id}/`) throw new ConfigError(variable, `expected market ${m.id} to have prefix /${m.id}/ (the URL layout of docs/contracts.md §3), got ${m.prefix}`);
  }
  return [...defaults, ...markets.filter((m) => m.prefix !== '/')];
}

/** The default market: the one owning the unprefixed paths. */
export const defaultMarket = (markets: readonly Market[]): Market => markets.find((m) => m.prefix === '/') ?? markets[0]!;

/** Every feed target of every market, with the market's language (the locale's primary subtag) and currency. */
export function feedTargetsOf(markets: readonly Market[]): MarketFeedTarget[] {
  return markets.flatMap((m) => m.feeds.map((f) => ({ id: f.id, country: f.country, language: m.locale.slice(0, 2), currency: m.currency, feedLabel: f.feedLabel, market: m.id })));
}

/** A default-market path in a market (`/products/x/` → `/de/products/x/`). */
export function marketPath(market: Pick<Market, 'prefix'>, path: string): string {
  if (!path.startsWith('/')) throw new ConfigError('path', `expected a site path starting with /, got ${JSON.stringify(path)}`);
  return market.prefix === '/' ? path : `${market.prefix.slice(0, -1)}${path}`;
}
