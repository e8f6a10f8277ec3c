/**
 * Lambda: the preview worker, fed by the preview queue (drafts, publishes and catalog changes). The
 * rebuild worker over the preview's own bucket and state table, reading drafts from Contentful's
 * Preview API and the live catalog; its pages say noindex and its distribution caches nothing, so
 * there is nothing to invalidate. No PDFs, feeds or schedules: those are the live site's. Asks
 * the preview's compactor when its segments are due.
 */
import * as aws from '../compose/aws.js';
import { previewContent } from '../compose/aws-content.js';
import { readAwsConfig } from '../compose/config.js';
import { lambdaHandler, memoryCheck, observability } from '../compose/lambda.js';
import { createUncachedCdn } from '../shared/adapters/uncached-cdn.js';
import { fullBuild } from '../shared/build/full-build.js';
import { createWorkerPoolRenderer } from '../shared/build/render-pool.js';
import { requestCompaction } from '../shared/changes/compaction-request.js';
import { createWorkerHandler } from './sqs.js';
import { RebuildWorker } from './worker.js';

const config = readAwsConfig();
const o = observability('restatic-preview', { metrics: true });
const [content, catalog, store, roots] = [await previewContent(config), aws.catalog(config), aws.store(config), aws.roots(config)];
const cdn = createUncachedCdn();
const site = { ...aws.site(config), preview: true };
// The preview builds in-process: editors preview stores of up to some 100,000 pages in a
// function's 15 minutes (the live site's full builds fan out over the build state machine).
const renderer = createWorkerPoolRenderer({ minPagesForWorkers: Number.POSITIVE_INFINITY });
const worker = new RebuildWorker(
  { content, catalog, store, cdn, roots, logger: o.logger, fullBuild: async () => fullBuild({ content, catalog, store, cdn, roots, logger: o.logger, renderer }, { site: { ...site, now: new Date() }, demoImages: false }) },
  { site, demoImages: false },
);

const compactions = config.COMPACTION_QUEUE_URL ? aws.compactions(config) : undefined;

// The preview follows every catalog change as the live site does: its segments go to its own compactor.
export const handler = lambdaHandler(o, createWorkerHandler(worker, o.logger, (processed, result) => requestCompaction(compactions, result.compactionDue, processed[0]?.correlationId ?? 'preview', o.logger), {
  metrics: o.metrics, returns: aws.messageReturns(config, 'PREVIEW_QUEUE_URL'),
  // It holds the same catalog as the live worker: the same memory check.
  ...memoryCheck(config),
}));
