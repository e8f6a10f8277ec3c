/**
 * The local PDF worker in its own thread (its own Lambda in AWS), rendering sheets on a pool of
 * render threads: a catalog of thousands of products never stalls the edge or the webhook
 * receiver. `createHostedPdfWorker` runs inside the thread; `ThreadedPdfWorker` is the main
 * thread's handle (one batch at a time, progress relayed).
 */
import { Worker } from 'node:worker_threads';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { syncedContent } from '../functions/pdf/data.js';
import { loadPdfFonts } from '../functions/pdf/fonts.js';
import { imageLoader } from '../functions/pdf/images.js';
import { createSheetPool } from '../functions/pdf/pool.js';
import { PdfWorker, type PdfRunResult } from '../functions/pdf/worker.js';
import { createDynamoDbCatalog } from '../functions/shared/adapters/dynamodb-catalog.js';
import { createLocalEdgeCdn } from '../functions/shared/adapters/local-edge-cdn.js';
import { createS3ObjectStore, s3CompatibleConfig } from '../functions/shared/adapters/s3-object-store.js';
import type { PdfJob } from '../functions/shared/changes/pdf-jobs.js';
import { fromWireError, type WireError } from '../functions/shared/errors.js';
import { createJsonLogger } from '../functions/shared/logger.js';
import { dynamoCompatibleConfig } from './embedded.js';
import { type HostedContent, type HostedServices, hostedContentSource, onThreadDeath } from './hosted.js';

export interface HostedPdfConfig extends HostedServices, HostedContent {
  site: { baseUrl: string; currencies: string[] };
  /** Render threads (default: one per core). */
  poolSize?: number;
}

/** Builds the PDF worker inside the thread, on its own clients and its own render pool. */
export function createHostedPdfWorker(config: HostedPdfConfig): PdfWorker {
  const logger = createJsonLogger({ service: 'restatic-pdf', level: config.logLevel });
  const source = hostedContentSource(config);
  const pool = createSheetPool(config.poolSize);
  const store = createS3ObjectStore({ bucket: config.bucket, client: new S3Client(s3CompatibleConfig(config.s3Endpoint)) });
  return new PdfWorker({
    catalog: createDynamoDbCatalog({ table: config.table, client: new DynamoDBClient(dynamoCompatibleConfig(config.dynamoEndpoint)) }),
    content: syncedContent(source, config.site),
    store,
    // Absolute URLs on the local site's origin read from the bucket like site paths.
    images: imageLoader({ store, siteOrigin: config.site.baseUrl, onMissing: (src, reason) => logger.warn('PDF image missing', { src, reason }) }),
    cdn: createLocalEdgeCdn(config.edgeUrl),
    logger,
    fonts: loadPdfFonts(),
    renderSheet: pool.render,
  });
}

type Reply =
  | { ready: true }
  | { id: number; progress: { done: number; total: number } }
  | { id: number; result: Omit<PdfRunResult, 'failed'> & { failed: Array<{ index: number; job: PdfJob; error: WireError }> } }
  | { id: number; error: WireError };

/** The main thread's handle on the PDF thread. */
export class ThreadedPdfWorker {
  #thread!: Worker;
  #ready!: Promise<void>;
  #closed = false;
  #next = 0;
  readonly #calls = new Map<number, { jobs: readonly PdfJob[]; resolve: (r: PdfRunResult) => void; reject: (e: Error) => void; onProgress?: (done: number, total: number) => void }>();

  constructor(private readonly config: HostedPdfConfig) {
    this.#spawn();
  }

  /** Starts the thread; if it dies, the batch in progress fails (retryable) and a new one starts. */
  #spawn(): void {
    const thread = new Worker(new URL('./pdf-thread.js', import.meta.url), { workerData: this.config });
    this.#thread = thread;
    this.#ready = new Promise((resolve, reject) => {
      thread.once('error', reject);
      thread.on('message', (reply: Reply) => {
        if ('ready' in reply) return resolve();
        const call = this.#calls.get(reply.id);
        if (!call) return;
        if ('progress' in reply) return call.onProgress?.(reply.progress.done, reply.progress.total);
        this.#calls.delete(reply.id);
        if ('error' in reply) return call.reject(fromWireError(reply.error));
        const r = reply.result;
        call.resolve({ ...r, failed: r.failed.map((f) => ({ job: f.index >= 0 ? call.jobs[f.index]! : f.job, error: fromWireError(f.error) })) });
      });
    });
    this.#ready.catch(() => undefined);
    onThreadDeath(thread, 'PDF', (error) => {
      for (const call of this.#calls.values()) call.reject(error);
      this.#calls.clear();
      if (!this.#closed) this.#spawn();
    });
  }

  async run(jobs: readonly PdfJob[], onProgress?: (done: number, total: number) => void): Promise<PdfRunResult> {
    await this.#ready;
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#calls.set(id, { jobs, resolve, reject, ...(onProgress ? { onProgress } : {}) });
      this.#thread.postMessage({ id, jobs });
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#thread.terminate();
  }
}
