/** The compactor's core: folds what is due of the state and the manifest, and nothing without a state table. */
import { describe, expect, it } from 'vitest';
import { runCompaction } from '../../../functions/compact/job.js';
import { compactionDedupId, requestCompaction, requestCorrelationId, type CompactionRequest } from '../../../functions/shared/changes/compaction-request.js';
import type { Logger, Queue } from '../../../functions/shared/ports.js';
import { ManifestStore, type Manifest } from '../../../functions/shared/publish/manifest.js';
import { MemoryRootPointers, MemoryStore } from '../../fixtures/memory.js';

const entry = (n: number) => ({ hash: `h${n}`, contentType: 'text/html', cacheControl: 'max-age=60', size: n });

/** A manifest of 3,000 entries changed by `runs` targeted publishes (a segment each). */
async function manifestWithSegments(store: MemoryStore, roots: MemoryRootPointers | undefined, runs: number): Promise<Manifest> {
  const manifests = new ManifestStore(store, roots);
  await manifests.write({ format: 1, generation: 1, publishedAt: new Date(0).toISOString(), entries: Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`p/${i}/index.html`, entry(i)])) });
  let live = await manifests.read();
  for (let run = 0; run < runs; run++) live = await manifests.writeChanges(live, { generation: live.generation + 1, publishedAt: new Date(run).toISOString() }, new Map([[`p/${run}/index.html`, entry(-1 - run)]]));
  return structuredClone(live);
}

function recordingLogger(): Logger & { lines: Array<{ level: string; message: string; extra: Record<string, unknown> }> } {
  const lines: Array<{ level: string; message: string; extra: Record<string, unknown> }> = [];
  const at = (level: string) => (message: string, ...extra: Array<Record<string, unknown>>) => { lines.push({ level, message, extra: Object.assign({}, ...extra) }); };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

describe('compaction job', () => {
  it('folds the segments that are due and logs what it did under the request\'s correlation id', async () => {
    // Prepare: 130 segments (due at 128)
    const [store, roots, logger] = [new MemoryStore(), new MemoryRootPointers(), recordingLogger()];
    const expected = await manifestWithSegments(store, roots, 130);
    // Act
    const result = await runCompaction({ store, roots, logger }, { correlationId: 'c-1' });
    // Assess
    expect(result.documents.map((d) => [d.document, d.compacted])).toEqual([['state', false], ['manifest', true]]);
    expect(result.documents[1]).toMatchObject({ segments: 130, records: 130 });
    expect(logger.lines.find((l) => l.level === 'info')).toMatchObject({ message: expect.stringMatching(/compacted the manifest: 130 segments/), extra: { correlation_id: 'c-1', document: 'manifest' } });
    expect(await new ManifestStore(store, roots).read()).toEqual(expected);
  });

  it('leaves segments that are not due', async () => {
    // Prepare
    const [store, roots] = [new MemoryStore(), new MemoryRootPointers()];
    await manifestWithSegments(store, roots, 3);
    const keys = [...store.objects.keys()];
    // Act
    const result = await runCompaction({ store, roots, logger: recordingLogger() }, { correlationId: 'c-2' });
    // Assess
    expect(result.documents.map((d) => d.reason)).toEqual(['no document yet', 'not due']);
    expect([...store.objects.keys()]).toEqual(keys);
  });

  it('does nothing without a state table, and says so', async () => {
    // Prepare
    const [store, logger] = [new MemoryStore(), recordingLogger()];
    await manifestWithSegments(store, undefined, 40);
    // Act
    const result = await runCompaction({ store, roots: undefined, logger }, { correlationId: 'c-3', force: true });
    // Assess
    expect(result.documents).toEqual([]);
    expect(logger.lines).toEqual([expect.objectContaining({ level: 'warn', message: expect.stringMatching(/no state table/) })]);
  });
});

describe('compaction requests', () => {
  it('share one deduplication id within a window, so SQS keeps one request per window', () => {
    // Act
    const ids = ['2026-12-07T10:00:00.000Z', '2026-12-07T10:00:14.999Z', '2026-12-07T10:00:15.000Z'].map((requestedAt) => compactionDedupId({ correlationId: 'x', requestedAt }));
    // Assess
    expect(ids[0]).toBe(ids[1]);
    expect(ids[2]).not.toBe(ids[1]);
  });

  it('carry the asking run\'s correlation id; an unreadable body still asks, under the message id', () => {
    // Act + Assess
    expect(requestCorrelationId(JSON.stringify({ correlationId: 'run-7', requestedAt: 'x' }), 'm1')).toBe('run-7');
    expect(requestCorrelationId('not json', 'm2')).toBe('m2');
    expect(requestCorrelationId('{"correlationId": 5}', 'm3')).toBe('m3');
  });

  it('are sent only when a run left the segments due, and one that cannot be sent is logged, not thrown', async () => {
    // Prepare
    const sent: CompactionRequest[] = [];
    const queue: Queue<CompactionRequest> = { send: async (requests) => { sent.push(...requests); } };
    const broken: Queue<CompactionRequest> = { send: async () => { throw new Error('SQS unavailable'); } };
    const logger = recordingLogger();
    // Act
    await requestCompaction(queue, false, 'run-1', logger);
    await requestCompaction(queue, true, 'run-2', logger);
    await requestCompaction(undefined, true, 'run-3', logger);
    await requestCompaction(broken, true, 'run-4', logger);
    // Assess
    expect(sent.map((r) => r.correlationId)).toEqual(['run-2']);
    expect(logger.lines).toEqual([{ level: 'warn', message: 'compaction request failed', extra: { correlation_id: 'run-4', error: 'Error: SQS unavailable' } }]);
  });
});
