/**
 * The private preview of drafts: its own bucket, state table and distribution (caching nothing,
 * every response noindex), whose viewer function lets a request through only with a signed,
 * expiring token (key in the distribution's KeyValueStore, put there from Secrets Manager on
 * deploy); a preview queue the webhook receiver sends drafts (and publishes) to, and the stream
 * consumer catalog changes; a preview worker (the rebuild worker over the Preview API); and the
 * `/_preview/open` function that sends an editor to the page showing an entry; and a compactor of
 * the preview's state and manifest, as the live site's (the preview follows every catalog change,
 * so its segments fill as fast); and a full-build state machine of its own, as the live site's
 * (a large store's preview could not build in one function's 15 minutes).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CustomResource, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secrets from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { Builds } from './builds.js';
import { RestaticFunction } from './functions.js';
import { compactorFunction } from './compactor.js';
import { queueWithDlq } from './queues.js';
import { CONTENT_SECURITY_POLICY } from './site.js';
import type { Market } from '../../functions/shared/markets/markets.js';
import { keepWarm } from './keep-warm.js';
import { heapOptions } from './worker-memory.js';

export interface PreviewProps {
  stage: string;
  /** The access-log bucket the site writes to (the preview logs under its own prefixes). */
  logs: s3.Bucket;
  table: dynamodb.ITable;
  siteUrl: string;
  checkoutUrl?: string;
  /** The storefronts, when configured (`MARKETS`, as the live site's functions read it). */
  markets?: readonly Market[];
  contentfulSpaceId: string;
  contentfulEnvironment: string;
  removalPolicy: RemovalPolicy;
  logRetention: logs.RetentionDays;
  /** The preview worker's memory: it holds the same catalog as the live worker (`worker-memory.ts`). */
  workerMemoryMb: number;
}

export class Preview extends Construct {
  readonly bucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  readonly keys: cloudfront.KeyValueStore;
  readonly queue: sqs.Queue;
  readonly dlq: sqs.Queue;
  /** The dead-letter queue of the preview's compaction requests. */
  readonly compactionsDlq: sqs.Queue;
  readonly stateTable: dynamodb.Table;
  readonly keySecret: secrets.Secret;
  readonly previewToken: secrets.Secret;
  readonly functions: Record<'worker' | 'open' | 'key' | 'compact', RestaticFunction>;
  readonly keyProvider: cr.Provider;
  /** The preview's full builds (plan, shards, commit) over its bucket and state table, reading drafts. */
  readonly builds: Builds;

  constructor(scope: Construct, id: string, props: PreviewProps) {
    super(scope, id);
    const common = { logRetention: props.logRetention, removalPolicy: props.removalPolicy };
    const autoDelete = props.removalPolicy === RemovalPolicy.DESTROY;
    // Drafts are rebuilt from the Preview API at will: no versions to keep.
    this.bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL, encryption: s3.BucketEncryption.S3_MANAGED, enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED, serverAccessLogsBucket: props.logs, serverAccessLogsPrefix: 'preview-bucket/',
      lifecycleRules: [{ abortIncompleteMultipartUploadAfter: Duration.days(1) }],
      removalPolicy: props.removalPolicy, autoDeleteObjects: autoDelete,
    });
    this.stateTable = new dynamodb.Table(this, 'State', {
      partitionKey: { name: 'document', type: dynamodb.AttributeType.STRING }, billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true }, encryption: dynamodb.TableEncryption.AWS_MANAGED,
      removalPolicy: props.removalPolicy === RemovalPolicy.DESTROY ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    });
    this.previewToken = new secrets.Secret(this, 'ContentfulPreviewToken', { description: `Restatic ${props.stage}: Contentful Content Preview API token` });
    this.keySecret = new secrets.Secret(this, 'TokenKey', {
      description: `Restatic ${props.stage}: HMAC key of preview links (rotate, then deploy: every link signed with the old key stops working)`,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    this.keys = new cloudfront.KeyValueStore(this, 'Keys', { comment: 'Restatic preview: the token key (preview-key)' });

    this.dlq = new sqs.Queue(this, 'ChangesDlq', { enforceSSL: true, encryption: sqs.QueueEncryption.SQS_MANAGED, retentionPeriod: Duration.days(14) });
    // Standard, not FIFO: the worker fences versions, and a batching window gathers a few seconds of
    // an editor's auto-saves into one run (the latest draft wins).
    this.queue = new sqs.Queue(this, 'Changes', {
      enforceSSL: true, encryption: sqs.QueueEncryption.SQS_MANAGED, visibilityTimeout: Duration.minutes(6 * 15), retentionPeriod: Duration.days(1),
      // Failed drafts come back after the worker's backoff (as the live changes do): ten receives span about an hour.
      deadLetterQueue: { queue: this.dlq, maxReceiveCount: 10 },
    });

    // Compaction requests, as the live site's: FIFO, one group, a burst of runs asks once.
    const compactions = queueWithDlq(this, 'Compactions', { fifo: true, visibilityTimeout: Duration.minutes(6 * 15) });
    this.compactionsDlq = compactions.dlq;

    const contentfulEnv = { CONTENTFUL_SPACE_ID: props.contentfulSpaceId, CONTENTFUL_ENVIRONMENT: props.contentfulEnvironment, CONTENTFUL_PREVIEW_TOKEN_SECRET_ARN: this.previewToken.secretArn };
    const previewEnv = { SITE_URL: props.siteUrl, SITE_BUCKET: this.bucket.bucketName, STATE_TABLE: this.stateTable.tableName, ...(props.checkoutUrl ? { CHECKOUT_URL: props.checkoutUrl } : {}), ...(props.markets ? { MARKETS: JSON.stringify(props.markets) } : {}) };
    this.builds = new Builds(this, 'Builds', {
      stage: props.stage, site: 'preview', bucket: this.bucket, table: props.table, stateTable: this.stateTable, contentToken: this.previewToken,
      siteEnv: { ...previewEnv, PRODUCTS_TABLE: props.table.tableName }, contentfulEnv, storeMemoryMb: props.workerMemoryMb, ...common,
    });
    const worker = new RestaticFunction(this, 'Worker', {
      ...common, entry: 'functions/rebuild/preview-worker-handler.ts', description: 'Preview worker: drafts → the preview bucket', serviceName: 'restatic-preview',
      memorySize: props.workerMemoryMb, nodeOptions: heapOptions(props.workerMemoryMb), timeout: Duration.minutes(15), environment: { ...previewEnv, ...contentfulEnv, PRODUCTS_TABLE: props.table.tableName, COMPACTION_QUEUE_URL: compactions.queue.queueUrl, PREVIEW_QUEUE_URL: this.queue.queueUrl, BUILD_STATE_MACHINE_ARN: this.builds.stateMachine.stateMachineArn },
      nodeModules: ['@11ty/eleventy', 'nunjucks'], copy: [['site', 'site']],
      // One run at a time: the preview's commits never race (they would be refused and redone).
      reservedConcurrency: 1,
    });
    const open = new RestaticFunction(this, 'Open', {
      ...common, entry: 'functions/preview/open-handler.ts', description: 'Preview: /_preview/open lands on the page showing an entry', serviceName: 'restatic-preview-open',
      memorySize: 512, timeout: Duration.seconds(10), environment: { ...previewEnv, ...contentfulEnv },
    });
    const key = new RestaticFunction(this, 'Key', {
      ...common, entry: 'functions/preview/key-handler.ts', description: 'Preview: the token key into the KeyValueStore (deploy time)', serviceName: 'restatic-preview-key',
      memorySize: 256, timeout: Duration.minutes(1), environment: { PREVIEW_KEY_SECRET_ARN: this.keySecret.secretArn, PREVIEW_KVS_ARN: this.keys.keyValueStoreArn },
      // The KeyValueStore client signs with SigV4A, which the runtime's SDK may lack: bundle the SDK.
      bundleAwsSdk: true,
    });
    const compact = compactorFunction(this, {
      ...common, bucket: this.bucket, stateTable: this.stateTable, queue: compactions.queue, storeMemoryMb: props.workerMemoryMb,
      description: 'Preview compactor: folds the preview state and manifest segments into their shards', serviceName: 'restatic-preview-compact',
    });
    this.functions = { worker, open, key, compact };

    this.bucket.grantReadWrite(worker.fn);
    props.table.grantReadData(worker.fn);
    this.stateTable.grantReadWriteData(worker.fn);
    this.bucket.grantRead(open.fn, '_restatic/*');
    this.stateTable.grantReadData(open.fn);
    for (const f of [worker, open]) this.previewToken.grantRead(f.fn);
    this.keySecret.grantRead(key.fn);
    key.fn.addToRolePolicy(new iam.PolicyStatement({
      actions: ['cloudfront-keyvaluestore:DescribeKeyValueStore', 'cloudfront-keyvaluestore:ListKeys', 'cloudfront-keyvaluestore:UpdateKeys'],
      resources: [this.keys.keyValueStoreArn],
    }));
    compactions.queue.grantSendMessages(worker.fn);
    this.builds.grantRun(worker.fn);
    worker.fn.addEventSource(new SqsEventSource(this.queue, { batchSize: 10, maxBatchingWindow: Duration.seconds(1), reportBatchItemFailures: true }));
    // Its one environment (reserved concurrency 1, for one run at a time) would go cold between
    // edits, and the next draft would wait for the whole preview to be read.
    keepWarm(this, worker.fn, `Restatic ${props.stage}: keep the preview worker warm`);

    this.keyProvider = new cr.Provider(this, 'KeyProvider', { onEventHandler: key.fn });
    new CustomResource(this, 'KeyInStore', { serviceToken: this.keyProvider.serviceToken, properties: { Secret: this.keySecret.secretArn, Store: this.keys.keyValueStoreArn }, resourceType: 'Custom::RestaticPreviewKey' });

    const viewerRequest = new cloudfront.Function(this, 'ViewerRequest', {
      code: cloudfront.FunctionCode.fromInline(readFileSync(join(import.meta.dirname, 'preview-viewer-request.js'), 'utf8')),
      runtime: cloudfront.FunctionRuntime.JS_2_0, keyValueStore: this.keys, comment: 'Preview: signed, expiring tokens; index mapping',
    });
    const headers = new cloudfront.ResponseHeadersPolicy(this, 'Headers', {
      comment: 'Restatic preview: private, never indexed',
      customHeadersBehavior: { customHeaders: [{ header: 'X-Robots-Tag', value: 'noindex, nofollow', override: true }, { header: 'Cache-Control', value: 'private, no-store', override: true }] },
      securityHeadersBehavior: {
        strictTransportSecurity: { accessControlMaxAge: Duration.days(730), includeSubdomains: true, override: true },
        contentSecurityPolicy: { contentSecurityPolicy: CONTENT_SECURITY_POLICY, override: true },
        contentTypeOptions: { override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.SAME_ORIGIN, override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
      },
    });
    const functionAssociations = [{ function: viewerRequest, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }];
    const openUrl = open.fn.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.AWS_IAM });
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'Restatic preview (private)',
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      enableLogging: true, logBucket: props.logs, logFilePrefix: 'cloudfront-preview/',
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS, allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        compress: true, cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED, responseHeadersPolicy: headers, functionAssociations,
      },
      additionalBehaviors: {
        '/_preview/open': {
          origin: origins.FunctionUrlOrigin.withOriginAccessControl(openUrl),
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS, allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
          cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED, originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          responseHeadersPolicy: headers, functionAssociations,
        },
      },
      errorResponses: [403, 404].map((httpStatus) => ({ httpStatus, responseHttpStatus: 404, responsePagePath: '/404.html', ttl: Duration.seconds(0) })),
    });
    // The preview worker's state lives under _restatic/ in the preview bucket: never served.
    this.bucket.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'DenyPipelineStateToCloudFront', effect: iam.Effect.DENY, principals: [new iam.ServicePrincipal('cloudfront.amazonaws.com')],
      actions: ['s3:GetObject'], resources: [this.bucket.arnForObjects('_restatic/*')],
    }));
  }
}
