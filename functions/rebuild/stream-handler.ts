/** Lambda: products table stream (NEW_AND_OLD_IMAGES) → change envelopes on the rebuild queue, PDF jobs on the PDF queues. */
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { changes, pdfJobs } from '../compose/aws.js';
import { readAwsConfig } from '../compose/config.js';
import { lambdaHandler, observability } from '../compose/lambda.js';
import { forwardStreamBatch } from './stream.js';

const config = readAwsConfig();
const o = observability('restatic-catalog-stream');
const deps = { queue: changes(config), pdfJobs: pdfJobs(config), logger: o.logger };

export const handler = lambdaHandler(o, (event: DynamoDBStreamEvent) => forwardStreamBatch(deps, event));
