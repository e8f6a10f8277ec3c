/** The local search refresh's scheduling: coalesced, held back while changes wait, and by its own cost. */
import { describe, expect, it } from 'vitest';
import type { SearchJobResult } from '../../functions/search/job.js';
import { silentLogger } from '../../functions/shared/logger.js';
import { ThreadedSearch, type HostedSearchConfig } from '../../local/search-host.js';

const RESULT: SearchJobResult = { records: 1, files: 1, uploaded: 0, deleted: 0, invalidated: [], ms: 0 };

/** A search whose refreshes take `ms` each, recording when each started. */
function timedSearch(ms: number, options: { intervalMs: number; busy?: () => boolean; maxDelayMs?: number }) {
  const starts: number[] = [];
  const search = new ThreadedSearch({} as HostedSearchConfig, silentLogger, {
    ...options,
    run: async () => {
      starts.push(Date.now());
      await new Promise((r) => setTimeout(r, ms));
      return RESULT;
    },
  });
  return { search, starts };
}

describe('ThreadedSearch', () => {
  it('waits four times what the last refresh took before the next one, when that is longer than the interval', async () => {
    // Prepare: a refresh of 150 ms against an interval of 20 ms
    const { search, starts } = timedSearch(150, { intervalMs: 20 });
    await search.refresh();
    const ended = Date.now();
    // Act
    search.request();
    await new Promise((r) => setTimeout(r, 50));
    const startedEarly = starts.length;
    await search.idle();
    // Assess: not within the interval, but about 600 ms after the last one ended
    expect(startedEarly).toBe(1);
    expect(starts).toHaveLength(2);
    expect(starts[1]! - ended).toBeGreaterThanOrEqual(550);
    await search.close();
  });

  it('keeps to the interval when refreshes are cheap', async () => {
    // Prepare
    const { search, starts } = timedSearch(1, { intervalMs: 100 });
    await search.refresh();
    // Act
    search.request();
    await search.idle();
    // Assess
    expect(starts).toHaveLength(2);
    expect(starts[1]! - starts[0]!).toBeGreaterThanOrEqual(95);
    expect(starts[1]! - starts[0]!).toBeLessThan(2000);
    await search.close();
  });

  it('waits while changes are waiting, then refreshes once they are done', async () => {
    // Prepare
    let busy = true;
    const { search, starts } = timedSearch(1, { intervalMs: 10, maxDelayMs: 10_000, busy: () => busy });
    // Act
    search.request();
    await new Promise((r) => setTimeout(r, 100));
    const whileBusy = starts.length;
    busy = false;
    await search.idle();
    // Assess
    expect(whileBusy).toBe(0);
    expect(starts).toHaveLength(1);
    await search.close();
  });
});
