/** The local durable queue: group-committed appends that resolve only once on disk, in send order. */
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JournalQueue } from '../../local/journal-queue.js';
import { productChange } from '../fixtures/events.js';

describe('journal queue', () => {
  it('writes 200 concurrent sends in send order, each resolved only once its line is in the file', async () => {
    // Prepare
    const file = join(mkdtempSync(join(tmpdir(), 'restatic-journal-')), 'journal.jsonl');
    const journal = new JournalQueue(file);
    const envelopes = Array.from({ length: 200 }, (_, i) => productChange(`SKU-${i}`, i));
    const onDiskWhenResolved: boolean[] = [];
    let wakeUps = 0;
    journal.onAppend(() => wakeUps++);
    // Act
    await Promise.all(envelopes.map((e) => journal.send([e]).then(() => onDiskWhenResolved.push(readFileSync(file, 'utf8').includes(`"id":"${e.id}"`)))));
    // Assess
    expect(journal.pending().envelopes.map((e) => e.id)).toEqual(envelopes.map((e) => e.id));
    expect(onDiskWhenResolved).toHaveLength(200);
    expect(onDiskWhenResolved.every(Boolean)).toBe(true);
    // Group commit: far fewer writes (and wake-ups of the loop) than sends
    expect(wakeUps).toBeGreaterThan(0);
    expect(wakeUps).toBeLessThan(200);
  });

  it('says whether anything waits past the committed offset, without reading it', async () => {
    // Prepare
    const journal = new JournalQueue(join(mkdtempSync(join(tmpdir(), 'restatic-journal-')), 'journal.jsonl'));
    const before = journal.hasPending();
    await journal.send([productChange('A', 1)]);
    const queued = journal.hasPending();
    // Act
    journal.commit(journal.pending().end);
    // Assess
    expect([before, queued, journal.hasPending()]).toEqual([false, true, false]);
  });

  it('rejects every send of a batch that cannot be written', async () => {
    // Prepare: the journal's path is a directory, so appends fail
    const dir = mkdtempSync(join(tmpdir(), 'restatic-journal-'));
    const file = join(dir, 'journal.jsonl');
    mkdirSync(file);
    const journal = new JournalQueue(file);
    // Act
    const results = await Promise.allSettled([journal.send([productChange('A', 1)]), journal.send([productChange('B', 2)])]);
    // Assess
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(((results[0] as PromiseRejectedResult).reason as NodeJS.ErrnoException).code).toBe('EISDIR');
  });

  it('reads batches of a limited size, and a message larger than the read window whole', async () => {
    // Prepare: 300 small messages, then one of 600 KB, then one more
    const file = join(mkdtempSync(join(tmpdir(), 'restatic-journal-')), 'journal.jsonl');
    const journal = new JournalQueue(file);
    await journal.send(Array.from({ length: 300 }, (_, i) => productChange(`SKU-${i}`, i)));
    await journal.send([{ ...productChange('BIG', 1), changedFields: ['x'.repeat(600 * 1024)] }, productChange('AFTER', 2)]);
    // Act
    const seen: string[] = [];
    for (let batch = journal.pending(100); batch.envelopes.length; batch = journal.pending(100)) {
      seen.push(...batch.envelopes.map((e) => e.id));
      journal.commit(batch.ends.at(-1)!);
    }
    // Assess
    expect(seen).toEqual([...Array.from({ length: 300 }, (_, i) => `SKU-${i}`), 'BIG', 'AFTER']);
  });
});
