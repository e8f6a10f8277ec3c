/**
 * What every Lambda entry point shares: Powertools' Logger with the invocation's context on each
 * line (request id, cold start, function name), and Metrics flushed as EMF after each invocation.
 */
import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Context } from 'aws-lambda';

export interface Observability {
  logger: Logger;
  metrics: Metrics;
}

/** One logger and one metrics object per function; the namespace comes from POWERTOOLS_METRICS_NAMESPACE. */
export function observability(serviceName: string): Observability {
  return { logger: new Logger({ serviceName }), metrics: new Metrics({ serviceName, namespace: 'Restatic' }) };
}

/** Wraps a handler with the context injection and the metrics flush. */
export function lambdaHandler<E, R>(o: Observability, handler: (event: E, context: Context) => Promise<R>) {
  return middy(handler).use(injectLambdaContext(o.logger)).use(logMetrics(o.metrics));
}
