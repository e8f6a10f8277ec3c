/** Failure handling of the local rebuild loop: crash convergence, retries, dead letters, replay. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ObjectStoreError } from '../../functions/shared/errors.js';
import { silentLogger } from '../../functions/shared/logger.js';
import type { ObjectStore } from '../../functions/shared/ports.js';
import { MANIFEST_KEY } from '../../functions/shared/publish/manifest.js';
import { STATE_KEY, readState } from '../../functions/shared/state/site-state.js';
import { ChangeLoop, RECENT_RUNS } from '../../local/change-loop.js';
import { JournalQueue } from '../../local/journal-queue.js';
import { StatusLog } from '../../local/status.js';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { ChangeEnvelope } from '../../functions/shared/changes/envelope.js';
import type { RebuildResult } from '../../functions/rebuild/worker.js';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { entryChange, productChange } from '../fixtures/events.js';
import { publishedSite } from '../fixtures/site.js';

/** A store whose page uploads fail while `failing()` says so (S3 throttling, an outage). */
function flaky(store: ObjectStore, failing: (key: string) => boolean): ObjectStore {
  return {
    ...store, get: store.get, head: store.head, list: store.list, deleteMany: store.deleteMany,
    put: async (key, body, meta) => {
      if (failing(key)) throw new ObjectStoreError(`S3 PUT of "${key}" failed: SlowDown`, { retryable: true });
      return store.put(key, body, meta);
    },
  };
}

/** A change loop over a published site's worker (or a wrapper of it), with its journal, status log and dead letters. */
function loopOver(site: Awaited<ReturnType<typeof publishedSite>>, worker: Pick<typeof site.worker, 'run'> = site.worker, options: { backoffMs?: number; attempts?: number } = {}) {
  const journal = new JournalQueue(join(site.dir, 'journal.jsonl'));
  const status = new StatusLog();
  const deadLetterFile = join(site.dir, 'dead.jsonl');
  const loop = new ChangeLoop(journal, worker, status, silentLogger, { windowMs: 5, ...options, deadLetterFile });
  return { journal, status, loop, deadLetterFile };
}

describe('rebuild failures', () => {
  it('lists a product whose table item breaks the rules as rejected until a valid version is written', async () => {
    // Prepare
    const site = await publishedSite();
    const { journal, status, loop } = loopOver(site);
    const product = (await site.catalog.scanAll()).products[0]!;
    await DynamoDBDocumentClient.from(site.dynamo).send(new PutCommand({ TableName: site.table, Item: { sku: product.sku, title: '' } }));
    const broken = productChange(product.sku, 20);
    status.open({ kind: 'catalog', sku: product.sku, sequenceNumber: '20', eventName: 'MODIFY' }, broken.correlationId);
    // Act
    await journal.send([broken]);
    await loop.idle();
    const whileBroken = [...loop.rejected.keys()];
    const warnings = status.find(broken.correlationId)!.warnings;
    await site.catalog.put({ ...product, slug: undefined });
    await journal.send([productChange(product.sku, 21)]);
    await loop.idle();
    // Assess
    expect(whileBroken).toEqual([product.sku]);
    expect(warnings.join(' ')).toContain('withdrawn until a valid version is written');
    expect([...loop.rejected.keys()]).toEqual([]);
    expect(await site.page(`/products/${product.slug}/`)).toBeDefined();
    await loop.close();
  });

  it('dead-letters a poison change at once with its reason, and publishes the good change queued with it', async () => {
    // Prepare: a good product change and one whose version no fence can compare, in one batch
    const site = await publishedSite();
    const runs: number[] = [];
    const counting = { run: (e: Parameters<typeof site.worker.run>[0]) => { runs.push(e.length); return site.worker.run(e); } };
    const { journal, loop, deadLetterFile } = loopOver(site, counting, { backoffMs: 5, attempts: 3 });
    const product = (await site.catalog.scanAll()).products[0]!;
    await site.catalog.put({ ...product, slug: undefined, description: 'Good change, live.' });
    const poison = { ...entryChange('page-shipping', 0), version: 'x' };
    // Act
    await journal.send([poison, productChange(product.sku, 12)]);
    await loop.idle();
    // Assess
    expect(await site.page(`/products/${product.slug}/`)).toContain('Good change, live.');
    const letters = readFileSync(deadLetterFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { envelope: { id: string }; error: string });
    expect(letters).toEqual([expect.objectContaining({ envelope: expect.objectContaining({ id: 'page-shipping', version: 'x' }), error: expect.stringContaining('decimal version') })]);
    expect(runs).toEqual([2]);
    expect(journal.pending().envelopes).toEqual([]);
    await loop.close();
  });

  it.each([MANIFEST_KEY, STATE_KEY])('converges when the worker dies between upload and writing %s', async (crashingKey) => {
    // Prepare: the first attempt uploads the page, then "crashes" writing the manifest or the state
    let crash = true;
    const site = await publishedSite({ wrapStore: (s) => flaky(s, (key) => key === crashingKey && crash) });
    const product = (await site.catalog.scanAll()).products[0]!;
    await site.catalog.put({ ...product, slug: undefined, description: 'After the crash.' });
    const envelope = productChange(product.sku, 7);
    // Act
    const first = await site.worker.run([envelope]).catch((e: unknown) => e);
    crash = false;
    const second = await site.worker.run([envelope]);
    // Assess
    expect(first).toBeInstanceOf(ObjectStoreError);
    // Crashing on the manifest, nothing was committed and the retry is targeted; crashing on the
    // state, the live manifest is ahead of it and the retry heals with a full build.
    expect(second.mode).toBe(crashingKey === STATE_KEY ? 'full' : 'targeted');
    expect(await site.page(`/products/${product.slug}/`)).toContain('After the crash.');
    expect((await readState(site.store))!.versions[`sku:${product.sku}`]).toBe('7');
  });

  it('retries S3 failing transiently, dead-letters when it persists, and replays to success', async () => {
    // Prepare
    let failures = Infinity;
    const site = await publishedSite({ wrapStore: (s) => flaky(s, (key) => key.startsWith('products/') && failures-- > 0) });
    const { journal, status, loop } = loopOver(site, site.worker, { backoffMs: 5, attempts: 3 });
    const product = (await site.catalog.scanAll()).products[0]!;
    await site.catalog.put({ ...product, slug: undefined, description: 'Eventually live.' });
    const envelope = productChange(product.sku, 11);
    status.open({ kind: 'catalog', sku: product.sku, sequenceNumber: '11', eventName: 'MODIFY' }, envelope.correlationId);
    // Act: S3 down for the whole first delivery (3 attempts × 4 SDK-level retries each)
    await journal.send([envelope]);
    await loop.idle();
    const deadLettered = status.find(envelope.correlationId)!.stages.deadLettered;
    const failedRuns = loop.failedRuns;
    const before = await site.page(`/products/${product.slug}/`);
    failures = 2; // a transient blip: two attempts of the replay throw, the loop's third succeeds
    const replayed = await loop.replay();
    await loop.idle();
    // Assess
    expect(deadLettered).toBeDefined();
    // Every attempt that threw is counted: the first delivery's 3, then the replay's 2.
    expect(failedRuns).toBe(3);
    expect(loop.failedRuns).toBe(5);
    expect(before).not.toContain('Eventually live.');
    expect(replayed).toBe(1);
    expect(await site.page(`/products/${product.slug}/`)).toContain('Eventually live.');
    expect(journal.pending().envelopes).toEqual([]);
    await loop.close();
  });

  it('processes on start what a crashed process left in the journal', async () => {
    // Prepare: a change queued, never processed (the process died)
    const site = await publishedSite();
    const journal = new JournalQueue(join(site.dir, 'journal.jsonl'));
    const product = (await site.catalog.scanAll()).products[1]!;
    await site.catalog.put({ ...product, slug: undefined, description: 'Survived a crash.' });
    await journal.send([productChange(product.sku, 3)]);
    // Act: a new loop over the same journal
    const loop = new ChangeLoop(new JournalQueue(join(site.dir, 'journal.jsonl')), site.worker, new StatusLog(), silentLogger, { windowMs: 5, deadLetterFile: join(site.dir, 'dead.jsonl') });
    loop.start();
    await loop.idle();
    // Assess
    expect(await site.page(`/products/${product.slug}/`)).toContain('Survived a crash.');
    await loop.close();
  });
});

describe('status of changes', () => {
  it('closes duplicate deliveries as duplicates, and gives each stage its own time', async () => {
    // Prepare: nine more deliveries of one webhook (same idempotency key → same correlation id)
    const site = await publishedSite();
    const { journal, status, loop } = loopOver(site);
    const product = (await site.catalog.scanAll()).products[2]!;
    await site.catalog.put({ ...product, slug: undefined, price: { USD: 4321 } });
    const envelope = productChange(product.sku, 21);
    const source = { kind: 'catalog' as const, sku: product.sku, sequenceNumber: '21', eventName: 'MODIFY' };
    for (let i = 0; i < 10; i++) status.open(source, envelope.correlationId);
    // Act
    await journal.send(Array.from({ length: 10 }, () => envelope));
    await loop.idle();
    // Assess
    const records = status.list().filter((r) => r.correlationId === envelope.correlationId);
    const original = records.find((r) => !r.duplicateOf)!;
    expect(records).toHaveLength(10);
    expect(records.filter((r) => r.duplicateOf === `sku ${product.sku} sequence 21` && r.stages.skipped)).toHaveLength(9);
    expect(records.every((r) => r.stages.skipped || r.stages.invalidated)).toBe(true);
    const { built, uploaded, invalidated } = original.stages;
    expect(built && uploaded && invalidated).toBeTruthy();
    expect(new Set([built, uploaded, invalidated]).size).toBeGreaterThan(1);
    expect(built! <= uploaded! && uploaded! <= invalidated!).toBe(true);
    await loop.close();
  });
});

describe('what the loop keeps', () => {
  it('keeps the last results only, counts every run, and tells watchers of each', async () => {
    // Prepare: a worker that records nothing (each run one change), and a watcher from the start
    const dir = mkdtempSync(join(tmpdir(), 'restatic-loop-'));
    const journal = new JournalQueue(join(dir, 'journal.jsonl'));
    const worker = { run: async (envelopes: readonly ChangeEnvelope[]): Promise<RebuildResult> => ({ mode: 'targeted', skipped: [], failed: [], rendered: [`/products/${envelopes[0]!.id}/`], renderedPages: [], uploaded: [], deleted: [], invalidated: [], redirects: {}, changedProducts: [envelopes[0]!.id], warnings: [], stages: {}, timings: { read: 0, build: 0, publish: 0, commit: 0 } }) };
    const loop = new ChangeLoop(journal, worker, new StatusLog(), silentLogger, { windowMs: 0, deadLetterFile: join(dir, 'dead.jsonl') });
    const watched: string[] = [];
    const unwatch = loop.watch((result) => watched.push(...result.changedProducts));
    const runs = RECENT_RUNS + 7;
    // Act: one change at a time, each its own run
    for (let i = 0; i < runs; i++) {
      await journal.send([productChange(`SKU-${i}`, 1)]);
      await loop.idle();
    }
    unwatch();
    await journal.send([productChange('SKU-after', 1)]);
    await loop.idle();
    await loop.close();
    // Assess
    expect(loop.runCount).toBe(runs + 1);
    expect(loop.recent).toHaveLength(RECENT_RUNS);
    expect(loop.recent.at(-1)!.changedProducts).toEqual(['SKU-after']);
    expect(loop.recent[0]!.changedProducts).toEqual([`SKU-${runs + 1 - RECENT_RUNS}`]);
    expect(watched).toEqual(Array.from({ length: runs }, (_, i) => `SKU-${i}`));
  });
});
