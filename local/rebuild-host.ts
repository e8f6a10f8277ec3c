/**
 * The local rebuild worker in its own thread: what runs there (`createHostedWorker`, from plain
 * configuration) and the main thread's handle on it (`ThreadedRebuildWorker`, same `run()` as the
 * in-process worker). Envelopes cross as indices, so results refer to the caller's own objects.
 */
import { Worker } from 'node:worker_threads';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { RebuildWorker, type RebuildOptions, type RebuildResult } from '../functions/rebuild/worker.js';
import { createDynamoDbCatalog } from '../functions/shared/adapters/dynamodb-catalog.js';
import { createLocalEdgeCdn } from '../functions/shared/adapters/local-edge-cdn.js';
import { createS3ObjectStore, s3CompatibleConfig } from '../functions/shared/adapters/s3-object-store.js';
import { fullBuild } from '../functions/shared/build/full-build.js';
import { createWorkerPoolRenderer } from '../functions/shared/build/render-pool.js';
import type { ChangeEnvelope } from '../functions/shared/changes/envelope.js';
import { fromWireError, toWireError, type RestaticError, type WireError } from '../functions/shared/errors.js';
import { createJsonLogger } from '../functions/shared/logger.js';
import { dynamoCompatibleConfig } from './embedded.js';
import { type HostedContent, type HostedServices, hostedContentSource, onThreadDeath } from './hosted.js';

export interface HostedWorkerConfig extends HostedServices, HostedContent {
  options: RebuildOptions;
}

/** Builds the worker inside the thread, on its own clients. */
export function createHostedWorker(config: HostedWorkerConfig): RebuildWorker {
  const logger = createJsonLogger({ service: 'restatic-rebuild', level: config.logLevel });
  const store = createS3ObjectStore({ bucket: config.bucket, client: new S3Client(s3CompatibleConfig(config.s3Endpoint)) });
  const catalog = createDynamoDbCatalog({ table: config.table, client: new DynamoDBClient(dynamoCompatibleConfig(config.dynamoEndpoint)) });
  const content = hostedContentSource(config);
  const cdn = createLocalEdgeCdn(config.edgeUrl);
  const renderer = createWorkerPoolRenderer();
  const build = () => fullBuild({ content, catalog, store, cdn, logger, renderer }, { site: { ...config.options.site, now: new Date() }, demoImages: config.options.demoImages });
  return new RebuildWorker({ content, catalog, store, cdn, logger, fullBuild: build }, config.options);
}

type SerializedError = WireError;
type SerializedResult = Omit<RebuildResult, 'skipped' | 'failed'> & { skipped: number[]; failed: Array<{ index: number; error: SerializedError }> };

/** An error as it crosses the thread boundary: class name, `retryable` (decided on this side), field, cause. */
export const serializeError = (e: unknown): SerializedError => toWireError(e);

export function serializeResult(result: RebuildResult, envelopes: readonly ChangeEnvelope[]): SerializedResult {
  const error = serializeError;
  return {
    ...result,
    skipped: result.skipped.map((e) => envelopes.indexOf(e)),
    failed: result.failed.map((f) => ({ index: envelopes.indexOf(f.envelope), error: error(f.error) })),
  };
}

const revive = (error: SerializedError): RestaticError => fromWireError(error);

/** The main thread's handle: one batch at a time, like the loop that drives it. */
export class ThreadedRebuildWorker {
  #thread!: Worker;
  #ready!: Promise<void>;
  #closed = false;
  #next = 0;
  readonly #pending = new Map<number, { resolve: (r: RebuildResult) => void; reject: (e: Error) => void; envelopes: readonly ChangeEnvelope[] }>();
  readonly #warming = new Map<number, { resolve: (pages: string[]) => void; reject: (e: Error) => void }>();

  constructor(private readonly config: HostedWorkerConfig) {
    this.#spawn();
  }

  /** Starts the thread; if it dies, the run in progress fails (retryable) and a new one starts. */
  #spawn(): void {
    const thread = new Worker(new URL('./rebuild-thread.js', import.meta.url), { workerData: this.config, resourceLimits: { maxYoungGenerationSizeMb: 64 } });
    this.#thread = thread;
    this.#ready = new Promise((resolve, reject) => {
      thread.once('error', reject);
      thread.on('message', (message: { ready?: boolean; id?: number; result?: SerializedResult; warmed?: string[]; error?: SerializedError }) => {
        if (message.ready) return resolve();
        const warming = this.#warming.get(message.id!);
        if (warming) {
          this.#warming.delete(message.id!);
          return message.error ? warming.reject(revive(message.error)) : warming.resolve(message.warmed!);
        }
        const call = this.#pending.get(message.id!);
        if (!call) return;
        this.#pending.delete(message.id!);
        if (message.error) return call.reject(revive(message.error));
        const r = message.result!;
        call.resolve({
          ...r,
          skipped: r.skipped.map((i) => call.envelopes[i]!),
          failed: r.failed.map((f) => ({ envelope: call.envelopes[f.index]!, error: revive(f.error) })),
        });
      });
    });
    this.#ready.catch(() => undefined);
    onThreadDeath(thread, 'rebuild', (error) => {
      for (const call of this.#pending.values()) call.reject(error);
      // A warm-up cut short by close() is no failure; one cut short by a crash is.
      for (const call of this.#warming.values()) if (this.#closed) call.resolve([]); else call.reject(error);
      this.#pending.clear();
      this.#warming.clear();
      if (!this.#closed) this.#spawn();
    });
  }

  async run(envelopes: readonly ChangeEnvelope[]): Promise<RebuildResult> {
    await this.#ready;
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject, envelopes });
      this.#thread.postMessage({ id, envelopes });
    });
  }

  /** Readies the thread for its first change (see `RebuildWorker.warm`); the pages it rendered, unpublished. */
  async warm(): Promise<string[]> {
    await this.#ready;
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#warming.set(id, { resolve, reject });
      this.#thread.postMessage({ id, warm: true });
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#thread.terminate();
  }
}
