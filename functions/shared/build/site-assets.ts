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
  const css = readFileSync(join(SITE_DIR, 'assets', 'style.css'));
  const cssHash = sha256(css);
  const cssKey = `assets/style-${cssHash.slice(0, 10)}.css`;
  const js = readFileSync(join(SITE_DIR, 'assets', 'cart.js'));
  const jsHash = sha256(js);
  const jsKey = `assets/cart-${jsHash.slice(0, 10)}.js`;
  const icon = readFileSync(join(SITE_DIR, 'assets', 'favicon.svg'));
  const iconHash = sha256(icon);
  const iconKey = `assets/favicon-${iconHash.slice(0, 10)}.svg`;
  const search = readFileSync(join(SITE_DIR, 'assets', 'search.js'));
  const searchHash = sha256(search);
  const searchKey = `assets/search-${searchHash.slice(0, 10)}.js`;
  const items: PublishItem[] = [{ key: cssKey, body: css, hash: cssHash }, { key: jsKey, body: js, hash: jsHash }, { key: iconKey, body: icon, hash: iconHash }, { key: searchKey, body: search, hash: searchHash }];
  if (demoImages) {
    for (const image of allDemoImages()) {
      const body = Buffer.from(image.body);
      items.push({ key: image.key, body, hash: sha256(body) });
    }
  }
  return { items, css: `/${cssKey}`, js: `/${jsKey}`, icon: `/${iconKey}`, search: `/${searchKey}` };
}
