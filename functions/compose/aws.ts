/**
 * The AWS composition root: every port the Lambda functions and `build --target aws` use, built
 * from the validated configuration. One function per port, each made once per configuration, so
 * a function builds (and needs the variables of) only what it uses, and its bundle carries only
 * those adapters; Contentful's client, the heaviest, has its own module (`aws-content.ts`) so
 * that functions without it (the webhook receiver, the stream consumer) do not load it. SDK clients are shared and carry
 * the one retry policy. A new adapter or setting goes here and in `config.ts`, nowhere else.
 */
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { CloudFrontKeyValueStoreClient } from '@aws-sdk/client-cloudfront-keyvaluestore';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createCloudFrontCdn } from '../shared/adapters/cloudfront-cdn.js';
import { createKvsRedirectTable } from '../shared/adapters/cloudfront-kvs-redirects.js';
import { createDynamoDbCatalog } from '../shared/adapters/dynamodb-catalog.js';
import { createDynamoDbRootPointers } from '../shared/adapters/dynamodb-root-pointers.js';
import { createEventBridgeInstantSchedule } from '../shared/adapters/eventbridge-instant-schedule.js';
import { createPdfJobQueues } from '../shared/adapters/pdf-job-queues.js';
import { createS3ObjectStore } from '../shared/adapters/s3-object-store.js';
import { SDK_RETRY } from '../shared/adapters/sdk.js';
import { createSqsMessageReturns } from '../shared/adapters/sqs-message-returns.js';
import { createSqsQueue } from '../shared/adapters/sqs-queue.js';
import { createStepFunctionsBuilds } from '../shared/adapters/step-functions-builds.js';
import { createUncachedCdn } from '../shared/adapters/uncached-cdn.js';
import { LISTING_PAGE_SIZE } from '../shared/build/site-model.js';
import type { ChangeEnvelope } from '../shared/changes/envelope.js';
import type { PdfJob } from '../shared/changes/pdf-jobs.js';
import { compactionDedupId, type CompactionRequest } from '../shared/changes/compaction-request.js';
import { ConfigError } from '../shared/errors.js';
import { DEMO_MARKETS, parseMarkets, type Market } from '../shared/markets/markets.js';
import type { BuildFanOut, Catalog, Cdn, InstantSchedule, Logger, MessageReturns, ObjectStore, Queue, RedirectTable, RootPointers } from '../shared/ports.js';
import { need, type AwsConfig } from './config.js';

/** SQS's longest delivery delay: a PDF drawn without its image is tried again this much later. */
const RECHECK_DELAY_SECONDS = 900;

export interface AwsSiteSettings {
  baseUrl: string;
  markets: Market[];
  listingPageSize: number;
  checkoutUrl?: string;
  /** The private preview of drafts (`SITE_KIND=preview`): noindex pages, a receipt on each. */
  preview?: boolean;
}

const made = new WeakMap<AwsConfig, Map<string, unknown>>();

/** One instance per configuration and name: ports and clients are built once per cold start. */
export function once<T>(config: AwsConfig, name: string, make: () => T): T {
  let ports = made.get(config);
  if (!ports) made.set(config, (ports = new Map()));
  if (!ports.has(name)) ports.set(name, make());
  return ports.get(name) as T;
}

const s3 = (c: AwsConfig) => once(c, 's3', () => new S3Client(SDK_RETRY));
const sqs = (c: AwsConfig) => once(c, 'sqs', () => new SQSClient(SDK_RETRY));
export const secrets = (c: AwsConfig) => once(c, 'secrets', () => new SecretsManagerClient(SDK_RETRY));

/** Reads a secret's string value (never from the template or the bundle). */
export async function readSecret(arn: string, client: SecretsManagerClient): Promise<string> {
  const out = await client.send(new GetSecretValueCommand({ SecretId: arn }));
  if (!out.SecretString) throw new ConfigError(arn, 'secret has no string value');
  return out.SecretString;
}

export const site = (c: AwsConfig): AwsSiteSettings => once(c, 'site', () => ({ baseUrl: need(c, 'SITE_URL'), markets: markets(c), listingPageSize: LISTING_PAGE_SIZE, ...(c.CHECKOUT_URL ? { checkoutUrl: c.CHECKOUT_URL } : {}), ...(c.SITE_KIND === 'preview' ? { preview: true } : {}) }));

/** A full build step's log service: the preview's steps apart from the storefront's. */
export const buildStepService = (c: AwsConfig, step: 'plan' | 'shard' | 'commit') => `restatic-${c.SITE_KIND === 'preview' ? 'preview-' : ''}build-${step}`;

/** The storefronts (`MARKETS`, JSON), the demo's `us` and `de` when unset. */
export const markets = (c: AwsConfig): Market[] => once(c, 'markets', () => (c.MARKETS === undefined ? DEMO_MARKETS : parseMarkets(c.MARKETS, 'MARKETS')));

export const store = (c: AwsConfig): ObjectStore => once(c, 'store', () => createS3ObjectStore({ bucket: need(c, 'SITE_BUCKET'), client: s3(c) }));

export const catalog = (c: AwsConfig): Catalog => once(c, 'catalog', () => createDynamoDbCatalog({ table: need(c, 'PRODUCTS_TABLE'), client: new DynamoDBClient(SDK_RETRY) }));

/** The site's distribution; the preview's caches nothing, so there is nothing to invalidate. */
export const cdn = (c: AwsConfig): Cdn => once(c, 'cdn', () => (c.SITE_KIND === 'preview' ? createUncachedCdn()
  : createCloudFrontCdn({ distributionId: need(c, 'DISTRIBUTION_ID'), client: new CloudFrontClient(SDK_RETRY) })));

/**
 * Where the state and manifest roots are committed compare-and-swap (the stack's state table);
 * undefined for a stack without one (roots then stay at fixed keys in the bucket).
 */
export const roots = (c: AwsConfig): RootPointers | undefined => once(c, 'roots', () => (c.STATE_TABLE ? createDynamoDbRootPointers({ table: c.STATE_TABLE, client: new DynamoDBClient(SDK_RETRY) }) : undefined));

/** Full builds fanned out over the build state machine (plan, shards, commit). */
export const builds = (c: AwsConfig, logger: Logger): BuildFanOut => once(c, 'builds', () => createStepFunctionsBuilds({ client: new SFNClient(SDK_RETRY), stateMachineArn: need(c, 'BUILD_STATE_MACHINE_ARN'), logger }));

export const redirects = (c: AwsConfig): RedirectTable => once(c, 'redirects', () => createKvsRedirectTable({ kvsArn: need(c, 'REDIRECTS_KVS_ARN'), client: new CloudFrontKeyValueStoreClient(SDK_RETRY) }));

/** The webhook signing secret (Secrets Manager). */
export const webhookSecret = (c: AwsConfig): Promise<string> => once(c, 'webhookSecret', () => readSecret(need(c, 'CONTENTFUL_WEBHOOK_SECRET_ARN'), secrets(c)));

/**
 * Changes per SQS message: the rebuild worker takes at most 10 messages of its FIFO queue per run,
 * so the stream's batches (up to 100 records) travel as one message each and a run takes up to 1,000.
 */
export const CHANGES_PER_MESSAGE = 100;

export const changes = (c: AwsConfig): Queue<ChangeEnvelope> => once(c, 'changes', () => createSqsQueue({ queueUrl: need(c, 'CHANGES_QUEUE_URL'), client: sqs(c), pack: CHANGES_PER_MESSAGE }));

/** The preview's queue (a standard queue: its worker fences versions, and batches a few seconds of typing). */
export const previewChanges = (c: AwsConfig): Queue<ChangeEnvelope> => once(c, 'previewChanges', () => createSqsQueue({ queueUrl: need(c, 'PREVIEW_QUEUE_URL'), client: sqs(c), pack: CHANGES_PER_MESSAGE }));

/** The preview distribution's KeyValueStore (its viewer function reads the token key there). */
export const previewKeyStore = (c: AwsConfig): RedirectTable => once(c, 'previewKeyStore', () => createKvsRedirectTable({ kvsArn: need(c, 'PREVIEW_KVS_ARN'), client: new CloudFrontKeyValueStoreClient(SDK_RETRY) }));

/** Requests to the compactor (a FIFO queue of one group: one compaction at a time; one request per window). */
export const compactions = (c: AwsConfig): Queue<CompactionRequest> => once(c, 'compactions', () => createSqsQueue<CompactionRequest>({
  queueUrl: need(c, 'COMPACTION_QUEUE_URL'), client: sqs(c), groupId: 'compaction', dedupId: compactionDedupId, describe: (r) => r.correlationId,
}));

/** Gives a worker's failed messages back to its queue after a backoff (the live worker's changes queue, the preview's queue). */
export const messageReturns = (c: AwsConfig, queue: 'CHANGES_QUEUE_URL' | 'PREVIEW_QUEUE_URL'): MessageReturns => once(c, `returns:${queue}`, () => createSqsMessageReturns({ queueUrl: need(c, queue), client: sqs(c) }));

export const changesDeadLetters = (c: AwsConfig): Queue<ChangeEnvelope> => once(c, 'changesDlq', () => createSqsQueue({ queueUrl: need(c, 'CHANGES_DLQ_URL'), client: sqs(c) }));

/** Sheets and CMS jobs to the PDF queue, the catalog to its delayed FIFO (once per window). */
export const pdfJobs = (c: AwsConfig): Queue<PdfJob> => once(c, 'pdfJobs', () => createPdfJobQueues({
  client: sqs(c), jobsQueueUrl: need(c, 'PDF_QUEUE_URL'), catalogQueueUrl: need(c, 'PDF_CATALOG_QUEUE_URL'), windowSeconds: c.PDF_CATALOG_WINDOW_SECONDS,
}));

/** PDF jobs again after SQS's longest delay (a sheet drawn without its image). */
export const pdfRechecks = (c: AwsConfig): Queue<PdfJob> => once(c, 'pdfRechecks', () => createSqsQueue<PdfJob>({ queueUrl: need(c, 'PDF_QUEUE_URL'), client: sqs(c), delaySeconds: RECHECK_DELAY_SECONDS, describe: (j) => j.kind }));

export const instants = (c: AwsConfig): InstantSchedule => once(c, 'instants', () => createEventBridgeInstantSchedule({
  client: new SchedulerClient(SDK_RETRY), groupName: need(c, 'SCHEDULE_GROUP'), queueArn: need(c, 'CHANGES_QUEUE_ARN'), roleArn: need(c, 'SCHEDULER_ROLE_ARN'),
}));
