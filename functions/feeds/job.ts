/**
 * The scheduled feed job: stream the catalog into one feed per target (XML + gzip + report), then
 * publish each object against the hash stored on it (no shared manifest to race other functions
 * over): a feed whose bytes did not change is neither uploaded nor invalidated, a changed one is
 * uploaded whole (S3 shows it only when complete) and its paths invalidated. A failed run leaves
 * the previous feeds in place. Runs never overlap.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256 } from '../shared/hash.js';
import type { Product } from '../shared/catalog/product.js';
import type { Catalog, Cdn, Logger, ObjectStore, Progress } from '../shared/ports.js';
import { catalogContentByLocale } from '../shared/content/catalog-content.js';
import type { ContentSnapshot } from '../shared/content/snapshot.js';
import { localeChain, localizedText, soldIn } from '../shared/markets/localize.js';
import { ValidationError } from '../shared/errors.js';
import { DEMO_MARKETS, defaultMarket, type Market, type ProductSlugs } from '../shared/markets/markets.js';
import { SHORT_CACHE } from '../shared/publish/headers.js';
import { OwnedPublisher } from '../shared/publish/owned.js';
import type { FeedTarget } from './item.js';
import { writeFeeds, type FeedMarket, type FeedReport } from './writer.js';

export interface FeedJobDeps {
  catalog: Pick<Catalog, 'stream' | 'approximateCount'>;
  store: ObjectStore;
  cdn: Cdn;
  logger: Logger;
  progress?: Progress;
  /** The CMS data joined into items (category titles, stories in each market's locale), current as of the call. */
  content?: () => Promise<ContentSnapshot>;
  /**
   * The live site's product pages that are not at the product's own slug (collision losers), by
   * market: their items link there, where the site has their page. Read from the site state.
   */
  productSlugs?: () => Promise<ProductSlugs>;
}

export interface FeedJobOptions {
  targets: readonly FeedTarget[];
  /** The storefronts targets name (`target.market`): their items link to that market's pages, in its language. @default DEMO_MARKETS */
  markets?: readonly Market[];
  baseUrl: string;
  siteName: string;
  now: Date;
  /** Use each product's CMS story as its description when it has one. */
  descriptionFromStory?: boolean;
  /** Products to use instead of the catalog (benchmarks: generated on the fly). */
  products?: AsyncIterable<Product> | Iterable<Product>;
}

export interface FeedSummary {
  target: string;
  itemsIn: number;
  included: number;
  excluded: number;
  warnings: number;
  bytes: number;
  gzipBytes: number;
  uploaded: boolean;
}

export interface FeedJobResult {
  feeds: FeedSummary[];
  invalidated: string[];
  ms: number;
}

export { DEMO_TARGETS } from './targets.js';

export const feedKey = (target: string, ext: 'xml' | 'xml.gz' | 'report.json') => `feeds/google/${target}.${ext}`;

/** When the run that published a feed object began (ISO 8601, object metadata): a run begun earlier never replaces it. */
export const GENERATED_AT_META = 'generated-at';

/** One market's share of the feeds: its own run (its own Lambda invocation in AWS, its own thread locally). */
export interface FeedRun {
  market: string;
  targets: FeedTarget[];
}

/**
 * The feed runs of a store, one per market with targets, in market order: markets are written side
 * by side (each run reads the catalog once and writes its market's feeds), so a run's time follows
 * the catalog, not the number of markets. Targets naming no market of `markets` go with the default.
 */
export function feedRuns(targets: readonly FeedTarget[], markets: readonly Market[]): FeedRun[] {
  const fallback = defaultMarket(markets).id;
  const runs = markets.map((m) => ({ market: m.id, targets: targets.filter((t) => (markets.some((k) => k.id === t.market) ? t.market : fallback) === m.id) }));
  return runs.filter((r) => r.targets.length > 0);
}

/** The targets of the named market, or a clear error naming what the store has. */
export function feedRunFor(targets: readonly FeedTarget[], markets: readonly Market[], market: string): FeedRun {
  const run = feedRuns(targets, markets).find((r) => r.market === market);
  if (!run) throw new ValidationError('market', `expected a market with feeds (${feedRuns(targets, markets).map((r) => r.market).join(', ')}), got ${JSON.stringify(market)}`);
  return run;
}

/** Runs in progress by the feeds they write: runs of the same feeds never interleave; other markets' runs go side by side. */
const running = new Map<string, Promise<unknown>>();

/** Runs the feed job; a call while another writes the same feeds waits for it. */
export function runFeedJob(deps: FeedJobDeps, options: FeedJobOptions): Promise<FeedJobResult> {
  const key = options.targets.map((t) => t.id).sort().join(',');
  const before = running.get(key) ?? Promise.resolve();
  const next = before.then(() => feedJob(deps, options), () => feedJob(deps, options));
  const settled = next.catch(() => undefined);
  running.set(key, settled);
  void settled.then(() => { if (running.get(key) === settled) running.delete(key); });
  return next;
}

async function feedJob(deps: FeedJobDeps, options: FeedJobOptions): Promise<FeedJobResult> {
  const t0 = performance.now();
  const dir = await mkdtemp(join(tmpdir(), 'restatic-feeds-'));
  try {
    const rejected: string[] = [];
    const [snapshot, renamed] = await Promise.all([deps.content?.(), deps.productSlugs?.() ?? ({} as ProductSlugs)]);
    const textIn = snapshot && catalogContentByLocale(snapshot);
    const content = textIn?.();
    const itemContext = (prefix: string, text = content) => ({ baseUrl: options.baseUrl, prefix, now: options.now, ...(text ? { content: text } : {}), ...(options.descriptionFromStory ? { descriptionFromStory: true } : {}) });
    const markets: FeedMarket[] = (options.markets ?? DEMO_MARKETS).map((market) => {
      const chain = localeChain(snapshot?.locales ?? [], market.locale);
      const defaultLocale = snapshot?.defaultLocale ?? chain.at(-1)!;
      const slugs = renamed[market.id] ?? {};
      const view = (p: Product) => feedView(p, market, chain, defaultLocale, slugs[p.sku]);
      return { id: market.id, view, ctx: itemContext(market.prefix, textIn?.(market.locale)) };
    });
    const products = options.products ?? deps.catalog.stream({ onRejected: (r) => rejected.push(r.sku) });
    deps.progress?.start('feeds', options.products ? 0 : ((await deps.catalog.approximateCount?.()) ?? 0));
    let reported = 0;
    const written = await writeFeeds(products, {
      targets: options.targets,
      ctx: itemContext('/'),
      markets,
      channel: { title: options.siteName, link: `${options.baseUrl.replace(/\/$/, '')}/`, description: `${options.siteName} product feed` },
      dir,
      onProgress: (n) => { deps.progress?.advance(n - reported); reported = n; },
    });
    deps.progress?.stop();
    const summaries: FeedSummary[] = [];
    const publisher = new OwnedPublisher(deps, { owner: 'feeds' });
    for (const feed of written) {
      // At-least-once schedules: a retried or late run that began before the live feed's run leaves it be.
      const live = await publisher.published(feedKey(feed.target.id, 'xml'));
      const liveAt = live?.[GENERATED_AT_META];
      if (liveAt && Date.parse(liveAt) > options.now.getTime()) {
        deps.logger.warn('feed left as it is: a run begun later published it', { target: feed.target.id, generatedAt: liveAt, runAt: options.now.toISOString() });
        const { itemsIn, included, excluded, warnings } = feed.report;
        summaries.push({ target: feed.target.id, itemsIn, included, excluded, warnings, bytes: feed.xml.size, gzipBytes: feed.gz.size, uploaded: false });
        continue;
      }
      const generated = { [GENERATED_AT_META]: options.now.toISOString() };
      const report: FeedReport & { catalogRejected?: string[] } = rejected.length ? { ...feed.report, catalogRejected: rejected } : feed.report;
      const reportBody = Buffer.from(`${JSON.stringify(report, null, 1)}\n`);
      // The feed and its gzip first, the report last: a report never describes a feed not yet live.
      let uploaded = false;
      for (const item of [
        { key: feedKey(feed.target.id, 'xml'), body: { file: feed.xml.file, size: feed.xml.size }, hash: feed.xml.hash, meta: { contentType: 'application/xml; charset=utf-8', cacheControl: SHORT_CACHE, metadata: generated } },
        { key: feedKey(feed.target.id, 'xml.gz'), body: { file: feed.gz.file, size: feed.gz.size }, hash: feed.gz.hash, meta: { contentType: 'application/gzip', cacheControl: SHORT_CACHE, metadata: generated } },
        { key: feedKey(feed.target.id, 'report.json'), body: reportBody, hash: sha256(reportBody), meta: { contentType: 'application/json; charset=utf-8', cacheControl: SHORT_CACHE, metadata: generated } },
      ]) if (await publisher.put(item, item.key === feedKey(feed.target.id, 'xml') ? live : undefined)) uploaded = true;
      const { itemsIn, included, excluded, warnings } = feed.report;
      const summary = { target: feed.target.id, itemsIn, included, excluded, warnings, bytes: feed.xml.size, gzipBytes: feed.gz.size, uploaded };
      summaries.push(summary);
      deps.logger.info('feed written', { ...summary });
    }
    const { invalidated } = await publisher.finish();
    return { feeds: summaries, invalidated, ms: performance.now() - t0 };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * A product as a market's feed items show it: undefined where the market does not sell it, else
 * its text (and URL) in the market's locale. The product itself when nothing differs: items read
 * only their target's currency, so the feed needs no copy restricted to it (a copy per product per
 * market was a tenth of the run).
 */
export function feedView(product: Product, market: Pick<Market, 'currency'>, chain: readonly string[], defaultLocale: string, renamedSlug?: string): Product | undefined {
  if (!soldIn(product, market)) return undefined;
  const text = chain[0] === defaultLocale ? product : localizedText(product, chain, defaultLocale);
  const slug = renamedSlug ?? text.slug;
  if (text.title === product.title && text.description === product.description && slug === product.slug) return product;
  return { ...product, title: text.title, description: text.description, slug };
}
