/** Where "Open preview" sends an editor: the entry's page once its latest draft is built, a reloading page until then. */
import { describe, expect, it } from 'vitest';
import { appliedVersionCaughtUp, noticeFor, openPreview } from '../../../../functions/shared/preview/open.js';
import type { SiteState } from '../../../../functions/shared/state/types.js';

const state = { pages: { '/about/': { key: 'about/index.html', layout: 'page', dataHash: 'h', deps: ['entry:page-about'], primary: 'entry:page-about' } }, versions: { 'entry:page-about': '1000' } } as unknown as SiteState;

describe('opening the preview of an entry', () => {
  it('lands on the entry\'s page once caught up, waits while building, and says so when no page shows it', async () => {
    // Prepare
    const deps = (caughtUp: boolean, built = true) => ({ state: async () => (built ? state : undefined), caughtUp: async () => caughtUp, otherPrefixes: [] });
    // Act / Assess
    expect(await openPreview(deps(true), 'page-about')).toEqual({ kind: 'page', url: '/about/' });
    expect(await openPreview(deps(false), 'page-about')).toEqual({ kind: 'building', entry: 'page-about' });
    expect(await openPreview(deps(true, false), 'page-about')).toEqual({ kind: 'building', entry: 'page-about' });
    expect(await openPreview(deps(true), 'author-x')).toEqual({ kind: 'nowhere', entry: 'author-x' });
    expect(await openPreview(deps(true), '../etc')).toMatchObject({ kind: 'invalid' });
    expect(await openPreview(deps(true), null)).toMatchObject({ kind: 'invalid' });
  });

  it('is caught up when the applied version is at least the latest saved one (or the entry never changed since the build)', () => {
    expect(appliedVersionCaughtUp(state, 'page-about', '1000')).toBe(true);
    expect(appliedVersionCaughtUp(state, 'page-about', '1001')).toBe(false);
    expect(appliedVersionCaughtUp(state, 'post-1', '5000')).toBe(true);
    expect(appliedVersionCaughtUp(state, 'page-about', undefined)).toBe(true);
  });

  it('answers a reloading page while building, 404 and 400 in words, all noindex', () => {
    const building = noticeFor({ kind: 'building', entry: 'post-1' });
    expect(building.status).toBe(200);
    expect(building.html).toContain('<meta http-equiv="refresh" content="1">');
    expect(noticeFor({ kind: 'nowhere', entry: 'x' }).status).toBe(404);
    expect(noticeFor({ kind: 'invalid', message: 'expected <b>' }).html).toContain('expected &lt;b&gt;');
    for (const n of [building, noticeFor({ kind: 'nowhere', entry: 'x' })]) expect(n.html).toContain('noindex');
  });
});
