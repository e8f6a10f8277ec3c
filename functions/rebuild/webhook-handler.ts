/** Lambda: Contentful webhook receiver (API Gateway HTTP API `POST /_hooks/contentful`). */
import { SQSClient } from '@aws-sdk/client-sqs';
import { Logger } from '@aws-lambda-powertools/logger';
import { createSqsQueue } from '../shared/adapters/sqs-queue.js';
import { readSecret, requireEnv } from '../shared/env.js';
import { createWebhookHandler } from './http.js';

const logger = new Logger({ serviceName: 'restatic-webhook' });
export const handler = createWebhookHandler({
  secret: await readSecret(requireEnv('CONTENTFUL_WEBHOOK_SECRET_ARN')),
  spaceId: requireEnv('CONTENTFUL_SPACE_ID'),
  environment: requireEnv('CONTENTFUL_ENVIRONMENT'),
  queue: createSqsQueue({ queueUrl: requireEnv('CHANGES_QUEUE_URL'), client: new SQSClient({}) }),
  logger,
});
