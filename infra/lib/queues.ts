/** Queues as every part of the stack makes them: encrypted, TLS only, each with its dead-letter queue. */
import { Duration } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/** A queue and its dead-letter queue: after `maxReceiveCount` failed receives a message moves there. */
export function queueWithDlq(scope: Construct, id: string, options: { fifo?: boolean; contentBasedDeduplication?: boolean; visibilityTimeout: Duration; maxReceiveCount?: number; deliveryDelay?: Duration }) {
  const fifo = options.fifo ?? false;
  const dlq = new sqs.Queue(scope, `${id}Dlq`, { fifo, enforceSSL: true, encryption: sqs.QueueEncryption.SQS_MANAGED, retentionPeriod: Duration.days(14) });
  const queue = new sqs.Queue(scope, id, {
    fifo, ...(fifo ? { contentBasedDeduplication: options.contentBasedDeduplication ?? false } : {}), enforceSSL: true, encryption: sqs.QueueEncryption.SQS_MANAGED,
    visibilityTimeout: options.visibilityTimeout, retentionPeriod: Duration.days(4),
    ...(options.deliveryDelay ? { deliveryDelay: options.deliveryDelay } : {}),
    deadLetterQueue: { queue: dlq, maxReceiveCount: options.maxReceiveCount ?? 5 },
  });
  return { queue, dlq };
}
