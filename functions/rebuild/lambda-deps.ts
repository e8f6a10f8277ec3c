/** Adapters of the rebuild worker and reconciliation in AWS, from the environment (cold start). */
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import type { Logger } from '@aws-lambda-powertools/logger';
import { CloudFrontKeyValueStoreClient } from '@aws-sdk/client-cloudfront-keyvaluestore';
import { createCloudFrontCdn } from '../shared/adapters/cloudfront-cdn.js';
import { createKvsRedirectTable } from '../shared/adapters/cloudfront-kvs-redirects.js';
import { createContentfulSyncSource } from '../shared/adapters/contentful-sync-source.js';
import { createDynamoDbCatalog } from '../shared/adapters/dynamodb-catalog.js';
import { createS3ObjectStore } from '../shared/adapters/s3-object-store.js';
import { fullBuild } from '../shared/build/full-build.js';
import { createWorkerPoolRenderer } from '../shared/build/render-pool.js';
import { readSecret, requireEnv, siteFromEnv } from '../shared/env.js';
import { RebuildWorker } from './worker.js';

export async function workerFromEnv(logger: Logger) {
  const content = createContentfulSyncSource({
    space: requireEnv('CONTENTFUL_SPACE_ID'), environment: requireEnv('CONTENTFUL_ENVIRONMENT'),
    accessToken: await readSecret(requireEnv('CONTENTFUL_DELIVERY_TOKEN_SECRET_ARN')),
  });
  const catalog = createDynamoDbCatalog({ table: requireEnv('PRODUCTS_TABLE'), client: new DynamoDBClient({}) });
  const store = createS3ObjectStore({ bucket: requireEnv('SITE_BUCKET'), client: new S3Client({}) });
  const cdn = createCloudFrontCdn({ distributionId: requireEnv('DISTRIBUTION_ID'), client: new CloudFrontClient({}) });
  const site = siteFromEnv();
  // In Lambda the full-build path renders in-process chunks (worker threads would need the TS loader).
  const renderer = createWorkerPoolRenderer({ minPagesForWorkers: Number.POSITIVE_INFINITY });
  const worker = new RebuildWorker(
    {
      content, catalog, store, cdn, logger,
      redirects: createKvsRedirectTable({ kvsArn: requireEnv('REDIRECTS_KVS_ARN'), client: new CloudFrontKeyValueStoreClient({}) }),
      fullBuild: () => fullBuild({ content, catalog, store, cdn, logger, renderer }, { site: { ...site, now: new Date() }, demoImages: false }),
    },
    { site, demoImages: false },
  );
  return { worker, catalog, store };
}
