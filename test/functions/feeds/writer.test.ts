import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DEMO_TARGETS } from '../../../functions/feeds/job.js';
import { writeFeeds } from '../../../functions/feeds/writer.js';
import { FEED_FOOTER } from '../../../functions/feeds/xml.js';
import { validateProduct } from '../../../functions/shared/catalog/product.js';
import { demoProducts } from '../../../functions/shared/demo/products.js';

const products = [...demoProducts(150)].map(validateProduct);
const write = () => writeFeeds(products, { targets: DEMO_TARGETS, ctx: { baseUrl: 'https://shop.example.com', now: new Date('2026-11-20T00:00:00Z') }, channel: { title: 'T', link: 'https://shop.example.com/', description: 'D' }, dir: mkdtempSync(join(tmpdir(), 'restatic-writer-')) });

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
