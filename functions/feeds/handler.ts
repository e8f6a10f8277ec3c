/** Lambda: the scheduled Google Shopping feed job (EventBridge Scheduler, hourly by default). */
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { Logger } from '@aws-lambda-powertools/logger';
import { createCloudFrontCdn } from '../shared/adapters/cloudfront-cdn.js';
import { createDynamoDbCatalog } from '../shared/adapters/dynamodb-catalog.js';
import { createS3ObjectStore } from '../shared/adapters/s3-object-store.js';
import { createContentfulSyncSource } from '../shared/adapters/contentful-sync-source.js';
import { syncedCatalogContent } from '../shared/content/catalog-content.js';
import { readSecret, requireEnv, siteFromEnv } from '../shared/env.js';
import { DEMO_TARGETS, runFeedJob } from './job.js';
import type { FeedTarget } from './item.js';

const logger = new Logger({ serviceName: 'restatic-feeds' });
const catalog = createDynamoDbCatalog({ table: requireEnv('PRODUCTS_TABLE'), client: new DynamoDBClient({}) });
const store = createS3ObjectStore({ bucket: requireEnv('SITE_BUCKET'), client: new S3Client({}) });
const cdn = createCloudFrontCdn({ distributionId: requireEnv('DISTRIBUTION_ID'), client: new CloudFrontClient({}) });
// FEED_TARGETS: JSON array of { id, country, language, currency, feedLabel }.
const targets: FeedTarget[] = process.env.FEED_TARGETS ? (JSON.parse(process.env.FEED_TARGETS) as FeedTarget[]) : DEMO_TARGETS;
const site = siteFromEnv();
// CMS data joined into items (category titles, stories), when a Contentful space is configured.
const content = process.env.CONTENTFUL_SPACE_ID
  ? syncedCatalogContent(createContentfulSyncSource({
    space: requireEnv('CONTENTFUL_SPACE_ID'), environment: requireEnv('CONTENTFUL_ENVIRONMENT'),
    accessToken: await readSecret(requireEnv('CONTENTFUL_DELIVERY_TOKEN_SECRET_ARN')),
  }))
  : undefined;

export const handler = async () => {
  const result = await runFeedJob({ catalog, store, cdn, logger, ...(content ? { content } : {}) }, {
    targets, baseUrl: site.baseUrl, siteName: process.env.SITE_NAME ?? 'Store', now: new Date(), descriptionFromStory: process.env.FEEDS_DESCRIPTION_FROM_STORY === 'true',
  });
  return result.feeds;
};
