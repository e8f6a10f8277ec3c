/**
 * The event pipeline: the products table and its stream, the queues (each with a dead-letter queue),
 * the six functions, their event sources and grants, the webhook's HTTP API, and the schedules.
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as secrets from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { feedRuns } from '../../functions/feeds/job.js';
import { FEED_NODE_OPTIONS } from '../../functions/feeds/runtime.js';
import { feedTargetsOf, type Market } from '../../functions/shared/markets/markets.js';
import { Builds } from './builds.js';
import { RestaticFunction } from './functions.js';
import { compactorFunction } from './compactor.js';
import { queueWithDlq } from './queues.js';
import { keepWarm } from './keep-warm.js';
import { heapOptions } from './worker-memory.js';

export interface PipelineProps {
  stage: string;
  bucket: s3.Bucket;
  distribution: cloudfront.Distribution;
  /** The viewer function's redirect table, kept equal to the pipeline's redirects by the worker. */
  redirects: cloudfront.KeyValueStore;
  siteUrl: string;
  contentfulSpaceId: string;
  contentfulEnvironment: string;
  /** Use this existing products table (with a NEW_AND_OLD_IMAGES stream) instead of creating one. */
  existingTableName?: string;
  existingTableStreamArn?: string;
  /** Hosts (besides Contentful's) whose https product images the PDF function may fetch. */
  pdfImageHosts?: string[];
  /** The store's checkout (the storefront's cart hands its items there). */
  checkoutUrl?: string;
  /** The storefronts: each market's feeds run on their own schedule, side by side. */
  markets: readonly Market[];
  /** Whether `markets` was configured (then every function reads it from `MARKETS`) rather than the demo's. */
  marketsConfigured?: boolean;
  feedSchedule: string;
  reconcileSchedule: string;
  /** The rebuild worker's memory, sized to the store (`worker-memory.ts`). */
  workerMemoryMb: number;
  /** Keep one rebuild worker started ahead of changes, the live site read while it starts (provisioned concurrency). */
  warmWorker: boolean;
  removalPolicy: RemovalPolicy;
  logRetention: logs.RetentionDays;
}

export class Pipeline extends Construct {
  readonly table: dynamodb.ITable;
  /** The commit points of the site state and the manifest (compare-and-swap root pointers). */
  readonly stateTable: dynamodb.Table;
  readonly functions: Record<'webhook' | 'worker' | 'stream' | 'feeds' | 'pdf' | 'reconcile' | 'search' | 'images' | 'compact', RestaticFunction>;
  /** Full builds fanned out over Lambdas (plan, a Distributed Map of shards, commit). */
  readonly builds: Builds;
  readonly deadLetterQueues: sqs.IQueue[] = [];
  /** Dead-letter destinations that are not an SQS queue's redrive target (stream, scheduler). */
  readonly failureQueues: sqs.Queue[] = [];
  readonly api: apigw.HttpApi;
  /** Where PDF jobs go (the deploy workflow asks for every PDF after a deploy). */
  readonly pdfQueueUrl: string;
  /** Where changes go (the deploy workflow requests its full build there). */
  readonly changesQueueUrl: string;

  constructor(scope: Construct, id: string, props: PipelineProps) {
    super(scope, id);
    const { bucket, distribution } = props;
    const common = { logRetention: props.logRetention, removalPolicy: props.removalPolicy };

    this.table = props.existingTableName
      ? dynamodb.Table.fromTableAttributes(this, 'Products', { tableName: props.existingTableName, ...(props.existingTableStreamArn ? { tableStreamArn: props.existingTableStreamArn } : {}) })
      : new dynamodb.Table(this, 'Products', {
        partitionKey: { name: 'sku', type: dynamodb.AttributeType.STRING },
        billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
        stream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        encryption: dynamodb.TableEncryption.AWS_MANAGED,
        removalPolicy: props.removalPolicy === RemovalPolicy.DESTROY ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
      });

    // One small item per document (state, manifest): the pointer to its live root in the bucket,
    // swapped conditionally, so two runs can never both commit from the same starting point.
    this.stateTable = new dynamodb.Table(this, 'State', {
      partitionKey: { name: 'document', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      removalPolicy: props.removalPolicy === RemovalPolicy.DESTROY ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    });

    // Secrets are created empty-valued here and filled in once by the operator (docs/deploy.md).
    const deliveryToken = new secrets.Secret(this, 'ContentfulDeliveryToken', { description: `Restatic ${props.stage}: Contentful Content Delivery API token` });
    const webhookSecret = new secrets.Secret(this, 'ContentfulWebhookSecret', {
      description: `Restatic ${props.stage}: Contentful webhook signing secret (64 characters)`,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });

    // Changes: FIFO, one group — rebuild runs for the site never interleave. Content-based
    // de-duplication is what Scheduler's FIFO targets need; our own senders set explicit ids.
    // The worker gives a failed change back after a backoff (20 s, doubling, at most 15 minutes;
    // functions/shared/sqs-batch.ts), not the visibility timeout: ten receives span about an hour.
    const changes = queueWithDlq(this, 'Changes', { fifo: true, contentBasedDeduplication: true, visibilityTimeout: Duration.minutes(6 * 15), maxReceiveCount: 10 });
    // Instants at which pages change with time (sales starting or ending): one-time schedules the
    // worker creates and deletes in a group of their own, sending Time envelopes to the changes queue.
    const instants = new scheduler.ScheduleGroup(this, 'Instants', { scheduleGroupName: `restatic-${props.stage}-instants` });
    const instantsRole = new iam.Role(this, 'InstantsRole', {
      description: `Restatic ${props.stage}: one-time schedules send Time envelopes to the changes queue`,
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } } }),
    });
    changes.queue.grantSendMessages(instantsRole);
    // Visibility timeouts are six times the consuming function's timeout (AWS's advice for SQS sources).
    const pdfJobs = queueWithDlq(this, 'PdfJobs', { visibilityTimeout: Duration.minutes(6 * 5) });
    const catalogWindow = Duration.seconds(60);
    const pdfCatalog = queueWithDlq(this, 'PdfCatalog', { fifo: true, visibilityTimeout: Duration.minutes(6 * 5), deliveryDelay: catalogWindow });
    // Compaction requests: FIFO, one group — one compaction at a time; the worker's requests within a
    // window share a deduplication id, so a burst of runs asks once.
    const compactions = queueWithDlq(this, 'Compactions', { fifo: true, visibilityTimeout: Duration.minutes(6 * 15) });
    const streamFailures = new sqs.Queue(this, 'StreamFailures', { enforceSSL: true, encryption: sqs.QueueEncryption.SQS_MANAGED, retentionPeriod: Duration.days(14) });
    const scheduleDlq = new sqs.Queue(this, 'ScheduleDlq', { enforceSSL: true, encryption: sqs.QueueEncryption.SQS_MANAGED, retentionPeriod: Duration.days(14) });
    this.deadLetterQueues.push(changes.dlq, pdfJobs.dlq, pdfCatalog.dlq, compactions.dlq, streamFailures, scheduleDlq);
    this.failureQueues.push(streamFailures, scheduleDlq);

    const siteEnv = { SITE_URL: props.siteUrl, SITE_BUCKET: bucket.bucketName, DISTRIBUTION_ID: distribution.distributionId, PRODUCTS_TABLE: this.table.tableName, ...(props.checkoutUrl ? { CHECKOUT_URL: props.checkoutUrl } : {}), ...(props.marketsConfigured ? { MARKETS: JSON.stringify(props.markets) } : {}) };
    const stateEnv = { STATE_TABLE: this.stateTable.tableName };
    const contentfulEnv = { CONTENTFUL_SPACE_ID: props.contentfulSpaceId, CONTENTFUL_ENVIRONMENT: props.contentfulEnvironment, CONTENTFUL_DELIVERY_TOKEN_SECRET_ARN: deliveryToken.secretArn };
    this.pdfQueueUrl = pdfJobs.queue.queueUrl;
    this.changesQueueUrl = changes.queue.queueUrl;
    const pdfEnv = { PDF_QUEUE_URL: pdfJobs.queue.queueUrl, PDF_CATALOG_QUEUE_URL: pdfCatalog.queue.queueUrl, PDF_CATALOG_WINDOW_SECONDS: String(catalogWindow.toSeconds()), ...(props.pdfImageHosts ? { PDF_IMAGE_HOSTS: props.pdfImageHosts.join(',') } : {}) };

    this.builds = new Builds(this, 'Builds', {
      stage: props.stage, site: 'live', bucket, distribution, table: this.table, stateTable: this.stateTable, contentToken: deliveryToken, siteEnv, contentfulEnv, storeMemoryMb: props.workerMemoryMb, ...common,
    });

    const webhook = new RestaticFunction(this, 'Webhook', {
      ...common, entry: 'functions/rebuild/webhook-handler.ts', description: 'Contentful webhook receiver: verify, queue, 202', serviceName: 'restatic-webhook',
      memorySize: 256, timeout: Duration.seconds(10),
      environment: { CONTENTFUL_SPACE_ID: props.contentfulSpaceId, CONTENTFUL_ENVIRONMENT: props.contentfulEnvironment, CONTENTFUL_WEBHOOK_SECRET_ARN: webhookSecret.secretArn, CHANGES_QUEUE_URL: changes.queue.queueUrl },
    });
    const worker = new RestaticFunction(this, 'Worker', {
      ...common, entry: 'functions/rebuild/worker-handler.ts', description: 'Rebuild worker: affected pages → S3 → invalidation', serviceName: 'restatic-rebuild',
      memorySize: props.workerMemoryMb, nodeOptions: heapOptions(props.workerMemoryMb), timeout: Duration.minutes(15),
      environment: {
        ...siteEnv, ...stateEnv, ...contentfulEnv, ...pdfEnv, REDIRECTS_KVS_ARN: props.redirects.keyValueStoreArn,
        SCHEDULE_GROUP: instants.scheduleGroupName, CHANGES_QUEUE_ARN: changes.queue.queueArn, SCHEDULER_ROLE_ARN: instantsRole.roleArn,
        CHANGES_QUEUE_URL: changes.queue.queueUrl, CHANGES_DLQ_URL: changes.dlq.queueUrl, BUILD_STATE_MACHINE_ARN: this.builds.stateMachine.stateMachineArn, COMPACTION_QUEUE_URL: compactions.queue.queueUrl,
      },
      // The KeyValueStore client signs with SigV4A, which the runtime's SDK may lack: bundle the SDK.
      bundleAwsSdk: true,
      // Eleventy loads template engines and its own files at run time: installed, not inlined.
      nodeModules: ['@11ty/eleventy', 'nunjucks'], copy: [['site', 'site']],
      // Runs for the site never interleave: the changes queue is FIFO with one message group, so
      // Lambda delivers one batch at a time. Kept warm, one environment is started ahead of the
      // changes and reads the live site while it starts; a deploy provisions the new version's
      // before it lets the old one's go, so the function may then hold two (provisioned concurrency
      // equal to reserved would fail the deploy).
      ...(props.warmWorker ? { reservedConcurrency: 2, provisionedConcurrency: 1 } : { reservedConcurrency: 1 }),
    });
    const stream = new RestaticFunction(this, 'Stream', {
      ...common, entry: 'functions/rebuild/stream-handler.ts', description: 'Products stream → change envelopes and PDF jobs', serviceName: 'restatic-catalog-stream',
      memorySize: 256, timeout: Duration.seconds(30), environment: { CHANGES_QUEUE_URL: changes.queue.queueUrl, ...pdfEnv },
    });
    const feeds = new RestaticFunction(this, 'Feeds', {
      ...common, entry: 'functions/feeds/handler.ts', description: 'Google Shopping feeds (scheduled)', serviceName: 'restatic-feeds',
      // 1,769 MB is one full vCPU: a market's run is CPU-bound (items on the main thread, gzip beside it).
      memorySize: 1769, timeout: Duration.minutes(15), environment: { ...siteEnv, ...contentfulEnv, ...stateEnv, SITE_NAME: 'Restatic' },
      // The young generation the benchmark measured with, from the one place that sets it.
      nodeOptions: FEED_NODE_OPTIONS.join(' '),
      // One run per market at a time, side by side (a second run of a market is throttled and retried;
      // a run begun earlier never replaces a feed a later run published).
      reservedConcurrency: feedRuns(feedTargetsOf(props.markets), props.markets).length,
    });
    const pdf = new RestaticFunction(this, 'Pdf', {
      ...common, entry: 'functions/pdf/handler.ts', description: 'PDF worker: spec sheets and catalog', serviceName: 'restatic-pdf',
      memorySize: 1536, timeout: Duration.minutes(5), environment: { ...siteEnv, ...contentfulEnv, ...pdfEnv, FONT_DIR: '/var/task/fonts' },
      copy: [
        ['node_modules/@expo-google-fonts/noto-sans/400Regular/NotoSans_400Regular.ttf', 'fonts/NotoSans-Regular.ttf'],
        ['node_modules/@expo-google-fonts/noto-sans/700Bold/NotoSans_700Bold.ttf', 'fonts/NotoSans-Bold.ttf'],
        ['node_modules/@expo-google-fonts/noto-sans-jp/400Regular/NotoSansJP_400Regular.ttf', 'fonts/NotoSansJP-Regular.ttf'],
        ['node_modules/@expo-google-fonts/noto-sans-jp/700Bold/NotoSansJP_700Bold.ttf', 'fonts/NotoSansJP-Bold.ttf'],
      ],
      // The scale knob: up to this many PDF workers render in parallel.
      reservedConcurrency: 50,
    });
    const reconcile = new RestaticFunction(this, 'Reconcile', {
      ...common, entry: 'functions/rebuild/reconcile-handler.ts', description: 'Reconciliation: queue what events missed', serviceName: 'restatic-reconcile',
      memorySize: 512, timeout: Duration.minutes(5), environment: { ...siteEnv, ...stateEnv, CHANGES_QUEUE_URL: changes.queue.queueUrl, ...pdfEnv },
    });
    const search = new RestaticFunction(this, 'Search', {
      ...common, entry: 'functions/search/handler.ts', description: 'Search index (Pagefind) of the live site', serviceName: 'restatic-search',
      // It reads the whole live state, as the workers hold it; Pagefind's indexer (its own process) takes the rest.
      memorySize: Math.max(2048, props.workerMemoryMb), timeout: Duration.minutes(15), environment: { ...siteEnv, ...stateEnv },
      // Pagefind's binary (its x86-64 platform package, installed by npm beside the bundle).
      nodeModules: ['pagefind'], architecture: lambda.Architecture.X86_64,
      // One refresh at a time: a scheduled run while one works is throttled and retried.
      reservedConcurrency: 1,
    });
    const images = new RestaticFunction(this, 'Images', {
      ...common, entry: 'functions/images/handler.ts', description: 'Pictures resized at the edge on first request', serviceName: 'restatic-images',
      // sharp's libvips comes in its x86-64 platform package, installed by npm beside the bundle; a
      // full vCPU at 1,769 MB: encoding AVIF is CPU-bound and the first visitor waits for it.
      memorySize: 1769, timeout: Duration.seconds(15), environment: { SITE_BUCKET: bucket.bucketName },
      nodeModules: ['sharp'], architecture: lambda.Architecture.X86_64,
      // CloudFront keeps every variant for a year; this caps what a flood of first requests can cost.
      reservedConcurrency: 20,
    });
    const compact = compactorFunction(this, {
      ...common, bucket, stateTable: this.stateTable, queue: compactions.queue, storeMemoryMb: props.workerMemoryMb,
      description: 'Compactor: folds the state and manifest segments into their shards, off the change path', serviceName: 'restatic-compact',
    });
    this.functions = { webhook, worker, stream, feeds, pdf, reconcile, search, images, compact };

    // Grants: each function gets what it uses, on these resources only.
    webhookSecret.grantRead(webhook.fn);
    changes.queue.grantSendMessages(webhook.fn);
    for (const f of [worker, pdf, feeds]) deliveryToken.grantRead(f.fn);
    // The site worker owns the site; the other jobs only their prefixes (and what they read).
    bucket.grantReadWrite(worker.fn);
    bucket.grantReadWrite(feeds.fn, 'feeds/*');
    bucket.grantReadWrite(pdf.fn, 'pdf/*');
    // Invalidations the CDN refused, kept for the job's next run (functions/shared/publish/owned.ts).
    bucket.grantReadWrite(feeds.fn, '_restatic/pending-invalidations/feeds/*');
    bucket.grantReadWrite(pdf.fn, '_restatic/pending-invalidations/pdf/*');
    bucket.grantRead(pdf.fn, 'assets/*');
    bucket.grantRead(reconcile.fn, '_restatic/*');
    // Feeds link to the pages the site has: the state's root names the products not at their own slug.
    bucket.grantRead(feeds.fn, '_restatic/state/*');
    // The image function reads the site's own pictures and nothing else.
    bucket.grantRead(images.fn, 'assets/*');
    // Search indexes the live state's pages into its own prefix.
    bucket.grantRead(search.fn, '_restatic/state/*');
    bucket.grantReadWrite(search.fn, 'pagefind/*');
    bucket.grantReadWrite(search.fn, '_restatic/search/*');
    this.stateTable.grantReadData(search.fn);
    distribution.grantCreateInvalidation(search.fn);
    for (const f of [worker, feeds, pdf]) this.table.grantReadData(f.fn);
    this.table.grantReadData(reconcile.fn);
    // The commit points: the worker commits; reconciliation reads which state is live.
    this.stateTable.grantReadWriteData(worker.fn);
    this.stateTable.grantReadData(reconcile.fn);
    this.stateTable.grantReadData(feeds.fn);
    compactions.queue.grantSendMessages(worker.fn);
    for (const f of [worker, stream, reconcile]) { pdfJobs.queue.grantSendMessages(f.fn); pdfCatalog.queue.grantSendMessages(f.fn); }
    // The PDF worker sends on what a CMS change expands into (sheets; the catalog via its FIFO).
    pdfJobs.queue.grantSendMessages(pdf.fn);
    pdfCatalog.queue.grantSendMessages(pdf.fn);
    // A poison change goes to the dead letters at once instead of holding the FIFO group.
    changes.dlq.grantSendMessages(worker.fn);
    // Full builds: the worker starts them and waits (runs for the site never interleave).
    this.builds.grantRun(worker.fn);
    changes.queue.grantSendMessages(stream.fn);
    changes.queue.grantSendMessages(reconcile.fn);
    for (const f of [worker, feeds, pdf]) distribution.grantCreateInvalidation(f.fn);
    // The worker keeps the instants' schedules: in their group only, passing only their role.
    instants.grants.writeSchedules(worker.fn);
    instants.grants.deleteSchedules(worker.fn);
    instantsRole.grantPassRole(worker.fn.grantPrincipal);
    // ListSchedules has no resource-level permissions: IAM accepts only "*" for it.
    worker.fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['scheduler:ListSchedules'], resources: ['*'] }));
    worker.fn.addToRolePolicy(new iam.PolicyStatement({
      actions: ['cloudfront-keyvaluestore:DescribeKeyValueStore', 'cloudfront-keyvaluestore:ListKeys', 'cloudfront-keyvaluestore:UpdateKeys'],
      resources: [props.redirects.keyValueStoreArn],
    }));

    // Event sources: partial batch failures everywhere; batching windows coalesce bursts.
    worker.target.addEventSource(new SqsEventSource(changes.queue, { batchSize: 10, reportBatchItemFailures: true }));
    // Not kept started (a stage other than prod): pinged, so that its one environment stays warm between changes.
    if (!props.warmWorker) keepWarm(this, worker.fn, `Restatic ${props.stage}: keep the rebuild worker warm`);
    pdf.fn.addEventSource(new SqsEventSource(pdfJobs.queue, { batchSize: 10, maxBatchingWindow: Duration.seconds(2), reportBatchItemFailures: true, maxConcurrency: 50 }));
    pdf.fn.addEventSource(new SqsEventSource(pdfCatalog.queue, { batchSize: 1, reportBatchItemFailures: true }));
    stream.fn.addEventSource(new DynamoEventSource(this.table, {
      startingPosition: lambda.StartingPosition.TRIM_HORIZON, batchSize: 100, maxBatchingWindow: Duration.seconds(1),
      bisectBatchOnError: true, retryAttempts: 5, maxRecordAge: Duration.hours(1), reportBatchItemFailures: true,
      onFailure: new SqsDlq(streamFailures), parallelizationFactor: 1,
    }));

    // The webhook's HTTP API: one route, throttled.
    this.api = new apigw.HttpApi(this, 'Api', { description: `Restatic ${props.stage} webhooks`, createDefaultStage: false });
    this.api.addRoutes({ path: '/_hooks/contentful', methods: [apigw.HttpMethod.POST], integration: new HttpLambdaIntegration('Webhook', webhook.fn) });
    const accessLogs = new logs.LogGroup(this, 'ApiAccessLogs', { retention: props.logRetention, removalPolicy: props.removalPolicy });
    const stage = new apigw.HttpStage(this, 'ApiStage', { httpApi: this.api, stageName: '$default', autoDeploy: true, throttle: { rateLimit: 50, burstLimit: 100 } });
    const cfnStage = stage.node.defaultChild as apigw.CfnStage;
    cfnStage.accessLogSettings = {
      destinationArn: accessLogs.logGroupArn,
      format: JSON.stringify({ requestId: '$context.requestId', ip: '$context.identity.sourceIp', method: '$context.httpMethod', path: '$context.path', status: '$context.status', latency: '$context.responseLatency', integrationError: '$context.integrationErrorMessage' }),
    };

    // Schedules (EventBridge Scheduler) with retries and a dead-letter queue.
    const schedule = (name: string, fn: lambda.IFunction, expression: string, input?: Record<string, string>) => new scheduler.Schedule(this, name, {
      schedule: scheduler.ScheduleExpression.expression(expression),
      target: new targets.LambdaInvoke(fn, { retryAttempts: 3, maxEventAge: Duration.hours(1), deadLetterQueue: scheduleDlq, ...(input ? { input: scheduler.ScheduleTargetInput.fromObject(input) } : {}) }),
      description: `Restatic ${props.stage}: ${name}${input ? ` ${JSON.stringify(input)}` : ''}`,
    });
    // A schedule per market: the markets' feeds are written side by side, each in its own invocation.
    for (const run of feedRuns(feedTargetsOf(props.markets), props.markets)) schedule(`FeedsSchedule-${run.market}`, feeds.fn, props.feedSchedule, { market: run.market });
    schedule('ReconcileSchedule', reconcile.fn, props.reconcileSchedule);
    // The search index follows the site within a minute; a minute without a change costs two reads.
    schedule('SearchSchedule', search.fn, 'rate(1 minute)');
  }
}
