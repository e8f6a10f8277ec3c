/** Where "Open preview" lands: the entry's own page, else the pages that read it. */
import { describe, expect, it } from 'vitest';
import { pagesShowingEntry } from '../../../../functions/shared/preview/entry-pages.js';
import type { PageIndexEntry } from '../../../../functions/shared/state/types.js';

const page = (deps: string[], primary?: string): PageIndexEntry => ({ key: 'k', layout: 'page', dataHash: 'h', deps, ...(primary ? { primary } : {}) });

describe('pages showing an entry', () => {
  it('puts the entry\'s own pages first (default market first, then shortest), then the pages reading it, HTML only', () => {
    // Prepare
    const pages = {
      '/': page(['entry:settings', 'entry:cat-tents']),
      '/de/categories/zelte/': page(['entry:cat-tents'], 'entry:cat-tents'),
      '/categories/tents/page/2/': page(['entry:cat-tents'], 'entry:cat-tents'),
      '/categories/tents/': page(['entry:cat-tents'], 'entry:cat-tents'),
      '/sitemap.xml': page(['entry:cat-tents']),
      '/about/': page(['entry:page-about'], 'entry:page-about'),
    };
    // Act
    const shown = pagesShowingEntry(pages, 'cat-tents', ['/de/']);
    // Assess
    expect(shown).toEqual(['/categories/tents/', '/categories/tents/page/2/', '/de/categories/zelte/', '/']);
    expect(pagesShowingEntry(pages, 'settings')).toEqual(['/']);
    expect(pagesShowingEntry(pages, 'nobody')).toEqual([]);
  });
});
