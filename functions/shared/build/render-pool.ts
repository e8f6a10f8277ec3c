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
  /**
   * Starts expensive set-up (worker threads loading Eleventy) early, to overlap with other work,
   * when a render of about `expectedPages` pages will follow.
   */
  warm?(expectedPages: number): void;
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
  /** Pages per Eleventy run. @default 500 */
  chunkSize?: number;
  /**
   * Below this many pages, render in the calling thread: booting a worker (~0.9 s of CPU to load
   * Eleventy) costs more than it saves (measured: 358 pages took 1.1 s on the pool, 0.66 s plain).
   * @default 2000
   */
  minPagesForWorkers?: number;
}

interface WorkerReply {
  id?: number;
  ready?: boolean;
  renderMs?: number;
  rendered?: Array<{ url: string; key: string; hash: string; body: ArrayBuffer }>;
  error?: { message: string; name: string };
}

/** A worker thread loading Eleventy; `ready` resolves when it says so. */
interface BootingWorker {
  worker: Worker;
  ready: Promise<void>;
}

function bootWorker(): BootingWorker {
  // A larger young generation: rendering allocates many short-lived strings, and the default
  // worker nursery makes the scavenger run several times as often (measured: ~30% slower chunks).
  const worker = new Worker(new URL('./render-worker.js', import.meta.url), { resourceLimits: { maxYoungGenerationSizeMb: 64 } });
  const ready = new Promise<void>((resolve, reject) => {
    const onMessage = (reply: WorkerReply) => {
      if (!reply.ready) return;
      worker.off('message', onMessage);
      worker.off('error', reject);
      resolve();
    };
    worker.on('message', onMessage);
    worker.once('error', reject);
  });
  ready.catch(() => {}); // observed by the render that uses it; never unhandled while idle
  return { worker, ready };
}

/**
 * Renders on a pool of worker threads. Workers boot on `warm()` (or the first render), render the
 * chunks of one call, and are terminated at its end: full builds are rare, idle threads are waste.
 * Measured on the 2-vCPU build machine: two threads render ~1.3× faster than one (memory-bound work;
 * separate processes did no better). A JIT warm-up at boot was tried and dropped: it stole the CPU
 * the catalog read needs, and the first real chunk warms the JIT anyway.
 */
export function createWorkerPoolRenderer(options: WorkerPoolOptions = {}): PageRenderer {
  const poolSize = options.workers ?? availableParallelism();
  const minPages = options.minPagesForWorkers ?? 2000;
  // Smaller Eleventy runs are cheaper per page: every paginated page carries arrays as long as its
  // run, so one run over N pages costs O(N²). ~500 pages keeps the fixed cost per run low.
  const chunkSize = options.chunkSize ?? 500;
  const warmed: BootingWorker[] = [];
  return {
    warm(expectedPages) {
      if (expectedPages < minPages) return;
      while (warmed.length < poolSize) warmed.push(bootWorker());
    },
    async render(pages, context, onChunk) {
      const chunks: PageSpec[][] = [];
      for (let i = 0; i < pages.length; i += chunkSize) chunks.push(pages.slice(i, i + chunkSize));
      if (pages.length < minPages) {
        for (const idle of warmed.splice(0)) void idle.worker.terminate();
        for (const chunk of chunks) await onChunk(await renderPages(chunk, context));
        return;
      }
      const size = Math.max(1, Math.min(poolSize, chunks.length));
      const booted = warmed.splice(0, size);
      while (booted.length < size) booted.push(bootWorker());
      for (const extra of warmed.splice(0)) void extra.worker.terminate();
      let next = 0;
      let failure: Error | undefined;
      const delivered: Array<Promise<void>> = [];

      const runWorker = ({ worker, ready }: BootingWorker) => new Promise<void>((resolve, reject) => {
        const dispatch = () => {
          if (failure || next >= chunks.length) {
            void worker.terminate().then(() => resolve());
            return;
          }
          const id = next++;
          worker.postMessage({ id, pages: chunks[id], context });
        };
        worker.on('message', (reply: WorkerReply) => {
          if (reply.ready) return;
          if (reply.error) {
            failure ??= new RenderError(`Rendering chunk ${reply.id} (from ${chunks[reply.id!]?.[0]?.url}) failed: ${reply.error.message}`);
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
        ready.then(dispatch, (error: Error) => {
          failure ??= new RenderError(`A render worker failed to start: ${error.message}`, { cause: error });
          reject(failure);
        });
      });

      await Promise.all(booted.map(runWorker));
      await Promise.all(delivered);
      if (failure) throw failure;
    },
  };
}
