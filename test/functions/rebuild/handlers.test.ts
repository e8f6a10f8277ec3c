/** The Lambda event adapters: API Gateway → webhook core, SQS → worker (partial batch failures). */
import { describe, expect, it } from 'vitest';
import { createWebhookHandler } from '../../../functions/rebuild/http.js';
import { createWorkerHandler } from '../../../functions/rebuild/sqs.js';
import type { RebuildResult, RebuildWorker } from '../../../functions/rebuild/worker.js';
import type { ChangeEnvelope } from '../../../functions/shared/changes/envelope.js';
import { silentLogger } from '../../../functions/shared/logger.js';
import { DEFAULT_WEBHOOK_SECRET } from '../../../local/config.js';
import { httpApiEvent, productChange, sqsEvent } from '../../fixtures/events.js';
import { cmaEntry, signedWebhook } from '../../fixtures/webhooks.js';

const emptyResult = (failed: RebuildResult['failed'] = []): RebuildResult => ({ mode: 'targeted', skipped: [], failed, rendered: [], renderedPages: [], uploaded: [], deleted: [], invalidated: [], redirects: {}, changedProducts: [], warnings: [], stages: {}, timings: { read: 0, build: 0, publish: 0, commit: 0 } });
const fakeWorker = (run: (e: readonly ChangeEnvelope[]) => Promise<RebuildResult>) => ({ run }) as unknown as RebuildWorker;

describe('webhook Lambda adapter', () => {
  it.each([false, true])('verifies the exact bytes Contentful sent (base64 %s) and answers 202', async (base64) => {
    // Prepare
    const queued: ChangeEnvelope[] = [];
    const handler = createWebhookHandler({ secret: DEFAULT_WEBHOOK_SECRET, spaceId: 'restatic-demo', environment: 'master', logger: silentLogger, queue: { send: async (m) => { queued.push(...m); } } });
    const request = signedWebhook('Entry.publish', cmaEntry('page-about', 'page', { title: 'Ünïcødé ✓' }));
    // Act
    const response = await handler(httpApiEvent(request, { base64 }));
    // Assess
    expect(response.statusCode).toBe(202);
    expect(queued.map((e) => e.id)).toEqual(['page-about']);
  });
});

describe('worker Lambda adapter', () => {
  it('runs the whole batch once and reports only failed envelopes and unreadable messages', async () => {
    // Prepare
    const runs: number[] = [];
    const handler = createWorkerHandler(fakeWorker(async (envelopes) => {
      runs.push(envelopes.length);
      return emptyResult([{ envelope: envelopes[1]!, error: new Error('not yet') }]);
    }), silentLogger);
    // Act
    const response = await handler(sqsEvent([JSON.stringify(productChange('A', 1)), JSON.stringify(productChange('B', 1)), 'not json']));
    // Assess
    expect(runs).toEqual([2]);
    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['m2', 'm3']);
  });

  it('runs the changes of packed messages (a stream batch per message) in one run, and returns a pack whose change failed', async () => {
    // Prepare
    const runs: string[][] = [];
    const handler = createWorkerHandler(fakeWorker(async (envelopes) => {
      runs.push(envelopes.map((e) => e.id));
      return emptyResult(envelopes.filter((e) => e.id === 'D').map((envelope) => ({ envelope, error: new Error('not yet') })));
    }), silentLogger);
    const pack = (...skus: string[]) => JSON.stringify(skus.map((sku) => productChange(sku, 1)));
    // Act
    const response = await handler(sqsEvent([pack('A', 'B'), JSON.stringify(productChange('C', 1)), pack('D', 'E'), '[]', `[${JSON.stringify(productChange('F', 1))}, {"id": 1}]`]));
    // Assess: one run of every readable change; the pack holding D goes back, as do the unreadable ones
    expect(runs).toEqual([['A', 'B', 'C', 'D', 'E']]);
    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['m3', 'm4', 'm5']);
  });

  it('records save → live latency for each change that went live (the dashboard metric and a log line), not for skipped or failed ones', async () => {
    // Prepare
    const lines: Array<Record<string, unknown>> = [];
    const metrics: Array<[string, string, number]> = [];
    const logger = { ...silentLogger, info: (message: string, ...extra: Array<Record<string, unknown>>) => { lines.push({ message, ...Object.assign({}, ...extra) }); } };
    const [live, duplicate, failing] = ['A', 'B', 'C'].map((sku) => ({ ...productChange(sku, 1), receivedAt: new Date(Date.now() - 1500).toISOString() }));
    const handler = createWorkerHandler(fakeWorker(async (envelopes) => ({ ...emptyResult([{ envelope: envelopes[2]!, error: new Error('x') }]), skipped: [envelopes[1]!] })), logger, undefined, {
      metrics: { addMetric: (name, unit, value) => { metrics.push([name, unit, value]); } },
    });
    // Act
    await handler(sqsEvent([live, duplicate, failing].map((e) => JSON.stringify(e))));
    // Assess
    const changes = lines.filter((l) => l.message === 'change live');
    expect(changes.map((l) => l.id)).toEqual(['A']);
    expect(changes[0]!.latency_ms).toBeGreaterThanOrEqual(1500);
    expect(changes[0]!.correlation_id).toBe(live!.correlationId);
    expect(metrics).toEqual([['RebuildLatency', 'Milliseconds', changes[0]!.latency_ms]]);
  });

  it('gives the failed messages back to their queue after a backoff by receive count, not the queue\'s 90-minute visibility timeout', async () => {
    // Prepare: B's change fails (the CDA had not caught up); on the FIFO queue C comes back with it
    const returned: Array<{ receiptHandle: string; seconds: number }> = [];
    const handler = createWorkerHandler(fakeWorker(async (envelopes) => emptyResult([{ envelope: envelopes[1]!, error: new Error('not yet') }])), silentLogger, undefined, {
      returns: { retryAfter: async (messages) => { returned.push(...messages); } },
    });
    const event = sqsEvent(['A', 'B', 'C'].map((sku) => JSON.stringify(productChange(sku, 1))), 'arn:aws:sqs:eu-west-1:123456789012:restatic-changes.fifo');
    event.Records[2]!.attributes.ApproximateReceiveCount = '3';
    // Act
    const response = await handler(event);
    // Assess
    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['m2', 'm3']);
    expect(returned).toEqual([{ receiptHandle: 'r2', seconds: 20 }, { receiptHandle: 'r3', seconds: 80 }]);
  });

  it('still reports the failures when giving them back sooner fails: they return when the visibility timeout ends', async () => {
    // Prepare
    const warnings: string[] = [];
    const handler = createWorkerHandler(fakeWorker(async () => { throw new Error('S3 down'); }), { ...silentLogger, warn: (message: string) => { warnings.push(message); } }, undefined, {
      returns: { retryAfter: async () => { throw new Error('SQS unavailable'); } },
    });
    // Act
    const response = await handler(sqsEvent([JSON.stringify(productChange('A', 1))]));
    // Assess
    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['m1']);
    expect(warnings).toEqual([expect.stringMatching(/could not give failed messages back to the queue sooner/)]);
  });

  it('reports after each run the share of its memory the worker uses, and warns above 80 % naming the setting to raise', async () => {
    // Prepare
    const warnings: string[] = [];
    const metrics: Array<[string, string, number]> = [];
    const logger = { ...silentLogger, warn: (message: string) => { warnings.push(message); } };
    let used = 1000;
    const handler = createWorkerHandler(fakeWorker(async () => emptyResult()), logger, undefined, {
      metrics: { addMetric: (name, unit, value) => { metrics.push([name, unit, value]); } },
      memory: { limitMb: 2048, usedMb: () => used },
    });
    // Act
    await handler(sqsEvent([JSON.stringify(productChange('A', 1))]));
    used = 1800;
    await handler(sqsEvent([JSON.stringify(productChange('B', 1))]));
    // Assess
    expect(metrics.filter(([name]) => name === 'WorkerMemoryUsed')).toEqual([['WorkerMemoryUsed', 'Percent', 48.8], ['WorkerMemoryUsed', 'Percent', 87.9]]);
    expect(warnings).toEqual([expect.stringMatching(/uses 1800 of its 2048 MB.*catalogProducts/)]);
  });

  it('returns every message when the run fails, and keeps FIFO order by failing the rest of the group', async () => {
    // Prepare
    const failing = createWorkerHandler(fakeWorker(async () => { throw new Error('S3 down'); }), silentLogger);
    const partial = createWorkerHandler(fakeWorker(async (envelopes) => emptyResult([{ envelope: envelopes[0]!, error: new Error('x') }])), silentLogger);
    const bodies = [JSON.stringify(productChange('A', 1)), JSON.stringify(productChange('B', 1))];
    // Act
    const all = await failing(sqsEvent(bodies));
    const fifo = await partial(sqsEvent(bodies, 'arn:aws:sqs:eu-west-1:123456789012:restatic-changes.fifo'));
    // Assess
    expect(all.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['m1', 'm2']);
    expect(fifo.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['m1', 'm2']);
  });

  it('dead-letters a poison change at once and lets the rest of the FIFO group through', async () => {
    // Prepare: any run that includes the poison change throws a bug-like error
    const runs: string[][] = [];
    const worker = fakeWorker(async (envelopes) => {
      runs.push(envelopes.map((e) => e.id));
      if (envelopes.some((e) => e.id === 'POISON')) throw new TypeError('Cannot convert x to a BigInt');
      return emptyResult();
    });
    const parked: ChangeEnvelope[] = [];
    const bodies = ['A', 'POISON', 'B'].map((sku) => JSON.stringify(productChange(sku, 1)));
    const fifoArn = 'arn:aws:sqs:eu-west-1:123456789012:restatic-changes.fifo';
    const withDlq = createWorkerHandler(worker, silentLogger, undefined, { deadLetters: { send: async (m) => { parked.push(...m); } } });
    const withoutDlq = createWorkerHandler(worker, silentLogger);
    // Act
    const parkedResponse = await withDlq(sqsEvent(bodies, fifoArn));
    const returnedResponse = await withoutDlq(sqsEvent(bodies, fifoArn));
    // Assess
    expect(parkedResponse.batchItemFailures).toEqual([]);
    expect(parked).toEqual([expect.objectContaining({ id: 'POISON', lastError: 'Cannot convert x to a BigInt' })]);
    expect(runs.flat().filter((id) => id === 'A' || id === 'B').length).toBeGreaterThanOrEqual(2);
    expect(runs.some((r) => r.includes('A') && !r.includes('POISON'))).toBe(true);
    expect(runs.some((r) => r.includes('B') && !r.includes('POISON'))).toBe(true);
    // Without a dead-letter queue the poison and what follows it in the group go back (FIFO order).
    expect(returnedResponse.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['m2', 'm3']);
  });
});
