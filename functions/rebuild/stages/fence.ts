/**
 * Stage 1, fence: which envelopes of a batch do work. The newest envelope per record wins; one not
 * newer than what is live is a no-op (duplicates, replays, reordering), so nothing older ever
 * overwrites newer. An envelope whose version cannot be compared fails alone.
 */
import { compareVersions, isVersion, recordKey, type ChangeEnvelope } from '../../shared/changes/envelope.js';
import { RestaticError, registerWireError } from '../../shared/errors.js';

/** An envelope the worker cannot use at all (a version it cannot compare): it fails alone, never retried. */
export class InvalidChangeError extends RestaticError {}
registerWireError(InvalidChangeError);

export interface Failed {
  envelope: ChangeEnvelope;
  error: Error;
}

/** Splits off envelopes the fencing cannot compare (the receivers refuse these; a replay may not). */
export function usableEnvelopes(envelopes: readonly ChangeEnvelope[]): { usable: ChangeEnvelope[]; invalid: Failed[] } {
  const usable: ChangeEnvelope[] = [];
  const invalid: Failed[] = [];
  for (const e of envelopes) {
    if (isVersion(e.version) && typeof e.id === 'string' && e.id !== '') usable.push(e);
    else invalid.push({ envelope: e, error: new InvalidChangeError(`expected ${e.kind} ${e.id} to carry a decimal version, got ${JSON.stringify(e.version)} (${e.topic})`) });
  }
  return { usable, invalid };
}

/** The envelopes that do work against the live versions, and those that are no-ops. */
export function fence(envelopes: readonly ChangeEnvelope[], live: Readonly<Record<string, string>>): { work: ChangeEnvelope[]; skipped: ChangeEnvelope[] } {
  const skipped: ChangeEnvelope[] = [];
  const newest = new Map<string, ChangeEnvelope>();
  for (const envelope of envelopes) {
    const key = recordKey(envelope);
    const seen = newest.get(key);
    if (seen && compareVersions(seen.version, envelope.version) >= 0) { skipped.push(envelope); continue; }
    if (seen) skipped.push(seen);
    newest.set(key, envelope);
  }
  const work: ChangeEnvelope[] = [];
  for (const [key, envelope] of newest) {
    // Reconciliation asks to re-read a record, whatever its version: reading current state is safe.
    // An instant is not a record: a schedule firing twice only finds nothing left to do.
    if (envelope.source !== 'reconcile' && envelope.kind !== 'Time' && compareVersions(envelope.version, live[key] ?? '0') <= 0) skipped.push(envelope);
    else work.push(envelope);
  }
  return { work, skipped };
}
