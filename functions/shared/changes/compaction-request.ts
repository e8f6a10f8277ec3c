/**
 * A request to the compactor (its FIFO queue in AWS, a call to its thread locally): the rebuild
 * worker sends one when a commit leaves the state's or manifest's segments due. The compactor
 * checks what is due itself, so a request carries only the correlation id of the run that asked.
 */
import type { Logger, Queue } from '../ports.js';

export interface CompactionRequest {
  correlationId: string;
  requestedAt: string;
}

/** Requests within one window share a deduplication id: SQS FIFO keeps one of them, not one per run. */
export const COMPACTION_REQUEST_WINDOW_MS = 15_000;

export function compactionDedupId(request: CompactionRequest): string {
  return `compaction-${Math.floor(Date.parse(request.requestedAt) / COMPACTION_REQUEST_WINDOW_MS)}`;
}

/**
 * The correlation id a queued request carries; a body that is not a request still asks for a
 * compaction (the compactor needs nothing from it), under the message's own id.
 */
export function requestCorrelationId(body: string, messageId: string): string {
  try {
    const parsed = JSON.parse(body) as Partial<CompactionRequest> | null;
    if (parsed && typeof parsed.correlationId === 'string' && parsed.correlationId) return parsed.correlationId;
  } catch {
    // not JSON: the message id stands in
  }
  return messageId;
}

/**
 * Asks the compactor when a run left the segments due. A request that cannot be sent is only
 * logged: the run's work is done, and a later commit asks again (or folds the segments itself).
 */
export async function requestCompaction(queue: Queue<CompactionRequest> | undefined, due: boolean | undefined, correlationId: string, logger: Logger): Promise<void> {
  if (!queue || !due) return;
  await queue.send([{ correlationId, requestedAt: new Date().toISOString() }])
    .catch((error: unknown) => logger.warn('compaction request failed', { correlation_id: correlationId, error: String(error) }));
}
