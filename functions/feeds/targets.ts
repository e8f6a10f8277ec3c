import type { FeedTarget } from './item.js';
import { DEMO_MARKETS, feedTargetsOf } from '../shared/markets/markets.js';

/** The demo store's targets, derived from its markets (docs/contracts.md §3: at least `us` and `de`), each linking to its market's pages. */
export const DEMO_TARGETS: FeedTarget[] = feedTargetsOf(DEMO_MARKETS);
