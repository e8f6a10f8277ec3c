import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { SaxesParser } from 'saxes';
import { convert, create } from 'xmlbuilder2';
import { describe, expect, it } from 'vitest';
import { checkGtin } from '../../../functions/feeds/gtin.js';
import { withCheckDigit } from '../../../functions/shared/demo/products.js';
import { feedItem, type FeedItem, type FeedTarget } from '../../../functions/feeds/item.js';
import { graphemeLength, plainText, truncateGraphemes } from '../../../functions/shared/plain-text.js';
import { FEED_FOOTER, feedHeader, itemXml } from '../../../functions/feeds/xml.js';
import { product } from '../../fixtures/products.js';

const US: FeedTarget = { id: 'us', country: 'US', language: 'en', currency: 'USD', feedLabel: 'US' };
const ctx = { baseUrl: 'https://shop.example.com', now: new Date('2026-11-20T00:00:00Z') };
const base = () => product({ images: ['/img/a.png'], brand: 'Acme', gtin: '4006381333931', mpn: 'TR2' });
const field = (item: FeedItem | undefined, name: string) => item?.filter(([n]) => n === name).map(([, v]) => v);

describe('feed item rules', () => {
  it('maps a product with prices in the target currency, absolute links and identifiers', () => {
    const { item, issues } = feedItem(base(), US, ctx);
    expect(issues).toEqual([]);
    expect(Object.fromEntries(item!)).toMatchObject({
      id: 'TR2-BLK-42', link: 'https://shop.example.com/products/trail-runner-2-black-42/', image_link: 'https://shop.example.com/img/a.png',
      price: '129.99 USD', availability: 'in_stock', gtin: '4006381333931', condition: 'new',
    });
  });

  it.each([
    [150, false],
    [151, true],
  ])('title of %i characters: truncated=%s', (length, truncated) => {
    const { item, issues } = feedItem({ ...base(), title: 'x'.repeat(length) }, US, ctx);
    expect(graphemeLength(field(item, 'title')![0]!)).toBe(150 > length ? length : 150);
    expect(issues.some((i) => i.attribute === 'title')).toBe(truncated);
  });

  it('counts emoji and combining marks as one character each and never splits them', () => {
    const family = '👨‍👩‍👧';
    const accented = 'e\u0301';
    expect(graphemeLength(`${family}${accented}`)).toBe(2);
    expect(truncateGraphemes(`${'a'.repeat(149)}${family}`, 150)).toBe(`${'a'.repeat(149)}${family}`);
    const cut = truncateGraphemes(`${'a'.repeat(149)}${accented}${accented}`, 150);
    expect(cut).toBe(`${'a'.repeat(149)}${accented}`);
  });

  it.each([
    ['control characters', 'A\u0000B\u0008C\u001FD\u007F\u0085E', 'ABCDE'],
    ['CDATA end', 'a ]]> b', 'a ]]> b'],
    ['&nbsp;', 'a&nbsp;b', 'a b'],
    ['pre-escaped &amp;', 'Tom &amp;amp; Jerry &amp; co', 'Tom &amp; Jerry & co'],
    ['HTML', '<p>Hi <b>there</b></p><script>x()</script>', 'Hi there'],
    ['lone surrogate', 'a\uD800b', 'ab'],
  ])('sanitises %s', (_label, raw, expected) => {
    expect(plainText(raw).replace(/\u00a0/g, ' ')).toBe(expected);
  });

  it.each([
    ['4006381333931', '4006381333931'],
    ['400-638133393-1', '4006381333931'],
    ['4006381333932', 'check-digit'],
    ['12345', 'length'],
    ['2000000000008', 'restricted-prefix'],
    ['0412345678903', 'restricted-prefix'],
    [withCheckDigit('991234567890'), 'coupon-prefix'],
    [withCheckDigit('981234567890'), 'coupon-prefix'],
    [withCheckDigit('050123456789'), 'coupon-prefix'],
    ['0000000000000', 'all-zero'],
    ['ABC', 'format'],
  ])('GTIN %s → %s', (raw, expected) => {
    const result = checkGtin(raw);
    expect('gtin' in result ? result.gtin : result.problem).toBe(expected);
  });

  it('drops an invalid GTIN with a warning but keeps the item', () => {
    const { item, issues } = feedItem({ ...base(), gtin: '4006381333932' }, US, ctx);
    expect(field(item, 'gtin')).toEqual([]);
    expect(issues).toEqual([expect.objectContaining({ attribute: 'gtin', severity: 'warning' })]);
  });

  it('drops a sale price that is not below the price', () => {
    const { item, issues } = feedItem({ ...base(), salePrice: { USD: 12999 } }, US, ctx);
    expect(field(item, 'sale_price')).toEqual([]);
    expect(issues[0]).toMatchObject({ attribute: 'sale_price', severity: 'warning' });
  });

  it('agrees with the site on a sale at the run\'s instant: an ended sale is gone, a half-open one only while on', () => {
    // Prepare
    const at = (iso: string) => ({ ...ctx, now: new Date(iso) });
    const ended = { ...base(), salePrice: { USD: 9999 }, saleStart: '2026-11-01T00:00:00Z', saleEnd: '2026-11-10T00:00:00Z' };
    const fromStart = { ...base(), salePrice: { USD: 9999 }, saleStart: '2026-11-25T00:00:00Z' };
    const untilEnd = { ...base(), salePrice: { USD: 9999 }, saleEnd: '2026-11-25T00:00:00Z' };
    // Act + Assess
    expect(field(feedItem(ended, US, ctx).item, 'sale_price')).toEqual([]);
    expect(field(feedItem(fromStart, US, at('2026-11-24T23:59:59Z')).item, 'sale_price')).toEqual([]);
    expect(field(feedItem(fromStart, US, at('2026-11-25T00:00:00Z')).item, 'sale_price')).toEqual(['99.99 USD']);
    expect(field(feedItem(untilEnd, US, at('2026-11-25T00:00:00Z')).item, 'sale_price')).toEqual(['99.99 USD']);
    expect(field(feedItem(untilEnd, US, at('2026-11-25T00:00:00.001Z')).item, 'sale_price')).toEqual([]);
  });

  it('writes a sale with its effective date range', () => {
    const { item } = feedItem({ ...base(), salePrice: { USD: 9999 }, saleStart: '2026-11-27T00:00:00Z', saleEnd: '2026-12-01T23:59:59Z' }, US, ctx);
    expect(field(item, 'sale_price')).toEqual(['99.99 USD']);
    // Minute precision: the end rounds up, so Google's sale never ends before the site's (23:59:59.001)
    expect(field(item, 'sale_price_effective_date')).toEqual(['2026-11-27T00:00Z/2026-12-02T00:00Z']);
  });

  it.each([
    ['preorder without availability date', { availability: 'preorder' as const }, 'availability_date'],
    ['no price in the target currency', { price: { EUR: 100 } }, 'price'],
    ['no image in an accepted format', { images: ['/img/a.svg'] }, 'image_link'],
    ['an empty title after sanitising', { title: ' \u0000\u200b\u0007 ' }, 'title'],
  ])('excludes an item with %s, naming the attribute', (_label, overrides, attribute) => {
    const { item, issues } = feedItem({ ...base(), ...overrides }, US, ctx);
    expect(item).toBeUndefined();
    expect(issues).toContainEqual(expect.objectContaining({ attribute, severity: 'error' }));
  });

  it('joins CMS data: the category title as product_type when the catalog has none, the story as description where configured', () => {
    // Prepare
    const content = { categories: new Map([['tents', 'Tents & Shelters']]), stories: new Map([['S-1', [{ heading: true, text: 'Built for storms' }, { heading: false, text: 'Tested on Skye.' }]]]) };
    const inTents = { ...base(), sku: 'S-1', category: 'tents' };
    // Act
    const plain = feedItem(inTents, US, { ...ctx, content }).item;
    const ownType = feedItem({ ...inTents, productType: 'Camping > Tents' }, US, { ...ctx, content }).item;
    const storied = feedItem(inTents, US, { ...ctx, content, descriptionFromStory: true }).item;
    const noStory = feedItem({ ...inTents, sku: 'S-2' }, US, { ...ctx, content, descriptionFromStory: true }).item;
    // Assess
    expect(field(plain, 'product_type')).toEqual(['Tents & Shelters']);
    expect(field(plain, 'description')).toEqual(['A light trail shoe.']);
    expect(field(ownType, 'product_type')).toEqual(['Camping > Tents']);
    expect(field(storied, 'description')).toEqual(['Built for storms Tested on Skye.']);
    expect(field(noStory, 'description')).toEqual(['A light trail shoe.']);
  });

  it('keeps at most 10 additional images', () => {
    const images = Array.from({ length: 13 }, (_, i) => `/img/${i}.jpg`);
    const { item, issues } = feedItem({ ...base(), images }, US, ctx);
    expect(field(item, 'additional_image_link')).toHaveLength(10);
    expect(issues[0]).toMatchObject({ attribute: 'additional_image_link', severity: 'warning' });
  });

  it('percent-encodes non-ASCII image URLs', () => {
    const { item } = feedItem({ ...base(), images: ['/img/größe ü.png'] }, US, ctx);
    expect(field(item, 'image_link')![0]).toBe('https://shop.example.com/img/gr%C3%B6%C3%9Fe%20%C3%BC.png');
  });
});

/** A strict XML 1.0 parse (saxes: well-formedness and character validity); throws on any error. */
function strictParse(xml: string): void {
  const parser = new SaxesParser({ xmlns: true });
  parser.on('error', (error) => { throw error; });
  parser.write(xml).close();
}

const hasXmllint = (() => {
  try {
    execFileSync('xmllint', ['--version'], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
})();

describe('feed XML', () => {
  const products = fc.sample(fc.record({ title: fc.string({ unit: 'binary' }), description: fc.string({ unit: 'binary' }), brand: fc.string({ unit: 'grapheme' }), color: fc.string({ unit: 'binary' }) }), { numRuns: 300, seed: 42 });
  const items = products.map((p, i) => feedItem({ ...base(), sku: `P-${i}`, title: `T ${p.title}`, description: `D ${p.description}`, brand: p.brand, color: p.color }, US, ctx).item).filter((x): x is FeedItem => x !== undefined);
  const xml = feedHeader({ title: 'Test & <feed>', link: 'https://shop.example.com/', description: 'x' }) + items.map(itemXml).join('') + FEED_FOOTER;

  // libxml2 is what the issue names; .ci/run installs it (libxml2-utils), a bare machine may not have it.
  it.runIf(hasXmllint)('any string in any field gives a feed libxml2 (xmllint --noout) accepts', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'restatic-feed-')), 'feed.xml');
    writeFileSync(file, xml);
    expect(() => execFileSync('xmllint', ['--noout', file], { stdio: 'pipe' })).not.toThrow();
  });

  it('any string in any text field gives a feed a strict parser accepts, round-tripping to the sanitised value', () => {
    // Act / Assess
    expect(() => strictParse(xml)).not.toThrow();
    const parsed = convert(xml, { format: 'object' }) as { rss: { channel: { item: Array<Record<string, string>> } } };
    const parsedItems = parsed.rss.channel.item;
    expect(parsedItems).toHaveLength(items.length);
    items.forEach((item, i) => expect(parsedItems[i]!['g:title']).toBe(Object.fromEntries(item).title));
  });

  it('serialises exactly what xmlbuilder2 does (differential, random items)', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.constantFrom('title', 'description', 'brand', 'color'), fc.string({ unit: 'binary' })), { maxLength: 6 }), (pairs) => {
      const item: FeedItem = pairs.map(([name, value]) => [name, plainText(value)]);
      const ours = `<root xmlns:g="http://base.google.com/ns/1.0">${itemXml(item)}</root>`;
      const doc = create().ele('root', { 'xmlns:g': 'http://base.google.com/ns/1.0' }).ele('item');
      for (const [name, value] of item) doc.ele(`g:${name}`).txt(value);
      const theirs = doc.doc().end({ headless: true });
      expect(convert(ours, { format: 'object' })).toEqual(convert(theirs, { format: 'object' }));
    }), { numRuns: 300, seed: 7 });
  });
});

describe('feed item rules (fault isolation)', () => {
  const at = (iso: string) => ({ ...ctx, now: new Date(iso) });
  const field = (item: FeedItem | undefined, name: string) => (item ?? []).filter(([n]) => n === name).map(([, v]) => v);

  it('decodes named entities once and keeps literal <, > and & in text attributes; only the description loses markup', () => {
    // Act
    const { item } = feedItem({ ...base(), title: 'Set <Black & Gold> Caf&eacute;', brand: 'A&amp;B <Co>', productType: 'Shoes > Trail', description: '<p>Light &amp; <b>fast</b></p>' }, US, ctx);
    // Assess
    expect(field(item, 'title')).toEqual(['Set <Black & Gold> Café']);
    expect(field(item, 'brand')).toEqual(['A&B <Co>']);
    expect(field(item, 'product_type')).toEqual(['Shoes > Trail']);
    expect(field(item, 'description')).toEqual(['Light & fast']);
  });

  it('never sends identifier_exists no next to a valid GTIN, and reports the contradiction', () => {
    // Act
    const { item, issues } = feedItem({ ...base(), gtin: '4006381333931', identifierExists: false }, US, ctx);
    // Assess
    expect(field(item, 'gtin')).toEqual(['4006381333931']);
    expect(field(item, 'identifier_exists')).toEqual([]);
    expect(issues).toContainEqual(expect.objectContaining({ attribute: 'identifier_exists', severity: 'warning' }));
  });

  it('keeps the seconds of a sale window that does not start or end on a minute', () => {
    // Act
    const { item } = feedItem({ ...base(), salePrice: { USD: 9999 }, saleStart: '2026-11-27T10:00:30Z', saleEnd: '2026-12-01T23:59:29.500Z' }, US, at('2026-11-20T00:00:00Z'));
    // Assess
    expect(field(item, 'sale_price_effective_date')).toEqual(['2026-11-27T10:00:30Z/2026-12-01T23:59:30Z']);
  });

  it('drops a reversed sale window with a warning, never sending it to Google', () => {
    // Act: validated products cannot hold one; an item built from raw data still must not send it
    const { item, issues } = feedItem({ ...base(), salePrice: { USD: 9999 }, saleStart: '2026-12-01T00:00:00Z', saleEnd: '2026-11-27T00:00:00Z' }, US, at('2026-11-20T00:00:00Z'));
    // Assess
    expect(field(item, 'sale_price_effective_date')).toEqual([]);
    expect(field(item, 'sale_price')).toEqual([]);
    expect(issues).toContainEqual(expect.objectContaining({ attribute: 'sale_price_effective_date', severity: 'warning' }));
  });

  it('drops each unusable image link alone, reports it, percent-encodes the rest and sends at most 10 more', () => {
    // Prepare
    const images = ['data:image/png;base64,AAAA', 'ftp://files.example.com/a.png', '/assets/img/Grüne Schuhe.png', ...Array.from({ length: 12 }, (_, i) => `/assets/img/x${i}.png`)];
    // Act
    const { item, issues } = feedItem({ ...base(), images }, US, ctx);
    // Assess
    expect(field(item, 'image_link')).toEqual(['https://shop.example.com/assets/img/Gr%C3%BCne%20Schuhe.png']);
    expect(field(item, 'additional_image_link')).toHaveLength(10);
    expect(issues.filter((i) => i.attribute === 'image_link' && i.severity === 'warning')).toHaveLength(2);
    expect(item).toBeDefined();
  });
});
