/**
 * Lambda: the rebuild worker, fed by the changes queue (SQS, ReportBatchItemFailures); fans CMS
 * changes out to PDF jobs, and keeps the schedule of time instants (sales starting or ending).
 */
import type { Context, SQSEvent } from 'aws-lambda';
import * as aws from '../compose/aws.js';
import { content as contentful } from '../compose/aws-content.js';
import { readAwsConfig } from '../compose/config.js';
import { lambdaHandler, memoryCheck, observability } from '../compose/lambda.js';
import { requestCompaction } from '../shared/changes/compaction-request.js';
import { pdfJobsFor } from '../shared/changes/pdf-jobs.js';
import { workerFullBuild } from './full-builds.js';
import { createWorkerHandler } from './sqs.js';
import { isWarmPing, keepWarm, warmIfProvisioned, type WARM_PING } from './warm-start.js';
import { RebuildWorker } from './worker.js';

const config = readAwsConfig();
const o = observability('restatic-rebuild', { metrics: true });
const [content, catalog, store, cdn, site, roots] = [await contentful(config), aws.catalog(config), aws.store(config), aws.cdn(config), aws.site(config), aws.roots(config)];
// Full builds fan out over the build state machine when the stack has one (the CDK stack always
// does); in-process only for a stack deployed before it existed.
let invocationEndsAt = Number.POSITIVE_INFINITY;
const build = { content, catalog, store, cdn, roots, logger: o.logger };
const fanOut = config.BUILD_STATE_MACHINE_ARN ? aws.builds(config, o.logger) : undefined;
const worker = new RebuildWorker(
  { ...build, redirects: aws.redirects(config), fullBuild: workerFullBuild({ fanOut, build, site, invocationEndsAt: () => invocationEndsAt }) },
  { site, demoImages: false },
);
await warmIfProvisioned(worker, config.AWS_LAMBDA_INITIALIZATION_TYPE, o.logger);
const pdfJobs = aws.pdfJobs(config);
const instants = aws.instants(config);
// The preview shows the same catalog: its sales start and end at the same instants as the live site's.
const preview = config.PREVIEW_QUEUE_URL ? aws.previewChanges(config) : undefined;
const compactions = config.COMPACTION_QUEUE_URL ? aws.compactions(config) : undefined;

// CMS changes reach the PDFs that show them (product changes fan out from the stream consumer), and
// so do products whose page changed in the run (a sale that ended, a category renamed). If either
// step fails, the batch is retried: the rebuild is then a fenced no-op and these run again.
const sqsHandler = createWorkerHandler(worker, o.logger, async (processed, result) => {
  const jobs = [
    ...pdfJobsFor(processed.filter((e) => e.kind !== 'Product')),
    ...result.changedProducts.map((sku) => ({ kind: 'sheet' as const, sku, correlationId: processed[0]?.correlationId ?? 'rebuild' })),
  ];
  if (jobs.length) await pdfJobs.send(jobs);
  if (result.schedule) await instants.sync(result.schedule);
  const reached = processed.filter((e) => e.kind === 'Time');
  if (preview && reached.length) await preview.send(reached);
  await requestCompaction(compactions, result.compactionDue, processed[0]?.correlationId ?? 'rebuild', o.logger);
}, {
  deadLetters: aws.changesDeadLetters(config), metrics: o.metrics, returns: aws.messageReturns(config, 'CHANGES_QUEUE_URL'),
  ...memoryCheck(config),
});

// A stage that does not keep it started pings it on a schedule to keep it warm between changes.
export const handler = lambdaHandler(o, async (event: SQSEvent | typeof WARM_PING, context: Context) => {
  if (isWarmPing(event)) return keepWarm(worker, o.logger);
  invocationEndsAt = Date.now() + context.getRemainingTimeInMillis();
  return sqsHandler(event);
});
