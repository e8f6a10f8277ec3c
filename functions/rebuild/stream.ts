/**
 * The catalog stream consumer's core: DynamoDB stream records (NEW_AND_OLD_IMAGES) of the products
 * table → change envelopes, with the top-level fields that differ between the images. The sequence
 * number is the version: monotonic per item, so the worker can fence duplicates and reorderings.
 */
import { randomUUID } from 'node:crypto';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { type ChangeEnvelope, isVersion } from '../shared/changes/envelope.js';
import { pdfJobsFor, type PdfJob } from '../shared/changes/pdf-jobs.js';
import { ValidationError } from '../shared/errors.js';
import type { Logger, Queue } from '../shared/ports.js';

type Image = Record<string, unknown>;

/** Top-level attributes whose values differ between two images (either may be absent). */
export function changedFields(before: Image | undefined, after: Image | undefined): string[] {
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  return [...keys].filter((k) => JSON.stringify(before?.[k]) !== JSON.stringify(after?.[k])).sort();
}

/**
 * One stream record → one envelope. Throws ValidationError for a record it cannot use. The
 * correlation id is the record's event id: a redelivered record is traced as the same change.
 */
export function envelopeFromStreamRecord(record: DynamoDBRecord, correlationId: string = record.eventID || randomUUID()): ChangeEnvelope {
  const data = record.dynamodb;
  const sku = data?.Keys?.sku?.S;
  if (!sku) throw new ValidationError('dynamodb.Keys.sku', `expected the products table's key "sku" in stream record ${record.eventID ?? '(no id)'}`);
  const version = data?.SequenceNumber ?? '';
  if (!isVersion(version)) throw new ValidationError('dynamodb.SequenceNumber', `expected a decimal sequence number for sku ${sku}, got ${JSON.stringify(version)}`);
  const before = data?.OldImage ? unmarshall(data.OldImage as never) : undefined;
  const after = data?.NewImage ? unmarshall(data.NewImage as never) : undefined;
  const eventName = record.eventName ?? (after ? 'MODIFY' : 'REMOVE');
  return {
    source: 'catalog', kind: 'Product', id: sku, version, topic: `Product.${eventName}`,
    correlationId, receivedAt: new Date().toISOString(), changedFields: changedFields(before, after),
  };
}

export interface StreamForwardDeps {
  queue: Queue<ChangeEnvelope>;
  pdfJobs: Queue<PdfJob>;
  logger: Logger;
}

/** A record's envelope, or undefined (logged) for a record no attempt could use. */
function usableEnvelope(logger: Logger, record: DynamoDBRecord): ChangeEnvelope | undefined {
  try {
    return envelopeFromStreamRecord(record);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    logger.error('stream record unusable; dropped', { eventID: record.eventID, field: error.field, error: error.message });
    return undefined;
  }
}

/**
 * Forwards a batch of stream records: their envelopes to the changes queue in one send (the queue
 * packs them, so one worker run can take the whole batch), their PDF jobs to theirs. A record no
 * attempt could use (no key, no sequence number) is logged and dropped, never failed: failed, it
 * would be retried and bisected with its neighbours for an hour before reaching the on-failure
 * queue. If a queue refuses, every usable record is reported failed (ReportBatchItemFailures) and
 * the stream retries them: what was sent already is sent again, and the worker's fence drops it.
 * The Lambda and the local stream poller both run this.
 */
export async function forwardStreamBatch(deps: StreamForwardDeps, event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  const usable: Array<{ record: DynamoDBRecord; envelope: ChangeEnvelope }> = [];
  for (const record of event.Records) {
    const envelope = usableEnvelope(deps.logger, record);
    if (envelope) usable.push({ record, envelope });
  }
  if (usable.length === 0) return { batchItemFailures: [] };
  const envelopes = usable.map((u) => u.envelope);
  try {
    await deps.queue.send(envelopes);
    const jobs = pdfJobsFor(envelopes);
    if (jobs.length) await deps.pdfJobs.send(jobs);
  } catch (error) {
    deps.logger.error('stream batch not queued; the stream retries it', { records: usable.length, error: String(error) });
    return { batchItemFailures: usable.map((u) => ({ itemIdentifier: u.record.dynamodb!.SequenceNumber! })) };
  }
  for (const e of envelopes) deps.logger.info('catalog change queued', { correlation_id: e.correlationId, sku: e.id, topic: e.topic, fields: e.changedFields });
  return { batchItemFailures: [] };
}
