/** Seeds the products table with the deterministic demo catalog when it is empty. */
import { validateProduct, type Product } from '../functions/shared/catalog/product.js';
import { demoProducts } from '../functions/shared/demo/products.js';
import type { Catalog, Progress } from '../functions/shared/ports.js';

/** Writes `count` demo products in batches; returns how many were written. */
export async function seedDemoCatalog(catalog: Catalog, count: number, progress?: Progress): Promise<number> {
  progress?.start('seed', count);
  let written = 0;
  let batch: Product[] = [];
  const flush = async () => {
    await catalog.putMany(batch);
    progress?.advance(batch.length);
    written += batch.length;
    batch = [];
  };
  // Stream in batches: 100,000 products never sit in memory at once.
  for (const raw of demoProducts(count)) {
    batch.push(validateProduct(raw));
    if (batch.length === 2000) await flush();
  }
  if (batch.length) await flush();
  progress?.stop();
  return written;
}
