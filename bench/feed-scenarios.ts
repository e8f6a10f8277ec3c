/**
 * Feed scenarios, one per process, importing only what the feeds function imports (so peak RSS is
 * the feed path's own, as in its Lambda): prints one JSON line.
 * Usage: node bin/run-ts.js bench/feed-scenarios.ts <scenario> <products> [market]
 */
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCB } from 'xmlbuilder2';
import { feedItem } from '../functions/feeds/item.js';
import { DEMO_TARGETS } from '../functions/feeds/targets.js';
import { writeFeeds, type FeedMarket } from '../functions/feeds/writer.js';
import { localeChain } from '../functions/shared/markets/localize.js';
import { feedRunFor, feedView } from '../functions/feeds/job.js';
import { DEMO_MARKETS } from '../functions/shared/markets/markets.js';
import { validateProduct, type Product } from '../functions/shared/catalog/product.js';
import { demoProducts } from '../functions/shared/demo/products.js';
import { peakRssMb } from './peak-rss.js';

const BASE_URL = 'https://shop.example.com';
const NOW = new Date('2026-11-20T00:00:00Z');
const count = Number(process.argv[3] ?? 100_000);

/** Products generated on the fly (no table), streamed: nothing is held. */
function* generated(n: number): Generator<Product> {
  for (const raw of demoProducts(n)) yield validateProduct(raw);
}

/**
 * For throughput (≤ 200,000) the products are generated before the clock starts, so items/s
 * measures the feed path alone; beyond that they are streamed, for the memory row.
 */
const source: Iterable<Product> = count <= 200_000 ? [...generated(count)] : generated(count);

// As the feed job runs them: each market's items link to its pages, in its language and currency.
const LOCALES = [{ code: 'en-US', default: true }, { code: 'de-DE', fallbackCode: 'en-US' }];
const MARKETS: FeedMarket[] = DEMO_MARKETS.map((market) => {
  const chain = localeChain(LOCALES, market.locale);
  return { id: market.id, view: (p) => feedView(p, market, chain, 'en-US'), ctx: { baseUrl: BASE_URL, prefix: market.prefix, now: NOW } };
});

async function ours(targets: typeof DEMO_TARGETS): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'restatic-bench-feeds-'));
  const t0 = performance.now();
  const written = await writeFeeds(source, { targets, ctx: { baseUrl: BASE_URL, now: NOW }, markets: MARKETS, channel: { title: 'Bench', link: BASE_URL, description: 'bench' }, dir });
  const ms = performance.now() - t0;
  rmSync(dir, { recursive: true, force: true });
  return { ms, items: count, included: written[0]!.report.included, bytes: written[0]!.xml.size };
}

const scenarios: Record<string, () => Promise<Record<string, number>>> = {
  /** Ours: both demo feeds (XML + gzip + report bookkeeping) from N products, one pass. */
  'feeds-ours': () => ours(DEMO_TARGETS),
  /** Ours, one market's run (argv[4]), as its schedule's Lambda runs it: the bench starts one per market side by side. */
  'feeds-ours-market': () => ours(feedRunFor(DEMO_TARGETS, DEMO_MARKETS, process.argv[4] ?? '').targets),
  /** Ours, one feed (us): XML + gzip + report, like for like with the baseline's single feed. */
  'feeds-ours-one': () => ours(DEMO_TARGETS.slice(0, 1)),

  /** Baseline: the same items through xmlbuilder2's streaming createCB writer, one feed, no gzip. */
  async 'feeds-xmlbuilder2'() {
    const dir = mkdtempSync(join(tmpdir(), 'restatic-bench-feeds-'));
    const out = createWriteStream(join(dir, 'us.xml'));
    const t0 = performance.now();
    const xml = createCB({ data: (text: string) => { out.write(text); }, prettyPrint: false });
    xml.dec({ version: '1.0', encoding: 'UTF-8' });
    xml.ele('rss', { 'xmlns:g': 'http://base.google.com/ns/1.0', version: '2.0' }).ele('channel');
    xml.ele('title').txt('Bench').up().ele('link').txt(BASE_URL).up().ele('description').txt('bench').up();
    let included = 0;
    for (const product of source) {
      const { item } = feedItem(product, DEMO_TARGETS[0]!, { baseUrl: BASE_URL, now: NOW });
      if (!item) continue;
      included++;
      xml.ele('item');
      for (const [name, value] of item) xml.ele(`g:${name}`).txt(value).up();
      xml.up();
    }
    xml.up().up().end();
    await new Promise<void>((resolve) => out.end(() => resolve()));
    const ms = performance.now() - t0;
    rmSync(dir, { recursive: true, force: true });
    return { ms, items: count, included };
  },
};

const scenario = scenarios[process.argv[2] ?? ''];
if (!scenario) {
  process.stderr.write(`bench: unknown feed scenario ${process.argv[2]}; one of ${Object.keys(scenarios).join(', ')}\n`);
  process.exit(2);
}
const result = await scenario();
process.stdout.write(`${JSON.stringify({ ...result, rssMb: peakRssMb() })}\n`);
process.exit(0);
