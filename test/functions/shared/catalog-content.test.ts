/** The catalog's CMS text per locale: read along each locale's fallback chain, once per locale. */
import { describe, expect, it } from 'vitest';
import { catalogContentByLocale } from '../../../functions/shared/content/catalog-content.js';
import { ContentSnapshot } from '../../../functions/shared/content/snapshot.js';
import type { ContentEntity } from '../../../functions/shared/content/types.js';

const category = (id: string, fields: Record<string, Record<string, string>>): ContentEntity => ({
  sys: { id, type: 'Entry', revision: 1, contentType: { sys: { id: 'category' } } },
  fields,
}) as unknown as ContentEntity;

const snapshotOf = (entries: ContentEntity[]) => {
  const snapshot = new ContentSnapshot([{ code: 'en-US', default: true }, { code: 'de-DE', fallbackCode: 'en-US' }]);
  snapshot.apply({ full: true, entries, assets: [], deletedEntries: [], deletedAssets: [], nextToken: 't' });
  return snapshot;
};

describe('catalog content by locale', () => {
  it('titles categories in each locale, falling back to en-US, keyed by the default locale\'s slug', () => {
    // Prepare
    const textIn = catalogContentByLocale(snapshotOf([
      category('c1', { slug: { 'en-US': 'running', 'de-DE': 'laufen' }, title: { 'en-US': 'Running', 'de-DE': 'Laufen' } }),
      category('c2', { slug: { 'en-US': 'hiking' }, title: { 'en-US': 'Hiking' } }),
    ]));
    // Act
    const en = textIn();
    const de = textIn('de-DE');
    // Assess
    expect([...en.categories]).toEqual([['running', 'Running'], ['hiking', 'Hiking']]);
    expect([...de.categories]).toEqual([['running', 'Laufen'], ['hiking', 'Hiking']]);
    expect([...de.entries.keys()]).toEqual([...en.entries.keys()]);
  });

  it('reads a locale once however often it is asked for, the default locale included', () => {
    // Prepare
    const textIn = catalogContentByLocale(snapshotOf([category('c1', { slug: { 'en-US': 'running' }, title: { 'en-US': 'Running' } })]));
    // Act
    const first = textIn();
    // Assess
    expect(textIn('en-US')).toBe(first);
    expect(textIn('de-DE')).toBe(textIn('de-DE'));
    expect(textIn('de-DE')).not.toBe(first);
  });
});
