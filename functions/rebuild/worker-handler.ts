/** Lambda: the rebuild worker, fed by the changes queue (SQS, ReportBatchItemFailures). */
import { Logger } from '@aws-lambda-powertools/logger';
import { workerFromEnv } from './lambda-deps.js';
import { createWorkerHandler } from './sqs.js';

const logger = new Logger({ serviceName: 'restatic-rebuild' });
const { worker } = await workerFromEnv(logger);
export const handler = createWorkerHandler(worker, logger);
