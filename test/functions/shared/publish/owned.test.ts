/** Publishing objects a job owns (feeds, PDFs): per-object hash and version, one invalidation per run, kept when refused. */
import { describe, expect, it } from 'vitest';
import { CdnError } from '../../../../functions/shared/errors.js';
import { sha256 } from '../../../../functions/shared/hash.js';
import { silentLogger } from '../../../../functions/shared/logger.js';
import type { Cdn } from '../../../../functions/shared/ports.js';
import { OwnedPublisher, pendingInvalidationsPrefix, type OwnedItem } from '../../../../functions/shared/publish/owned.js';
import { MemoryStore } from '../../../fixtures/memory.js';

const item = (key: string, text: string, version?: string): OwnedItem => ({
  key, body: Buffer.from(text), hash: sha256(Buffer.from(text)), meta: { contentType: 'text/plain', cacheControl: 'no-cache' }, ...(version ? { version } : {}),
});

function cdn(options: { down?: () => boolean } = {}) {
  const calls: Array<{ paths: string[]; reference: string }> = [];
  const port: Cdn = {
    invalidate: async (paths, reference) => {
      if (options.down?.()) throw new CdnError('CloudFront CreateInvalidation failed: ServiceUnavailable', { retryable: true });
      calls.push({ paths: [...paths], reference });
      return reference;
    },
  };
  return { port, calls };
}

describe('OwnedPublisher', () => {
  it('uploads only what changed in bytes or version, and invalidates exactly that once', async () => {
    // Prepare
    const store = new MemoryStore();
    const first = cdn();
    const run1 = new OwnedPublisher({ store, cdn: first.port, logger: silentLogger }, { owner: 'feeds' });
    await run1.put(item('feeds/a.xml', 'A', 'v1'));
    await run1.put(item('feeds/b.xml', 'B', 'v1'));
    await run1.finish();
    const second = cdn();
    const run2 = new OwnedPublisher({ store, cdn: second.port, logger: silentLogger }, { owner: 'feeds' });
    // Act
    const same = await run2.put(item('feeds/a.xml', 'A', 'v1'));
    const newVersion = await run2.put(item('feeds/b.xml', 'B', 'v2'));
    const { invalidated } = await run2.finish();
    // Assess
    expect([same, newVersion]).toEqual([false, true]);
    expect(invalidated).toEqual(['/feeds/b.xml']);
    expect(second.calls).toHaveLength(1);
    expect((await store.metadata('feeds/b.xml'))?.['data-version']).toBe('v2');
  });

  it('derives the reference from what changed: a second change of the same path is a new invalidation', async () => {
    // Prepare
    const store = new MemoryStore();
    const { port, calls } = cdn();
    // Act
    for (const text of ['one', 'two']) {
      const run = new OwnedPublisher({ store, cdn: port, logger: silentLogger }, { owner: 'pdf' });
      await run.put(item('pdf/x.pdf', text));
      await run.finish();
    }
    // Assess
    expect(calls.map((c) => c.paths)).toEqual([['/pdf/x.pdf'], ['/pdf/x.pdf']]);
    expect(calls[0]!.reference).not.toBe(calls[1]!.reference);
  });

  it('keeps an invalidation the CDN refused under _restatic/ and makes it on the next run, whose objects are then current', async () => {
    // Prepare
    const store = new MemoryStore();
    let down = true;
    const { port, calls } = cdn({ down: () => down });
    const failing = new OwnedPublisher({ store, cdn: port, logger: silentLogger }, { owner: 'feeds' });
    await failing.put(item('feeds/a.xml', 'A'));
    const refused = await failing.finish().catch((e: unknown) => e);
    down = false;
    const retry = new OwnedPublisher({ store, cdn: port, logger: silentLogger }, { owner: 'feeds' });
    // Act
    const uploaded = await retry.put(item('feeds/a.xml', 'A'));
    const { invalidated } = await retry.finish();
    // Assess
    expect(refused).toBeInstanceOf(CdnError);
    expect(uploaded).toBe(false);
    expect(invalidated).toEqual(['/feeds/a.xml']);
    expect(calls).toHaveLength(1);
    expect([...store.objects.keys()].filter((k) => k.startsWith(pendingInvalidationsPrefix('feeds')))).toEqual([]);
  });

  it('collapses many paths to a section wildcard above its budget', async () => {
    // Prepare
    const store = new MemoryStore();
    const { port, calls } = cdn();
    const run = new OwnedPublisher({ store, cdn: port, logger: silentLogger }, { owner: 'pdf', planner: { maxPaths: 100 } });
    // Act
    for (let i = 0; i < 101; i++) await run.put(item(`pdf/products/S${i}.pdf`, `sheet ${i}`));
    await run.finish();
    // Assess
    expect(calls.map((c) => c.paths)).toEqual([['/pdf/*']]);
  });
});
