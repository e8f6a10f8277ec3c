import type { FeedTarget } from './item.js';

/** The demo store's targets (docs/contracts.md §3: at least `us` and `de`). */
export const DEMO_TARGETS: FeedTarget[] = [
  { id: 'us', country: 'US', language: 'en', currency: 'USD', feedLabel: 'US' },
  { id: 'de', country: 'DE', language: 'de', currency: 'EUR', feedLabel: 'DE' },
];
