/**
 * Lambda: the PDF worker, fed by the PDF job queue (SQS, ReportBatchItemFailures). Each invocation
 * renders its jobs in-process; Lambda concurrency is the scale knob (5,000 changed products → as
 * many parallel workers as the queue's event source mapping allows).
 */
import * as aws from '../compose/aws.js';
import { content as contentful } from '../compose/aws-content.js';
import { readAwsConfig } from '../compose/config.js';
import { lambdaHandler, observability } from '../compose/lambda.js';
import { syncedContent } from './data.js';
import { loadPdfFonts } from './fonts.js';
import { tuneHeapForRendering } from './heap.js';
import { imageLoader } from './images.js';
import { renderSheet } from './sheet.js';
import { createPdfHandler } from './sqs.js';
import { PdfWorker } from './worker.js';

const config = readAwsConfig();
const o = observability('restatic-pdf');
// Before any font or sheet is built: sheets' short-lived objects must not be pretenured (heap.ts).
tuneHeapForRendering();
// The bundle ships the font files next to the handler (infra copies them to FONT_DIR).
const fonts = loadPdfFonts(config.FONT_DIR);
const store = aws.store(config);
const site = aws.site(config);
// Product images: site paths and URLs from the bucket, Contentful's image hosts, and the hosts
// the stack allows (PDF_IMAGE_HOSTS); anything else prints the placeholder.
const images = imageLoader({
  store, siteOrigin: site.baseUrl, hosts: config.PDF_IMAGE_HOSTS,
  onMissing: (src, reason) => o.logger.warn('PDF image missing', { src, reason }),
});
const worker = new PdfWorker({
  catalog: aws.catalog(config),
  content: syncedContent(await contentful(config), { baseUrl: site.baseUrl, markets: site.markets }),
  store,
  cdn: aws.cdn(config),
  logger: o.logger,
  fonts,
  images,
  renderSheet: (data, siteName, image) => renderSheet(data, { fonts, siteName, ...(image ? { image } : {}) }),
  // Expanded CMS jobs: sheets to the PDF queue, the catalog to its delayed FIFO (once per window).
  queue: aws.pdfJobs(config),
});

export const handler = lambdaHandler(o, createPdfHandler(worker, o.logger, aws.pdfRechecks(config)));
