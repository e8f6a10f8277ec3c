/**
 * Generated demo images: small SVG illustrations, one per (category, colour) and a few for the CMS.
 * Their file names carry a content hash, so they are published under `/assets/` as immutable.
 */
import { createHash } from 'node:crypto';
import { DEMO_CATEGORIES, type DemoCategory } from './vocabulary.js';

export interface GeneratedAsset {
  /** Bucket key, e.g. `assets/img/running-shoes-black-1a2b3c4d.svg`. */
  key: string;
  body: string;
  contentType: string;
}

const PALETTE: Record<string, string> = {
  black: '#222831', white: '#f4f4f2', red: '#c0392b', blue: '#2e6fba', green: '#3c8d5a',
  orange: '#e67e22', grey: '#7f8c8d', yellow: '#e9c46a', purple: '#7d5ba6', teal: '#2a9d8f',
};

export const DEMO_COLORS = Object.keys(PALETTE);

function svg(label: string, fill: string, glyph: string): string {
  // Text is from our own fixed vocabulary, but escape anyway: this is markup.
  const safe = label.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 400" width="400" height="400" role="img" aria-label="${safe}">` +
    `<rect width="400" height="400" fill="#eef1f4"/><circle cx="200" cy="180" r="120" fill="${fill}"/>` +
    `<text x="200" y="205" font-size="90" text-anchor="middle" fill="#fff" font-family="sans-serif">${glyph}</text>` +
    `<text x="200" y="360" font-size="26" text-anchor="middle" fill="#333" font-family="sans-serif">${safe}</text></svg>\n`;
}

function hashed(name: string, body: string): GeneratedAsset {
  const digest = createHash('sha256').update(body).digest('hex').slice(0, 10);
  return { key: `assets/img/${name}-${digest}.svg`, body, contentType: 'image/svg+xml' };
}

const cache = new Map<string, GeneratedAsset>();

function memo(id: string, make: () => string): GeneratedAsset {
  let asset = cache.get(id);
  if (!asset) {
    asset = hashed(id, make());
    cache.set(id, asset);
  }
  return asset;
}

/** The image of a product of a category in a colour (second view when `view` is 2); deterministic. */
export function productImage(category: DemoCategory, color: string, view: 1 | 2 = 1): GeneratedAsset {
  return memo(`${category.slug}-${color}${view === 2 ? '-back' : ''}`, () =>
    svg(`${category.title} (${color}${view === 2 ? ', back' : ''})`, PALETTE[color] ?? '#555', view === 2 ? `${category.glyph}'` : category.glyph),
  );
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
