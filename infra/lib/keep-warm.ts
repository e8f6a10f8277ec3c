/**
 * A schedule that pings a rebuild worker every five minutes so that its one environment stays warm
 * between changes (functions/rebuild/warm-start.ts): for a worker that is not kept started by
 * provisioned concurrency. A ping that finds the worker busy is dropped, never retried or queued up.
 */
import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import type { Construct } from 'constructs';
import { WARM_PING } from '../../functions/rebuild/warm-start.js';

export function keepWarm(scope: Construct, fn: lambda.IFunction, description: string): scheduler.Schedule {
  return new scheduler.Schedule(scope, 'KeepWarm', {
    schedule: scheduler.ScheduleExpression.rate(Duration.minutes(5)),
    target: new targets.LambdaInvoke(fn, { retryAttempts: 0, maxEventAge: Duration.minutes(1), input: scheduler.ScheduleTargetInput.fromObject(WARM_PING) }),
    description,
  });
}
