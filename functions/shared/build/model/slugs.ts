/** Product slugs: one URL per product, collisions settled the same way in every build. */
import type { Product } from '../../catalog/product.js';
import { toSlug } from '../../slug.js';

/**
 * Gives every product a URL of its own. A slug several products claim stays with the product that
 * owns the live URL (`owners`), else with the lowest sku; each other claimant gets `<slug>-<sku>`
 * (then `-2`, `-3`… if that is taken too) and a warning. Returns copies where a slug changed: the
 * caller's (possibly cached) catalog keeps its slugs. `claims` receives each slug's claimants (sku
 * order), for a warm model to tell whether a change reaches another product's URL.
 */
export function uniqueSlugs(
  products: Product[], owners: ReadonlyMap<string, string> | undefined, warn: (subject: string, field: string, message: string) => void,
  claimsOut?: Map<string, string[]>, urlOf: (slug: string) => string = (slug) => `/products/${slug}/`,
): Product[] {
  const claims = groupBy(products, (p) => p.slug);
  if (claimsOut) for (const [slug, claimants] of claims) claimsOut.set(slug, claimants.map((p) => p.sku));
  const taken = new Set(claims.keys());
  const renamed = new Map<string, Product>();
  const losers: Array<{ product: Product; owner: Product }> = [];
  for (const [slug, claimants] of claims) {
    if (claimants.length === 1) continue;
    const owner = claimants.find((p) => owners?.get(urlOf(slug)) === `sku:${p.sku}`) ?? claimants[0]!;
    for (const p of claimants) if (p !== owner) losers.push({ product: p, owner });
  }
  losers.sort((a, b) => (a.product.sku < b.product.sku ? -1 : 1));
  for (const { product, owner } of losers) {
    const base = `${product.slug}-${toSlug(product.sku)}`;
    let unique = base;
    for (let n = 2; taken.has(unique); n++) unique = `${base}-${n}`;
    taken.add(unique);
    warn(`product ${product.sku}`, 'slug', `slug "${product.slug}" belongs to product ${owner.sku}; using "${unique}"`);
    renamed.set(product.sku, { ...product, slug: unique });
  }
  return renamed.size ? products.map((p) => renamed.get(p.sku) ?? p) : products;
}

/** Products by a key, in their order; those without one are left out. */
export function groupBy(products: readonly Product[], keyOf: (p: Product) => string | undefined): Map<string, Product[]> {
  const groups = new Map<string, Product[]>();
  for (const p of products) {
    const key = keyOf(p);
    if (!key) continue;
    const group = groups.get(key);
    if (group) group.push(p);
    else groups.set(key, [p]);
  }
  return groups;
}
