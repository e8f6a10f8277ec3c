/**
 * cdk-nag findings that were reviewed and accepted, each with its reason. Anything else is an error
 * the synth test fails on. Wildcards are accepted only where the finding names them (appliesTo).
 */
import type { Stack } from 'aws-cdk-lib';
import { NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';
import type { RestaticStack } from './stack.js';

const S3_OBJECT_ACTIONS = ['Action::s3:Abort*', 'Action::s3:DeleteObject*', 'Action::s3:GetBucket*', 'Action::s3:GetObject*', 'Action::s3:List*'];

export function suppressReviewedFindings(stack: RestaticStack): void {
  NagSuppressions.addStackSuppressions(stack as Stack, [
    { id: 'AwsSolutions-L1', reason: 'Functions pin nodejs22.x, the runtime the code and its benchmarks are verified on; moving to a newer runtime is a deliberate upgrade.' },
    { id: 'AwsSolutions-SMG4', reason: 'The Contentful delivery token and webhook secret are issued by Contentful; they are rotated there and updated here, Secrets Manager cannot rotate them.' },
    { id: 'AwsSolutions-APIG4', reason: 'The webhook route is called by Contentful, which cannot sign AWS requests; every request is authenticated by its Contentful signature (HMAC, 5-minute TTL) before anything is queued.' },
    { id: 'AwsSolutions-CFR1', reason: 'A storefront is served worldwide; no geo restriction.' },
    { id: 'AwsSolutions-CFR2', reason: 'The distribution serves static, read-only objects (GET/HEAD only, no origin compute); WAF is an optional, per-account add-on.' },
    { id: 'AwsSolutions-CFR4', reason: 'Without a custom domain the distribution uses the default *.cloudfront.net certificate, whose security policy CloudFront fixes; with domainName/certificateArn context it enforces TLSv1.2_2021.' },
  ]);

  const { pipeline, site } = stack;
  // The bucket's objects, or those under one prefix the function owns (feeds/, pdf/, its pending
  // invalidations under _restatic/pending-invalidations/{owner}/, …).
  const bucketObjects = { regex: `/^Resource::<${stack.getLogicalId(site.bucket.node.defaultChild as never)}\\.Arn>\\/([a-z_-]+\\/)*\\*$/g` };
  const policyOf = (c: Construct) => c.node.findChild('Role').node.findChild('DefaultPolicy');
  for (const name of ['worker', 'feeds', 'pdf', 'reconcile', 'search', 'images', 'compact'] as const) {
    NagSuppressions.addResourceSuppressions(policyOf(pipeline.functions[name]), [{
      id: 'AwsSolutions-IAM5',
      reason: 'Publishing reads and writes objects by key in this one bucket (the site worker: all of it; feeds, PDFs, search, reconciliation: their own prefix; the compactor: the state and manifest prefixes; images: reads the pictures under assets/ only); the actions are the CDK grant set for that bucket only.',
      appliesTo: [...S3_OBJECT_ACTIONS, bucketObjects],
    }], true);
  }
  NagSuppressions.addResourceSuppressions(policyOf(pipeline.functions.stream), [{
    id: 'AwsSolutions-IAM5', reason: 'dynamodb:ListStreams does not support resource-level permissions; AWS requires "*" for it (the stream itself is granted by ARN).', appliesTo: ['Resource::*'],
  }], true);
  NagSuppressions.addResourceSuppressions(policyOf(pipeline.functions.worker), [{
    id: 'AwsSolutions-IAM5', reason: 'The worker keeps one-time schedules (one per instant at which pages change) in its own schedule group: create and delete on that group\'s schedules only; scheduler:ListSchedules does not support resource-level permissions, so AWS requires "*" for it.',
    appliesTo: ['Resource::*', { regex: '/^Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule\\/restatic-.*-instants\\/\\*$/g' }],
  }], true);
  for (const child of stack.node.children) {
    if (!child.node.id.startsWith('SchedulerRoleForTarget')) continue;
    NagSuppressions.addResourceSuppressions(child, [{
      id: 'AwsSolutions-IAM5', reason: 'EventBridge Scheduler invokes the function by ARN including its version qualifier (ARN:*); the role can invoke only that one function.',
      appliesTo: [{ regex: '/^Resource::<(Pipeline|Preview).*Fn.*\\.Arn>:\\*$/g' }],
    }], true);
  }
  const { preview } = stack;
  const previewObjects = { regex: `/^Resource::<${stack.getLogicalId(preview.bucket.node.defaultChild as never)}\\.Arn>\\/([a-z_-]+\\/)*\\*$/g` };
  // The live site's full builds and the preview's: each over its own bucket, followed by its own worker.
  for (const [owner, builds, objects, worker] of [['Pipeline', pipeline.builds, bucketObjects, pipeline.functions.worker], ['Preview', preview.builds, previewObjects, preview.functions.worker]] as const) {
    for (const step of Object.values(builds.functions)) {
      NagSuppressions.addResourceSuppressions(policyOf(step), [{
        id: 'AwsSolutions-IAM5',
        reason: 'A full build step reads and writes objects by key in its site\'s one bucket (the plan: assets and the build records; shards: pages; the commit: everything, as the site worker); the actions are the CDK grant set for that bucket only.',
        appliesTo: [...S3_OBJECT_ACTIONS, objects],
      }], true);
    }
    NagSuppressions.addResourceSuppressions(builds.stateMachine, [{
      id: 'AwsSolutions-IAM5',
      reason: 'The build state machine invokes its three functions by ARN including the version qualifier (ARN:*), starts the Distributed Map\'s child executions of itself, and writes X-Ray traces and CloudWatch log deliveries, whose actions AWS accepts only on "*".',
      appliesTo: ['Resource::*', { regex: `/^Resource::<${owner}Builds(Plan|Shard|Commit)Fn[0-9A-F]+\\.Arn>:\\*$/g` }, { regex: `/^Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:.*${owner}BuildsStateMachine.*(\\/Shards)?:\\*$/g` }],
    }], true);
    NagSuppressions.addResourceSuppressions(policyOf(worker), [{
      id: 'AwsSolutions-IAM5', reason: 'The worker follows the full builds it starts: the executions and map runs of its site\'s one build state machine (their names are made per build).',
      appliesTo: [{ regex: `/^Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:(execution|mapRun):(${builds.stateMachineName}|.*${owner}BuildsStateMachine.*)[:/]\\*$/g` }],
    }], true);
  }
  for (const fn of [preview.functions.worker, preview.functions.open, preview.functions.compact]) {
    NagSuppressions.addResourceSuppressions(policyOf(fn), [{
      id: 'AwsSolutions-IAM5',
      reason: 'The preview worker reads and writes objects by key in the preview bucket (the open function only reads its state under _restatic/; the compactor the state and manifest prefixes); the actions are the CDK grant set for that bucket only.',
      appliesTo: [...S3_OBJECT_ACTIONS, previewObjects],
    }], true);
  }
  NagSuppressions.addResourceSuppressions(preview.keyProvider, [
    { id: 'AwsSolutions-IAM4', reason: 'The CDK custom-resource provider framework\'s own function writes its logs with the AWS managed basic execution policy.', appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'] },
    { id: 'AwsSolutions-IAM5', reason: 'The provider framework invokes the one key function by ARN including its version qualifier (ARN:*).', appliesTo: [{ regex: '/^Resource::<PreviewKeyFn[0-9A-F]+\\.Arn>:\\*$/g' }] },
  ], true);
  for (const queue of pipeline.failureQueues) {
    NagSuppressions.addResourceSuppressions(queue, [{ id: 'AwsSolutions-SQS3', reason: 'This queue is itself a dead-letter destination (stream on-failure destination / scheduler DLQ), watched by an alarm.' }]);
  }
}
