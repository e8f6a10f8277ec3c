import { describe, expect, it, vi } from 'vitest';
import { LazyPages, concatPages, type PageSource } from '../../../../functions/shared/build/page-source.js';
import { createWorkerPoolRenderer, inProcessRenderer } from '../../../../functions/shared/build/render-pool.js';
import type { RenderedPage } from '../../../../functions/shared/build/render.js';
import { buildSiteModel, outlineSite, type PageSpec } from '../../../../functions/shared/build/site-model.js';
import { validateProduct } from '../../../../functions/shared/catalog/product.js';
import { demoProducts } from '../../../../functions/shared/demo/products.js';
import { RenderError } from '../../../../functions/shared/errors.js';
import { demoSnapshot } from '../../../fixtures/content.js';
import { DEMO_MARKETS } from '../../../../functions/shared/markets/markets.js';

const model = buildSiteModel(demoSnapshot(), [...demoProducts(150)].map(validateProduct), {
  baseUrl: 'https://shop.example.com', markets: DEMO_MARKETS, listingPageSize: 24, now: new Date('2026-11-20T00:00:00Z'),
});
const context = { sites: model.sites, css: '/assets/style-0123456789.css' };

async function collect(renderer: typeof inProcessRenderer, pages: PageSource): Promise<Map<string, string>> {
  const out: RenderedPage[] = [];
  await renderer.render(pages, context, async (chunk) => { out.push(...chunk); });
  return new Map(out.map((p) => [p.key, p.hash]));
}

describe('worker pool renderer', () => {
  it('renders exactly the bytes the in-process renderer does, in chunks over two workers', async () => {
    // Prepare
    const pool = createWorkerPoolRenderer({ workers: 2, chunkSize: 40, minPagesForWorkers: 1 });
    // Act
    const [pooled, direct] = await Promise.all([collect(pool, model.pages), collect(inProcessRenderer, model.pages)]);
    // Assess
    expect(pooled.size).toBe(model.pages.length);
    expect(pooled).toEqual(direct);
  });

  it('fails with a RenderError naming the page that cannot render, not the first of its chunk', async () => {
    // Prepare
    const broken = [...model.pages.slice(0, 5), { ...model.pages[5]!, layout: 'no-such-layout' as PageSpec['layout'] }];
    // Act
    const error = await collect(createWorkerPoolRenderer({ workers: 1, chunkSize: 3, minPagesForWorkers: 1 }), broken).catch((e: unknown) => e);
    const direct = await collect(inProcessRenderer, broken).catch((e: unknown) => e);
    // Assess
    for (const e of [error, direct]) {
      expect(e).toBeInstanceOf(RenderError);
      expect((e as Error).message).toContain(`page ${model.pages[5]!.url}`);
      expect((e as Error).message).not.toContain(`page(s) starting at`);
    }
  });
});

describe('lazy page sources', () => {
  it('take pages chunk by chunk while the consumer keeps up: a slow upload holds the render back', async () => {
    // Prepare
    let taken = 0;
    const source: PageSource = { length: model.pages.length, slice: (a, b) => { taken++; return model.pages.slice(a, b); } };
    let release!: () => void;
    const gate = new Promise<void>((resolve) => { release = resolve; });
    let delivered = 0;
    const pool = createWorkerPoolRenderer({ workers: 2, chunkSize: 10, minPagesForWorkers: 1 });
    // Act
    const done = pool.render(source, context, async (chunk) => { await gate; delivered += chunk.length; });
    await vi.waitFor(() => expect(taken).toBeGreaterThanOrEqual(4), { timeout: 20_000 });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const takenWhileBlocked = taken;
    release();
    await done;
    // Assess: two workers, two chunks each at most (one waiting on its upload, one more rendered)
    expect(Math.ceil(model.pages.length / 10)).toBeGreaterThan(10);
    expect(takenWhileBlocked).toBeLessThanOrEqual(5);
    expect(delivered).toBe(model.pages.length);
  });

  it('compute each page as the eager model does and index it once it is taken; complete only when all are', () => {
    // Prepare
    const { outline, pagesAt } = outlineSite(demoSnapshot(), [...demoProducts(150)].map(validateProduct), {
      baseUrl: 'https://shop.example.com', markets: DEMO_MARKETS, listingPageSize: 24, now: new Date('2026-11-20T00:00:00Z'),
    });
    const index = {};
    const lazy = new LazyPages(outline.all, pagesAt, index);
    // Act
    const first = lazy.slice(0, 7);
    const incomplete = lazy.complete;
    const rest = concatPages(lazy, []).slice(7, lazy.length);
    // Assess
    expect(incomplete).toBe(false);
    expect(lazy.complete).toBe(true);
    expect([...first, ...rest]).toEqual(model.pages);
    expect(Object.keys(index)).toEqual(model.pages.map((p) => p.url));
    const products = Object.entries(index).filter(([, e]) => (e as { primary?: string }).primary?.startsWith('sku:')).map(([url]) => url);
    const euro = [...demoProducts(150)].filter((p) => (p.price as Record<string, number>).EUR !== undefined).length;
    expect(products.filter((url) => !url.startsWith('/de/')).length).toBe(150);
    expect(products.filter((url) => url.startsWith('/de/')).length).toBe(euro);
  });
});
