/**
 * The local PDF worker in its own thread (its own Lambda in AWS), rendering sheets on a pool of
 * render threads: a catalog of thousands of products never stalls the edge or the webhook
 * receiver. `pdfThread` runs inside the thread; `ThreadedPdfWorker` is the main
 * thread's handle (one batch at a time, progress relayed).
 */
import { syncedContent, type PdfSite } from '../functions/pdf/data.js';
import { loadPdfFonts } from '../functions/pdf/fonts.js';
import { imageLoader } from '../functions/pdf/images.js';
import { createSheetPool } from '../functions/pdf/pool.js';
import { PdfWorker, type PdfRunResult } from '../functions/pdf/worker.js';
import type { PdfJob } from '../functions/shared/changes/pdf-jobs.js';
import { fromWireError, toWireError, type WireError } from '../functions/shared/errors.js';
import { createJsonLogger } from '../functions/shared/logger.js';
import { type HostedContent, type HostedServices, hostedContentSource, hostedPorts } from './compose.js';
import { ThreadHost, throttled } from './thread-host.js';

export interface HostedPdfConfig extends HostedServices, HostedContent {
  site: PdfSite;
  /** Render threads (default: one per core). */
  poolSize?: number;
}

/** Builds the PDF worker inside the thread, on its own clients and its own render pool. */
export function createHostedPdfWorker(config: HostedPdfConfig): PdfWorker {
  const logger = createJsonLogger({ service: 'restatic-pdf', level: config.logLevel });
  const source = hostedContentSource(config);
  const pool = createSheetPool(config.poolSize);
  const { store, catalog, cdn } = hostedPorts(config);
  return new PdfWorker({
    catalog,
    content: syncedContent(source, config.site),
    store,
    // Absolute URLs on the local site's origin read from the bucket like site paths.
    images: imageLoader({ store, siteOrigin: config.site.baseUrl, onMissing: (src, reason) => logger.warn('PDF image missing', { src, reason }) }),
    cdn,
    logger,
    fonts: loadPdfFonts(),
    renderSheet: pool.render,
  });
}

type WireResult = Omit<PdfRunResult, 'failed'> & { failed: Array<{ index: number; job: PdfJob; error: WireError }> };
type PdfProgress = { done: number; total: number };

/** The thread's operations (thread.js builds them from the configuration). */
export function pdfThread(config: HostedPdfConfig) {
  const worker = createHostedPdfWorker(config);
  return {
    async run(jobs: PdfJob[], progress: (update: PdfProgress) => void): Promise<WireResult> {
      const send = throttled(progress, (p) => p.done === p.total);
      const result = await worker.run(jobs, (done, total) => send({ done, total }));
      return { ...result, failed: result.failed.map((f) => ({ index: jobs.indexOf(f.job), job: f.job, error: toWireError(f.error) })) };
    },
  };
}

/** The main thread's handle on the PDF thread (one batch at a time, progress relayed). */
export class ThreadedPdfWorker {
  readonly #host: ThreadHost;

  constructor(config: HostedPdfConfig) {
    this.#host = new ThreadHost({ name: 'PDF', module: './pdf-host.ts', factory: 'pdfThread', config, background: true });
  }

  async run(jobs: readonly PdfJob[], onProgress?: (done: number, total: number) => void): Promise<PdfRunResult> {
    const r = await this.#host.call<WireResult, PdfProgress>('run', jobs, (p) => onProgress?.(p.done, p.total));
    return { ...r, failed: r.failed.map((f) => ({ job: f.index >= 0 ? jobs[f.index]! : f.job, error: fromWireError(f.error) })) };
  }

  close(): Promise<void> {
    return this.#host.close();
  }
}
