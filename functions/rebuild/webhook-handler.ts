/** Lambda: Contentful webhook receiver (API Gateway HTTP API `POST /_hooks/contentful`). */
import { changes, previewChanges, webhookSecret } from '../compose/aws.js';
import { need, readAwsConfig } from '../compose/config.js';
import { lambdaHandler, observability } from '../compose/lambda.js';
import { createWebhookHandler } from './http.js';

const config = readAwsConfig();
const o = observability('restatic-webhook');
export const handler = lambdaHandler(o, createWebhookHandler({
  secret: await webhookSecret(config),
  spaceId: need(config, 'CONTENTFUL_SPACE_ID'),
  environment: config.CONTENTFUL_ENVIRONMENT,
  queue: changes(config),
  ...(config.PREVIEW_QUEUE_URL ? { preview: { queue: previewChanges(config) } } : {}),
  logger: o.logger,
}));
