/**
 * The CDK stack, synthesized in-process with every function bundled by esbuild: key properties,
 * least privilege, cdk-nag (AwsSolutions) with no unacknowledged errors, a normalised template
 * snapshot, and the bundle sizes. Also: every workflow file validates.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Aspects } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { validateWorkflow } from '@action-validator/core';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { suppressReviewedFindings } from '../../infra/lib/nag.js';
import { RestaticStack } from '../../infra/lib/stack.js';
import { DEFAULT_CATALOG_PRODUCTS, workerMemory } from '../../infra/lib/worker-memory.js';
import { DEMO_MARKETS } from '../../functions/shared/markets/markets.js';
import { buildRequestEnvelope, type ChangeEnvelope } from '../../functions/shared/changes/envelope.js';
import { usableEnvelopes } from '../../functions/rebuild/stages/fence.js';
import { WARM_PING } from '../../functions/rebuild/warm-start.js';

type Resource = { Type: string; Properties?: Record<string, unknown> };
let app: App;
let stack: RestaticStack;
let template: Template;
let resources: Record<string, Resource>;
const of = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

beforeAll(() => {
  app = new App({ outdir: mkdtempSync(join(tmpdir(), 'restatic-cdk-')) });
  stack = new RestaticStack(app, 'Restatic-test', { stage: 'test', contentfulSpaceId: 'space', contentfulEnvironment: 'master', pdfImageHosts: ['cdn.example.com', 'media.example.net'] });
  suppressReviewedFindings(stack);
  Aspects.of(app).add(new AwsSolutionsChecks());
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources as Record<string, Resource>;
}, 240_000);

describe('site', () => {
  it('keeps the bucket private, encrypted, versioned, TLS-only, with old versions expiring', () => {
    const [, bucket] = of('AWS::S3::Bucket').find(([id]) => id.startsWith('SiteBucket'))!;
    expect(bucket.Properties).toMatchObject({
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      VersioningConfiguration: { Status: 'Enabled' },
      LifecycleConfiguration: { Rules: expect.arrayContaining([expect.objectContaining({ NoncurrentVersionExpiration: expect.objectContaining({ NoncurrentDays: 30 }) })]) },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: Match.stringLikeRegexp('^SiteBucket') },
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  it('never lets CloudFront read the pipeline state under _restatic/ (the local edge answers 404 for it too)', () => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: Match.stringLikeRegexp('^SiteBucket') },
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({
        Effect: 'Deny', Principal: { Service: 'cloudfront.amazonaws.com' }, Action: 's3:GetObject',
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^SiteBucket'), 'Arn'] }, '/_restatic/*']] },
      })]) },
    });
  });

  it('serves through CloudFront with OAC, HTTP/2+3, compression, security headers, the viewer function and the 404 page', () => {
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        HttpVersion: 'http2and3',
        Origins: Match.arrayWith([Match.objectLike({ OriginAccessControlId: Match.anyValue(), S3OriginConfig: { OriginAccessIdentity: '' } })]),
        DefaultCacheBehavior: Match.objectLike({ Compress: true, ViewerProtocolPolicy: 'redirect-to-https', FunctionAssociations: [Match.objectLike({ EventType: 'viewer-request' })] }),
        CustomErrorResponses: Match.arrayWith([Match.objectLike({ ErrorCode: 404, ResponseCode: 404, ResponsePagePath: '/404.html' })]),
      }),
    });
    template.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: Match.objectLike({
        SecurityHeadersConfig: Match.objectLike({
          StrictTransportSecurity: Match.objectLike({ AccessControlMaxAgeSec: 730 * 86400 }),
          ContentSecurityPolicy: Match.objectLike({ ContentSecurityPolicy: Match.stringLikeRegexp("default-src 'self'") }),
          ContentTypeOptions: Match.anyValue(), ReferrerPolicy: Match.anyValue(),
        }),
      }),
    });
    // The site's redirects and the preview's token key; OAC: the site bucket, the image function, the preview bucket and the preview's open function.
    template.resourceCountIs('AWS::CloudFront::KeyValueStore', 2);
    template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 4);
    template.hasResourceProperties('AWS::CloudFront::Function', { FunctionConfig: Match.objectLike({ Runtime: 'cloudfront-js-2.0', KeyValueStoreAssociations: Match.anyValue() }) });
  });
});

describe('pipeline', () => {
  it('runs nineteen functions on nodejs22.x/arm64, search and images on x86-64 (eight for events, schedules and compaction, one for pictures, three for full builds, four for the preview and three for its full builds), each with its own log group with retention', () => {
    const fns = of('AWS::Lambda::Function').filter(([, r]) => (r.Properties?.Runtime as string)?.startsWith('nodejs22'));
    expect(fns).toHaveLength(19);
    for (const [, fn] of fns) {
      // Pagefind's indexer and sharp's libvips are native; the x86-64 builds are what npm installs on the build host.
      const architecture = ['Search index (Pagefind) of the live site', 'Pictures resized at the edge on first request'].includes(fn.Properties?.Description as string) ? 'x86_64' : 'arm64';
      expect(fn.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: [architecture], LoggingConfig: { LogGroup: expect.anything(), LogFormat: 'JSON' } });
      expect((fn.Properties!.Environment as { Variables: Record<string, string> }).Variables.NODE_OPTIONS).toContain('--enable-source-maps');
    }
    for (const [, group] of of('AWS::Logs::LogGroup')) expect(group.Properties?.RetentionInDays).toBeGreaterThan(0);
  });

  it('sizes the live and preview rebuild workers\' memory to the store they hold (100,000 products in two markets when not told)', () => {
    const expected = workerMemory({ products: DEFAULT_CATALOG_PRODUCTS, markets: DEMO_MARKETS.length }).memoryMb;
    const nodeOptions = (fn: Resource) => (fn.Properties!.Environment as { Variables: Record<string, string> }).Variables.NODE_OPTIONS;
    for (const prefix of ['PipelineWorkerFn', 'PreviewWorkerFn']) {
      const [, fn] = of('AWS::Lambda::Function').find(([id]) => id.startsWith(prefix))!;
      expect(fn.Properties?.MemorySize, prefix).toBe(expected);
      // V8 would otherwise stop the heap at about half the function's memory.
      expect(nodeOptions(fn), prefix).toContain(`--max-old-space-size=${expected - 512}`);
    }
    // The builds' plans and commits hold the whole store too.
    for (const prefix of ['PipelineBuildsPlanFn', 'PipelineBuildsCommitFn', 'PreviewBuildsPlanFn', 'PreviewBuildsCommitFn']) {
      const [, fn] = of('AWS::Lambda::Function').find(([id]) => id.startsWith(prefix))!;
      expect(nodeOptions(fn), prefix).toContain(`--max-old-space-size=${(fn.Properties?.MemorySize as number) - 512}`);
    }
  });

  it('sizes every function that holds the whole store to a larger store (400,000 products): workers, plan, commit, compactors, search', () => {
    // Prepare: the same stack for a larger store, its assets not bundled (only the sizes matter here)
    const larger = new App({ outdir: mkdtempSync(join(tmpdir(), 'restatic-cdk-')), context: { 'aws:cdk:bundling-stacks': [] } });
    const resources = Template.fromStack(new RestaticStack(larger, 'Restatic-large', { stage: 'large', contentfulSpaceId: 'space', contentfulEnvironment: 'master', catalogProducts: 400_000 })).toJSON().Resources as Record<string, Resource>;
    const fn = (prefix: string) => Object.entries(resources).find(([id, r]) => r.Type === 'AWS::Lambda::Function' && id.startsWith(prefix))![1];
    const expected = workerMemory({ products: 400_000, markets: DEMO_MARKETS.length }).memoryMb;
    // Assess
    expect(expected).toBeGreaterThan(4096);
    for (const prefix of ['PipelineWorkerFn', 'PreviewWorkerFn', 'PipelineBuildsPlanFn', 'PipelineBuildsCommitFn', 'PreviewBuildsPlanFn', 'PreviewBuildsCommitFn', 'PipelineCompactFn', 'PreviewCompactFn']) {
      expect(fn(prefix).Properties?.MemorySize, prefix).toBe(expected);
      expect((fn(prefix).Properties!.Environment as { Variables: Record<string, string> }).Variables.NODE_OPTIONS, prefix).toContain(`--max-old-space-size=${expected - 512}`);
    }
    // The search refresh reads the whole live state; its heap is left to V8, Pagefind's indexer runs beside it.
    expect(fn('PipelineSearchFn').Properties?.MemorySize).toBe(expected);
    // What does not hold the store keeps its size.
    expect(fn('PipelineBuildsShardFn').Properties?.MemorySize).toBe(2048);
    expect(fn('PreviewBuildsShardFn').Properties?.MemorySize).toBe(2048);
  });

  it('keeps the live worker started ahead of changes in prod (an alias with provisioned concurrency that its queue invokes, reserved concurrency left for a deploy\'s next version), none elsewhere unless asked', () => {
    // Prepare: the prod stage, and a dev stage that asks for it, their assets not bundled
    const synth = (stage: string, warmWorker?: boolean) => {
      const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'restatic-cdk-')), context: { 'aws:cdk:bundling-stacks': [] } });
      return Template.fromStack(new RestaticStack(app, `Restatic-${stage}`, { stage, contentfulSpaceId: 'space', contentfulEnvironment: 'master', ...(warmWorker === undefined ? {} : { warmWorker }) })).toJSON().Resources as Record<string, Resource>;
    };
    const aliases = (resources: Record<string, Resource>) => Object.entries(resources).filter(([, r]) => r.Type === 'AWS::Lambda::Alias');
    const workerMappings = (resources: Record<string, Resource>, target: RegExp) => Object.values(resources).filter((r) => r.Type === 'AWS::Lambda::EventSourceMapping' && target.test(JSON.stringify(r.Properties?.FunctionName)));
    const reserved = (resources: Record<string, Resource>, prefix: string) => Object.entries(resources).find(([id, r]) => r.Type === 'AWS::Lambda::Function' && id.startsWith(prefix))![1].Properties?.ReservedConcurrentExecutions;
    // Act
    const prod = synth('prod');
    // Assess: one alias, on the live worker, with one provisioned environment
    const warm = aliases(prod);
    expect(warm.map(([id]) => id.replace(/Live[0-9A-F]{8}$/, ''))).toEqual(['PipelineWorker']);
    const [aliasId, alias] = warm[0]!;
    expect(alias.Properties).toMatchObject({ Name: 'live', ProvisionedConcurrencyConfig: { ProvisionedConcurrentExecutions: 1 } });
    // A deploy provisions the new version's environment before the old one's goes: provisioned equal to reserved would fail it.
    expect(reserved(prod, 'PipelineWorkerFn')).toBe(2);
    // The changes queue invokes the alias (the environment that read the live site while starting), never the bare function.
    expect(workerMappings(prod, new RegExp(`"Ref":"${aliasId}"`))).toHaveLength(1);
    expect(workerMappings(prod, /"Ref":"PipelineWorkerFn/)).toHaveLength(0);
    // Kept started, the live worker needs no ping; the preview's (its standard queue relies on
    // reserved concurrency 1 for one run at a time, so no provisioned concurrency) still has its own.
    expect(Object.keys(prod).filter((id) => /^(Pipeline|Preview)KeepWarm/.test(id) && prod[id]!.Type === 'AWS::Scheduler::Schedule').map((id) => id.replace(/[0-9A-F]{8}$/, ''))).toEqual(['PreviewKeepWarm']);
    expect(reserved(prod, 'PreviewWorkerFn')).toBe(1);
    // The test stage (not prod) keeps none unless asked, and its worker stays at one run at a time.
    expect(aliases(resources)).toEqual([]);
    expect(reserved(resources, 'PipelineWorkerFn')).toBe(1);
    expect(workerMappings(resources, /"Ref":"PipelineWorkerFn/)).toHaveLength(1);
    expect(aliases(synth('dev', true))).toHaveLength(1);
  });

  it('gives every queue a dead-letter queue, except the dead-letter queues themselves', () => {
    const queues = of('AWS::SQS::Queue');
    const dlqIds = new Set<string>();
    for (const [, q] of queues) {
      const target = (q.Properties?.RedrivePolicy as { deadLetterTargetArn?: { 'Fn::GetAtt': [string, string] } } | undefined)?.deadLetterTargetArn;
      if (target) dlqIds.add(target['Fn::GetAtt'][0]);
    }
    const destinations = JSON.stringify([...of('AWS::Lambda::EventSourceMapping'), ...of('AWS::Scheduler::Schedule')]);
    for (const [id, q] of queues) {
      const isDeadLetter = dlqIds.has(id) || destinations.includes(`"${id}"`);
      expect(isDeadLetter || q.Properties?.RedrivePolicy !== undefined, `queue ${id} has no dead-letter queue`).toBe(true);
    }
    const receives = (id: string) => (queues.find(([queueId]) => queueId === id)?.[1].Properties?.RedrivePolicy as { maxReceiveCount?: number } | undefined)?.maxReceiveCount;
    expect(queues.filter(([, q]) => (q.Properties?.RedrivePolicy as { maxReceiveCount?: number })?.maxReceiveCount === 5)).toHaveLength(4);
    // The workers give failed changes back after a backoff (seconds, not the 90-minute visibility timeout): ten receives span about an hour.
    expect(queues.filter(([id]) => /^(PipelineChanges|PreviewChanges)[0-9A-F]{8}$/.test(id)).map(([id]) => receives(id))).toEqual([10, 10]);
  });

  it('lets the live and preview workers give failed messages back to their own queue sooner (its URL, and ChangeMessageVisibility on it alone)', () => {
    for (const [prefix, variable, queue] of [['PipelineWorkerFn', 'CHANGES_QUEUE_URL', /^PipelineChanges[0-9A-F]{8}$/], ['PreviewWorkerFn', 'PREVIEW_QUEUE_URL', /^PreviewChanges[0-9A-F]{8}$/]] as const) {
      const [, fn] = of('AWS::Lambda::Function').find(([id]) => id.startsWith(prefix))!;
      expect((fn.Properties!.Environment as { Variables: Record<string, unknown> }).Variables[variable]).toEqual({ Ref: expect.stringMatching(queue) });
    }
  });

  it('reports batch item failures on every event source mapping; the stream bisects, retries boundedly and has an on-failure destination', () => {
    const mappings = of('AWS::Lambda::EventSourceMapping');
    expect(mappings).toHaveLength(7);
    for (const [, m] of mappings) expect(m.Properties?.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BisectBatchOnFunctionError: true, MaximumRetryAttempts: 5, MaximumRecordAgeInSeconds: 3600,
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } }, StartingPosition: 'TRIM_HORIZON',
    });
    template.hasResourceProperties('AWS::DynamoDB::Table', { StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' }, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } });
  });

  it('gives every SQS-fed function a queue visibility timeout of at least six times its timeout', () => {
    const sqsMappings = of('AWS::Lambda::EventSourceMapping').filter(([, m]) => resources[(m.Properties?.EventSourceArn as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0]]?.Type === 'AWS::SQS::Queue');
    expect(sqsMappings).toHaveLength(6);
    for (const [id, m] of sqsMappings) {
      const queue = resources[(m.Properties!.EventSourceArn as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0]]!;
      const fn = resources[(m.Properties!.FunctionName as { Ref: string }).Ref]!;
      expect(queue.Properties!.VisibilityTimeout as number, id).toBeGreaterThanOrEqual(6 * (fn.Properties!.Timeout as number));
    }
  });

  it('serialises rebuilds (FIFO queue, one worker) and compactions (FIFO queues, the live site\'s and the preview\'s), and coalesces the catalog PDF (delayed FIFO)', () => {
    const fifo = of('AWS::SQS::Queue').filter(([, q]) => q.Properties?.FifoQueue === true && q.Properties?.RedrivePolicy);
    expect(fifo).toHaveLength(4);
    expect(fifo.map(([, q]) => q.Properties?.DelaySeconds ?? 0).sort()).toEqual([0, 0, 0, 60]);
    const [, compact] = of('AWS::Lambda::Function').find(([id]) => id.startsWith('PipelineCompactFn'))!;
    const [, worker] = of('AWS::Lambda::Function').find(([id]) => id.startsWith('PipelineWorkerFn'))!;
    expect((worker.Properties!.Environment as { Variables: Record<string, unknown> }).Variables.COMPACTION_QUEUE_URL).toBeDefined();
    expect(compact.Properties!.Timeout).toBe(900);
    template.hasResourceProperties('AWS::Lambda::Function', { ReservedConcurrentExecutions: 1, Environment: { Variables: Match.objectLike({ REDIRECTS_KVS_ARN: Match.anyValue() }) } });
  });

  it('schedules feeds and reconciliation with retries and a dead-letter queue; the webhook route is throttled', () => {
    // (The workers' keep-warm pings, which are never retried, are held by their own test.)
    const schedules = of('AWS::Scheduler::Schedule').filter(([id]) => !/^(Pipeline|Preview)KeepWarm/.test(id));
    expect(schedules).toHaveLength(4);
    for (const [, s] of schedules) expect(s.Properties?.Target).toMatchObject({ RetryPolicy: { MaximumRetryAttempts: 3 }, DeadLetterConfig: { Arn: expect.anything() } });
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'POST /_hooks/contentful' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', { DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 }, AccessLogSettings: Match.anyValue() });
  });

  it('runs each market\'s feeds on its own schedule, side by side (one run per market at a time)', () => {
    // Prepare
    const [feedsId, feeds] = of('AWS::Lambda::Function').find(([, f]) => f.Properties?.Description === 'Google Shopping feeds (scheduled)')!;
    const targets = of('AWS::Scheduler::Schedule').map(([, s]) => s.Properties!.Target as { Arn: unknown; Input?: string }).filter((t) => JSON.stringify(t.Arn).includes(feedsId));
    // Assess
    expect(targets.map((t) => JSON.parse(t.Input ?? 'null') as unknown)).toEqual([{ market: 'us' }, { market: 'de' }]);
    expect(feeds.Properties?.ReservedConcurrentExecutions).toBe(2);
  });

  it('refreshes the search index every minute from an x86-64 function (Pagefind\'s binary) that writes only its own prefixes', () => {
    // Prepare
    const [searchId, search] = of('AWS::Lambda::Function').find(([, f]) => f.Properties?.Description === 'Search index (Pagefind) of the live site')!;
    const schedule = of('AWS::Scheduler::Schedule').find(([, s]) => JSON.stringify((s.Properties!.Target as { Arn: unknown }).Arn).includes(searchId));
    const role = JSON.stringify(search.Properties?.Role);
    const writes = of('AWS::IAM::Policy').filter(([, p]) => JSON.stringify(p.Properties?.Roles).includes(JSON.parse(role).Ref ?? JSON.parse(role)['Fn::GetAtt']?.[0]))
      .flatMap(([, p]) => (p.Properties!.PolicyDocument as { Statement: Array<{ Action: string | string[]; Resource: unknown }> }).Statement)
      .filter((st) => [st.Action].flat().some((a) => a.startsWith('s3:PutObject') || a.startsWith('s3:DeleteObject')));
    // Assess
    expect(search.Properties).toMatchObject({ Architectures: ['x86_64'], ReservedConcurrentExecutions: 1 });
    expect(schedule?.[1].Properties).toMatchObject({ ScheduleExpression: 'rate(1 minute)' });
    expect(writes.length).toBeGreaterThan(0);
    for (const st of writes) expect(JSON.stringify(st.Resource)).toMatch(/\/(pagefind|_restatic\/search)\/\*/);
  });

  it('resizes pictures in an x86-64 function (sharp) behind /_img/* on the site distribution, through Origin Access Control, reading only the site\'s pictures', () => {
    // Prepare
    const [imagesId, images] = of('AWS::Lambda::Function').find(([, f]) => f.Properties?.Description === 'Pictures resized at the edge on first request')!;
    const role = JSON.parse(JSON.stringify(images.Properties?.Role)) as { 'Fn::GetAtt': [string, string] };
    const statements = of('AWS::IAM::Policy').filter(([, p]) => JSON.stringify(p.Properties?.Roles).includes(role['Fn::GetAtt'][0]))
      .flatMap(([, p]) => (p.Properties!.PolicyDocument as { Statement: Array<{ Action: string | string[]; Resource: unknown }> }).Statement)
      .filter((st) => [st.Action].flat().some((a) => a.startsWith('s3:')));
    const [, url] = of('AWS::Lambda::Url').find(([, u]) => JSON.stringify(u.Properties?.TargetFunctionArn).includes(imagesId))!;
    const distribution = of('AWS::CloudFront::Distribution').find(([id]) => id.startsWith('SiteDistribution'))![1];
    const behaviors = (distribution.Properties!.DistributionConfig as { CacheBehaviors: Array<Record<string, unknown>> }).CacheBehaviors;
    // Assess
    expect(images.Properties).toMatchObject({ Architectures: ['x86_64'], ReservedConcurrentExecutions: 20 });
    expect(url.Properties).toMatchObject({ AuthType: 'AWS_IAM' });
    expect(behaviors).toEqual(expect.arrayContaining([expect.objectContaining({ PathPattern: '/_img/*', AllowedMethods: ['GET', 'HEAD'], ViewerProtocolPolicy: 'redirect-to-https', Compress: false })]));
    expect(of('AWS::CloudFront::OriginAccessControl').some(([, o]) => (o.Properties!.OriginAccessControlConfig as { OriginAccessControlOriginType: string }).OriginAccessControlOriginType === 'lambda')).toBe(true);
    expect(statements.length).toBeGreaterThan(0);
    for (const st of statements) {
      expect([st.Action].flat().every((a) => a.startsWith('s3:GetObject') || a.startsWith('s3:List') || a === 's3:GetBucket*')).toBe(true);
      expect(JSON.stringify(st.Resource)).not.toMatch(/"\/\*"|_restatic/);
      expect(JSON.stringify(st.Resource)).toMatch(/\/assets\/\*"|"Fn::GetAtt":\["SiteBucket[0-9A-F]+","Arn"\]\}$/);
    }
  });

  it('lets the worker keep one-time schedules for time instants, in their own group, sending to the changes queue only', () => {
    // Prepare
    const [, worker] = of('AWS::Lambda::Function').find(([, f]) => f.Properties?.Description === 'Rebuild worker: affected pages → S3 → invalidation')!;
    const variables = (worker.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
    const statements = of('AWS::IAM::Policy').flatMap(([, p]) => (p.Properties!.PolicyDocument as { Statement: Array<{ Action: string | string[]; Resource: unknown }> }).Statement);
    const [roleId] = of('AWS::IAM::Role').find(([, r]) => JSON.stringify(r.Properties?.AssumeRolePolicyDocument).includes('scheduler.amazonaws.com') && JSON.stringify(r.Properties?.Description ?? '').includes('Time envelopes'))!;
    // Assess: the group, the worker's knobs, its grants, and Scheduler's FIFO requirement
    template.hasResourceProperties('AWS::Scheduler::ScheduleGroup', { Name: 'restatic-test-instants' });
    expect(Object.keys(variables)).toEqual(expect.arrayContaining(['SCHEDULE_GROUP', 'CHANGES_QUEUE_ARN', 'SCHEDULER_ROLE_ARN']));
    // Poison changes go straight to the changes queue's dead letters (not back into the FIFO group).
    const dlqRef = (variables.CHANGES_DLQ_URL as { Ref: string }).Ref;
    expect(dlqRef).toMatch(/ChangesDlq/);
    expect(statements.some((st) => [st.Action].flat().includes('sqs:SendMessage') && JSON.stringify(st.Resource).includes(dlqRef))).toBe(true);
    const scheduleWrites = statements.filter((st) => [st.Action].flat().some((a) => a === 'scheduler:CreateSchedule' || a === 'scheduler:DeleteSchedule'));
    expect(scheduleWrites.length).toBeGreaterThan(0);
    for (const st of scheduleWrites) expect(JSON.stringify(st.Resource)).toContain(':schedule/restatic-test-instants/*');
    expect(statements.some((st) => [st.Action].flat().includes('iam:PassRole') && JSON.stringify(st.Resource).includes(roleId))).toBe(true);
    template.hasResourceProperties('AWS::SQS::Queue', { FifoQueue: true, ContentBasedDeduplication: true, RedrivePolicy: Match.anyValue() });
  });

  it('fans full builds out: plan, a Distributed Map of shard functions, commit; the worker starts and follows them', () => {
    const [, machine] = of('AWS::StepFunctions::StateMachine').find(([id]) => id.startsWith('PipelineBuildsStateMachine'))!;
    const definition = JSON.stringify(machine.Properties!.DefinitionString);
    expect(definition).toMatch(/StartAt\\":\\"PlanBuild/);
    expect(definition).toMatch(/\\"Mode\\":\\"DISTRIBUTED\\"/);
    expect(definition).toMatch(/\\"MaxConcurrency\\":100/);
    expect(definition).toMatch(/\\"ItemsPath\\":\\"\$\.shards\\"/);
    expect(machine.Properties).toMatchObject({ TracingConfiguration: { Enabled: true }, LoggingConfiguration: { Level: 'ALL' } });
    const [, worker] = of('AWS::Lambda::Function').find(([id]) => id.startsWith('PipelineWorkerFn'))!;
    expect((worker.Properties!.Environment as { Variables: Record<string, unknown> }).Variables.BUILD_STATE_MACHINE_ARN).toEqual({ Ref: expect.stringMatching(/^PipelineBuildsStateMachine/) });
    const statements = (prefix: string) => of('AWS::IAM::Policy').filter(([id]) => id.startsWith(prefix))
      .flatMap(([, p]) => (p.Properties!.PolicyDocument as { Statement: Array<{ Action: string | string[] }> }).Statement).flatMap((st) => [st.Action].flat());
    // Shards write pages; they neither delete nor invalidate (only the commit does).
    expect(statements('PipelineBuildsShard')).not.toContain('cloudfront:CreateInvalidation');
    expect(statements('PipelineBuildsShard').some((a) => a.startsWith('s3:DeleteObject'))).toBe(false);
    expect(statements('PipelineBuildsCommit')).toContain('cloudfront:CreateInvalidation');
    expect(statements('PipelineWorkerRole')).toEqual(expect.arrayContaining(['states:StartExecution', 'states:DescribeExecution', 'states:ListExecutions', 'states:DescribeMapRun']));
  });

  it('pings the workers not kept started every five minutes to keep their one environment warm, never retrying a ping that finds one busy', () => {
    for (const [owner, prefix] of [['Pipeline', 'PipelineWorkerFn'], ['Preview', 'PreviewWorkerFn']] as const) {
      // Prepare
      const [workerId] = of('AWS::Lambda::Function').find(([id]) => id.startsWith(prefix))!;
      // Act
      const pings = of('AWS::Scheduler::Schedule').filter(([id]) => id.startsWith(`${owner}KeepWarm`));
      // Assess
      expect(pings, owner).toHaveLength(1);
      expect(pings[0]![1].Properties, owner).toMatchObject({
        ScheduleExpression: 'rate(5 minutes)',
        Target: { Arn: { 'Fn::GetAtt': [workerId, 'Arn'] }, Input: JSON.stringify(WARM_PING), RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 } },
      });
    }
  });

  it('fans the preview\'s full builds out too: a state machine of its own over the preview bucket and state table, drafts from the Preview API, nothing invalidated', () => {
    // Prepare
    const [machineId, machine] = of('AWS::StepFunctions::StateMachine').find(([id]) => id.startsWith('PreviewBuildsStateMachine'))!;
    const [previewBucketId] = of('AWS::S3::Bucket').find(([id]) => id.startsWith('PreviewBucket'))!;
    const [previewStateId] = of('AWS::DynamoDB::Table').find(([id]) => id.startsWith('PreviewState'))!;
    const variables = (prefix: string) => (of('AWS::Lambda::Function').find(([id]) => id.startsWith(prefix))![1].Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
    const policy = (prefix: string) => JSON.stringify(of('AWS::IAM::Policy').filter(([id]) => id.startsWith(prefix)).map(([, p]) => p.Properties!.PolicyDocument));
    // Assess: its own machine, named apart from the live site's, with the same plan → shards → commit
    expect(machine.Properties).toMatchObject({ StateMachineName: 'restatic-test-preview-build' });
    expect(JSON.stringify(machine.Properties!.DefinitionString)).toMatch(/\\"Mode\\":\\"DISTRIBUTED\\"/);
    expect(variables('PreviewWorkerFn').BUILD_STATE_MACHINE_ARN).toEqual({ Ref: machineId });
    expect(policy('PreviewWorkerRole')).toContain('states:StartExecution');
    // Every step builds the preview (SITE_KIND), over the preview's bucket and state table
    for (const step of ['Plan', 'Shard', 'Commit']) {
      // (SITE_KIND also names each step's log service, restatic-preview-build-*.)
      expect(variables(`PreviewBuilds${step}Fn`), step).toMatchObject({ SITE_KIND: 'preview', SITE_BUCKET: { Ref: previewBucketId }, STATE_TABLE: { Ref: previewStateId }, POWERTOOLS_SERVICE_NAME: `restatic-preview-build-${step.toLowerCase()}` });
      expect(policy(`PreviewBuilds${step}Role`), step).not.toMatch(/SiteBucket|PipelineState/);
    }
    expect(variables('PreviewBuildsPlanFn')).toMatchObject({ SITE_KIND: 'preview', CONTENTFUL_PREVIEW_TOKEN_SECRET_ARN: { Ref: expect.stringMatching(/^PreviewContentfulPreviewToken/) } });
    expect(variables('PreviewBuildsPlanFn').CONTENTFUL_DELIVERY_TOKEN_SECRET_ARN).toBeUndefined();
    expect(variables('PreviewBuildsCommitFn')).toMatchObject({ SITE_KIND: 'preview' });
    expect(variables('PreviewBuildsCommitFn').DISTRIBUTION_ID).toBeUndefined();
    expect(policy('PreviewBuildsCommitRole')).not.toContain('cloudfront:CreateInvalidation');
    // The live site's steps build the storefront
    expect(variables('PipelineBuildsPlanFn')).toMatchObject({ SITE_KIND: 'live' });
  });

  it('commits the state and manifest through a state table (on demand, PITR, encrypted) that only the worker, the compactor and the build commit may write', () => {
    const [stateId, table] = of('AWS::DynamoDB::Table').find(([id]) => id.startsWith('PipelineState'))!;
    expect(table.Properties).toMatchObject({
      KeySchema: [{ AttributeName: 'document', KeyType: 'HASH' }], BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true }, SSESpecification: { SSEEnabled: true },
    });
    const writers = of('AWS::IAM::Policy').filter(([, p]) => (p.Properties!.PolicyDocument as { Statement: Array<{ Action: string | string[]; Resource: unknown }> }).Statement
      .some((st) => [st.Action].flat().includes('dynamodb:PutItem') && JSON.stringify(st.Resource).includes(stateId))).map(([id]) => id.replace(/[0-9A-F]{8}$/, ''));
    expect(writers.sort()).toEqual(['PipelineBuildsCommitRoleDefaultPolicy', 'PipelineCompactRoleDefaultPolicy', 'PipelineWorkerRoleDefaultPolicy']);
    for (const prefix of ['PipelineWorkerFn', 'PipelineCompactFn', 'PipelineReconcileFn', 'PipelineBuildsPlanFn', 'PipelineBuildsShardFn', 'PipelineBuildsCommitFn']) {
      const [, fn] = of('AWS::Lambda::Function').find(([id]) => id.startsWith(prefix))!;
      expect((fn.Properties!.Environment as { Variables: Record<string, unknown> }).Variables.STATE_TABLE, prefix).toEqual({ Ref: stateId });
    }
  });

  it('tells the PDF function which image hosts it may fetch from', () => {
    // Prepare
    const [, pdf] = of('AWS::Lambda::Function').find(([, f]) => f.Properties?.Description === 'PDF worker: spec sheets and catalog')!;
    // Act
    const variables = (pdf.Properties!.Environment as { Variables: Record<string, string> }).Variables;
    // Assess: the hosts as the handler reads them (comma-separated), beside its fonts
    expect(variables).toMatchObject({ PDF_IMAGE_HOSTS: 'cdn.example.com,media.example.net', FONT_DIR: '/var/task/fonts' });
  });

  it('keeps secrets out of the template and the code, in Secrets Manager', () => {
    // Contentful's delivery and preview tokens, the webhook secret, the preview links' key.
    template.resourceCountIs('AWS::SecretsManager::Secret', 4);
    const env = JSON.stringify(of('AWS::Lambda::Function').map(([, f]) => f.Properties?.Environment));
    expect(env).not.toMatch(/TOKEN"\s*:\s*"[^{]/);
    expect(env).toContain('CONTENTFUL_DELIVERY_TOKEN_SECRET_ARN');
  });

  it('grants least privilege: no "*" resource except where AWS requires it, invalidations on its own distribution only', () => {
    const allowedStar = new Set(['dynamodb:ListStreams', 'scheduler:ListSchedules']);
    // A state machine's X-Ray traces and log deliveries: AWS accepts these only on "*".
    const stateMachineStar = /^(xray:(PutTraceSegments|PutTelemetryRecords|GetSamplingRules|GetSamplingTargets)|logs:(CreateLogDelivery|GetLogDelivery|UpdateLogDelivery|DeleteLogDelivery|ListLogDeliveries|PutResourcePolicy|DescribeResourcePolicies|DescribeLogGroups))$/;
    for (const [id, policy] of of('AWS::IAM::Policy')) {
      for (const statement of (policy.Properties!.PolicyDocument as { Statement: Array<{ Action: string | string[]; Resource: unknown }> }).Statement) {
        if (statement.Resource !== '*') continue;
        for (const action of [statement.Action].flat()) expect(allowedStar.has(action) || (/^(Pipeline|Preview)BuildsStateMachineRole/.test(id) && stateMachineStar.test(action)), `${id}: ${action} on "*"`).toBe(true);
      }
    }
    const invalidations = of('AWS::IAM::Policy').flatMap(([, p]) => (p.Properties!.PolicyDocument as { Statement: Array<{ Action: string | string[]; Resource: unknown }> }).Statement)
      .filter((st) => [st.Action].flat().includes('cloudfront:CreateInvalidation'));
    expect(invalidations).toHaveLength(5);
    for (const st of invalidations) expect(JSON.stringify(st.Resource)).toMatch(/:distribution\/",\{"Ref":"SiteDistribution[0-9A-F]+"\}\]\]\}$/);
  });

  it('keeps the preview private: its own bucket and state, no cache, noindex, a token check on every request, and no way into the live bucket', () => {
    const [previewId] = of('AWS::CloudFront::Distribution').find(([id]) => id.startsWith('PreviewDistribution'))!;
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultCacheBehavior: Match.objectLike({ CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad', FunctionAssociations: [Match.objectLike({ EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PreviewViewerRequest'), 'FunctionARN'] } })] }),
        CacheBehaviors: [Match.objectLike({ PathPattern: '/_preview/open', CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad', FunctionAssociations: Match.anyValue() })],
      }),
    });
    expect(previewId).toBeDefined();
    template.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', { ResponseHeadersPolicyConfig: Match.objectLike({ CustomHeadersConfig: { Items: Match.arrayWith([{ Header: 'X-Robots-Tag', Value: 'noindex, nofollow', Override: true }]) } }) });
    template.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'AWS_IAM' });
    // The key reaches the KeyValueStore from Secrets Manager at deploy; it is never in the template.
    template.hasResourceProperties('Custom::RestaticPreviewKey', { Secret: { Ref: Match.stringLikeRegexp('^PreviewTokenKey') } });
    // Drafts: the webhook receiver, the stream consumer and (instants) the worker send to the preview queue.
    for (const description of ['Contentful webhook receiver: verify, queue, 202', 'Products stream → change envelopes and PDF jobs', 'Rebuild worker: affected pages → S3 → invalidation']) {
      const [, fn] = of('AWS::Lambda::Function').find(([, f]) => f.Properties?.Description === description)!;
      expect((fn.Properties!.Environment as { Variables: Record<string, unknown> }).Variables.PREVIEW_QUEUE_URL).toEqual({ Ref: expect.stringMatching(/^PreviewChanges/) });
    }
    // Its own compactor: the preview's bucket and state table, asked by the preview worker through a FIFO queue.
    const [previewBucketId] = of('AWS::S3::Bucket').find(([id]) => id.startsWith('PreviewBucket'))!;
    const [previewStateId] = of('AWS::DynamoDB::Table').find(([id]) => id.startsWith('PreviewState'))!;
    const [, previewCompact] = of('AWS::Lambda::Function').find(([id]) => id.startsWith('PreviewCompactFn'))!;
    const [, previewWorker] = of('AWS::Lambda::Function').find(([id]) => id.startsWith('PreviewWorkerFn'))!;
    expect((previewCompact.Properties!.Environment as { Variables: Record<string, unknown> }).Variables).toMatchObject({ SITE_BUCKET: { Ref: previewBucketId }, STATE_TABLE: { Ref: previewStateId } });
    expect((previewWorker.Properties!.Environment as { Variables: Record<string, unknown> }).Variables.COMPACTION_QUEUE_URL).toEqual({ Ref: expect.stringMatching(/^PreviewCompactions[0-9A-F]{8}$/) });
    const [, compactPolicy] = of('AWS::IAM::Policy').find(([id]) => id.startsWith('PreviewCompactRoleDefaultPolicy'))!;
    const objects = JSON.stringify(compactPolicy.Properties!.PolicyDocument).match(/\/_restatic\/[a-z]+\/\*/g);
    expect([...new Set(objects)].sort()).toEqual(['/_restatic/manifest/*', '/_restatic/state/*']);
    // Nothing of the preview may write the live site's bucket.
    for (const [id, policy] of of('AWS::IAM::Policy').filter(([id]) => id.startsWith('Preview'))) {
      expect(JSON.stringify(policy.Properties!.PolicyDocument), id).not.toMatch(/SiteBucket/);
    }
  });

  it('alarms on dead letters, function errors, webhook 5xx and the rebuild workers\' memory to an encrypted topic, and has a latency dashboard', () => {
    const alarms = of('AWS::CloudWatch::Alarm');
    expect(alarms.length).toBe(8 + 9 + 1 + 2 + 2);
    // A failed or timed-out full build, the live site's and the preview's.
    for (const prefix of ['PipelineBuildsStateMachine', 'PreviewBuildsStateMachine']) {
      expect(alarms.filter(([id, a]) => id.startsWith('MonitoringFullBuildFailed') || id.startsWith('MonitoringPreviewFullBuildFailed') ? JSON.stringify(a.Properties).includes(prefix) : false), prefix).toHaveLength(1);
    }
    // What the workers report after each run (functions/rebuild/sqs.ts), alarmed at the share they warn at.
    for (const service of ['restatic-rebuild', 'restatic-preview']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'WorkerMemoryUsed', Namespace: 'Restatic', Dimensions: [{ Name: 'service', Value: service }], Statistic: 'Maximum', Threshold: 80 });
    }
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    // The worker emits RebuildLatency per change that went live (functions/rebuild/sqs.ts), as EMF.
    expect(of('AWS::Logs::MetricFilter')).toHaveLength(0);
    const dashboard = JSON.stringify(of('AWS::CloudWatch::Dashboard'));
    expect(dashboard).toMatch(/Restatic\\",\\"RebuildLatency\\",\\"service\\",\\"restatic-rebuild/);
    expect(dashboard).toContain('p50');
    expect(dashboard).toContain('p95');
  });
});

describe('cdk-nag and snapshot', () => {
  it('has no unacknowledged AwsSolutions errors, and every acknowledgement gives a reason', () => {
    const errors = Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-.*'));
    expect(errors.map((e) => `${e.id}: ${String(e.entry.data).slice(0, 120)}`)).toEqual([]);
    const suppressions = JSON.stringify(template.toJSON()).match(/"reason":"[^"]*"/g) ?? [];
    expect(suppressions.length).toBeGreaterThan(0);
    for (const s of suppressions) expect(s.length).toBeGreaterThan(40);
  });

  it('matches the reviewed template (asset hashes stripped)', async () => {
    const normalised = JSON.stringify(template.toJSON(), null, 1).replace(/[0-9a-f]{64}(\.zip)?/g, '<asset>');
    await expect(normalised).toMatchFileSnapshot('__snapshots__/template.json');
  });

  it('bundles every function with esbuild within the size budget (the rebuild and preview workers and the build shards and commit carry Eleventy)', () => {
    const outdir = app.synth().directory;
    const sizeOf = (path: string): number => statSync(path).isDirectory() ? readdirSync(path).reduce((n, f) => n + sizeOf(join(path, f)), 0) : statSync(path).size;
    const rows: string[] = [];
    for (const [id, fn] of of('AWS::Lambda::Function').filter(([, r]) => (r.Properties?.Runtime as string)?.startsWith('nodejs22'))) {
      const key = String((fn.Properties!.Code as { S3Key: string }).S3Key).replace('.zip', '');
      const dir = join(outdir, `asset.${key}`);
      const js = statSync(join(dir, 'index.mjs')).size;
      const total = sizeOf(dir) - statSync(join(dir, 'index.mjs.map')).size;
      rows.push(`${id.replace(/^Pipeline/, '').replace(/Fn[0-9A-F]{8}$/, '').padEnd(10)} bundle ${(js / 1e6).toFixed(2)} MB, unzipped total ${(total / 1e6).toFixed(2)} MB`);
      expect(js, `${id} bundle`).toBeLessThanOrEqual(5e6);
      // Eleventy (rendering), the fonts (PDFs), Pagefind's binary (search) and libvips (images) are installed next to the bundles of the functions that need them.
      if (!/^(Pipeline(Worker|Pdf|BuildsShard|BuildsCommit|Search|Images)|Preview(Worker|BuildsShard|BuildsCommit))/.test(id)) expect(total, `${id} unzipped`).toBeLessThanOrEqual(5e6);
    }
    process.stdout.write(`\nLambda bundles (esbuild, minified; totals exclude source maps):\n${rows.map((r) => `  ${r}`).join('\n')}\n`);
    expect(rows).toHaveLength(19);
  });
});

describe('workflows', () => {
  const dir = join(import.meta.dirname, '..', '..', '.github', 'workflows');
  it.each(readdirSync(dir).filter((f) => f.endsWith('.yml')))('%s validates against the GitHub Actions workflow schema', (file) => {
    expect(validateWorkflow(readFileSync(join(dir, file), 'utf8')).errors).toEqual([]);
  });

  it('the validator rejects a broken workflow (the check can fail)', () => {
    expect(validateWorkflow('name: x\non: push\njobs:\n  a:\n    steps:\n      - run: echo\n').errors.length).toBeGreaterThan(0);
  });

  it('pins every action by commit SHA and gives deploys OIDC, an environment and a concurrency group', () => {
    for (const file of readdirSync(dir)) {
      const text = readFileSync(join(dir, file), 'utf8');
      for (const [, ref] of text.matchAll(/uses:\s*[^@\s]+@(\S+)/g)) expect(ref, file).toMatch(/^[0-9a-f]{40}$/);
    }
    const deploy = readFileSync(join(dir, 'deploy.yml'), 'utf8');
    expect(deploy).toMatch(/id-token: write/);
    // A red main never deploys: only after CI passed, checking out the commit CI tested.
    const triggers = /\non:\n((?: .*\n|\n)*)/.exec(deploy)![1]!;
    expect([...triggers.matchAll(/^ {2}(\w+):/gm)].map((m) => m[1]).sort()).toEqual(['workflow_dispatch', 'workflow_run']);
    expect(triggers).toMatch(/workflow_run:\n\s+workflows: \[ci\]\n\s+types: \[completed\]\n\s+branches: \[main\]/);
    expect(deploy).toContain("github.event.workflow_run.conclusion == 'success'");
    expect(deploy).toContain('ref: ${{ github.event.workflow_run.head_sha');
    expect(deploy).toMatch(/environment: /);
    expect(deploy).toMatch(/concurrency:\n\s+group: deploy-/);
    expect(deploy).toContain('aws-actions/configure-aws-credentials@');
  });

  it('asks the preview for a build after a deploy with a change its worker takes as a requested full build', () => {
    // Prepare: the body the deploy workflow makes for the preview's queue, made as the step makes it
    const deploy = readFileSync(join(dir, 'deploy.yml'), 'utf8');
    const step = deploy.slice(deploy.indexOf('- name: Preview rebuilt with the deployed templates'));
    const [, script] = /body="\$\(node -e '([^']+)' "deploy-\$\{\{ github\.run_id \}\}-preview"\)"/.exec(step)!;
    // Act
    const body = JSON.parse(execFileSync(process.execPath, ['-e', script!, 'deploy-42-preview'], { encoding: 'utf8' })) as ChangeEnvelope;
    // Assess: what the CLI's build request is, for the preview's queue, which the stack names in its outputs
    expect(body).toEqual(buildRequestEnvelope('deploy-42-preview', new Date(body.receivedAt)));
    expect(usableEnvelopes([body]).invalid).toEqual([]);
    expect(step).toMatch(/aws sqs send-message --queue-url "\$\(outputs PreviewQueueUrl\)" --message-body "\$body"/);
    expect(template.toJSON().Outputs.PreviewQueueUrl.Value).toEqual({ Ref: expect.stringMatching(/^PreviewChanges[0-9A-F]{8}$/) });
  });
});
