/**
 * Stage 2b, collect catalog changes: each changed product read from the table now (never the
 * event's payload), and the dependency keys its change touches.
 */
import type { Product } from '../../shared/catalog/product.js';
import type { ChangeEnvelope } from '../../shared/changes/envelope.js';
import { ValidationError, isRetryable } from '../../shared/errors.js';
import type { Catalog, Logger, RejectedProduct } from '../../shared/ports.js';
import PQueue from 'p-queue';
import { productChangeKeys } from '../plan.js';

/** Parallel reads of changed products: a batch of hundreds (sustained repricing) read one by one took seconds. */
const READ_CONCURRENCY = 16;

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
  // One read per distinct sku (each returns the table as it is now), several at a time.
  const skus = [...new Set(work.map((e) => e.id))];
  const correlation = new Map(work.map((e) => [e.id, e.correlationId]));
  const queue = new PQueue({ concurrency: READ_CONCURRENCY });
  // Reported in work order, whatever order the reads finish in.
  const rejectedBy = new Map<string, RejectedProduct>();
  const read = await Promise.all(skus.map((sku) => queue.add(() => deps.catalog.get(sku).catch((error: unknown) => {
    // A transient read failure must not remove a live page: the run fails and is retried.
    if (!(error instanceof ValidationError) || isRetryable(error)) throw error;
    deps.logger.warn('product item breaks the product rules; its pages go until a valid version is written', { sku, field: error.field, error: error.message, correlation_id: correlation.get(sku) });
    rejectedBy.set(sku, { sku, field: error.field, message: error.message });
    return undefined;
  }), { throwOnTimeout: true })));
  for (const [i, sku] of skus.entries()) {
    const after = read[i];
    changes.set(sku, after);
    if (after === undefined && rejectedBy.has(sku)) rejected.push(rejectedBy.get(sku)!);
    for (const key of productChangeKeys(sku, live.get(sku), after)) changedKeys.add(key);
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
