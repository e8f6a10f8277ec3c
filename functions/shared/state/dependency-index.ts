/**
 * The page index turned around: dependency key → the pages that read it, and instant → the pages
 * whose data changes then. A warm worker builds it once from the page index and keeps it in step
 * with every commit, so a change finds its pages in proportion to what it touches, not to the store.
 */
import { dep } from '../build/deps.js';
import type { PageIndexEntry } from './types.js';

/**
 * Every HTML page reads the settings (the shell), and a change to them is the full-build path,
 * never a targeted plan: indexing its 200,000 readers at 100,000 products bought nothing.
 */
const UNINDEXED = dep.settings;

/**
 * Most keys have one reader (a product's story), many a handful (a product: its page and listing in
 * each market): a string, then an array, a Set only past `FEW` readers (a category's key). With a
 * Set from the second reader, building the index at start made a small Set for nearly every product
 * key: arrays took a third off its time and an eighth off its memory (measured at 30,000 products).
 */
type Readers = string | string[] | Set<string>;
const FEW = 8;

export class DependencyIndex {
  readonly #byDep = new Map<string, Readers>();
  readonly #byInstant = new Map<number, Set<string>>();
  #instants: number[] | undefined;

  constructor(pages: Readonly<Record<string, PageIndexEntry>>) {
    for (const url in pages) this.#add(url, pages[url]!);
  }

  /** Records that the page at `url` changed from `before` to `after` (either absent). */
  update(url: string, before: PageIndexEntry | undefined, after: PageIndexEntry | undefined): void {
    if (before) this.#remove(url, before);
    if (after) this.#add(url, after);
  }

  *dependents(keys: ReadonlySet<string>): Iterable<string> {
    if (keys.has(UNINDEXED)) throw new Error(`Expected no targeted plan for "${UNINDEXED}" (a settings or shell change is a full build), got one`);
    for (const key of keys) {
      const readers = this.#byDep.get(key);
      if (typeof readers === 'string') yield readers;
      else if (readers) yield* readers;
    }
  }

  *expired(now: number): Iterable<string> {
    for (const instant of this.#sorted()) {
      if (instant > now) return;
      yield* this.#byInstant.get(instant)!;
    }
  }

  /** The instants after `now` at which some page changes with time alone, ascending, at most `limit`. */
  pending(now: Date, limit = 50): number[] {
    const after: number[] = [];
    for (const instant of this.#sorted()) {
      if (instant <= now.getTime()) continue;
      after.push(instant);
      if (after.length === limit) break;
    }
    return after;
  }

  #sorted(): number[] {
    return (this.#instants ??= [...this.#byInstant.keys()].sort((a, b) => a - b));
  }

  #add(url: string, entry: PageIndexEntry): void {
    for (const key of entry.deps) {
      if (key === UNINDEXED) continue;
      const readers = this.#byDep.get(key);
      if (readers === undefined) this.#byDep.set(key, url);
      else if (typeof readers === 'string') { if (readers !== url) this.#byDep.set(key, [readers, url]); }
      else if (Array.isArray(readers)) {
        if (readers.includes(url)) continue;
        if (readers.length < FEW) readers.push(url);
        else this.#byDep.set(key, new Set([...readers, url]));
      } else readers.add(url);
    }
    if (entry.validUntil !== undefined) {
      const pages = this.#byInstant.get(entry.validUntil);
      if (pages) pages.add(url);
      else {
        this.#byInstant.set(entry.validUntil, new Set([url]));
        this.#instants = undefined;
      }
    }
  }

  #remove(url: string, entry: PageIndexEntry): void {
    for (const key of entry.deps) {
      if (key === UNINDEXED) continue;
      const readers = this.#byDep.get(key);
      if (readers === url) this.#byDep.delete(key);
      else if (Array.isArray(readers)) {
        const at = readers.indexOf(url);
        if (at >= 0) readers.splice(at, 1);
        if (readers.length === 1) this.#byDep.set(key, readers[0]!);
      } else if (typeof readers === 'object') {
        readers.delete(url);
        if (readers.size === 1) this.#byDep.set(key, readers.values().next().value!);
      }
    }
    if (entry.validUntil !== undefined) {
      const pages = this.#byInstant.get(entry.validUntil);
      pages?.delete(url);
      if (pages?.size === 0) {
        this.#byInstant.delete(entry.validUntil);
        this.#instants = undefined;
      }
    }
  }
}
