import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DEMO_TARGETS } from '../../../functions/feeds/job.js';
import { writeFeeds } from '../../../functions/feeds/writer.js';
import { IdSet, hashId } from '../../../functions/feeds/id-set.js';
import { feedItem } from '../../../functions/feeds/item.js';
import { FEED_FOOTER, feedHeader, itemXml } from '../../../functions/feeds/xml.js';
import { HOSTILE, product } from '../../fixtures/products.js';
import { validateProduct } from '../../../functions/shared/catalog/product.js';
import { demoProducts } from '../../../functions/shared/demo/products.js';

const products = [...demoProducts(150)].map(validateProduct);
const ctx = { baseUrl: 'https://shop.example.com', now: new Date('2026-11-20T00:00:00Z') };
const write = (items = products) => writeFeeds(items, { targets: DEMO_TARGETS, ctx: { baseUrl: 'https://shop.example.com', now: new Date('2026-11-20T00:00:00Z') }, channel: { title: 'T', link: 'https://shop.example.com/', description: 'D' }, dir: mkdtempSync(join(tmpdir(), 'restatic-writer-')) });

describe('feed writer', () => {
  // Regression: awaiting the XML file's drain before listening for gzip's could miss gzip's drain
  // event and hang the run forever (seen in about half of all runs).
  it('completes run after run, each feed complete and its gzip identical to it', async () => {
    for (let run = 0; run < 15; run++) {
      const [us] = await write();
      const xml = readFileSync(us!.xml.file);
      expect(xml.toString().endsWith(FEED_FOOTER)).toBe(true);
      expect(gunzipSync(readFileSync(us!.gz.file)).equals(xml)).toBe(true);
    }
  }, 20_000);

  it('writes the same bytes for the same catalog (no upload when nothing changed)', async () => {
    const [a] = await write();
    const [b] = await write();
    expect(b!.xml.hash).toBe(a!.xml.hash);
    expect(b!.gz.hash).toBe(a!.gz.hash);
    expect(b!.report).toEqual(a!.report);
  });
});

describe('feed writer failures', () => {
  it('fails the run with a clear error when the output cannot be written (no crash, no hang)', async () => {
    // Act
    const run = writeFeeds(products, { targets: DEMO_TARGETS, ctx, channel: { title: 'T', link: 'https://shop.example.com/', description: 'D' }, dir: '/nonexistent/restatic-feeds' });
    // Assess
    await expect(run).rejects.toThrow(/feed (us|de): writing .*failed: ENOENT/);
  });
});

describe('feed writer fast path', () => {
  it('writes byte for byte what the reference serialiser makes of each item, in every feed', async () => {
    // Prepare: demo products plus hostile and non-Latin ones, and one without a EUR price
    const extra = [
      product({ sku: 'H-1', slug: 'h-1', title: `${HOSTILE.script} ${HOSTILE.control}`, description: `Ω ]]> &amp; &nbsp; ${HOSTILE.attribute}`, images: ['/img/h.png'] }),
      product({ sku: 'H-2', slug: 'h-2', title: 'Ζεστό τσάι — 茶', images: ['/img/h2.png'], price: { USD: 100 } }),
    ];
    const all = [...products.slice(0, 40), ...extra];

    // Act
    const written = await write(all);

    // Assess: header + reference items + footer, per target
    for (const feed of written) {
      const expected = feedHeader({ title: `T (${feed.target.feedLabel})`, link: 'https://shop.example.com/', description: 'D' }) +
        all.map((p) => feedItem(p, feed.target, ctx).item).filter((i) => i !== undefined).map(itemXml).join('') + FEED_FOOTER;
      expect(readFileSync(feed.xml.file, 'utf8')).toBe(expected);
    }
    expect(written.find((f) => f.target.id === 'de')!.report.issues).toContainEqual(expect.objectContaining({ id: 'H-2', attribute: 'price', severity: 'error' }));
  });

  it('keeps the first of two ids that differ only in case and reports the second', async () => {
    // Prepare
    const first = product({ sku: 'Case-1', slug: 'case-1', images: ['/img/a.png'] });
    const second = product({ sku: 'CASE-1', slug: 'case-1b', images: ['/img/b.png'] });

    // Act
    const [us] = await write([first, second]);

    // Assess
    const xml = readFileSync(us!.xml.file, 'utf8');
    expect(xml).toContain('<g:id>Case-1</g:id>');
    expect(xml).not.toContain('<g:id>CASE-1</g:id>');
    expect(us!.report).toMatchObject({ itemsIn: 2, included: 1, excluded: 1 });
    expect(us!.report.issues).toContainEqual({ id: 'CASE-1', attribute: 'id', rule: 'must be unique in the feed, ignoring case', severity: 'error' });
  });

  it('keeps multi-byte items whole across chunk boundaries', async () => {
    // Prepare: 120 items with 5,000-character descriptions of 3-byte characters (~1.8 MB of XML)
    const big = Array.from({ length: 120 }, (_, i) => product({ sku: `BIG-${i}`, slug: `big-${i}`, images: ['/img/a.png'], description: `${i} ${'茶'.repeat(4990)}` }));

    // Act
    const [us] = await write(big);

    // Assess
    const xml = readFileSync(us!.xml.file, 'utf8');
    expect(us!.xml.size).toBeGreaterThan(1 << 20);
    for (let i = 0; i < 120; i++) expect(xml).toContain(`<g:description>${i} ${'茶'.repeat(4990)}</g:description>`);
    expect(gunzipSync(readFileSync(us!.gz.file)).toString('utf8')).toBe(xml);
  });
});

describe('IdSet', () => {
  it('finds every id again, ignoring case, across growth', () => {
    // Prepare
    const ids = new IdSet();

    // Act
    const added = Array.from({ length: 20_000 }, (_, i) => ids.add(hashId(`Sku-${i}`)));

    // Assess
    expect(added.every(Boolean)).toBe(true);
    expect(ids.size).toBe(20_000);
    expect(ids.add(hashId('SKU-19999'))).toBe(false);
    expect(ids.add(hashId('sku-0'))).toBe(false);
    expect(ids.add(hashId('Sku-20000'))).toBe(true);
  });
});
