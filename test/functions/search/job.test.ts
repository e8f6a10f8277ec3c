/** The search refresh over a site built in memory: its records, what it uploads, when it does nothing. */
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { refreshSearch, SEARCH_MANIFEST_KEY, SEARCH_PREFIX } from '../../../functions/search/job.js';
import { createPagefindIndexer } from '../../../functions/shared/adapters/pagefind-indexer.js';
import { fullBuild } from '../../../functions/shared/build/full-build.js';
import { inProcessRenderer } from '../../../functions/shared/build/render-pool.js';
import { silentLogger } from '../../../functions/shared/logger.js';
import { DEMO_MARKETS } from '../../../functions/shared/markets/markets.js';
import type { SearchIndexer, SearchRecord } from '../../../functions/shared/ports.js';
import { StateStore } from '../../../functions/shared/state/state-store.js';
import { entry, paragraph, richDoc, textNode } from '../../fixtures/content.js';
import { MemoryCatalog, MemoryContent, MemoryStore } from '../../fixtures/memory.js';
import { product } from '../../fixtures/products.js';

const SITE = { baseUrl: 'https://shop.example.com', markets: DEMO_MARKETS, listingPageSize: 1 };
const NOW = new Date('2026-11-20T00:00:00Z');

/** A fake Pagefind: a fragment per record (named by its hash), and an entry file naming them all. */
function fakeIndexer(): SearchIndexer & { calls: SearchRecord[][] } {
  const calls: SearchRecord[][] = [];
  return {
    calls,
    async index(records) {
      const list = [...records];
      calls.push(list);
      const { createHash } = await import('node:crypto');
      const fragments = list.map((r) => ({ path: `fragment/${r.language}_${createHash('sha256').update(JSON.stringify(r)).digest('hex').slice(0, 7)}.pf_fragment`, bytes: Buffer.from(JSON.stringify(r)) }));
      return [{ path: 'pagefind.js', bytes: Buffer.from('export {}') }, ...fragments, { path: 'pagefind-entry.json', bytes: Buffer.from(JSON.stringify(fragments.map((f) => f.path))) }];
    },
  };
}

async function builtSite() {
  const store = new MemoryStore();
  const catalog = new MemoryCatalog();
  await catalog.put(product({ sku: 'TENT-1', slug: undefined as never, title: 'Dome Tent', brand: 'Acme', color: 'Green', category: 'tents', images: ['/img/tent.svg'] }));
  await catalog.put(product({ sku: 'TENT-2', slug: undefined as never, title: 'Tunnel Tent', category: 'tents', translations: { 'de-DE': { title: 'Tunnelzelt' } } }));
  const content = new MemoryContent([
    entry('cat-tents', 'category', { title: 'Tents', slug: 'tents' }),
    entry('page-care', 'page', { title: 'Care guide', slug: 'care', body: richDoc(paragraph(textNode('Dry your canvas before storing it.'))) }),
  ]);
  const cdn = { invalidations: [] as string[][], invalidate: async function (paths: readonly string[]) { this.invalidations.push([...paths]); return 'id'; } };
  await fullBuild({ content, catalog, store, cdn, logger: silentLogger, renderer: inProcessRenderer }, { site: { ...SITE, now: NOW }, demoImages: false });
  return { store, catalog, content, cdn, states: new StateStore(store) };
}

describe('search refresh', () => {
  it('indexes the live site\'s product, category and CMS pages in each market\'s language, with their words', async () => {
    // Prepare
    const { store, cdn, states } = await builtSite();
    const indexer = fakeIndexer();
    // Act
    const result = await refreshSearch({ states, store, cdn, logger: silentLogger, indexer }, { site: SITE, now: NOW });
    // Assess
    const records = indexer.calls[0]!;
    expect(records.map((r) => `${r.language} ${r.url}`).sort()).toEqual([
      'de /de/care/', 'de /de/categories/tents/', 'de /de/products/dome-tent/', 'de /de/products/tunnelzelt/',
      'en /care/', 'en /categories/tents/', 'en /products/dome-tent/', 'en /products/tunnel-tent/',
    ]);
    const dome = records.find((r) => r.url === '/products/dome-tent/')!;
    expect(dome.content).toContain('Dome Tent\nAcme\nGreen');
    expect(dome.content).toContain('Tents');
    expect(dome.meta).toEqual({ title: 'Dome Tent', image: '/img/tent.svg' });
    expect(records.find((r) => r.url === '/de/products/tunnelzelt/')!.meta.title).toBe('Tunnelzelt');
    expect(records.find((r) => r.url === '/care/')!.content).toBe('Care guide\nDry your canvas before storing it.');
    expect(result).toMatchObject({ records: 8, files: 10, uploaded: 10, deleted: 0 });
    expect((await store.get(`${SEARCH_PREFIX}pagefind-entry.json`))?.cacheControl).toBe('public, max-age=300, s-maxage=300');
    const [fragment] = JSON.parse((await store.get(`${SEARCH_PREFIX}pagefind-entry.json`))!.body.toString()) as string[];
    expect((await store.get(`${SEARCH_PREFIX}${fragment}`))?.cacheControl).toBe('public, max-age=31536000, immutable');
  });

  it('does nothing when the state did not change, or changed in nothing a record shows', async () => {
    // Prepare
    const { store, catalog, content, cdn, states } = await builtSite();
    const indexer = fakeIndexer();
    const deps = { states, store, cdn, logger: silentLogger, indexer };
    await refreshSearch(deps, { site: SITE, now: NOW });
    await catalog.put(product({ sku: 'TENT-1', slug: undefined as never, title: 'Dome Tent', brand: 'Acme', color: 'Green', category: 'tents', images: ['/img/tent.svg'], price: { USD: 1, EUR: 1 } }));
    const before = [...store.objects.keys()].filter((k) => k.startsWith(SEARCH_PREFIX));
    // Act
    const same = await refreshSearch(deps, { site: SITE, now: NOW });
    await fullBuild({ content, catalog, store, cdn, logger: silentLogger, renderer: inProcessRenderer }, { site: { ...SITE, now: NOW }, demoImages: false });
    const repriced = await refreshSearch(deps, { site: SITE, now: NOW });
    // Assess
    expect(same.skipped).toBe('unchanged');
    expect(repriced).toMatchObject({ skipped: 'unchanged', records: 8, uploaded: 0 });
    expect(indexer.calls).toHaveLength(1);
    expect([...store.objects.keys()].filter((k) => k.startsWith(SEARCH_PREFIX))).toEqual(before);
  });

  it('uploads only changed files, the entry file last, and deletes a file the index dropped one refresh later', async () => {
    // Prepare
    const { store, catalog, content, cdn, states } = await builtSite();
    const indexer = fakeIndexer();
    const deps = { states, store, cdn, logger: silentLogger, indexer };
    await refreshSearch(deps, { site: SITE, now: NOW });
    const oldFragment = (JSON.parse((await store.get(`${SEARCH_PREFIX}pagefind-entry.json`))!.body.toString()) as string[]);
    await catalog.delete('TENT-2');
    await fullBuild({ content, catalog, store, cdn, logger: silentLogger, renderer: inProcessRenderer }, { site: { ...SITE, now: NOW }, demoImages: false });
    const order: string[] = [];
    const put = store.put.bind(store);
    store.put = async (key, body, meta) => { order.push(key); return put(key, body, meta); };
    cdn.invalidations.length = 0;
    // Act
    const first = await refreshSearch(deps, { site: SITE, now: NOW });
    const dropped = oldFragment.filter((p) => !store.objects.has(`${SEARCH_PREFIX}${p}`));
    await catalog.put(product({ sku: 'TENT-3', slug: undefined as never, title: 'Bivvy Bag', category: 'tents' }));
    await fullBuild({ content, catalog, store, cdn, logger: silentLogger, renderer: inProcessRenderer }, { site: { ...SITE, now: NOW }, demoImages: false });
    const second = await refreshSearch(deps, { site: SITE, now: NOW });
    // Assess: TENT-2's records (both markets) and the entry changed; the entry went up last
    expect(first).toMatchObject({ records: 6, uploaded: 1, deleted: 0 });
    expect(order.filter((k) => k.startsWith(SEARCH_PREFIX)).at(-1)).toBe(`${SEARCH_PREFIX}pagefind-entry.json`);
    expect(order.at(-1)).toBe(SEARCH_MANIFEST_KEY);
    expect(dropped).toEqual([]);
    expect(first.invalidated).toEqual(['/pagefind/pagefind-entry.json']);
    expect(second.deleted).toBe(2);
    expect(oldFragment.filter((p) => store.objects.has(`${SEARCH_PREFIX}${p}`))).toHaveLength(6);
  });
});

describe('Pagefind indexer', () => {
  it('makes a bundle whose fragments hold each record\'s words, one index per language', async () => {
    // Act
    const files = await createPagefindIndexer().index([
      { url: '/products/dome-tent/', language: 'en', content: 'Dome Tent by Acme, green', meta: { title: 'Dome Tent' } },
      { url: '/de/products/kuppelzelt/', language: 'de', content: 'Kuppelzelt von Acme', meta: { title: 'Kuppelzelt' } },
    ]);
    // Assess
    const paths = files.map((f) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['pagefind.js', 'pagefind-entry.json']));
    expect(paths.filter((p) => p.startsWith('wasm.'))).toEqual(expect.arrayContaining(['wasm.en.pagefind', 'wasm.de.pagefind']));
    const entry = JSON.parse(Buffer.from(files.find((f) => f.path === 'pagefind-entry.json')!.bytes).toString()) as { languages: Record<string, unknown> };
    expect(Object.keys(entry.languages).sort()).toEqual(['de', 'en']);
    const fragments = files.filter((f) => f.path.startsWith('fragment/')).map((f) => gunzipSync(Buffer.from(f.bytes)).toString('utf8'));
    expect(fragments.some((f) => f.includes('Dome Tent by Acme'))).toBe(true);
    expect(fragments.some((f) => f.includes('Kuppelzelt von Acme'))).toBe(true);
  }, 30_000);
});
