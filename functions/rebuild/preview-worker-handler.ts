/**
 * Lambda: the preview worker, fed by the preview queue (drafts, publishes and catalog changes). The
 * rebuild worker over the preview's own bucket and state table, reading drafts from Contentful's
 * Preview API and the live catalog; its pages say noindex and its distribution caches nothing, so
 * there is nothing to invalidate. No PDFs, feeds or schedules: those are the live site's. Asks
 * the preview's compactor when its segments are due. Its full builds fan out over the preview's
 * own build state machine, as the live site's do. A schedule pings it every few minutes to keep it warm.
 */
import type { Context, SQSEvent } from 'aws-lambda';
import * as aws from '../compose/aws.js';
import { previewContent } from '../compose/aws-content.js';
import { readAwsConfig } from '../compose/config.js';
import { lambdaHandler, memoryCheck, observability } from '../compose/lambda.js';
import { createUncachedCdn } from '../shared/adapters/uncached-cdn.js';
import { requestCompaction } from '../shared/changes/compaction-request.js';
import { workerFullBuild } from './full-builds.js';
import { isWarmPing, keepWarm, type WARM_PING } from './warm-start.js';
import { createWorkerHandler } from './sqs.js';
import { RebuildWorker } from './worker.js';

const config = readAwsConfig();
const o = observability('restatic-preview', { metrics: true });
const [content, catalog, store, roots] = [await previewContent(config), aws.catalog(config), aws.store(config), aws.roots(config)];
const cdn = createUncachedCdn();
const site = { ...aws.site(config), preview: true };
// Full builds fan out over the preview's build state machine (its bucket, its state table, the
// Preview API); in-process only for a stack deployed before it existed.
let invocationEndsAt = Number.POSITIVE_INFINITY;
const build = { content, catalog, store, cdn, roots, logger: o.logger };
const fanOut = config.BUILD_STATE_MACHINE_ARN ? aws.builds(config, o.logger) : undefined;
const worker = new RebuildWorker(
  { ...build, fullBuild: workerFullBuild({ fanOut, build, site, invocationEndsAt: () => invocationEndsAt }) },
  { site, demoImages: false },
);

const compactions = config.COMPACTION_QUEUE_URL ? aws.compactions(config) : undefined;

// The preview follows every catalog change as the live site does: its segments go to its own compactor.
const sqsHandler = createWorkerHandler(worker, o.logger, (processed, result) => requestCompaction(compactions, result.compactionDue, processed[0]?.correlationId ?? 'preview', o.logger), {
  metrics: o.metrics, returns: aws.messageReturns(config, 'PREVIEW_QUEUE_URL'),
  // It holds the same catalog as the live worker: the same memory check.
  ...memoryCheck(config),
});

// Its schedule's pings keep its one environment warm between an editor's drafts.
export const handler = lambdaHandler(o, async (event: SQSEvent | typeof WARM_PING, context: Context) => {
  if (isWarmPing(event)) return keepWarm(worker, o.logger);
  invocationEndsAt = Date.now() + context.getRemainingTimeInMillis();
  return sqsHandler(event);
});
