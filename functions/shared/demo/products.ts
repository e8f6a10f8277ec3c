/**
 * Deterministic demo catalog. Product groups are generated from per-group seeds, so product #i is
 * the same whatever the catalog size, and a catalog of 100,000 (or 1,000,000, for the feed bench)
 * streams without being held in memory.
 */
import type { Availability, Product } from '../catalog/product.js';
import { productImage, DEMO_COLORS } from './images.js';
import { Prng, hash32 } from './prng.js';
import { COLOR_NAMES, DEMO_BRANDS, DEMO_CATEGORIES, DEMO_FEATURES, FOREIGN_TITLES } from './vocabulary.js';

const ADJECTIVES = ['Light', 'Pro', 'Ultra', 'Classic', 'Storm', 'Summit', 'Trail', 'Swift', 'Alpine', 'Arctic', 'Rugged', 'Nimbus'];
const ACCENTED = ['Édition', 'Crête', 'Señal', 'Über', 'Fjörd', 'Mañana', 'Château', 'Øst'];
const BLACK_FRIDAY_START = '2026-11-27T00:00:00Z';
const BLACK_FRIDAY_END = '2026-12-01T23:59:59Z';

/** EAN-13 with a valid check digit (GS1 mod-10) from 12 digits. */
export function withCheckDigit(digits12: string): string {
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += Number(digits12[i]) * (i % 2 === 0 ? 1 : 3);
  return digits12 + String((10 - (sum % 10)) % 10);
}

function isoDay(offsetDays: number): string {
  return new Date(Date.UTC(2026, 10, 1) + offsetDays * 86_400_000).toISOString().replace('.000Z', 'Z');
}

/** The variants (1–4 products) of product group `g`. */
export function demoGroup(g: number): Product[] {
  const rng = new Prng(hash32(`restatic-demo-group-${g}`));
  const category = DEMO_CATEGORIES[g % DEMO_CATEGORIES.length]!;
  const brand = rng.pick(DEMO_BRANDS);
  const noun = rng.pick(category.nouns);
  const foreign = rng.chance(0.05);
  const accented = !foreign && rng.chance(0.1);
  // Real catalogs carry model numbers; ours make every group's titles (and so slugs) distinct.
  const modelNumber = `${g + 100}`;
  const model = foreign
    // One draw, as ever (every later draw is as before), of the category's own foreign title.
    ? `${rng.pick([FOREIGN_TITLES[category.slug]!])} ${modelNumber}`
    : `${rng.pick(ADJECTIVES)} ${noun} ${modelNumber}${accented ? ` ${rng.pick(ACCENTED)}` : ''}${rng.chance(0.03) ? ' "Pro" & Co' : ''}`;
  const groupCode = `${category.code}-${String(g).padStart(6, '0')}`;
  const base = rng.int(Math.ceil(category.priceRange[0] / 100), Math.floor(category.priceRange[1] / 100)) * 100 - 1;
  const onSale = rng.chance(0.15);
  const blackFriday = onSale && rng.chance(0.6);
  const colors = [...DEMO_COLORS].sort(() => rng.next() - 0.5).slice(0, rng.int(1, 3));
  const sizes = category.sizes.length ? category.sizes.slice(rng.int(0, Math.max(0, category.sizes.length - 2))) : [''];
  const variants: Array<{ color: string; size: string }> = [];
  for (const color of colors) for (const size of sizes) variants.push({ color, size });
  const chosen = variants.slice(0, rng.int(1, 4));
  // Most groups carry German text (the `de` market); the rest show the en-US text there (the
  // fallback). Not drawn from `rng`: products stay what they were before translations existed.
  const german = hash32(`restatic-demo-de-${g}`) % 10 < 7 && !foreign;
  const hasGtin = rng.chance(0.85);
  const hasMpn = hasGtin || rng.chance(0.5);
  // Two different features of its category (two draws, as ever: every later draw is as before).
  const features = DEMO_FEATURES[category.slug]!;
  const first = rng.pick(features);
  const second = rng.pick(features.filter((f) => f !== first));
  const description = [
    `The ${model} by ${brand} is made for long days outdoors, with ${first} and ${second}.`,
    rng.chance(0.3) ? `<p>Tested on <strong>real trails</strong> &amp; approved by our guides.</p>` : 'Tested on real trails and approved by our guides.',
  ].join(' ');

  return chosen.map((variant): Product => {
    const colorName = COLOR_NAMES[variant.color]!;
    const sizeCode = variant.size.replace(/[^A-Za-z0-9]/g, '');
    const sku = `${groupCode}-${colorName.code}${sizeCode ? `-${sizeCode}` : ''}`;
    const title = `${model} — ${colorName.en}${variant.size ? `, ${variant.size}` : ''}`;
    const price = base; // variants of a group share a price
    const availabilityRoll = rng.next();
    const availability: Availability =
      availabilityRoll < 0.8 ? 'in_stock' : availabilityRoll < 0.9 ? 'out_of_stock' : availabilityRoll < 0.95 ? 'preorder' : 'backorder';
    const product: Product = {
      sku,
      slug: '',
      title,
      description,
      brand,
      price: rng.chance(0.97) ? { USD: price, EUR: Math.round((price * 0.92) / 100) * 100 - 1 } : { USD: price },
      availability,
      stock: availability === 'in_stock' ? rng.int(1, 250) : 0,
      condition: rng.chance(0.95) ? 'new' : 'refurbished',
      category: category.slug,
      images: [`/${productImage(category, variant.color, 1).key}`, `/${productImage(category, variant.color, 2).key}`],
      googleProductCategory: category.googleProductCategory,
      productType: category.productType,
      color: colorName.en.toLowerCase(),
      shippingWeightGrams: rng.int(category.weight[0], category.weight[1]),
      updatedAt: isoDay(g % 20),
    };
    product.slug = '';
    if (german) {
      product.translations = {
        'de-DE': {
          title: `${model} — ${colorName.de}${variant.size ? `, ${variant.size}` : ''}`,
          description: `Der ${model} von ${brand} ist für lange Tage draußen gemacht. Auf echten Wegen getestet und von unseren Guides empfohlen.`,
        },
      };
    }
    if (chosen.length > 1) product.itemGroupId = groupCode;
    if (variant.size) product.size = variant.size;
    if (hasGtin) product.gtin = withCheckDigit(`40${String(hash32(sku) % 1e10).padStart(10, '0')}`);
    if (hasMpn) product.mpn = sku;
    if (!hasGtin && !hasMpn) product.identifierExists = false;
    if (availability === 'preorder' || availability === 'backorder') product.availabilityDate = isoDay(30 + (g % 30));
    if (onSale) {
      const factor = 1 - rng.int(10, 40) / 100;
      product.salePrice = Object.fromEntries(Object.entries(product.price).map(([cur, amount]) => [cur, Math.round((amount * factor) / 100) * 100 - 1]));
      if (blackFriday) {
        product.saleStart = BLACK_FRIDAY_START;
        product.saleEnd = BLACK_FRIDAY_END;
      }
    }
    return product;
  });
}

/**
 * The first `count` demo products, lazily. Slugs are left empty: `validateProduct` derives them
 * from the title, as it would for a real item without a slug.
 */
export function* demoProducts(count: number): Generator<Omit<Product, 'slug'> & { slug?: string }> {
  let produced = 0;
  for (let g = 0; produced < count; g++) {
    for (const product of demoGroup(g)) {
      if (produced++ >= count) return;
      const { slug: _slug, ...rest } = product;
      yield rest;
    }
  }
}
