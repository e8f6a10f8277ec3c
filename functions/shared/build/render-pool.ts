/**
 * Page renderers. The full build shards its pages over worker threads (both cores of a build
 * machine), in chunks, so uploads of finished chunks overlap with rendering of the next.
 * Targeted rebuilds render a handful of pages in-process.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { RenderError } from '../errors.js';
import { renderPages, type RenderContext, type RenderedPage } from './render.js';
import type { PageSpec } from './site-model.js';

export interface PageRenderer {
  /** Renders all pages; `onChunk` receives results as they finish (await it to apply backpressure). */
  render(pages: readonly PageSpec[], context: RenderContext, onChunk: (rendered: RenderedPage[]) => Promise<void>): Promise<void>;
}

/** Renders in the calling thread, in one Eleventy run. */
export const inProcessRenderer: PageRenderer = {
  async render(pages, context, onChunk) {
    await onChunk(await renderPages(pages, context));
  },
};

export interface WorkerPoolOptions {
  /** @default availableParallelism() */
  workers?: number;
  /** Pages per Eleventy run. Smaller chunks overlap better with uploads; each run costs a fixed setup. @default 1000 */
  chunkSize?: number;
}

interface WorkerReply {
  id?: number;
  ready?: boolean;
  rendered?: Array<{ url: string; key: string; hash: string; body: ArrayBuffer }>;
  error?: { message: string; name: string };
}

/** Renders on a pool of worker threads, created per call and terminated afterwards. */
export function createWorkerPoolRenderer(options: WorkerPoolOptions = {}): PageRenderer {
  return {
    async render(pages, context, onChunk) {
      const chunkSize = options.chunkSize ?? 1000;
      const chunks: PageSpec[][] = [];
      for (let i = 0; i < pages.length; i += chunkSize) chunks.push(pages.slice(i, i + chunkSize));
      const size = Math.max(1, Math.min(options.workers ?? availableParallelism(), chunks.length));
      let next = 0;
      let failure: Error | undefined;
      const delivered: Array<Promise<void>> = [];

      const runWorker = () => new Promise<void>((resolve, reject) => {
        const worker = new Worker(new URL('./render-worker.js', import.meta.url));
        const dispatch = () => {
          if (failure || next >= chunks.length) {
            void worker.terminate().then(() => resolve());
            return;
          }
          const id = next++;
          worker.postMessage({ id, pages: chunks[id], context });
        };
        worker.on('message', (reply: WorkerReply) => {
          if (reply.ready) return dispatch();
          if (reply.error) {
            failure ??= new RenderError(`Rendering chunk ${reply.id} (${chunks[reply.id!]?.[0]?.url} …) failed: ${reply.error.message}`);
            return dispatch();
          }
          const rendered = reply.rendered!.map((r) => ({ url: r.url, key: r.key, hash: r.hash, body: Buffer.from(r.body) }));
          delivered.push(onChunk(rendered).catch((error: unknown) => { failure ??= error as Error; }));
          dispatch();
        });
        worker.once('error', (error) => {
          failure ??= new RenderError(`A render worker crashed: ${error.message}`, { cause: error });
          reject(failure);
        });
      });

      await Promise.all(Array.from({ length: size }, runWorker));
      await Promise.all(delivered);
      if (failure) throw failure;
    },
  };
}
