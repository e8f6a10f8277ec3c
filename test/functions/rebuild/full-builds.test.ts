/** How both rebuild workers run a full build: over their site's build state machine when there is one, in-process otherwise. */
import { describe, expect, it } from 'vitest';
import { FOLLOW_MARGIN_MS, workerFullBuild } from '../../../functions/rebuild/full-builds.js';
import { isBuildFor } from '../../../functions/shared/build/build-id.js';
import { silentLogger } from '../../../functions/shared/logger.js';
import type { BuildFanOut, BuildSummary, ObjectStore } from '../../../functions/shared/ports.js';
import { readManifest } from '../../../functions/shared/publish/manifest.js';
import { entry, paragraph, richDoc, textNode } from '../../fixtures/content.js';
import { MemoryCatalog, MemoryContent, MemoryStore } from '../../fixtures/memory.js';
import { SITE } from '../../fixtures/site.js';

const SUMMARY: BuildSummary = { buildId: 'b', pages: 1200, products: 500, uploaded: 14, unchanged: 1186, deleted: 2, invalidated: 16, rejected: 0, warnings: 0, generation: 7, ms: 61_000 };

/** A build state machine that records what it was asked to run. */
function recordingFanOut(): BuildFanOut & { runs: Array<{ request: { buildId: string; correlationId: string }; waitUntil?: number }> } {
  const runs: Array<{ request: { buildId: string; correlationId: string }; waitUntil?: number }> = [];
  return {
    runs,
    run: async (request, _onProgress, options) => { runs.push({ request, ...(options?.waitUntil !== undefined ? { waitUntil: options.waitUntil } : {}) }); return SUMMARY; },
    follow: async () => SUMMARY,
  };
}

const untouchedStore = (): ObjectStore => new Proxy(new MemoryStore(), { get: (target, key) => (typeof key === 'string' && ['put', 'get', 'deleteMany', 'list'].includes(key) ? () => { throw new Error(`Expected a fanned-out build to leave the bucket to the state machine, got ${key}`); } : Reflect.get(target, key)) });

describe('a rebuild worker\'s full build', () => {
  it('runs on the site\'s build state machine, stops following a minute before the invocation ends, and reports the build\'s counts', async () => {
    // Prepare
    const fanOut = recordingFanOut();
    const endsAt = Date.now() + 14 * 60_000;
    const build = workerFullBuild({ fanOut, build: { content: new MemoryContent([]), catalog: new MemoryCatalog(), store: untouchedStore(), cdn: { invalidate: async () => 'never' }, logger: silentLogger }, site: SITE, invocationEndsAt: () => endsAt });
    // Act
    const result = await build('content model changed', 'change-42');
    // Assess
    expect(fanOut.runs).toHaveLength(1);
    expect(isBuildFor(fanOut.runs[0]!.request.buildId, 'change-42')).toBe(true);
    expect(fanOut.runs[0]!.request.correlationId).toBe('change-42');
    expect(fanOut.runs[0]!.waitUntil).toBe(endsAt - FOLLOW_MARGIN_MS);
    expect(result).toEqual({ pages: 1200, uploaded: ['(14 objects)'], deleted: ['(2 objects)'], invalidation: { paths: ['(16 paths)'] } });
  });

  it('reports no invalidation for a build that sent none (the preview\'s, whose distribution caches nothing)', async () => {
    // Prepare
    const fanOut = recordingFanOut();
    fanOut.run = async () => ({ ...SUMMARY, invalidated: 0 });
    const build = workerFullBuild({ fanOut, build: { content: new MemoryContent([]), catalog: new MemoryCatalog(), store: untouchedStore(), cdn: { invalidate: async () => 'never' }, logger: silentLogger }, site: { ...SITE, preview: true }, invocationEndsAt: () => Number.POSITIVE_INFINITY });
    // Act
    const result = await build('no site state yet', 'first');
    // Assess
    expect(result.invalidation).toBeUndefined();
  });

  it('builds in-process into the worker\'s own bucket when the stack has no build state machine', async () => {
    // Prepare
    const store = new MemoryStore();
    const invalidated: string[][] = [];
    const build = workerFullBuild({
      fanOut: undefined, site: SITE, invocationEndsAt: () => Number.POSITIVE_INFINITY,
      build: { content: new MemoryContent([entry('page-care', 'page', { title: 'Care guide', slug: 'care', body: richDoc(paragraph(textNode('Dry it first.'))) })]), catalog: new MemoryCatalog(), store, cdn: { invalidate: async (paths) => { invalidated.push([...paths]); return 'i-1'; } }, logger: silentLogger },
    });
    // Act
    const result = await build('no site state yet', 'first');
    // Assess
    expect(result.pages).toBeGreaterThan(0);
    expect(Object.keys((await readManifest(store)).entries)).toEqual(expect.arrayContaining(['index.html', 'care/index.html', 'de/care/index.html']));
    expect(invalidated).toHaveLength(1);
  });
});
