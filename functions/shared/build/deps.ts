/**
 * Dependency keys: what a page read (its `deps`), and what a change touched (the planner's
 * changed keys). A targeted rebuild renders the pages whose deps meet the changed keys, so both
 * sides must spell a key the same way: they build it here.
 */
export type DepKey =
  | `sku:${string}` | `entry:${string}` | `asset:${string}` | `story:${string}` | `group:${string}` | `listing:${string}` | `url:${string}` | `collection:${string}`
  | 'urlset' | 'urlset:blog' | 'urlset:categories' | 'settings';

export const dep = {
  /** A product's catalog item. */
  sku: (sku: string) => `sku:${sku}` as const,
  /** A Contentful entry (page, category, post, author, settings, story). */
  entry: (id: string) => `entry:${id}` as const,
  asset: (id: string) => `asset:${id}` as const,
  /** Whichever `productContent` entry tells a sku's story (one may be published later). */
  story: (sku: string) => `story:${sku}` as const,
  /** The variants of an item group (colour and size pickers). */
  group: (id: string) => `group:${id}` as const,
  /** Membership and order of a category's listing. */
  listing: (category: string) => `listing:${category}` as const,
  /** Membership and order of the collections of a rule: products on sale, a category's, a brand's. */
  collection: {
    onSale: 'collection:onSale' as const,
    category: (slug: string) => `collection:category:${slug}` as const,
    brand: (brand: string) => `collection:brand:${brand.trim().toLowerCase()}` as const,
  },
  /** Whether a URL exists and who owns it (a page linking to it must follow). */
  url: (url: string) => `url:${url}` as const,
  /** The set of URLs (sitemaps), or of one section's URLs. */
  urlset: 'urlset' as const,
  urlsetOf: (section: 'blog' | 'categories') => `urlset:${section}` as const,
  /** Site settings and navigation: the shell of every HTML page. */
  settings: 'settings' as const,
};

/** The key a change to a Contentful entity touches (rich text tracks what it embeds the same way). */
export const entityDep = (kind: 'entry' | 'asset', id: string): DepKey => (kind === 'asset' ? dep.asset(id) : dep.entry(id));
