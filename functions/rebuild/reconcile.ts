/**
 * Reconciliation: catches what events missed (a webhook Contentful dropped after its retries, a
 * stream record past its retention). It diffs the catalog against the last built state and asks the
 * worker to re-read every product that differs, plus one content re-sync from the stored token.
 */
import { randomUUID } from 'node:crypto';
import type { ChangeEnvelope } from '../shared/changes/envelope.js';
import type { Catalog, Logger } from '../shared/ports.js';
import type { SiteState } from '../shared/state/site-state.js';

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
