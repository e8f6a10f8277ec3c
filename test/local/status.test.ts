/** The change receipts behind /_status: kept across restarts, and readable by a person in a browser. */
import { appendFileSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pagesOfRun, STATUS_KEPT, StatusLog, type ChangeRecord } from '../../local/status.js';
import { prefersHtml, statusPage } from '../../local/status-page.js';

const tmpFile = () => join(mkdtempSync(join(tmpdir(), 'restatic-status-')), 'status.jsonl');

describe('status log across restarts', () => {
  it('has the last changes after a restart, finished ones and the one still in flight', () => {
    // Prepare
    const file = tmpFile();
    const before = new StatusLog(file);
    const done = before.open({ kind: 'catalog', sku: 'A-1', sequenceNumber: '10', eventName: 'MODIFY' }, 'corr-done');
    Object.assign(done.stages, { built: '2026-12-04T10:00:00.200Z', uploaded: '2026-12-04T10:00:00.300Z' });
    done.pagesRebuilt = 2;
    before.save(done);
    before.open({ kind: 'contentful', entityId: 'page-about', version: '5', topic: 'ContentManagement.Entry.publish' }, 'corr-in-flight');
    // Act: the process stops; a new one reads the file
    const after = new StatusLog(file);
    // Assess
    expect(after.list().map((r) => r.correlationId)).toEqual(['corr-in-flight', 'corr-done']);
    expect(after.find('corr-done')).toMatchObject({ pagesRebuilt: 2, stages: { uploaded: '2026-12-04T10:00:00.300Z' } });
    // The in-flight change's envelope is replayed from the journal and finishes under its record
    expect(after.find('corr-in-flight')!.stages.built).toBeUndefined();
  });

  it('keeps the last 200 and compacts a file that grew large', () => {
    // Prepare: 9 MB of old receipts
    const file = tmpFile();
    const line = (i: number) => `${JSON.stringify({ id: `r${i}`, correlationId: `c${i}`, source: { kind: 'time', instant: 'x' }, stages: { received: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString() }, pagesRebuilt: 0, pages: [], pagesByMarket: {}, objectsUploaded: 0, objectsDeleted: 0, pathsInvalidated: [], errors: [], warnings: ['x'.repeat(3000)] })}\n`;
    appendFileSync(file, Array.from({ length: 3000 }, (_, i) => line(i)).join(''));
    expect(statSync(file).size).toBeGreaterThan(8 << 20);
    // Act
    const log = new StatusLog(file);
    // Assess
    expect(log.list()).toHaveLength(STATUS_KEPT);
    expect(log.list()[0]!.correlationId).toBe('c2999');
    expect(statSync(file).size).toBeLessThan(1 << 20);
    expect(new StatusLog(file).list()).toHaveLength(STATUS_KEPT);
  });
});

describe('pages of a run', () => {
  it('lists the changed entry\'s own page first, even when hundreds of pages that link to it were rebuilt before it', () => {
    // Prepare: an about page's title is in every product page's footer
    const pages = [...Array.from({ length: 150 }, (_, i) => ({ url: `/products/product-number-${i}/`, market: 'us' })), { url: '/about/', market: 'us' }, { url: '/de/about/', market: 'de' }];
    // Act
    const listed = pagesOfRun(pages);
    // Assess
    expect(listed.pages.slice(0, 2)).toEqual([{ url: '/about/', market: 'us' }, { url: '/de/about/', market: 'de' }]);
    expect(listed.pages).toHaveLength(100);
    expect(listed.pagesByMarket).toEqual({ us: 151, de: 1 });
  });
});

describe('status page', () => {
  const record: ChangeRecord = {
    id: 'r1', correlationId: 'corr-1', source: { kind: 'catalog', sku: 'TNT-1', sequenceNumber: '42', eventName: 'MODIFY' },
    stages: { received: '2026-12-04T10:00:00.000Z', built: '2026-12-04T10:00:00.150Z', uploaded: '2026-12-04T10:00:00.260Z', invalidated: '2026-12-04T10:00:00.300Z' },
    pagesRebuilt: 2, pages: [{ url: '/products/tent/', market: 'us' }, { url: '/de/products/zelt/', market: 'de' }], pagesByMarket: { us: 1, de: 1 },
    objectsUploaded: 2, objectsDeleted: 0, pathsInvalidated: ['/products/tent/', '/de/products/zelt/'], errors: ['the <script> host timed out'], warnings: [],
  };

  it('shows each change\'s stages at their own times, its pages as links and its errors in words, escaped', () => {
    // Act
    const html = statusPage([record], 'http://127.0.0.1:8080');
    // Assess
    expect(html).toContain('<html lang="en">');
    expect(html).toContain('sku TNT-1 sequence 42');
    expect(html).toMatch(/built<\/span> <time datetime="2026-12-04T10:00:00.150Z">10:00:00.150<\/time> <span class="after">\+150 ms/);
    expect(html).toContain('+300 ms');
    expect(html).toContain('<a href="http://127.0.0.1:8080/de/products/zelt/">/de/products/zelt/</a>');
    expect(html).toContain('Error: the &lt;script&gt; host timed out');
    expect(html).not.toContain('<script>');
  });

  it('lists the preview\'s entries: the latest draft, the one shown and when it was built, errors escaped', () => {
    // Act
    const html = statusPage([record], 'http://127.0.0.1:8080', new Date(), [
      { entry: 'post-3', latestVersion: String(Date.parse('2026-12-04T10:00:05Z')), shownVersion: String(Date.parse('2026-12-04T10:00:05Z')), builtAt: '2026-12-04T10:00:06.100Z', pending: false },
      { entry: 'page-<x>', latestVersion: '7', pending: true, error: 'the <b>space</b> timed out' },
    ]);
    // Assess
    expect(html).toContain('<h2>Preview</h2>');
    expect(html).toContain('<tr><td>post-3</td><td>2026-12-04 10:00:05 UTC</td><td>2026-12-04 10:00:05 UTC</td><td>2026-12-04 10:00:06</td><td>shown</td></tr>');
    expect(html).toContain('page-&lt;x&gt;');
    expect(html).toContain('the &lt;b&gt;space&lt;/b&gt; timed out');
    expect(statusPage([record], 'http://127.0.0.1:8080')).not.toContain('Preview');
  });

  it.each([
    ['text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', true],
    ['*/*', false],
    ['application/json', false],
    [undefined, false],
  ])('Accept %j prefers HTML: %s', (accept, html) => {
    // Act / Assess
    expect(prefersHtml({ headers: accept === undefined ? {} : { accept } })).toBe(html);
  });
});
