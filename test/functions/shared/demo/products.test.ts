/** The demo catalog's copy: each product described by features of its own kind. */
import { describe, expect, it } from 'vitest';
import { demoProducts } from '../../../../functions/shared/demo/products.js';
import { DEMO_FEATURES, FOREIGN_TITLES } from '../../../../functions/shared/demo/vocabulary.js';

describe('demo products', () => {
  it('describe every product with two different features of its own category (no grippy sole on a harness)', () => {
    // Act
    const products = [...demoProducts(400)];
    // Assess
    for (const p of products) {
      const own = DEMO_FEATURES[p.category!]!;
      const named = Object.values(DEMO_FEATURES).flat().filter((f) => p.description.includes(f));
      expect(named.length, p.sku).toBeGreaterThanOrEqual(2);
      expect(named.every((f) => own.includes(f)), `${p.sku} (${p.category}): ${named.join('; ')}`).toBe(true);
    }
    expect(products.filter((p) => p.category === 'climbing-harnesses').some((p) => p.description.includes('sole'))).toBe(false);
  });

  it('gives a product a title in another language only where it names the product\'s own kind (no Greek backpack among the fleece)', () => {
    // Act
    const products = [...demoProducts(2000)];
    const foreign = products.filter((p) => Object.values(FOREIGN_TITLES).some((t) => p.title.startsWith(t)));
    // Assess
    expect(foreign.length).toBeGreaterThan(10);
    for (const p of foreign) expect(p.title.startsWith(FOREIGN_TITLES[p.category!]!), `${p.sku} (${p.category}): ${p.title}`).toBe(true);
  });
});
