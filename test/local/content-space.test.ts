/** The local Contentful stand-ins: published changes over the bundled export, and drafts laid over those. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createExportContentSource } from '../../functions/shared/adapters/contentful-export-source.js';
import { LocalContentSpace } from '../../local/content-space.js';
import { DEMO_SPACE_FILE } from '../../local/demo-space.js';
import { cmaEntry } from '../fixtures/webhooks.js';

const title = async (space: LocalContentSpace, id: string) => (await space.sync()).entries.find((e) => e.sys.id === id)?.fields.title?.['en-US'];

describe('local content spaces', () => {
  it('shows a draft over what is published until a newer publish, and hides a removed entry whatever its drafts', async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'restatic-space-'));
    const published = new LocalContentSpace(createExportContentSource(DEMO_SPACE_FILE), join(dir, 'published.jsonl'));
    const drafts = new LocalContentSpace(published, join(dir, 'drafts.jsonl'), { newerWins: true });
    // Act / Assess: a draft shows in the preview only
    drafts.apply('upsert', 'Entry', cmaEntry('page-about', 'page', { title: 'Draft 1', slug: 'about' }, '2030-01-01T00:00:01.000Z'));
    expect(await title(drafts, 'page-about')).toBe('Draft 1');
    expect(await title(published, 'page-about')).not.toBe('Draft 1');
    // a publish after it wins in both, with no record in the drafts layer
    published.apply('upsert', 'Entry', cmaEntry('page-about', 'page', { title: 'Published 2', slug: 'about' }, '2030-01-01T00:00:02.000Z'));
    expect(await title(drafts, 'page-about')).toBe('Published 2');
    // a later draft shows again; a removal (recorded in both) hides it
    drafts.apply('upsert', 'Entry', cmaEntry('page-about', 'page', { title: 'Draft 3', slug: 'about' }, '2030-01-01T00:00:03.000Z'));
    expect(await title(drafts, 'page-about')).toBe('Draft 3');
    const tombstone = { sys: { id: 'page-about', type: 'DeletedEntry', deletedAt: '2030-01-01T00:00:04.000Z' } };
    published.apply('delete', 'Entry', tombstone as never);
    drafts.apply('delete', 'Entry', tombstone as never);
    expect(await title(drafts, 'page-about')).toBeUndefined();
  });
});
