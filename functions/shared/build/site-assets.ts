/** Static assets: the stylesheet and the cart script (content-hashed names) and, for the demo store, generated images. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { allDemoImages } from '../demo/images.js';
import type { PublishItem } from '../publish/publisher.js';
import { sha256 } from '../hash.js';
import { SITE_DIR } from './site-dir.js';

export interface SiteAssets {
  items: PublishItem[];
  /** URL of the stylesheet, e.g. `/assets/style-1a2b3c4d5e.css`. */
  css: string;
  /** URL of the cart script, e.g. `/assets/cart-1a2b3c4d5e.js`. */
  js: string;
  /** URL of the icon, e.g. `/assets/favicon-1a2b3c4d5e.svg`. */
  icon: string;
  /** URL of the search script, e.g. `/assets/search-1a2b3c4d5e.js`. */
  search: string;
}

const loaded = new Map<boolean, SiteAssets>();

/**
 * Reads and hashes the site's assets once per process (every targeted rebuild needs the
 * stylesheet's URL; re-hashing 400 demo images per change would be waste); `demoImages` adds the
 * demo catalog's SVGs.
 */
export function loadSiteAssets(options: { demoImages: boolean }): SiteAssets {
  let assets = loaded.get(options.demoImages);
  if (!assets) {
    assets = readSiteAssets(options.demoImages);
    loaded.set(options.demoImages, assets);
  }
  return assets;
}

function readSiteAssets(demoImages: boolean): SiteAssets {
  // `assets/<name>-<hash>.<ext>`: a new name whenever the bytes change (cached as immutable).
  const hashed = (file: string): PublishItem => {
    const body = readFileSync(join(SITE_DIR, 'assets', file));
    const hash = sha256(body);
    const dot = file.lastIndexOf('.');
    return { key: `assets/${file.slice(0, dot)}-${hash.slice(0, 10)}${file.slice(dot)}`, body, hash };
  };
  const [css, js, icon, search] = ['style.css', 'cart.js', 'favicon.svg', 'search.js'].map(hashed) as [PublishItem, PublishItem, PublishItem, PublishItem];
  const items: PublishItem[] = [css, js, icon, search];
  if (demoImages) {
    for (const image of allDemoImages()) {
      const body = Buffer.from(image.body);
      items.push({ key: image.key, body, hash: sha256(body) });
    }
  }
  return { items, css: `/${css.key}`, js: `/${js.key}`, icon: `/${icon.key}`, search: `/${search.key}` };
}
