/** The rebuild's stages, each alone: fence, collect content, collect catalog, commit. (Plan, render and publish run in worker.test.ts and the invariant.) */
import { describe, expect, it } from 'vitest';
import { collectCatalog } from '../../../../functions/rebuild/stages/catalog.js';
import { recordVersions } from '../../../../functions/rebuild/stages/commit.js';
import { ContentNotConsistentError, collectContent, settingsChanged } from '../../../../functions/rebuild/stages/content.js';
import { InvalidChangeError, fence, usableEnvelopes } from '../../../../functions/rebuild/stages/fence.js';
import type { ChangeEnvelope } from '../../../../functions/shared/changes/envelope.js';
import type { ContentEntity } from '../../../../functions/shared/content/types.js';
import { CatalogError, ValidationError } from '../../../../functions/shared/errors.js';
import { silentLogger } from '../../../../functions/shared/logger.js';
import type { ContentDelta, ContentSource } from '../../../../functions/shared/ports.js';
import { entry, snapshotOf } from '../../../fixtures/content.js';
import { entryChange, productChange } from '../../../fixtures/events.js';
import { product } from '../../../fixtures/products.js';

const reconcile = (sku: string): ChangeEnvelope => ({ ...productChange(sku, 0), source: 'reconcile', topic: 'Reconcile.product' });

describe('fence', () => {
  it('keeps the newest envelope per record and only if it is newer than what is live', () => {
    // Prepare
    const [a1, a3, a2, b1, c5] = [productChange('A', 1), productChange('A', 3), productChange('A', 2), productChange('B', 1), productChange('C', 5)];
    // Act
    const { work, skipped } = fence([a1, a3, a2, b1, c5], { 'sku:B': '1', 'sku:C': '4' });
    // Assess
    expect(work).toEqual([a3, c5]);
    expect(new Set(skipped)).toEqual(new Set([a1, a2, b1]));
  });

  it('always lets reconciliation and time instants through (they re-read current state)', () => {
    const [again, time] = [reconcile('A'), entryChange('*', 1_700_000_000_000, 'Time.instant', 'Time')];
    expect(fence([again, time], { 'sku:A': '9' }).work).toEqual([again, time]);
  });

  it('fails an envelope whose version cannot be compared, alone and not retryable', () => {
    // Act
    const { usable, invalid } = usableEnvelopes([productChange('A', 1), { ...productChange('B', 1), version: '1e9' }]);
    // Assess
    expect(usable.map((e) => e.id)).toEqual(['A']);
    expect(invalid[0]!.error).toBeInstanceOf(InvalidChangeError);
    expect((invalid[0]!.error as InvalidChangeError).retryable).toBe(false);
    expect(invalid[0]!.error.message).toMatch(/expected Product B to carry a decimal version, got "1e9"/);
  });
});

describe('collect content', () => {
  const page = (revision: number) => entry('about', 'page', { title: `About v${revision}`, slug: 'about' }, revision);
  /** A CDA whose delta shows revision `shown[call]` on each call (it lags behind the webhook). */
  const lagging = (shown: number[]): ContentSource & { calls: number } => {
    const source = {
      calls: 0,
      async sync(): Promise<ContentDelta> {
        const revision = shown[Math.min(source.calls++, shown.length - 1)]!;
        return { full: false, entries: [page(revision)], assets: [], deletedEntries: [], deletedAssets: [], nextToken: `t${source.calls}` };
      },
      async locales() { return [{ code: 'en-US', default: true }]; },
    };
    return source;
  };

  it('reads the delta again until the CDN shows the envelope\'s version, and names what changed', async () => {
    // Prepare
    const source = lagging([1, 1, 2]);
    const snapshot = snapshotOf([page(1)]);
    // Act
    const collected = await collectContent(source, snapshot, 't0', [entryChange('about', 2)], { attempts: 5, baseMs: 1 });
    // Assess
    expect(source.calls).toBe(3);
    expect(collected.failed).toEqual([]);
    expect(collected.contentToken).toBe('t3');
    expect(collected.changedKeys).toEqual(new Set(['entry:about']));
    expect(snapshot.field(snapshot.entries.get('about')!, 'title')).toBe('About v2');
  });

  it('fails the envelope as retryable when the CDN has not caught up within the attempts', async () => {
    // Act
    const collected = await collectContent(lagging([1]), snapshotOf([page(1)]), 't0', [entryChange('about', 2)], { attempts: 2, baseMs: 1 });
    // Assess
    expect(collected.failed[0]!.error).toBeInstanceOf(ContentNotConsistentError);
    expect((collected.failed[0]!.error as ContentNotConsistentError).retryable).toBe(true);
  });

  it('names only what differs when the source answers with everything (a token it did not issue: the preview after a fanned-out build), not every entry', async () => {
    // Prepare: the live snapshot, and a source that lists the whole space: one page saved since, one entry gone, the settings as they were
    const settings = entry('settings', 'siteSettings', { siteName: 'Shop' });
    const story = (revision: number) => entry('story-a', 'productContent', { sku: 'A-1', story: `v${revision}` }, revision);
    const logo: ContentEntity = { sys: { id: 'logo', type: 'Asset', revision: 3 }, fields: {} };
    const snapshot = snapshotOf([settings, page(1), story(1), entry('gone', 'page', { title: 'Gone', slug: 'gone' })], [logo]);
    const everything: ContentSource = {
      sync: async () => ({ full: true, entries: [settings, page(2), story(2), entry('new', 'page', { title: 'New', slug: 'new' })], assets: [logo], deletedEntries: [], deletedAssets: [], nextToken: 'other-process' }),
      locales: async () => [{ code: 'en-US', default: true }],
    };
    // Act
    const collected = await collectContent(everything, snapshot, 'issued-by-another-process', [entryChange('about', 2)], { attempts: 1, baseMs: 1 });
    // Assess: the saved page, the story (and its product's), the new entry and the one gone; the settings stay unchanged, so no full build
    expect(collected.changedKeys).toEqual(new Set(['entry:about', 'entry:story-a', 'story:A-1', 'entry:new', 'entry:gone']));
    expect(settingsChanged([settings], snapshot, collected.changedKeys)).toBe(false);
    expect([...snapshot.entries.keys()].sort()).toEqual(['about', 'new', 'settings', 'story-a']);
    expect(collected.failed).toEqual([]);
  });

  it('tells a site settings change (the full-build path) from any other', () => {
    const settings = entry('settings', 'siteSettings', { siteName: 'Shop' });
    expect(settingsChanged([settings], snapshotOf([settings]), new Set(['entry:settings']))).toBe(true);
    expect(settingsChanged([settings], snapshotOf([settings]), new Set(['entry:about']))).toBe(false);
  });
});

describe('collect catalog', () => {
  it('reads each changed product now; an item breaking the rules is absent and reported, a transient failure fails the run', async () => {
    // Prepare
    const live = new Map([product({ sku: 'A', title: 'Old' }), product({ sku: 'BAD', title: 'Was fine' })].map((p) => [p.sku, p]));
    const table = new Map<string, () => Promise<ReturnType<typeof product> | undefined>>([
      ['A', async () => product({ sku: 'A', title: 'New' })],
      ['BAD', async () => { throw new ValidationError('price.USD', 'expected a number, got "abc"', 'BAD'); }],
      ['DOWN', async () => { throw new CatalogError('DynamoDB GetItem failed: ProvisionedThroughputExceeded', { retryable: true }); }],
    ]);
    const catalog = { get: (sku: string) => table.get(sku)!() };
    // Act
    const collected = await collectCatalog({ catalog, logger: silentLogger }, live, [productChange('A', 2), productChange('BAD', 2)]);
    const transient = await collectCatalog({ catalog, logger: silentLogger }, live, [productChange('DOWN', 1)]).catch((e: unknown) => e);
    // Assess
    expect(collected.changes.get('A')?.title).toBe('New');
    expect(collected.changes.has('BAD') && collected.changes.get('BAD') === undefined).toBe(true);
    expect(live.get('A')?.title).toBe('Old');
    expect(collected.rejected).toEqual([{ sku: 'BAD', field: 'price.USD', message: 'BAD: expected a number, got "abc"' }]);
    expect(collected.changedKeys.size).toBeGreaterThan(0);
    expect(transient).toBeInstanceOf(CatalogError);
  });
});

describe('collect catalog, many changes', () => {
  it('reads each distinct sku once, several at a time, and keeps the work order for the keys', async () => {
    // Prepare
    const live = new Map(['A', 'B', 'C', 'D'].map((sku) => [sku, product({ sku, title: `Old ${sku}` })]));
    let inFlight = 0;
    let most = 0;
    const reads: string[] = [];
    const catalog = {
      get: async (sku: string) => {
        reads.push(sku);
        most = Math.max(most, ++inFlight);
        await new Promise((resolve) => setTimeout(resolve, 20));
        inFlight--;
        return product({ sku, title: `New ${sku}` });
      },
    };
    // Act
    const collected = await collectCatalog({ catalog, logger: silentLogger }, live, [productChange('A', 2), productChange('B', 2), productChange('A', 3), productChange('C', 2), productChange('D', 2)]);
    // Assess
    expect(reads.sort()).toEqual(['A', 'B', 'C', 'D']);
    expect(most).toBeGreaterThan(1);
    expect([...collected.changes.keys()]).toEqual(['A', 'B', 'C', 'D']);
    expect(collected.changes.get('A')?.title).toBe('New A');
  });
});

describe('commit', () => {
  it('records the versions of what went live, never reconciliation or instants', () => {
    const time = entryChange('*', 1_700_000_000_000, 'Time.instant', 'Time');
    expect(recordVersions({ 'sku:A': '1' }, [productChange('A', 2), productChange('B', 7), reconcile('C'), time])).toEqual({ 'sku:A': '2', 'sku:B': '7' });
  });
});
