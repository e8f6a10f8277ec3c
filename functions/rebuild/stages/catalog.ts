/**
 * Stage 2b, collect catalog changes: each changed product read from the table now (never the
 * event's payload), and the dependency keys its change touches.
 */
import type { Product } from '../../shared/catalog/product.js';
import type { ChangeEnvelope } from '../../shared/changes/envelope.js';
import { ValidationError, isRetryable } from '../../shared/errors.js';
import type { Catalog, Logger, RejectedProduct } from '../../shared/ports.js';
import { productChangeKeys } from '../plan.js';

export interface CatalogCollected {
  /** The changed products as the table holds them now (undefined: gone, or rejected). */
  changes: Map<string, Product | undefined>;
  changedKeys: Set<string>;
  /** Items that break the product rules: absent, as a full build treats them, until fixed. */
  rejected: RejectedProduct[];
}

export async function collectCatalog(deps: { catalog: Pick<Catalog, 'get'>; logger: Logger }, live: ReadonlyMap<string, Product>, work: readonly ChangeEnvelope[]): Promise<CatalogCollected> {
  const changes = new Map<string, Product | undefined>();
  const changedKeys = new Set<string>();
  const rejected: RejectedProduct[] = [];
  for (const e of work) {
    const before = changes.has(e.id) ? changes.get(e.id) : live.get(e.id);
    const after = await deps.catalog.get(e.id).catch((error: unknown) => {
      // A transient read failure must not remove a live page: the run fails and is retried.
      if (!(error instanceof ValidationError) || isRetryable(error)) throw error;
      deps.logger.warn('product item breaks the product rules; its pages go until a valid version is written', { sku: e.id, field: error.field, error: error.message, correlation_id: e.correlationId });
      rejected.push({ sku: e.id, field: error.field, message: error.message });
      return undefined;
    });
    changes.set(e.id, after);
    for (const key of productChangeKeys(e.id, before, after)) changedKeys.add(key);
  }
  return { changes, changedKeys, rejected };
}

/** The live catalog with `changes` applied, as a new map. */
export function withChanges(live: ReadonlyMap<string, Product>, changes: ReadonlyMap<string, Product | undefined>): Map<string, Product> {
  const products = new Map(live);
  for (const [sku, p] of changes) {
    if (p) products.set(sku, p);
    else products.delete(sku);
  }
  return products;
}
