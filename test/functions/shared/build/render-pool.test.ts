import { describe, expect, it } from 'vitest';
import { createWorkerPoolRenderer, inProcessRenderer } from '../../../../functions/shared/build/render-pool.js';
import type { RenderedPage } from '../../../../functions/shared/build/render.js';
import { buildSiteModel, type PageSpec } from '../../../../functions/shared/build/site-model.js';
import { validateProduct } from '../../../../functions/shared/catalog/product.js';
import { demoProducts } from '../../../../functions/shared/demo/products.js';
import { RenderError } from '../../../../functions/shared/errors.js';
import { demoSnapshot } from '../../../fixtures/content.js';

const model = buildSiteModel(demoSnapshot(), [...demoProducts(150)].map(validateProduct), {
  baseUrl: 'https://shop.example.com', currencies: ['USD', 'EUR'], listingPageSize: 24, now: new Date('2026-11-20T00:00:00Z'),
});
const context = { site: model.site, css: '/assets/style-0123456789.css' };

async function collect(renderer: typeof inProcessRenderer, pages: readonly PageSpec[]): Promise<Map<string, string>> {
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
