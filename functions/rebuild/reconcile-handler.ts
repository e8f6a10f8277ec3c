/** Lambda: hourly reconciliation (EventBridge Scheduler) — catalog diff and content re-sync. */
import { Logger } from '@aws-lambda-powertools/logger';
import { readState } from '../shared/state/site-state.js';
import { workerFromEnv } from './lambda-deps.js';
import { reconciliationEnvelopes } from './reconcile.js';

const logger = new Logger({ serviceName: 'restatic-reconcile' });
const { worker, catalog, store } = await workerFromEnv(logger);

export const handler = async () => {
  const state = await readState(store);
  if (!state) return worker.run([]).then(() => ({ mode: 'full' }));
  const result = await worker.run(await reconciliationEnvelopes({ catalog, logger }, state));
  logger.info('reconciled', { mode: result.mode, rendered: result.rendered.length, uploaded: result.uploaded.length });
  return { mode: result.mode, rendered: result.rendered.length, failed: result.failed.length };
};
