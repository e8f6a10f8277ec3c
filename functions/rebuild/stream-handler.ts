/** Lambda: products table stream (NEW_AND_OLD_IMAGES) → change envelopes on the rebuild queue. */
import { SQSClient } from '@aws-sdk/client-sqs';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { createSqsQueue } from '../shared/adapters/sqs-queue.js';
import { requireEnv } from '../shared/env.js';
import { envelopeFromStreamRecord } from './stream.js';

const logger = new Logger({ serviceName: 'restatic-catalog-stream' });
const queue = createSqsQueue({ queueUrl: requireEnv('CHANGES_QUEUE_URL'), client: new SQSClient({}) });
const processor = new BatchProcessor(EventType.DynamoDBStreams);

async function recordHandler(record: DynamoDBRecord): Promise<void> {
  const envelope = envelopeFromStreamRecord(record);
  await queue.send([envelope]);
  logger.info('catalog change queued', { correlation_id: envelope.correlationId, sku: envelope.id, topic: envelope.topic, fields: envelope.changedFields });
}

export const handler = (event: DynamoDBStreamEvent) => processPartialResponse(event, recordHandler, processor);
