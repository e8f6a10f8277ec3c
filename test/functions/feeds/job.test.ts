/** The feed job against the real protocol servers: feeds published, unchanged → no upload, failure → previous intact. */
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { feedEventTargets } from '../../../functions/feeds/event.js';
import { DEMO_TARGETS, feedKey, feedRuns, feedView, GENERATED_AT_META, runFeedJob } from '../../../functions/feeds/job.js';
import { DEMO_MARKETS } from '../../../functions/shared/markets/markets.js';
import { product } from '../../fixtures/products.js';
import { createDynamoDbCatalog } from '../../../functions/shared/adapters/dynamodb-catalog.js';
import { createS3ObjectStore } from '../../../functions/shared/adapters/s3-object-store.js';
import { ObjectStoreError, ValidationError } from '../../../functions/shared/errors.js';
import { silentLogger } from '../../../functions/shared/logger.js';
import type { Cdn, ObjectStore } from '../../../functions/shared/ports.js';
import { seedDemoCatalog } from '../../../local/seed.js';
import { dynamoClient, freshBucket, freshTable, s3Client } from '../../fixtures/aws.js';

const await_ = async (store: ObjectStore, target: string) => (await store.get(feedKey(target, 'xml')))!.body.toString();

async function setup() {
  const s3 = s3Client();
  const dynamo = dynamoClient();
  const store = createS3ObjectStore({ bucket: await freshBucket(s3), client: s3 });
  const catalog = createDynamoDbCatalog({ table: await freshTable(dynamo), client: dynamo });
  await seedDemoCatalog(catalog, 150);
  const invalidations: string[][] = [];
  const cdn: Cdn = { invalidate: async (paths) => { invalidations.push([...paths]); return 'id'; } };
  const options = { targets: DEMO_TARGETS, baseUrl: 'https://shop.example.com', siteName: 'Restatic Outfitters', now: new Date('2026-11-20T00:00:00Z') };
  return { store, catalog, cdn, invalidations, options };
}

describe('feed job', () => {
  it('publishes a complete feed, its gzip and its report for every target', async () => {
    // Prepare
    const { store, catalog, cdn, options } = await setup();
    // Act
    const result = await runFeedJob({ catalog, store, cdn, logger: silentLogger }, options);
    // Assess
    const us = await store.get(feedKey('us', 'xml'));
    const gz = await store.get(feedKey('us', 'xml.gz'));
    const report = JSON.parse((await store.get(feedKey('us', 'report.json')))!.body.toString()) as { itemsIn: number; included: number };
    expect(us?.contentType).toBe('application/xml; charset=utf-8');
    expect(gz?.contentType).toBe('application/gzip');
    expect(gunzipSync(gz!.body).equals(us!.body)).toBe(true);
    expect(us!.body.toString()).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<rss xmlns:g="http:\/\/base.google.com\/ns\/1.0" version="2.0">/);
    expect(report.itemsIn).toBe(150);
    expect(report.included).toBeGreaterThan(140);
    expect(result.feeds.map((f) => f.target)).toEqual(['us', 'de']);
    expect((await store.get(feedKey('de', 'xml')))!.body.toString()).toContain('EUR</g:price>');
  });

  it('links a product whose page is not at its own slug (a collision\'s loser) to the page the site gave it, in that market only', async () => {
    // Prepare
    const { store, catalog, cdn, options } = await setup();
    const loser = (await catalog.scanAll()).products.find((p) => p.price.EUR !== undefined)!;
    const productSlugs = async () => ({ de: { [loser.sku]: 'renamed-by-the-site' } });
    // Act
    await runFeedJob({ catalog, store, cdn, logger: silentLogger, productSlugs }, options);
    // Assess
    const item = (target: string) => (await_(store, target)).then((xml) => xml.split('<item>').find((i) => i.includes(`<g:id>${loser.sku}</g:id>`))!);
    expect(await item('de')).toContain('<g:link>https://shop.example.com/de/products/renamed-by-the-site/</g:link>');
    expect(await item('us')).toContain(`<g:link>https://shop.example.com/products/${loser.slug}/</g:link>`);
  });

  it('links each market\'s items to its own pages, in its language and currency', async () => {
    // Prepare
    const { store, catalog, cdn, options } = await setup();
    const translated = (await catalog.scanAll()).products.find((p) => p.translations?.['de-DE']?.title && p.price.EUR !== undefined)!;
    // Act
    await runFeedJob({ catalog, store, cdn, logger: silentLogger }, options);
    // Assess
    const item = (target: string) => (await_(store, target)).then((xml) => xml.split('<item>').find((i) => i.includes(`<g:id>${translated.sku}</g:id>`))!);
    const de = await item('de');
    const us = await item('us');
    // The German slug comes from the German title (validation derives it as it derives the product's).
    expect(de).toContain(`<g:link>https://shop.example.com/de/products/${translated.translations!['de-DE']!.slug}/</g:link>`);
    expect(de).toContain(`<g:title>${translated.translations!['de-DE']!.title}</g:title>`);
    expect(de).toMatch(/<g:price>[\d.]+ EUR<\/g:price>/);
    expect(us).toContain(`<g:link>https://shop.example.com/products/${translated.slug}/</g:link>`);
    expect(us).toMatch(/<g:price>[\d.]+ USD<\/g:price>/);
  });

  it('uploads and invalidates nothing when the catalog did not change', async () => {
    // Prepare
    const { store, catalog, cdn, invalidations, options } = await setup();
    await runFeedJob({ catalog, store, cdn, logger: silentLogger }, options);
    invalidations.length = 0;
    // Act
    const again = await runFeedJob({ catalog, store, cdn, logger: silentLogger }, options);
    // Assess
    expect(again.feeds.every((f) => !f.uploaded)).toBe(true);
    expect(invalidations).toEqual([]);
  });

  it('shows a price change in the next run and invalidates just that feed\'s paths', async () => {
    // Prepare
    const { store, catalog, cdn, invalidations, options } = await setup();
    await runFeedJob({ catalog, store, cdn, logger: silentLogger }, options);
    invalidations.length = 0;
    const product = (await catalog.scanAll()).products.find((p) => p.price.EUR === undefined || p.salePrice === undefined)!;
    await catalog.put({ ...product, slug: undefined, price: { USD: 4242 } });
    // Act
    await runFeedJob({ catalog, store, cdn, logger: silentLogger }, options);
    // Assess
    expect((await store.get(feedKey('us', 'xml')))!.body.toString()).toContain('<g:price>42.42 USD</g:price>');
    expect(invalidations.flat()).toEqual(expect.arrayContaining(['/feeds/google/us.xml', '/feeds/google/us.xml.gz']));
  });

  it('leaves the previous feed intact when a run fails mid-way', async () => {
    // Prepare
    const { store, catalog, cdn, options } = await setup();
    await runFeedJob({ catalog, store, cdn, logger: silentLogger }, options);
    const before = (await store.get(feedKey('us', 'xml')))!.body;
    const failing: ObjectStore = { ...store, get: store.get, head: store.head, list: store.list, deleteMany: store.deleteMany, put: store.put,
      putFile: async () => { throw new ObjectStoreError('S3 down', { retryable: false }); } };
    const product = (await catalog.scanAll()).products[0]!;
    await catalog.put({ ...product, slug: undefined, price: { USD: 1 } });
    // Act
    const error = await runFeedJob({ catalog, store: failing, cdn, logger: silentLogger }, options).catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(ObjectStoreError);
    expect((await store.get(feedKey('us', 'xml')))!.body.equals(before)).toBe(true);
  });
});

describe('feed runs per market', () => {
  it('writes, one run per market side by side, the same feeds as one run for every market', async () => {
    // Prepare
    const { store, catalog, cdn, options } = await setup();
    await runFeedJob({ catalog, store, cdn, logger: silentLogger }, options);
    const together = await Promise.all(DEMO_TARGETS.map(async (t) => (await store.get(feedKey(t.id, 'xml')))!.body));
    const { store: apart } = await setup();
    // Act
    const results = await Promise.all(feedRuns(DEMO_TARGETS, DEMO_MARKETS).map((run) => runFeedJob({ catalog, store: apart, cdn, logger: silentLogger }, { ...options, targets: run.targets })));
    // Assess
    expect(results.map((r) => r.feeds.map((f) => f.target))).toEqual([['us'], ['de']]);
    for (const [i, t] of DEMO_TARGETS.entries()) expect((await apart.get(feedKey(t.id, 'xml')))!.body.equals(together[i]!)).toBe(true);
  });

  it('groups targets by market, a target naming no market of the store with the default market', () => {
    // Prepare
    const orphan = { ...DEMO_TARGETS[0]!, id: 'us-extra', market: undefined };
    const stray = { ...DEMO_TARGETS[1]!, id: 'elsewhere', market: 'fr' };
    // Act
    const runs = feedRuns([...DEMO_TARGETS, orphan, stray], DEMO_MARKETS);
    // Assess
    expect(runs.map((r) => [r.market, r.targets.map((t) => t.id)])).toEqual([['us', ['us', 'us-extra', 'elsewhere']], ['de', ['de']]]);
  });

  it('takes the market from the schedule\'s event, every market without one, and refuses anything else in words', () => {
    // Act
    const de = feedEventTargets({ market: 'de' }, DEMO_TARGETS, DEMO_MARKETS);
    const all = [undefined, null, {}].map((event) => feedEventTargets(event, DEMO_TARGETS, DEMO_MARKETS).map((t) => t.id));
    const unknown = (() => { try { return feedEventTargets({ market: 'fr' }, DEMO_TARGETS, DEMO_MARKETS); } catch (e) { return e; } })();
    const malformed = (() => { try { return feedEventTargets({ market: 7 }, DEMO_TARGETS, DEMO_MARKETS); } catch (e) { return e; } })();
    // Assess
    expect(de.map((t) => t.id)).toEqual(['de']);
    expect(all).toEqual([['us', 'de'], ['us', 'de'], ['us', 'de']]);
    expect(unknown).toBeInstanceOf(ValidationError);
    expect((unknown as Error).message).toBe('expected a market with feeds (us, de), got "fr"');
    expect(malformed).toBeInstanceOf(ValidationError);
    expect((malformed as Error).message).toContain('got {"market":7}');
  });

  it('leaves a feed published by a run begun later than this one (a late or duplicate schedule)', async () => {
    // Prepare
    const { store, catalog, cdn, invalidations, options } = await setup();
    const later = new Date('2026-11-20T01:00:00Z');
    await runFeedJob({ catalog, store, cdn, logger: silentLogger }, { ...options, now: later });
    const before = (await store.get(feedKey('us', 'xml')))!.body;
    const product = (await catalog.scanAll()).products.find((p) => p.salePrice === undefined)!;
    await catalog.put({ ...product, slug: undefined, price: { USD: 4242 } });
    invalidations.length = 0;
    // Act
    const earlier = await runFeedJob({ catalog, store, cdn, logger: silentLogger }, options);
    // Assess
    expect(earlier.feeds.map((f) => f.uploaded)).toEqual([false, false]);
    expect((await store.get(feedKey('us', 'xml')))!.body.equals(before)).toBe(true);
    expect((await store.metadata(feedKey('us', 'xml')))?.[GENERATED_AT_META]).toBe(later.toISOString());
    expect(invalidations).toEqual([]);
  });
});

describe('a market\'s view of a product in its feed', () => {
  const chainDe = ['de-DE', 'en-US'];
  const us = { currency: 'USD' };
  const de = { currency: 'EUR' };

  it('is the product itself where the market shows it as it is, and a copy with the market\'s text and URL where not', () => {
    // Prepare
    const plain = product({ price: { USD: 1000, EUR: 900 } });
    const translated = product({ price: { USD: 1000, EUR: 900 }, translations: { 'de-DE': { title: 'Zelt', description: 'Ein Zelt.', slug: 'zelt' } } });
    // Act
    const usView = feedView(translated, us, ['en-US'], 'en-US');
    const plainDe = feedView(plain, de, chainDe, 'en-US');
    const translatedDe = feedView(translated, de, chainDe, 'en-US')!;
    const renamed = feedView(plain, us, ['en-US'], 'en-US', `${plain.slug}-${plain.sku.toLowerCase()}`)!;
    // Assess
    expect(usView).toBe(translated);
    expect(plainDe).toBe(plain);
    expect(translatedDe).toMatchObject({ title: 'Zelt', description: 'Ein Zelt.', slug: 'zelt', price: { EUR: 900 } });
    expect(translated.title).not.toBe('Zelt');
    expect(renamed.slug).toBe(`${plain.slug}-${plain.sku.toLowerCase()}`);
    expect(plain.slug).not.toBe(renamed.slug);
  });

  it('is undefined where the market has no price for it', () => {
    // Act / Assess
    expect(feedView(product({ price: { USD: 1000 } }), de, chainDe, 'en-US')).toBeUndefined();
  });
});
