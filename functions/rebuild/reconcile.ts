/**
 * Reconciliation: catches what events missed (a webhook Contentful dropped after its retries, a
 * stream record past its retention). It diffs the catalog against the last built state and asks the
 * worker to re-read every product that differs, plus one content re-sync from the stored token.
 */
import { randomUUID } from 'node:crypto';
import type { ChangeEnvelope } from '../shared/changes/envelope.js';
import type { PdfJob } from '../shared/changes/pdf-jobs.js';
import type { Catalog, Logger, ObjectStore, Queue, RootPointers } from '../shared/ports.js';
import { readState, type SiteState } from '../shared/state/site-state.js';

/** Envelopes for every difference between the catalog and the state, and one content re-sync. */
export async function reconciliationEnvelopes(deps: { catalog: Catalog; logger: Logger }, state: SiteState): Promise<ChangeEnvelope[]> {
  const correlationId = `reconcile-${randomUUID()}`;
  const receivedAt = new Date().toISOString();
  const envelope = (kind: ChangeEnvelope['kind'], id: string, topic: string): ChangeEnvelope => ({ source: 'reconcile', kind, id, version: '0', topic, correlationId, receivedAt });
  const { products } = await deps.catalog.scanAll();
  const live = new Map(state.products.map((p) => [p.sku, JSON.stringify(p)]));
  const envelopes: ChangeEnvelope[] = [envelope('Entry', '*', 'Reconcile.sync')];
  for (const product of products) {
    if (live.get(product.sku) !== JSON.stringify(product)) envelopes.push(envelope('Product', product.sku, 'Reconcile.product'));
    live.delete(product.sku);
  }
  for (const sku of live.keys()) envelopes.push(envelope('Product', sku, 'Reconcile.product'));
  deps.logger.info('reconciliation', { correlation_id: correlationId, products: envelopes.length - 1 });
  return envelopes;
}

export interface ReconciliationDeps {
  catalog: Catalog;
  store: ObjectStore;
  roots?: RootPointers;
  changes: Queue<ChangeEnvelope>;
  pdfJobs: Queue<PdfJob>;
  logger: Logger;
}

/**
 * One scheduled reconciliation: the differences go on the changes queue (the rebuild worker runs
 * them, so they never interleave with a rebuild) and every PDF's data version is checked. Before
 * the first full build there is no state: one queued change triggers that build.
 */
export async function runReconciliation(deps: ReconciliationDeps, now: Date): Promise<{ queued: number }> {
  const correlationId = `reconcile-${now.getTime()}`;
  const state = await readState(deps.store, deps.roots);
  const envelopes = state
    ? await reconciliationEnvelopes(deps, state)
    : [{ source: 'reconcile' as const, kind: 'Entry' as const, id: '*', version: '0', topic: 'Reconcile.sync', correlationId, receivedAt: now.toISOString() }];
  await deps.changes.send(envelopes);
  await deps.pdfJobs.send([{ kind: 'content', entryId: '*', correlationId }]);
  deps.logger.info('reconciliation queued', { correlation_id: correlationId, changes: envelopes.length });
  return { queued: envelopes.length };
}
