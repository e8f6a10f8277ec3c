/** The publish intent: objects a failed run created and never committed are found and removed by the next run. */
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../../functions/shared/logger.js';
import { PUBLISH_INTENT_KEY, clearIntent, recordIntent, recoverIntent } from '../../../../functions/shared/publish/intent.js';
import { emptyManifest, type Manifest } from '../../../../functions/shared/publish/manifest.js';
import { MemoryStore } from '../../../fixtures/memory.js';

const html = { contentType: 'text/html; charset=utf-8', cacheControl: 'max-age=60' };
const manifestWith = (...keys: string[]): Manifest => ({ ...emptyManifest(), entries: Object.fromEntries(keys.map((k) => [k, { hash: 'h', size: 1, ...html }])) });

function recorder() {
  const invalidated: string[][] = [];
  return { invalidated, cdn: { invalidate: async (paths: readonly string[]) => { invalidated.push([...paths]); return 'id'; } } };
}

describe('publish intent', () => {
  it('deletes and invalidates what a failed run created that no manifest lists, keeps what a later run committed, and clears the record', async () => {
    // Prepare: the run created two pages and failed; a later run committed one of them
    const store = new MemoryStore();
    await recordIntent(store, ['products/a/index.html', 'products/b/index.html'], 'run-1', new Date(0));
    for (const key of ['products/a/index.html', 'products/b/index.html']) await store.put(key, 'page', html);
    const { invalidated, cdn } = recorder();
    // Act
    const deleted = await recoverIntent({ store, cdn, logger: silentLogger }, manifestWith('products/b/index.html'));
    // Assess
    expect(deleted).toEqual(['products/a/index.html']);
    expect(store.objects.has('products/a/index.html')).toBe(false);
    expect(store.objects.has('products/b/index.html')).toBe(true);
    expect(invalidated).toEqual([['/products/a/index.html']]);
    expect(store.objects.has(PUBLISH_INTENT_KEY)).toBe(false);
  });

  it('does nothing when the last run cleared its record', async () => {
    // Prepare
    const store = new MemoryStore();
    await recordIntent(store, ['products/a/index.html'], 'run-1', new Date(0));
    await clearIntent(store);
    const { invalidated, cdn } = recorder();
    // Act
    const deleted = await recoverIntent({ store, cdn, logger: silentLogger }, manifestWith());
    // Assess
    expect(deleted).toEqual([]);
    expect(invalidated).toEqual([]);
  });

  it('drops an unreadable record without deleting anything', async () => {
    // Prepare
    const store = new MemoryStore();
    await store.put(PUBLISH_INTENT_KEY, '{"keys": "all of them"}', { contentType: 'application/json', cacheControl: 'no-store' });
    await store.put('products/a/index.html', 'page', html);
    const { cdn } = recorder();
    // Act
    const deleted = await recoverIntent({ store, cdn, logger: silentLogger }, manifestWith());
    // Assess
    expect(deleted).toEqual([]);
    expect(store.objects.has('products/a/index.html')).toBe(true);
    expect(store.objects.has(PUBLISH_INTENT_KEY)).toBe(false);
  });
});
