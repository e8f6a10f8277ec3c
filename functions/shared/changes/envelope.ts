/**
 * The change envelope: one normalised shape for every event that can change the site, whatever
 * its source (a Contentful webhook, a DynamoDB stream record, a reconciliation pass). It names what
 * changed and its version; it never carries the content itself — the worker reads current state.
 */

export type ChangeSourceKind = 'contentful' | 'catalog' | 'reconcile' | 'schedule';

export interface ChangeEnvelope {
  source: ChangeSourceKind;
  /**
   * Contentful entity type (`Entry`, `Asset`, `ContentType`), `Product`, or `Time`: an instant at
   * which pages change with time alone (a sale starts or ends), sent by a schedule.
   */
  kind: 'Entry' | 'Asset' | 'ContentType' | 'Product' | 'Time';
  /** Entity id or sku (for `Time`, the instant as an ISO 8601 string). */
  id: string;
  /**
   * Monotonic version as a decimal string: a Contentful revision (publish counter / sys.version),
   * or a DynamoDB stream sequence number (too large for a JS number); for `Time`, its epoch ms.
   */
  version: string;
  /** `Entry.publish`, `Asset.unpublish`, `ContentType.publish`, `Product.MODIFY`, `Product.REMOVE`, … */
  topic: string;
  correlationId: string;
  receivedAt: string;
  /** Contentful's X-Contentful-Idempotency-Key, when given. */
  idempotencyKey?: string;
  /** For products: top-level fields that differ between the old and new image. */
  changedFields?: string[];
  /** Delivery attempts so far (local queue; SQS counts receives itself). */
  attempt?: number;
  /** On a dead letter: why its last attempt failed. */
  lastError?: string;
}

/** The version-fencing key of an envelope: `entry:<id>`, `asset:<id>`, `sku:<sku>`, `contentType:<id>`. */
export function recordKey(envelope: Pick<ChangeEnvelope, 'kind' | 'id'>): string {
  return envelope.kind === 'Product' ? `sku:${envelope.id}` : `${envelope.kind.charAt(0).toLowerCase()}${envelope.kind.slice(1)}:${envelope.id}`;
}

/** Compares decimal version strings of any length (stream sequence numbers exceed 2^53). */
export function compareVersions(a: string, b: string): number {
  const x = BigInt(a || '0');
  const y = BigInt(b || '0');
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Whether a string is a usable version (non-negative decimal integer). */
export function isVersion(value: string): boolean {
  return /^\d{1,40}$/.test(value);
}

/** The envelope a schedule sends at an instant (epoch ms) at which pages change with time alone. */
export function timeEnvelope(instant: number, correlationId: string, receivedAt = new Date()): ChangeEnvelope {
  return { source: 'schedule', kind: 'Time', id: new Date(instant).toISOString(), version: String(instant), topic: 'Time.reached', correlationId, receivedAt: receivedAt.toISOString() };
}

/**
 * A request for a full build (the deploy workflow, `restatic build --target aws`): through the changes
 * queue like any change, so it never interleaves with a targeted run. A reconcile-sourced content
 * model change, which the worker answers with a full build whatever the live versions say.
 */
export function buildRequestEnvelope(correlationId: string, now = new Date()): ChangeEnvelope {
  return { source: 'reconcile', kind: 'ContentType', id: '*', version: String(now.getTime()), topic: 'Build.requested', correlationId, receivedAt: now.toISOString() };
}
