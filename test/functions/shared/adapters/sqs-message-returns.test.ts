/** Giving messages back to their SQS queue sooner (SQS mocked): batches of 10, each message's own delay, refusals named. */
import { ChangeMessageVisibilityBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createSqsMessageReturns } from '../../../../functions/shared/adapters/sqs-message-returns.js';
import { QueueError } from '../../../../functions/shared/adapters/sqs-queue.js';

const mock = mockClient(SQSClient);
afterEach(() => mock.reset());

const QUEUE = 'https://sqs.eu-west-1.amazonaws.com/123456789012/restatic-changes.fifo';
const returns = () => createSqsMessageReturns({ queueUrl: QUEUE, client: new SQSClient({ region: 'eu-west-1' }) });

describe('SQS message returns', () => {
  it('changes each message\'s visibility to its own delay, 10 to a call, on the queue it came from', async () => {
    // Prepare
    mock.on(ChangeMessageVisibilityBatchCommand).resolves({ Successful: [], Failed: [] });
    const messages = Array.from({ length: 12 }, (_, i) => ({ receiptHandle: `r${i}`, seconds: 20 * (i + 1) }));
    // Act
    await returns().retryAfter(messages);
    // Assess
    const calls = mock.commandCalls(ChangeMessageVisibilityBatchCommand).map((c) => c.args[0].input);
    expect(calls.map((c) => c.QueueUrl)).toEqual([QUEUE, QUEUE]);
    expect(calls.flatMap((c) => c.Entries!.map((e) => [e.ReceiptHandle, e.VisibilityTimeout]))).toEqual(messages.map((m) => [m.receiptHandle, m.seconds]));
    expect(calls.every((c) => new Set(c.Entries!.map((e) => e.Id)).size === c.Entries!.length)).toBe(true);
  });

  it('throws a QueueError naming the queue and SQS\'s reason when it refuses some', async () => {
    // Prepare
    mock.on(ChangeMessageVisibilityBatchCommand).resolves({ Successful: [{ Id: '0' }], Failed: [{ Id: '1', Code: 'ReceiptHandleIsInvalid', Message: 'The receipt handle has expired', SenderFault: true }] });
    // Act
    const act = returns().retryAfter([{ receiptHandle: 'a', seconds: 20 }, { receiptHandle: 'b', seconds: 20 }]);
    // Assess
    await expect(act).rejects.toThrow(QueueError);
    await expect(returns().retryAfter([{ receiptHandle: 'a', seconds: 20 }, { receiptHandle: 'b', seconds: 20 }])).rejects.toThrow(/restatic-changes\.fifo, 1 failed, first: ReceiptHandleIsInvalid The receipt handle has expired/);
  });
});
