/**
 * Pages whose data is computed when a slice of them is taken, not all at once: a full build holds
 * the data of the chunks being rendered, not of the whole site (at 100,000 products the data of
 * every page at once was ~500 MB of heap). What a page renders from is indexed as it is computed.
 */
import { BuildFailedError } from '../errors.js';
import { indexEntry } from '../state/site-state.js';
import type { PageIndexEntry } from '../state/types.js';
import type { PageRef, PageSpec } from './site-model.js';

/** What the renderer and the fan-out plan take pages from: an array is one. */
export interface PageSource {
  readonly length: number;
  slice(start: number, end: number): readonly PageSpec[];
}

/** Pages `refs`, their data from `specsAt`; each slice taken adds its pages' index entries to `index`. */
export class LazyPages implements PageSource {
  readonly #indexed = new Set<string>();
  #refs: readonly PageRef[];

  constructor(
    refs: readonly PageRef[],
    private readonly specsAt: (urls: string[]) => PageSpec[],
    private readonly index: Record<string, PageIndexEntry>,
  ) {
    this.#refs = refs;
  }

  get length(): number {
    return this.#refs.length;
  }

  /** Puts the pages in `order`'s order (the same pages), before any is taken: how a fan-out plan groups them. */
  reorder(order: (refs: readonly PageRef[]) => readonly PageRef[]): void {
    if (this.#indexed.size) throw new BuildFailedError('Expected to reorder the pages before any slice of them was taken, but some were');
    const next = order(this.#refs);
    if (next.length !== this.#refs.length) throw new BuildFailedError(`Expected a reordering of ${this.#refs.length} pages, got ${next.length}`);
    this.#refs = next;
  }

  slice(start: number, end: number): PageSpec[] {
    const refs = this.#refs.slice(start, end);
    const primaries = new Map(refs.map((r) => [r.url, r.primary]));
    const specs = this.specsAt([...primaries.keys()]);
    for (const spec of specs) {
      this.index[spec.url] = indexEntry(spec, primaries.get(spec.url));
      this.#indexed.add(spec.url);
    }
    return specs;
  }

  /** Whether every page has been taken (so the index is whole). */
  get complete(): boolean {
    return this.#indexed.size === this.#refs.length;
  }
}

/** Two sources one after the other. */
export function concatPages(a: PageSource, b: PageSource): PageSource {
  return {
    length: a.length + b.length,
    slice(start, end) {
      const head = start < a.length ? a.slice(start, Math.min(end, a.length)) : [];
      const tail = end > a.length ? b.slice(Math.max(0, start - a.length), end - a.length) : [];
      return [...head, ...tail];
    },
  };
}
