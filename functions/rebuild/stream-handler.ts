/** Lambda: products table stream (NEW_AND_OLD_IMAGES) → change envelopes on the rebuild queue, PDF jobs on the PDF queues. */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { changes, pdfJobs } from '../compose/aws.js';
import { readAwsConfig } from '../compose/config.js';
import { lambdaHandler, observability } from '../compose/lambda.js';
import { forwardStreamRecord } from './stream.js';

const config = readAwsConfig();
const o = observability('restatic-catalog-stream');
const deps = { queue: changes(config), pdfJobs: pdfJobs(config), logger: o.logger };
const processor = new BatchProcessor(EventType.DynamoDBStreams);

const recordHandler = (record: DynamoDBRecord) => forwardStreamRecord(deps, record);

export const handler = lambdaHandler(o, (event: DynamoDBStreamEvent) => processPartialResponse(event, recordHandler, processor));
