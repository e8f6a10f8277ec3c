/** Where PDF jobs go in AWS (SQS mocked): sheets to the PDF queue, the catalog once per window to its FIFO. */
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createPdfJobQueues } from '../../../../functions/shared/adapters/pdf-job-queues.js';

const mock = mockClient(SQSClient);
afterEach(() => mock.reset());

describe('PDF job queues', () => {
  it('sends sheet and CMS jobs to the PDF queue and one catalog job per window to the FIFO queue', async () => {
    // Prepare
    mock.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    let now = Date.parse('2026-11-27T10:00:05Z');
    const queues = createPdfJobQueues({ client: new SQSClient({ region: 'us-east-1' }), jobsQueueUrl: 'https://sqs/1/pdf', catalogQueueUrl: 'https://sqs/1/catalog.fifo', windowSeconds: 60, now: () => now });

    // Act
    await queues.send([{ kind: 'sheet', sku: 'A', correlationId: 'c1' }, { kind: 'catalog', correlationId: 'c1' }, { kind: 'catalog', correlationId: 'c2' }, { kind: 'content', entryId: 'e', correlationId: 'c3' }]);
    now += 30_000; // same window
    await queues.send([{ kind: 'catalog', correlationId: 'c4' }]);
    now += 60_000; // next window
    await queues.send([{ kind: 'catalog', correlationId: 'c5' }]);

    // Assess
    const calls = mock.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input);
    const toJobs = calls.filter((c) => c.QueueUrl === 'https://sqs/1/pdf');
    const toCatalog = calls.filter((c) => c.QueueUrl === 'https://sqs/1/catalog.fifo');
    expect(toJobs.flatMap((c) => c.Entries!.map((e) => JSON.parse(e.MessageBody!).kind))).toEqual(['sheet', 'content']);
    expect(toJobs.flatMap((c) => c.Entries!).every((e) => e.MessageGroupId === undefined)).toBe(true);
    const catalogEntries = toCatalog.flatMap((c) => c.Entries!);
    expect(catalogEntries).toHaveLength(3);
    expect(catalogEntries.every((e) => e.MessageGroupId === 'catalog')).toBe(true);
    const [first, sameWindow, nextWindow] = catalogEntries.map((e) => e.MessageDeduplicationId);
    expect(sameWindow).toBe(first);
    expect(nextWindow).not.toBe(first);
  });
});
