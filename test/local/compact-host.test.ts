/** The local compactor: requests coalesced as its FIFO queue does in AWS, and its thread folding real segments on the embedded servers. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { CompactionJobResult } from '../../functions/compact/job.js';
import { silentLogger } from '../../functions/shared/logger.js';
import type { HostedServices } from '../../local/compose.js';
import { ThreadedCompactor } from '../../local/compact-host.js';
import { readLocalConfig } from '../../local/config.js';
import { startServices } from '../../local/stack.js';
import { ManifestStore } from '../../functions/shared/publish/manifest.js';

const FOLDED: CompactionJobResult = { documents: [{ document: 'state', compacted: true, segments: 40, records: 40, shardsWritten: 12, bytesRead: 0, bytesWritten: 0, ms: 1 }] };

/** A compactor whose runs take `ms` each, recording the correlation id of each. */
function timedCompactor(ms: number, fail = false) {
  const runs: string[] = [];
  const compactor = new ThreadedCompactor({} as HostedServices, silentLogger, {
    run: async (correlationId) => {
      runs.push(correlationId);
      await new Promise((r) => setTimeout(r, ms));
      if (fail) throw new Error('bucket unreachable');
      return FOLDED;
    },
  });
  return { compactor, runs };
}

describe('ThreadedCompactor', () => {
  it('runs one compaction at a time; requests during one make exactly one more after it', async () => {
    // Prepare
    const { compactor, runs } = timedCompactor(50);
    // Act
    compactor.request('a');
    compactor.request('b');
    compactor.request('c');
    await compactor.idle();
    // Assess
    expect(runs).toEqual(['a', 'c']);
    expect(compactor.state).toMatchObject({ running: false, runs: 2, folded: 2 });
    await compactor.close();
  });

  it('keeps serving requests after a failed compaction, and says what failed', async () => {
    // Prepare
    const { compactor, runs } = timedCompactor(1, true);
    // Act
    compactor.request('a');
    await compactor.idle();
    compactor.request('b');
    await compactor.idle();
    // Assess
    expect(runs).toEqual(['a', 'b']);
    expect(compactor.state.last).toMatchObject({ error: 'bucket unreachable' });
    await compactor.close();
  });

  it('folds the segments in its own thread against the embedded S3 and DynamoDB', async () => {
    // Prepare: a manifest of 3,000 entries with 130 segments (due at 128), committed through the local state table
    const dataDir = mkdtempSync(join(tmpdir(), 'restatic-compact-'));
    const config = readLocalConfig({ PORT: '0', RESTATIC_DATA_DIR: dataDir, DEMO_PRODUCTS: '0', LOG_LEVEL: 'silent' });
    const services = await startServices(config);
    const compactor = new ThreadedCompactor({ s3Endpoint: services.servers.s3Endpoint, dynamoEndpoint: services.servers.dynamoEndpoint, bucket: config.bucket, table: config.table, edgeUrl: 'http://127.0.0.1:1', logLevel: 'silent' }, silentLogger);
    try {
      const manifests = new ManifestStore(services.store, services.roots);
      const entry = (n: number) => ({ hash: `h${n}`, contentType: 'text/html', cacheControl: 'max-age=60', size: n });
      await manifests.write({ format: 1, generation: 1, publishedAt: new Date(0).toISOString(), entries: Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`p/${i}/index.html`, entry(i)])) });
      let live = await manifests.read();
      for (let run = 0; run < 130; run++) live = await manifests.writeChanges(live, { generation: live.generation + 1, publishedAt: new Date(run).toISOString() }, new Map([[`p/${run}/index.html`, entry(-1 - run)]]));
      const expected = structuredClone(live);
      // Act
      compactor.request('run-130');
      await compactor.idle();
      // Assess: the live root lists no segment, and a fresh reader reads the same manifest
      const pointer = await services.roots.get('manifest');
      const root = JSON.parse(gunzipSync((await services.store.get(pointer!.key))!.body).toString()) as { segments?: string[]; fold?: unknown };
      expect(compactor.state).toMatchObject({ runs: 1, folded: 1 });
      expect(root.segments).toBeUndefined();
      expect(root.fold).toBeDefined();
      expect(await new ManifestStore(services.store, services.roots).read()).toEqual(expected);
    } finally {
      await compactor.close();
      await services.servers.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
