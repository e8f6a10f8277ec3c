/** SQS batch ⇄ the rebuild worker: one coalesced run per batch, partial batch failures reported. */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { ChangeEnvelope } from '../shared/changes/envelope.js';
import type { Logger, MessageReturns, MetricsSink, Queue } from '../shared/ports.js';
import { batchResponse, readBatch, returnSooner } from '../shared/sqs-batch.js';
import { isRetryable } from '../shared/errors.js';
import { runIsolated } from './isolate.js';
import type { RebuildResult, RebuildWorker } from './worker.js';

const isEnvelope = (e: unknown): e is ChangeEnvelope => {
  const x = e as ChangeEnvelope | null;
  return typeof x?.id === 'string' && typeof x.version === 'string' && typeof x.kind === 'string';
};

/** A message holds one envelope, or a pack of them (a stream batch's changes, see `SqsQueueOptions.pack`). */
function parse(body: string): ChangeEnvelope[] | undefined {
  try {
    const message = JSON.parse(body) as unknown;
    const envelopes = Array.isArray(message) ? message : [message];
    return envelopes.length > 0 && envelopes.every(isEnvelope) ? envelopes : undefined;
  } catch {
    return undefined;
  }
}

export interface WorkerHandlerOptions {
  /**
   * The changes queue's dead-letter queue. A poison change (it fails alone, for a reason retrying
   * cannot fix) is sent there at once and deleted from the queue: returned instead, it would hold
   * the whole FIFO group for maxReceiveCount × the visibility timeout.
   */
  deadLetters?: Queue<ChangeEnvelope>;
  /** Receives `RebuildLatency` (save → live, ms) per change that went live: the dashboard's metric. */
  metrics?: MetricsSink;
  /**
   * The function's memory and what the process uses now (MB). A warm worker holds the live site,
   * which grows with the store: after each run the share is a metric (`WorkerMemoryUsed`, alarmed
   * on) and, above `WORKER_MEMORY_WARN`, a warning, before a larger store runs it out of memory.
   */
  memory?: { limitMb: number; usedMb: () => number };
  /**
   * The queue the batch came from: failed messages are given back to it after a backoff (20 s,
   * doubling) rather than its visibility timeout, so a change the CDA had not caught up with (and,
   * on the FIFO queue, every change after it) waits seconds, not an hour and a half.
   */
  returns?: MessageReturns;
}

/** The share of its memory above which a worker warns (and the stack alarms): V8 needs room above what it holds. */
export const WORKER_MEMORY_WARN = 0.8;

/**
 * All messages of the batch become one run (a bulk publish of 200 entries is a handful of runs; a
 * message may carry a pack of changes, so a run takes up to 10 packs).
 * Failed envelopes, unparseable messages, or — if the run throws — every message, go back to the
 * queue; after maxReceiveCount SQS moves them to the dead-letter queue. For FIFO queues, messages
 * after the first failure are failed too, keeping the group's order. `afterRun` gets the envelopes
 * that went through and the run's result (to fan out PDF jobs, and to schedule time instants).
 */
export function createWorkerHandler(worker: Pick<RebuildWorker, 'run'>, logger: Logger, afterRun?: (processed: ChangeEnvelope[], result: RebuildResult) => Promise<void>, options: WorkerHandlerOptions = {}) {
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const { messages: byMessage, failed } = readBatch(event, parse, logger, 'change message');
    const envelopes = [...byMessage.values()].flat();
    try {
      // A change that fails on its own is split off; every other change of the batch goes live.
      const result = await runIsolated(worker, envelopes, logger);
      const failedEnvelopes = new Set(result.failed.map((f) => f.envelope));
      const parked = new Set<ChangeEnvelope>();
      const poison = result.failed.filter((f) => !isRetryable(f.error));
      if (options.deadLetters && poison.length) {
        try {
          await options.deadLetters.send(poison.map((f) => ({ ...f.envelope, lastError: f.error.message })));
          for (const f of poison) parked.add(f.envelope);
          logger.error('poison changes dead-lettered', { count: poison.length, changes: poison.map((f) => ({ id: f.envelope.id, version: f.envelope.version, correlation_id: f.envelope.correlationId, error: f.error.message })) });
        } catch (error) {
          logger.error('could not dead-letter poison changes; they return to the queue', { error: String(error) });
        }
      }
      // A pack returns to the queue if any of its changes must be retried (the rest are then fenced no-ops).
      for (const [messageId, pack] of byMessage) if (pack.some((e) => failedEnvelopes.has(e) && !parked.has(e))) failed.add(messageId);
      // Save → live, per change that went live in this run: a metric and a log line. Receipt by the
      // webhook receiver or stream consumer stands for "save".
      const skipped = new Set(result.skipped);
      const now = Date.now();
      for (const e of envelopes) {
        if (failedEnvelopes.has(e) || skipped.has(e)) continue;
        const received = Date.parse(e.receivedAt);
        if (!Number.isFinite(received)) continue;
        const latency = Math.max(0, now - received);
        options.metrics?.addMetric('RebuildLatency', 'Milliseconds', latency);
        logger.info('change live', { correlation_id: e.correlationId, id: e.id, topic: e.topic, mode: result.mode, latency_ms: latency });
      }
      // Fan-out (PDF jobs for CMS changes): if it fails, the batch is retried; the rebuild part is
      // then a fenced no-op and the fan-out runs again.
      await afterRun?.(envelopes.filter((e) => !failedEnvelopes.has(e)), result);
      if (options.memory) reportMemory(options.memory, logger, options.metrics);
      logger.info('rebuild run', { mode: result.mode, rendered: result.rendered.length, uploaded: result.uploaded.length, invalidated: result.invalidated.length, failed: failed.size, changes: envelopes.length, correlation_ids: envelopes.map((e) => e.correlationId) });
    } catch (error) {
      logger.error('rebuild run failed; the whole batch returns to the queue', { error: String(error) });
      for (const messageId of byMessage.keys()) failed.add(messageId);
    }
    const response = batchResponse(event, failed);
    await returnSooner(event, response, options.returns, logger);
    return response;
  };
}

function reportMemory(memory: NonNullable<WorkerHandlerOptions['memory']>, logger: Logger, metrics: MetricsSink | undefined): void {
  const used = memory.usedMb();
  const share = used / memory.limitMb;
  metrics?.addMetric('WorkerMemoryUsed', 'Percent', Math.round(share * 1000) / 10);
  if (share > WORKER_MEMORY_WARN) {
    logger.warn(`the rebuild worker uses ${Math.round(used)} of its ${memory.limitMb} MB: the live site it holds grows with the store; set catalogProducts to the store's size and redeploy (docs/deploy.md, "Sizing the rebuild worker") before it runs out`, { used_mb: Math.round(used), limit_mb: memory.limitMb });
  }
}
