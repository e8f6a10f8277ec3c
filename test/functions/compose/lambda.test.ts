/** Every Lambda entry point: the invocation's context on each log line, and the worker's metrics flushed as EMF. */
import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { lambdaHandler, memoryCheck, observability } from '../../../functions/compose/lambda.js';

const context = { functionName: 'restatic-test-worker', awsRequestId: 'req-123', functionVersion: '$LATEST', invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:restatic-test-worker', memoryLimitInMB: '512', getRemainingTimeInMillis: () => 1000 } as unknown as Context;

/** What the handler writes to stdout (Powertools writes log lines and EMF there). */
function stdout() {
  const lines: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => { lines.push(String(chunk)); return true; });
  return lines;
}

afterEach(() => { vi.restoreAllMocks(); });

describe('lambdaHandler', () => {
  it('puts the invocation\'s request id on every log line and flushes the metrics the handler added', async () => {
    // Prepare
    const lines = stdout();
    const o = observability('restatic-test', { metrics: true });
    const handler = lambdaHandler(o, async (event: { n: number }) => {
      o.logger.info('working', { n: event.n });
      o.metrics!.addMetric('RebuildLatency', 'Milliseconds', 42);
      return event.n * 2;
    });
    // Act
    const result = await handler({ n: 21 }, context);
    // Assess
    expect(result).toBe(42);
    const records = lines.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records.find((r) => r.message === 'working')).toMatchObject({ function_request_id: 'req-123', function_name: 'restatic-test-worker', n: 21 });
    const emf = records.find((r) => '_aws' in r) as { _aws: { CloudWatchMetrics: Array<{ Namespace: string }> }; RebuildLatency: number; service: string };
    expect(emf._aws.CloudWatchMetrics[0]!.Namespace).toBe('Restatic');
    expect([emf.RebuildLatency, emf.service]).toEqual([42, 'restatic-test']);
  });

  it('emits no metrics (and no "no metrics" warning) for a function without them', async () => {
    // Prepare
    const lines = stdout();
    const o = observability('restatic-test-webhook');
    // Act
    await lambdaHandler(o, async () => 'ok')({}, context);
    // Assess
    expect(lines.join('')).not.toMatch(/_aws|No application metrics/);
  });
});

describe('memory check', () => {
  it('compares the resident set with the memory Lambda gives the function, and with nothing outside Lambda', () => {
    // Act
    const [inLambda, outside] = [memoryCheck({ AWS_LAMBDA_FUNCTION_MEMORY_SIZE: 2048 }), memoryCheck({})];
    // Assess
    expect(inLambda.memory?.limitMb).toBe(2048);
    expect(inLambda.memory?.usedMb()).toBeCloseTo(process.memoryUsage().rss / 2 ** 20, -2);
    expect(outside).toEqual({});
  });
});
