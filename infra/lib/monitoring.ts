/**
 * Alarms to an SNS topic (dead-letter queue depth, function errors, webhook 5xx, failed full
 * builds, the rebuild workers' memory) and a dashboard
 * with rebuild latency (save → invalidation) p50/p95, the worker's `RebuildLatency` metric (EMF).
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { WORKER_MEMORY_WARN } from '../../functions/rebuild/sqs.js';
import type { Pipeline } from './pipeline.js';

export interface MonitoringProps {
  stage: string;
  pipeline: Pipeline;
  /** The preview's full-build state machine, alarmed as the live site's. */
  previewBuilds: sfn.IStateMachine;
  alarmEmail?: string;
}

export class Monitoring extends Construct {
  readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    // CloudWatch can publish to an encrypted topic only with a customer managed key it may use.
    const key = new kms.Key(this, 'AlarmsKey', { enableKeyRotation: true, description: `Restatic ${props.stage} alarm topic` });
    key.grant(new iam.ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    this.topic = new sns.Topic(this, 'Alarms', { displayName: `Restatic ${props.stage} alarms`, masterKey: key, enforceSSL: true });
    if (props.alarmEmail) this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
    const notify = new actions.SnsAction(this.topic);
    const alarm = (name: string, metric: cloudwatch.IMetric, threshold = 1) => {
      const a = new cloudwatch.Alarm(this, name, { metric, threshold, evaluationPeriods: 1, comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD, treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING });
      a.addAlarmAction(notify);
      return a;
    };

    props.pipeline.deadLetterQueues.forEach((q: sqs.IQueue, i) => alarm(`DeadLetters${i}`, q.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' })));
    for (const [name, f] of Object.entries(props.pipeline.functions)) alarm(`${name}Errors`, f.fn.metricErrors({ period: Duration.minutes(5) }));
    alarm('Webhook5xx', props.pipeline.api.metricServerError({ period: Duration.minutes(5), statistic: 'Sum' }));
    // A full build that failed (after its steps' retries) or timed out: the site stays as it was.
    for (const [name, builds] of [['FullBuildFailed', props.pipeline.builds.stateMachine], ['PreviewFullBuildFailed', props.previewBuilds]] as const) {
      alarm(name, new cloudwatch.MathExpression({
        expression: 'failed + timedOut', period: Duration.minutes(5),
        usingMetrics: { failed: builds.metricFailed({ statistic: 'Sum' }), timedOut: builds.metricTimedOut({ statistic: 'Sum' }) },
      }));
    }

    // The live and preview workers hold the live site in memory, which grows with the store: alarm
    // while there is room to raise catalogProducts and redeploy, before a run fails for memory.
    for (const service of ['restatic-rebuild', 'restatic-preview']) {
      alarm(service === 'restatic-rebuild' ? 'WorkerMemory' : 'PreviewWorkerMemory', new cloudwatch.Metric({
        namespace: 'Restatic', metricName: 'WorkerMemoryUsed', dimensionsMap: { service }, unit: cloudwatch.Unit.PERCENT, statistic: 'Maximum', period: Duration.minutes(5),
      }), WORKER_MEMORY_WARN * 100);
    }

    // Save → invalidation per change, emitted by the worker through Powertools Metrics.
    const latency = new cloudwatch.Metric({ namespace: 'Restatic', metricName: 'RebuildLatency', dimensionsMap: { service: 'restatic-rebuild' }, unit: cloudwatch.Unit.MILLISECONDS });
    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { dashboardName: `restatic-${props.stage}` });
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({ title: 'Rebuild latency, save → invalidation (ms)', left: ['p50', 'p95'].map((statistic) => latency.with({ statistic, period: Duration.minutes(5) })) }),
      new cloudwatch.GraphWidget({ title: 'Function errors', left: Object.values(props.pipeline.functions).map((f) => f.fn.metricErrors({ period: Duration.minutes(5) })) }),
      new cloudwatch.GraphWidget({ title: 'Dead-letter queues', left: props.pipeline.deadLetterQueues.map((q) => q.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) })) }),
    );
  }
}
