/**
 * Generated demo images: a product picture per (category, colour, view), the category's silhouette in
 * the colour (PNG: pages, feeds and PDFs alike), and a few SVG illustrations for the CMS.
 * Their file names carry a content hash, so they are published under `/assets/` as immutable.
 */
import { createHash } from 'node:crypto';
import { encodePng, hexColor, type Span } from './png.js';
import { rasterise, silhouette } from './silhouettes.js';
import { DEMO_CATEGORIES, type DemoCategory } from './vocabulary.js';

export interface GeneratedAsset {
  /** Bucket key, e.g. `assets/img/running-shoes-black-1a2b3c4d5e.png`. */
  key: string;
  body: string | Buffer;
  contentType: string;
}

const PALETTE: Record<string, string> = {
  black: '#222831', white: '#d8d8d2', red: '#c0392b', blue: '#2e6fba', green: '#3c8d5a',
  orange: '#e67e22', grey: '#7f8c8d', yellow: '#e9c46a', purple: '#7d5ba6', teal: '#2a9d8f',
};

export const DEMO_COLORS = Object.keys(PALETTE);

function svg(label: string, fill: string, glyph: string): string {
  // Text is from our own fixed vocabulary, but escape anyway: this is markup.
  const safe = label.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);
  // Intrinsic size 600, as the product pictures (SIZE below).
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 400" width="600" height="600" role="img" aria-label="${safe}">` +
    `<rect width="400" height="400" fill="#eef1f4"/><circle cx="200" cy="180" r="120" fill="${fill}"/>` +
    `<text x="200" y="205" font-size="90" text-anchor="middle" fill="#fff" font-family="sans-serif">${glyph}</text>` +
    `<text x="200" y="360" font-size="26" text-anchor="middle" fill="#333" font-family="sans-serif">${safe}</text></svg>\n`;
}

function hashed(name: string, body: string | Buffer): GeneratedAsset {
  const digest = createHash('sha256').update(body).digest('hex').slice(0, 10);
  return typeof body === 'string'
    ? { key: `assets/img/${name}-${digest}.svg`, body, contentType: 'image/svg+xml' }
    : { key: `assets/img/${name}-${digest}.png`, body, contentType: 'image/png' };
}

const SIZE = 600; // Google's minimum is 100×100 (250×250 for apparel); a phone draws the gallery image ~380 CSS px wide, and Lighthouse asks for 1.5 image pixels to each

/**
 * A product picture: the category's silhouette (silhouettes.ts) in the product's colour over a light
 * ground, with darker and white details; the back view is mirrored inside a frame.
 */
function productPng(category: DemoCategory, color: string, back: boolean): Buffer {
  const base = PALETTE[color] ?? '#555555';
  const n = Number.parseInt(base.slice(1), 16);
  // The darker tone: the colour at 60 %, or a mid grey where the colour is already dark.
  const dark = [(n >> 16) & 255, (n >> 8) & 255, n & 255].map((c) => Math.round(c * 0.6));
  const tones = {
    fill: hexColor(base), dark: dark.every((c) => c < 40) ? hexColor('#5a6270') : Buffer.from(dark),
    light: hexColor('#ffffff'), ground: hexColor('#eef1f4'),
  };
  const spans: Span[] = rasterise(silhouette(category.slug, back), SIZE, tones);
  if (back) {
    const edge = Math.round(8 * (SIZE / 300));
    for (let y = 0; y < SIZE; y++) {
      if (y < edge || y >= SIZE - edge) spans.push({ y, x0: 0, x1: SIZE, rgb: tones.fill });
      else spans.push({ y, x0: 0, x1: edge, rgb: tones.fill }, { y, x0: SIZE - edge, x1: SIZE, rgb: tones.fill });
    }
  }
  return encodePng(SIZE, SIZE, tones.ground, spans);
}

const cache = new Map<string, GeneratedAsset>();

function memo(id: string, make: () => string | Buffer): GeneratedAsset {
  let asset = cache.get(id);
  if (!asset) {
    asset = hashed(id, make());
    cache.set(id, asset);
  }
  return asset;
}

/** The image of a product of a category in a colour (second view when `view` is 2); deterministic. */
export function productImage(category: DemoCategory, color: string, view: 1 | 2 = 1): GeneratedAsset {
  return memo(`${category.slug}-${color}${view === 2 ? '-back' : ''}`, () => productPng(category, color, view === 2));
}

/** Illustrations used by the demo Contentful space (asset files). */
export const CMS_IMAGES = [
  { name: 'hero', label: 'Black Friday in the mountains', color: 'orange' },
  { name: 'trail', label: 'On the trail', color: 'green' },
  { name: 'camp', label: 'Base camp', color: 'blue' },
  { name: 'team', label: 'Our team', color: 'purple' },
] as const;

export function cmsImage(name: (typeof CMS_IMAGES)[number]['name']): GeneratedAsset {
  const spec = CMS_IMAGES.find((i) => i.name === name)!;
  return memo(`cms-${name}`, () => svg(spec.label, PALETTE[spec.color] ?? '#555', '★'));
}

/** Every demo image (all categories × colours × views, and the CMS illustrations), sorted by key. */
export function allDemoImages(): GeneratedAsset[] {
  const all: GeneratedAsset[] = [];
  for (const category of DEMO_CATEGORIES) {
    for (const color of DEMO_COLORS) all.push(productImage(category, color, 1), productImage(category, color, 2));
  }
  for (const spec of CMS_IMAGES) all.push(cmsImage(spec.name));
  return all.sort((a, b) => a.key.localeCompare(b.key));
}
