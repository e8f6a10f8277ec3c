/**
 * The memory of the functions that hold the whole store, sized to it: the rebuild workers (live and
 * preview), and the full build's plan and commit, which hold about as much. A warm worker keeps the live
 * site in memory between runs (its state, the site's outline, the page index turned around), so a
 * change costs what it touches rather than a pass over the store; what it holds grows with the
 * pages. The bench measures it (`BENCH_SECTIONS=worker`: the heap a warm worker holds, per page).
 */
import { ConfigError } from '../../functions/shared/errors.js';

/** Heap a warm worker holds per page of the site: the bench measured 3.6–3.7 KB at 10,000 and 100,000 products (two markets). */
export const HELD_KB_PER_PAGE = 4;
/** Besides the live site: the runtime, Eleventy and the templates, one run's rendering and uploads. */
const RUNTIME_MB = 512;
/** V8 needs room above what is live to collect without running out (it grows the heap toward twice the live size). */
const GC_HEADROOM = 1.5;
/** What the worker always gets: enough for the demo and for stores up to about 100,000 products in two markets. */
export const WORKER_MIN_MB = 2048;
/** Lambda's largest function. */
export const LAMBDA_MAX_MB = 10_240;
/** The store's sizes the stack assumes when none is given. */
export const DEFAULT_CATALOG_PRODUCTS = 100_000;

export interface WorkerMemory {
  /** Pages the site has, about: a page per product and market, plus listings and content. */
  pages: number;
  /** The heap a warm worker holds for them. */
  heldMb: number;
  /** The function's memory (MB, a multiple of 64). */
  memoryMb: number;
}

/**
 * The memory a rebuild worker needs for a store of `products` in `markets` markets.
 * @throws ConfigError when that is more than a Lambda function can have.
 */
export function workerMemory({ products, markets }: { products: number; markets: number }): WorkerMemory {
  if (!Number.isInteger(products) || products < 0) throw new ConfigError('catalogProducts', `expected a whole number of products, got ${products}`);
  // Listings (24 products a page, per category) and the content pages add a few per cent.
  const pages = Math.ceil(products * markets * 1.05) + 1000;
  const heldMb = (pages * HELD_KB_PER_PAGE) / 1024;
  const memoryMb = Math.max(WORKER_MIN_MB, Math.ceil((RUNTIME_MB + heldMb * GC_HEADROOM) / 64) * 64);
  if (memoryMb > LAMBDA_MAX_MB) {
    throw new ConfigError('catalogProducts', `a rebuild worker holds about ${Math.round(heldMb)} MB for ${products} products in ${markets} market(s) and would need ${memoryMb} MB; a Lambda function has at most ${LAMBDA_MAX_MB} MB (see docs/deploy.md, "Sizing the rebuild worker")`);
  }
  return { pages, heldMb, memoryMb };
}

/** Of a function's memory, what is not the JavaScript heap: the runtime, code, buffers, the young generation. */
const OUTSIDE_HEAP_MB = 512;

/**
 * NODE_OPTIONS for a function that holds the store in its heap. V8 sizes its heap from the machine's
 * memory (about half of it), so a 2,048 MB function would stop at about 1 GB of heap, whatever its
 * memory: the function says how much of its memory the heap may take.
 */
export function heapOptions(memoryMb: number): string {
  return `--max-old-space-size=${memoryMb - OUTSIDE_HEAP_MB}`;
}
