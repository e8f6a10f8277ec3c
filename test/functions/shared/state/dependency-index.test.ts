/** The page index turned around: who reads a key, whose data changes at an instant, kept in step with commits. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DependencyIndex } from '../../../../functions/shared/state/dependency-index.js';
import type { PageIndexEntry } from '../../../../functions/shared/state/types.js';

const page = (deps: string[], validUntil?: number): PageIndexEntry => ({ key: 'k', layout: 'product', dataHash: 'h', deps, ...(validUntil !== undefined ? { validUntil } : {}) });

describe('DependencyIndex', () => {
  it('finds the readers of keys and the pages due at an instant, and follows updates', () => {
    // Prepare
    const index = new DependencyIndex({ '/a/': page(['sku:A', 'settings'], 100), '/b/': page(['sku:A', 'sku:B', 'settings']) });
    // Act
    index.update('/a/', page(['sku:A', 'settings'], 100), page(['sku:C', 'settings'], 200));
    // Assess
    expect([...index.dependents(new Set(['sku:A']))]).toEqual(['/b/']);
    expect([...index.dependents(new Set(['sku:C']))]).toEqual(['/a/']);
    expect([...index.expired(150)]).toEqual([]);
    expect([...index.expired(200)]).toEqual(['/a/']);
    expect(index.pending(new Date(0))).toEqual([200]);
  });

  it('refuses to plan a settings change, which is a full build\'s work (its readers are not indexed)', () => {
    // Prepare
    const index = new DependencyIndex({ '/a/': page(['settings']) });
    // Act + Assess
    expect(() => [...index.dependents(new Set(['settings']))]).toThrow(/full build/);
  });
});

describe('DependencyIndex against a plain model', () => {
  it('gives the readers a map of sets would, each once, through any adds and removes (a key read by one page, a few, or many)', () => {
    // Prepare: pages of a small universe reading keys from a smaller one, so that keys gain and lose many readers
    const urls = Array.from({ length: 24 }, (_, i) => `/p${i}/`);
    const keys = ['sku:A', 'sku:B', 'sku:C', 'category:tents'];
    const entry = fc.subarray(keys).map((deps) => page(deps));
    const ops = fc.array(fc.tuple(fc.constantFrom(...urls), fc.option(entry, { nil: undefined })), { maxLength: 120 });
    fc.assert(fc.property(fc.dictionary(fc.constantFrom(...urls), entry), ops, (initial, updates) => {
      // Act
      const index = new DependencyIndex(initial);
      const live = new Map(Object.entries(initial));
      for (const [url, after] of updates) {
        index.update(url, live.get(url), after);
        if (after) live.set(url, after); else live.delete(url);
      }
      // Assess: each key's readers are the live pages that read it
      for (const key of keys) {
        const readers = [...index.dependents(new Set([key]))];
        expect(new Set(readers).size).toBe(readers.length);
        expect(new Set(readers)).toEqual(new Set([...live].filter(([, e]) => e.deps.includes(key)).map(([url]) => url)));
      }
    }), { numRuns: 300, seed: 1701 });
  });
});
