/** The page index turned around: who reads a key, whose data changes at an instant, kept in step with commits. */
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
