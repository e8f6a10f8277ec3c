/** Lambda: hourly reconciliation (EventBridge Scheduler) — catalog diff and content re-sync. */
import { Logger } from '@aws-lambda-powertools/logger';
import { readState } from '../shared/state/site-state.js';
import { workerFromEnv } from './lambda-deps.js';
import { reconciliationEnvelopes } from './reconcile.js';

const logger = new Logger({ serviceName: 'restatic-reconcile' });
const { worker, catalog, store } = await workerFromEnv(logger);

export const handler = async () => {
  const state = await readState(store);
  // No state yet: the first deploy's full build has not run; one queued change triggers it.
  if (!state) {
    const result = await worker.run([{ source: 'reconcile', kind: 'Entry', id: '*', version: '0', topic: 'Reconcile.sync', correlationId: `reconcile-${Date.now()}`, receivedAt: new Date().toISOString() }]);
    return { mode: result.mode };
  }
  const result = await worker.run(await reconciliationEnvelopes({ catalog, logger }, state));
  logger.info('reconciled', { mode: result.mode, rendered: result.rendered.length, uploaded: result.uploaded.length });
  return { mode: result.mode, rendered: result.rendered.length, failed: result.failed.length };
};
