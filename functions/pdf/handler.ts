/**
 * Lambda: the PDF worker, fed by the PDF job queue (SQS, ReportBatchItemFailures). Each invocation
 * renders its jobs in-process; Lambda concurrency is the scale knob (5,000 changed products → as
 * many parallel workers as the queue's event source mapping allows).
 */
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { Logger } from '@aws-lambda-powertools/logger';
import { createCloudFrontCdn } from '../shared/adapters/cloudfront-cdn.js';
import { createContentfulSyncSource } from '../shared/adapters/contentful-sync-source.js';
import { createDynamoDbCatalog } from '../shared/adapters/dynamodb-catalog.js';
import { createS3ObjectStore } from '../shared/adapters/s3-object-store.js';
import { createPdfJobQueues } from '../shared/adapters/pdf-job-queues.js';
import { createSqsQueue } from '../shared/adapters/sqs-queue.js';
import { readSecret, requireEnv, siteFromEnv } from '../shared/env.js';
import { syncedContent } from './data.js';
import { loadPdfFonts } from './fonts.js';
import { tuneHeapForRendering } from './heap.js';
import { imageLoader } from './images.js';
import { renderSheet } from './sheet.js';
import { createPdfHandler } from './sqs.js';
import { PdfWorker } from './worker.js';

const logger = new Logger({ serviceName: 'restatic-pdf' });
// Before any font or sheet is built: sheets' short-lived objects must not be pretenured (heap.ts).
tuneHeapForRendering();
// The bundle ships the font files next to the handler (infra copies them to FONT_DIR).
const fonts = loadPdfFonts(process.env.FONT_DIR);
const source = createContentfulSyncSource({
  space: requireEnv('CONTENTFUL_SPACE_ID'), environment: requireEnv('CONTENTFUL_ENVIRONMENT'),
  accessToken: await readSecret(requireEnv('CONTENTFUL_DELIVERY_TOKEN_SECRET_ARN')),
});
const store = createS3ObjectStore({ bucket: requireEnv('SITE_BUCKET'), client: new S3Client({}) });
const site = siteFromEnv();
// Product images: site paths and URLs from the bucket, Contentful's image hosts, and the hosts
// the stack allows (PDF_IMAGE_HOSTS, comma-separated); anything else prints the placeholder.
const images = imageLoader({
  store, siteOrigin: site.baseUrl, hosts: (process.env.PDF_IMAGE_HOSTS ?? '').split(',').map((h) => h.trim()).filter(Boolean),
  onMissing: (src, reason) => logger.warn('PDF image missing', { src, reason }),
});
const worker = new PdfWorker({
  catalog: createDynamoDbCatalog({ table: requireEnv('PRODUCTS_TABLE'), client: new DynamoDBClient({}) }),
  content: syncedContent(source, site),
  store,
  cdn: createCloudFrontCdn({ distributionId: requireEnv('DISTRIBUTION_ID'), client: new CloudFrontClient({}) }),
  logger,
  fonts,
  images,
  renderSheet: (data, siteName, image) => renderSheet(data, { fonts, siteName, ...(image ? { image } : {}) }),
  // Expanded CMS jobs: sheets to the PDF queue, the catalog to its delayed FIFO (once per window).
  queue: createPdfJobQueues({ client: new SQSClient({}), jobsQueueUrl: requireEnv('PDF_QUEUE_URL'), catalogQueueUrl: requireEnv('PDF_CATALOG_QUEUE_URL'), windowSeconds: Number(process.env.PDF_CATALOG_WINDOW_SECONDS ?? 60) }),
});

// A sheet drawn without its image (its host failing) is tried again 15 minutes later (SQS's longest delay).
const rechecks = createSqsQueue({ queueUrl: requireEnv('PDF_QUEUE_URL'), client: new SQSClient({}), delaySeconds: 900, describe: (j: { kind: string }) => j.kind });
export const handler = createPdfHandler(worker, logger, rechecks);
