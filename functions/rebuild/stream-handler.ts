/** Lambda: products table stream (NEW_AND_OLD_IMAGES) → change envelopes on the rebuild queue, PDF jobs on the PDF queues. */
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { changes, pdfJobs, previewChanges } from '../compose/aws.js';
import { readAwsConfig } from '../compose/config.js';
import { lambdaHandler, observability } from '../compose/lambda.js';
import { forwardStreamBatch } from './stream.js';

const config = readAwsConfig();
const o = observability('restatic-catalog-stream');
// The preview shows drafts over the live catalog: it gets the catalog's changes too, after the live queue.
const live = changes(config);
const preview = config.PREVIEW_QUEUE_URL ? previewChanges(config) : undefined;
const queue = preview ? { send: async (envelopes: Parameters<typeof live.send>[0]) => { await live.send(envelopes); await preview.send(envelopes); } } : live;
const deps = { queue, pdfJobs: pdfJobs(config), logger: o.logger };

export const handler = lambdaHandler(o, (event: DynamoDBStreamEvent) => forwardStreamBatch(deps, event));
