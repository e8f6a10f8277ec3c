/** The SQS queue adapter (SQS mocked): batches of 10 entries, FIFO group and de-duplication, packs of changes. */
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createSqsQueue, QueueError } from '../../../../functions/shared/adapters/sqs-queue.js';
import type { ChangeEnvelope } from '../../../../functions/shared/changes/envelope.js';
import { productChange } from '../../../fixtures/events.js';

const mock = mockClient(SQSClient);
afterEach(() => mock.reset());

const FIFO = 'https://sqs.eu-west-1.amazonaws.com/123456789012/restatic-changes.fifo';
const client = () => new SQSClient({ region: 'eu-west-1' });
const entries = () => mock.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input.Entries!);

describe('SQS queue', () => {
  it('sends one change per message by default, 10 to a call, in one FIFO group, de-duplicated by record and version', async () => {
    // Prepare
    mock.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    const queue = createSqsQueue({ queueUrl: FIFO, client: client() });
    const changes = Array.from({ length: 12 }, (_, i) => productChange(`SKU-${i}`, 1));
    // Act
    await queue.send([...changes, productChange('SKU-0', 1)]);
    // Assess
    const calls = entries();
    expect(calls.map((c) => c.length)).toEqual([10, 3]);
    const sent = calls.flat();
    expect(sent.map((e) => (JSON.parse(e.MessageBody!) as ChangeEnvelope).id)).toEqual([...changes.map((c) => c.id), 'SKU-0']);
    expect(sent.every((e) => e.MessageGroupId === 'site')).toBe(true);
    expect(sent[12]!.MessageDeduplicationId).toBe(sent[0]!.MessageDeduplicationId);
    expect(new Set(sent.map((e) => e.MessageDeduplicationId)).size).toBe(12);
  });

  it('packs up to `pack` changes per message as a JSON array, in order, keeping every message and call under 200 KB', async () => {
    // Prepare
    mock.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    const queue = createSqsQueue({ queueUrl: FIFO, client: client(), pack: 100 });
    const changes = Array.from({ length: 250 }, (_, i) => productChange(`SKU-${i}`, i + 1));
    // Long changed-field lists: 2,000 such changes are well over one message's bytes.
    const big = Array.from({ length: 2000 }, (_, i) => ({ ...productChange(`BIG-${i}`, 1), changedFields: Array.from({ length: 40 }, (_, f) => `field-${f}`) }));
    // Act
    await queue.send(changes);
    const packed = entries();
    mock.resetHistory();
    await queue.send(big);
    const bigCalls = entries();
    // Assess
    const bodies = packed.flat().map((e) => JSON.parse(e.MessageBody!) as ChangeEnvelope[]);
    expect(bodies.map((b) => b.length)).toEqual([100, 100, 50]);
    expect(bodies.flat().map((c) => c.id)).toEqual(changes.map((c) => c.id));
    expect(new Set(packed.flat().map((e) => e.MessageDeduplicationId)).size).toBe(3);
    const bigBodies = bigCalls.flat().map((e) => e.MessageBody!);
    expect(bigBodies.flatMap((b) => (JSON.parse(b) as ChangeEnvelope[]).map((c) => c.id))).toEqual(big.map((c) => c.id));
    expect(Math.max(...bigBodies.map((b) => Buffer.byteLength(b)))).toBeLessThanOrEqual(200_000);
    expect(Math.max(...bigCalls.map((call) => call.reduce((n, e) => n + Buffer.byteLength(e.MessageBody!), 0)))).toBeLessThanOrEqual(200_000);
  });

  it('names the changes of a refused pack, and says a throttled send may be retried', async () => {
    // Prepare
    const queue = createSqsQueue({ queueUrl: FIFO, client: client(), pack: 100 });
    mock.on(SendMessageBatchCommand).resolvesOnce({ Successful: [], Failed: [{ Id: '0', Code: 'InvalidParameterValue', Message: 'bad', SenderFault: true }] })
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $retryable: { throttling: true } }));
    // Act
    const refused = await queue.send([productChange('A', 1), productChange('B', 1)]).catch((e: unknown) => e);
    const throttled = await queue.send([productChange('C', 1)]).catch((e: unknown) => e);
    // Assess
    expect(refused).toBeInstanceOf(QueueError);
    expect((refused as QueueError).message).toMatch(/refused 1 message\(s\), first A, B: InvalidParameterValue/);
    expect((refused as QueueError).retryable).toBe(false);
    expect(throttled).toBeInstanceOf(QueueError);
    expect((throttled as QueueError).message).toMatch(/1 message\(s\) \(1 item\(s\)\) failed: Rate exceeded/);
    expect((throttled as QueueError).retryable).toBe(true);
  });
});
