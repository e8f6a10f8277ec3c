/** The shapes of the site state (see site-state.ts and state-store.ts). */
import type { PageLayout } from '../build/site-model.js';
import type { ProductSlugs } from '../markets/markets.js';
import type { Product } from '../catalog/product.js';
import type { ContentEntity, LocaleDef } from '../content/types.js';

export interface PageIndexEntry {
  key: string;
  layout: PageLayout;
  /** Hash of what the page renders from (layout, title, data): equal hash, equal page. */
  dataHash: string;
  /** What the page read: `entry:<id>`, `asset:<id>`, `sku:<sku>`, `listing:<category>`, `urlset…`, `settings`. */
  deps: string[];
  primary?: string;
  /** The next instant (epoch ms) at which the page changes with time alone: a run at or after it rebuilds the page. */
  validUntil?: number;
}

export interface SiteState {
  format: 1;
  /** Increments with every run that changed the site. */
  generation: number;
  contentToken: string;
  locales: LocaleDef[];
  entries: ContentEntity[];
  assets: ContentEntity[];
  products: Product[];
  /** Latest version applied per record: `entry:<id>` → revision, `sku:<sku>` → stream sequence number. */
  versions: Record<string, string>;
  pages: Record<string, PageIndexEntry>;
  /** Hash of the site shell (name, navigation, footer) the pages were rendered in. */
  shell?: string;
  /** Products whose page is not at their own slug (collision losers), by market: what feeds link to. */
  renamed?: ProductSlugs;
  /**
   * The generation of the manifest this state describes. A live manifest of another generation was
   * published by a run that failed before committing its state: the state no longer knows what is
   * live, and the next run heals it with a full build.
   */
  manifestGeneration?: number;
}
