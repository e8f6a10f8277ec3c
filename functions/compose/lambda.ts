/**
 * What every Lambda entry point shares: Powertools' Logger with the invocation's context on each
 * line (request id, cold start, function name) and, for functions that emit metrics, Metrics
 * flushed as EMF after each invocation (a function without metrics would log "no metrics" each time).
 */
import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Context } from 'aws-lambda';
import type { AwsConfig } from './config.js';

export interface Observability {
  logger: Logger;
  metrics?: Metrics;
}

export function observability(serviceName: string, options: { metrics?: boolean } = {}): Observability {
  return { logger: new Logger({ serviceName }), ...(options.metrics ? { metrics: new Metrics({ serviceName, namespace: 'Restatic' }) } : {}) };
}

/** Wraps a handler with the context injection (and the metrics flush). */
export function lambdaHandler<E, R>(o: Observability, handler: (event: E, context: Context) => Promise<R>) {
  const wrapped = middy(handler).use(injectLambdaContext(o.logger));
  return o.metrics ? wrapped.use(logMetrics(o.metrics)) : wrapped;
}

/**
 * What a rebuild worker compares its memory use with after each run: the function's memory, as
 * Lambda sets it, and the process's resident set now. Absent outside Lambda.
 */
export function memoryCheck(config: Pick<AwsConfig, 'AWS_LAMBDA_FUNCTION_MEMORY_SIZE'>): { memory?: { limitMb: number; usedMb: () => number } } {
  const limitMb = config.AWS_LAMBDA_FUNCTION_MEMORY_SIZE;
  return limitMb ? { memory: { limitMb, usedMb: () => process.memoryUsage().rss / 2 ** 20 } } : {};
}
