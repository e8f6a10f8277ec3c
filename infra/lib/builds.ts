/**
 * Full builds fanned out over Lambdas: a Step Functions state machine runs the plan function once
 * (read everything, model the site, write the shards of page specs to the bucket), a Distributed
 * Map of shard functions (each renders and uploads about 500 pages, up to `maxConcurrency` at
 * once), then the commit function once (sitemaps, prune, one invalidation, manifest, state).
 * Started by the rebuild worker, which waits for it, so a full build never interleaves with a
 * targeted run (functions/shared/adapters/step-functions-builds.ts). The live site and the preview
 * each have one, over their own bucket and state table.
 */
import { ArnFormat, Duration, Stack, type RemovalPolicy } from 'aws-cdk-lib';
import type * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secrets from 'aws-cdk-lib/aws-secretsmanager';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { RestaticFunction } from './functions.js';
import { heapOptions } from './worker-memory.js';

/** The build steps' memory (MB) at least. */
const BUILD_STEP_MEMORY_MB = { plan: 4096, shard: 2048, commit: 4096 } as const;

/**
 * Each build step's memory for a store whose functions that hold it need `storeMemoryMb`: the plan
 * and the commit hold about what a warm worker does; a shard holds its 500 pages. The bench's
 * `fan-out-step` row measures each step's peak against it.
 */
export function buildStepMemory(storeMemoryMb: number): Record<'plan' | 'shard' | 'commit', number> {
  return { plan: Math.max(BUILD_STEP_MEMORY_MB.plan, storeMemoryMb), shard: BUILD_STEP_MEMORY_MB.shard, commit: Math.max(BUILD_STEP_MEMORY_MB.commit, storeMemoryMb) };
}

export interface BuildsProps {
  stage: string;
  /**
   * The storefront (`live`: the Delivery API; the commit invalidates `distribution`), or the
   * preview of drafts (`preview`: the Preview API, noindex pages; its distribution caches nothing).
   */
  site: 'live' | 'preview';
  bucket: s3.Bucket;
  /** The storefront's distribution, which the commit invalidates (the live site only). */
  distribution?: cloudfront.Distribution;
  table: dynamodb.ITable;
  stateTable: dynamodb.ITable;
  /** The Contentful token the plan reads content with (Delivery API, or Preview API for the preview). */
  contentToken: secrets.ISecret;
  siteEnv: Record<string, string>;
  contentfulEnv: Record<string, string>;
  /** Shard functions rendering at once. S3 takes 3,500 PUTs/s per prefix; 100 shards stay well below it. @default 100 */
  maxConcurrency?: number;
  removalPolicy: RemovalPolicy;
  logRetention: logs.RetentionDays;
  /**
   * What a function holding the whole store needs (`worker-memory.ts`): the plan and the commit hold
   * about what a warm worker does (720 MB of live heap at 100,000 products, two markets), so they
   * get at least that, and never less than their floor.
   */
  storeMemoryMb: number;
}

/** Errors a step may succeed on when tried again: Lambda's own, and ours flagged retryable (read-after-write, throttling). */
const TRANSIENT = ['Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException', 'ObjectStoreError', 'States.Timeout'];

export class Builds extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly stateMachineName: string;
  readonly functions: Record<'plan' | 'shard' | 'commit', RestaticFunction>;

  constructor(scope: Construct, id: string, props: BuildsProps) {
    super(scope, id);
    const { bucket } = props;
    const preview = props.site === 'preview';
    if (!preview && !props.distribution) throw new Error('Expected the live site\'s builds to be given the distribution their commit invalidates, got none');
    // The steps' handlers build the site SITE_KIND names (functions/compose/config.ts).
    const kind = { SITE_KIND: props.site };
    const name = preview ? 'preview-build' : 'full-build';
    const service = preview ? 'restatic-preview-build' : 'restatic-build';
    const what = preview ? 'Preview full build' : 'Full build';
    const memory = buildStepMemory(props.storeMemoryMb);
    const common = { logRetention: props.logRetention, removalPolicy: props.removalPolicy };
    // Shards and the commit render: Eleventy is installed next to their bundles, with the site.
    const eleventy = { nodeModules: ['@11ty/eleventy', 'nunjucks'], copy: [['site', 'site']] as Array<[string, string]> };
    // The plan renders nothing; it reads the stylesheet it publishes from the site's files.
    const plan = new RestaticFunction(this, 'Plan', {
      ...common, copy: [['site/assets', 'site/assets'], ['site/pages.11ty.js', 'site/pages.11ty.js']], entry: 'functions/build/plan-handler.ts', description: `${what}, step 1: read everything, model the site, write the shards`, serviceName: `${service}-plan`,
      memorySize: memory.plan, nodeOptions: heapOptions(memory.plan), timeout: Duration.minutes(15), environment: { ...props.siteEnv, ...props.contentfulEnv, ...kind, STATE_TABLE: props.stateTable.tableName },
    });
    const shard = new RestaticFunction(this, 'Shard', {
      ...common, ...eleventy, entry: 'functions/build/shard-handler.ts', description: `${what}, step 2: render and upload one shard of pages`, serviceName: `${service}-shard`,
      memorySize: memory.shard, timeout: Duration.minutes(5), environment: { ...kind, SITE_BUCKET: bucket.bucketName, STATE_TABLE: props.stateTable.tableName },
    });
    const commit = new RestaticFunction(this, 'Commit', {
      ...common, ...eleventy, entry: 'functions/build/commit-handler.ts', description: `${what}, step 3: sitemaps, prune, ${preview ? 'no invalidation (nothing cached)' : 'one invalidation'}, commit`, serviceName: `${service}-commit`,
      memorySize: memory.commit, nodeOptions: heapOptions(memory.commit), timeout: Duration.minutes(15),
      environment: { ...kind, SITE_BUCKET: bucket.bucketName, STATE_TABLE: props.stateTable.tableName, ...(props.distribution ? { DISTRIBUTION_ID: props.distribution.distributionId } : {}) },
    });
    this.functions = { plan, shard, commit };

    // Grants: the plan reads the catalog and content and writes assets and the build's records;
    // shards write pages; only the commit deletes what the site stopped producing and invalidates.
    props.table.grantReadData(plan.fn);
    // The state and manifest commit points: the plan and shards read them, only the commit swaps them.
    props.stateTable.grantReadData(plan.fn);
    props.stateTable.grantReadData(shard.fn);
    props.stateTable.grantReadWriteData(commit.fn);
    props.contentToken.grantRead(plan.fn);
    bucket.grantReadWrite(plan.fn);
    bucket.grantRead(shard.fn);
    bucket.grantPut(shard.fn);
    bucket.grantReadWrite(commit.fn);
    props.distribution?.grantCreateInvalidation(commit.fn);

    const invoke = (name: string, fn: RestaticFunction, payload?: sfn.TaskInput) => {
      // Our retry policy only (the default one would retry Lambda's errors a second time over).
      const task = new tasks.LambdaInvoke(this, name, { lambdaFunction: fn.fn, payloadResponseOnly: true, retryOnServiceExceptions: false, ...(payload ? { payload } : {}) });
      task.addRetry({ errors: TRANSIENT, interval: Duration.seconds(2), backoffRate: 2, maxAttempts: 4, jitterStrategy: sfn.JitterType.FULL });
      return task;
    };
    const shards = sfn.DistributedMap.jsonPath(this, 'Shards', {
      itemsPath: sfn.JsonPath.stringAt('$.shards'),
      itemSelector: { 'buildId.$': '$.buildId', 'shard.$': '$$.Map.Item.Value' },
      maxConcurrency: props.maxConcurrency ?? 100,
      // Shard outputs are not needed (their results are in the bucket): the state stays small.
      resultPath: sfn.JsonPath.DISCARD,
      label: 'Shards',
    });
    shards.itemProcessor(invoke('RenderShard', shard));
    const definition = invoke('PlanBuild', plan)
      .next(shards)
      .next(invoke('CommitBuild', commit, sfn.TaskInput.fromObject({ 'buildId.$': '$.buildId' })));

    const logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention, removalPolicy: props.removalPolicy });
    this.stateMachineName = `restatic-${props.stage}-${name}`;
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: this.stateMachineName,
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      stateMachineType: sfn.StateMachineType.STANDARD,
      timeout: Duration.hours(2),
      tracingEnabled: true,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
  }

  /** Lets `grantee` start builds and follow them (executions, and the map run's item counts). */
  grantRun(grantee: iam.IGrantable): void {
    this.stateMachine.grantStartExecution(grantee);
    const stack = Stack.of(this);
    const name = this.stateMachineName;
    grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['states:ListExecutions'], resources: [this.stateMachine.stateMachineArn] }));
    grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['states:DescribeExecution', 'states:ListMapRuns', 'states:DescribeMapRun'],
      resources: [
        stack.formatArn({ service: 'states', resource: 'execution', resourceName: `${name}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
        stack.formatArn({ service: 'states', resource: 'mapRun', resourceName: `${name}/*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
      ],
    }));
  }
}
