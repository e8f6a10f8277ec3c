/** The content snapshot: what the pipeline knows of the space, cleaned of what no text may carry. */
import { describe, expect, it } from 'vitest';
import { ContentSnapshot } from '../../../functions/shared/content/snapshot.js';
import type { ContentEntity } from '../../../functions/shared/content/types.js';

const entry = (fields: Record<string, unknown>): ContentEntity => ({
  sys: { id: 'page-x', type: 'Entry', revision: 1, contentType: { sys: { id: 'page' } } },
  fields: Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, { 'en-US': v }])),
}) as unknown as ContentEntity;

const delta = (entries: ContentEntity[]) => ({ full: true, entries, assets: [], deletedEntries: [], deletedAssets: [], nextToken: 't' });

describe('content snapshot', () => {
  it('removes NUL, ESC and other control characters from CMS text, keeping newlines, tabs and emoji sequences', () => {
    // Prepare
    const snapshot = new ContentSnapshot([{ code: 'en-US', default: true }]);
    const body = { nodeType: 'document', data: {}, content: [{ nodeType: 'paragraph', data: {}, content: [{ nodeType: 'text', value: 'A\u0000B\u001b[31mC\u0085', marks: [], data: {} }] }] };
    // Act
    snapshot.apply(delta([entry({ title: 'Ship\u0000ping\u001b\tfast\n👨‍👩‍👧', body })]));
    // Assess
    const stored = snapshot.entries.get('page-x')!;
    expect(snapshot.field(stored, 'title')).toBe('Shipping\tfast\n👨‍👩‍👧');
    expect(JSON.stringify(snapshot.field(stored, 'body'))).toContain('"value":"AB[31mC"');
  });

  it('cleans a rich-text document nested deeper than a recursive walk could go', () => {
    // Prepare
    const snapshot = new ContentSnapshot([{ code: 'en-US', default: true }]);
    let node: Record<string, unknown> = { nodeType: 'text', value: 'deep\u0007', marks: [], data: {} };
    for (let i = 0; i < 20_000; i++) node = { nodeType: 'list-item', data: {}, content: [node] };
    // Act
    snapshot.apply(delta([entry({ body: { nodeType: 'document', data: {}, content: [node] } })]));
    // Assess
    let found = snapshot.field<Record<string, unknown>>(snapshot.entries.get('page-x')!, 'body')!;
    while (Array.isArray(found.content)) found = (found.content as Array<Record<string, unknown>>)[0]!;
    expect(found.value).toBe('deep');
  });
});
