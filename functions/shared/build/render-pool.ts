/**
 * Page renderers. The full build shards its pages over worker threads (both cores of a build
 * machine), in chunks, so uploads of finished chunks overlap with rendering of the next. Given a
 * store module, the threads also upload their own chunks, as shard Lambdas do: the SDK's cost per
 * request (~2.5 ms of CPU) is then spread over the threads instead of holding the main one.
 * Targeted rebuilds render a handful of pages in-process.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { RenderError } from '../errors.js';
import type { Cdn, ObjectStore } from '../ports.js';
import type { Manifest } from '../publish/manifest.js';
import type { StagedObjects } from '../publish/publisher.js';
import type { PageSource } from './page-source.js';
import { publishShard } from './publish-shard.js';
import { renderPages, type RenderContext, type RenderedPage } from './render.js';
import type { PageSpec } from './site-model.js';

/** How `publish` uploads: against which live entries, at which instant, and which pages it hands back instead. */
export interface ChunkPublishing {
  /** The live manifest entries of these keys (what a chunk compares its outputs with). */
  live(keys: readonly string[]): Manifest['entries'];
  now: Date;
  /** Pages to return rendered rather than upload (the sitemaps, which the commit publishes last). */
  hold?(key: string): boolean;
  /** Parallel uploads per chunk. @default 32 */
  concurrency?: number;
}

/** What one published chunk stored, and the pages it held back, rendered. */
export interface PublishedChunk {
  staged: StagedObjects;
  held: RenderedPage[];
  pages: number;
}

export interface PageRenderer {
  /**
   * Renders all pages, taking them from `pages` a chunk at a time (a lazy source computes a chunk's
   * data when it is taken); `onChunk` receives results as they finish (await it to apply backpressure).
   */
  render(pages: PageSource, context: RenderContext, onChunk: (rendered: RenderedPage[]) => Promise<void>): Promise<void>;
  /**
   * Renders and uploads all pages chunk by chunk where they are rendered; present when the renderer
   * has a store of its own (`WorkerPoolOptions.store`).
   */
  publish?(pages: PageSource, context: RenderContext, publishing: ChunkPublishing, onChunk: (chunk: PublishedChunk) => Promise<void>): Promise<void>;
  /**
   * Starts expensive set-up (worker threads loading Eleventy) early, to overlap with other work,
   * when a render of about `expectedPages` pages will follow.
   */
  warm?(expectedPages: number): void;
}

/** Renders in the calling thread, in one Eleventy run. */
export const inProcessRenderer: PageRenderer = {
  async render(pages, context, onChunk) {
    await onChunk(await renderPages(pages.slice(0, pages.length), context));
  },
};

/**
 * A module the render threads import to make their own store: it exports `createThreadStore(options)`
 * returning an ObjectStore (clients cannot cross threads; each thread makes its own, as each shard
 * Lambda has its own).
 */
export interface ThreadStoreModule {
  module: string;
  options: unknown;
}

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
  /** Where the threads upload (enables `publish`). */
  store?: ThreadStoreModule;
}

interface WorkerReply {
  id?: number;
  ready?: boolean;
  renderMs?: number;
  rendered?: WirePage[];
  staged?: StagedObjects;
  error?: { message: string; name: string };
}

interface WirePage { url: string; key: string; hash: string; body: ArrayBuffer }

/** A worker thread loading Eleventy; `ready` resolves when it says so. */
interface BootingWorker {
  worker: Worker;
  ready: Promise<void>;
}

function bootWorker(store: ThreadStoreModule | undefined): BootingWorker {
  // A larger young generation: rendering allocates many short-lived strings, and the default
  // worker nursery makes the scavenger run several times as often (measured: ~30% slower chunks).
  const worker = new Worker(new URL('./render-worker.js', import.meta.url), { resourceLimits: { maxYoungGenerationSizeMb: 64 }, workerData: { store } });
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

const fromWire = (pages: WirePage[]): RenderedPage[] => pages.map((r) => ({ url: r.url, key: r.key, hash: r.hash, body: Buffer.from(r.body) }));

/** Publishing never invalidates: the commit sends the build's one invalidation. */
const NO_CDN: Cdn = { invalidate: () => Promise.reject(new RenderError('Expected a render thread never to invalidate, got a call')) };

/** Renders one chunk and uploads what it does not hold back: the same work in a thread or in-process. */
export async function publishChunk(store: ObjectStore, pages: readonly PageSpec[], context: RenderContext, live: Manifest['entries'], now: Date, hold: ReadonlySet<string>, concurrency = 32): Promise<{ staged: StagedObjects; held: RenderedPage[] }> {
  const rendered = await renderPages(pages, context);
  const held = rendered.filter((r) => hold.has(r.key));
  const staged = await publishShard({ store, cdn: NO_CDN, logger: { debug() {}, info() {}, warn() {}, error() {} } }, rendered.filter((r) => !hold.has(r.key)), live, now, concurrency);
  return { staged, held };
}

async function threadStore(store: ThreadStoreModule): Promise<ObjectStore> {
  const module = (await import(store.module)) as { createThreadStore(options: unknown): ObjectStore };
  return module.createThreadStore(store.options);
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
  let inProcessStore: Promise<ObjectStore> | undefined;

  /**
   * Runs every chunk of `pages`: in-process below `minPages`, else on the pool. `message` makes a
   * chunk's request from its pages, `take` turns a reply into the consumer's call (awaited for
   * backpressure), `local` does a chunk's work in-process.
   */
  async function run(
    pages: PageSource,
    message: (id: number, taken: readonly PageSpec[]) => object,
    take: (reply: WorkerReply, taken: readonly PageSpec[]) => Promise<void>,
    local: (taken: readonly PageSpec[]) => Promise<void>,
  ): Promise<void> {
    const chunkCount = Math.ceil(pages.length / chunkSize);
    // Taken when dispatched, not before: a lazy source holds the data of the chunks in flight only.
    const chunk = (i: number) => pages.slice(i * chunkSize, (i + 1) * chunkSize);
    if (pages.length < minPages) {
      for (const idle of warmed.splice(0)) void idle.worker.terminate();
      for (let i = 0; i < chunkCount; i++) await local(chunk(i));
      return;
    }
    const size = Math.max(1, Math.min(poolSize, chunkCount));
    const booted = warmed.splice(0, size);
    while (booted.length < size) booted.push(bootWorker(options.store));
    for (const extra of warmed.splice(0)) void extra.worker.terminate();
    let next = 0;
    let failure: Error | undefined;
    const taken: Array<readonly PageSpec[] | undefined> = [];
    const delivered: Array<Promise<void>> = [];
    const pending = new Set<Promise<void>>();
    const maxPending = size;

    const runWorker = ({ worker, ready }: BootingWorker) => new Promise<void>((resolve, reject) => {
      const dispatch = () => {
        if (failure || next >= chunkCount) {
          void worker.terminate().then(() => resolve());
          return;
        }
        const id = next++;
        try {
          taken[id] = chunk(id);
        } catch (error) {
          failure ??= error as Error;
          void worker.terminate().then(() => resolve());
          return;
        }
        worker.postMessage(message(id, taken[id]!));
      };
      worker.on('message', (reply: WorkerReply) => {
        if (reply.ready) return;
        const pagesOf = taken[reply.id!]!;
        taken[reply.id!] = undefined;
        if (reply.error) {
          failure ??= new RenderError(`Rendering chunk ${reply.id} (from ${pagesOf[0]?.url}) failed: ${reply.error.message}`);
          return dispatch();
        }
        const delivery = take(reply, pagesOf).catch((error: unknown) => { failure ??= error as Error; }).finally(() => pending.delete(delivery));
        pending.add(delivery);
        delivered.push(delivery);
        // Backpressure: while the consumer (uploads) is behind, this worker waits for its own
        // chunk, so rendered pages never pile up in memory faster than they are stored.
        if (pending.size > maxPending) void delivery.then(dispatch);
        else dispatch();
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
  }

  const renderer: PageRenderer = {
    warm(expectedPages) {
      if (expectedPages < minPages) return;
      while (warmed.length < poolSize) warmed.push(bootWorker(options.store));
    },
    render(pages, context, onChunk) {
      return run(
        pages,
        (id, chunk) => ({ id, pages: chunk, context }),
        (reply) => onChunk(fromWire(reply.rendered!)),
        async (chunk) => onChunk(await renderPages(chunk, context)),
      );
    },
  };
  const { store } = options;
  if (store) {
    renderer.publish = (pages, context, publishing, onChunk) => {
      const holdOf = (chunk: readonly PageSpec[]) => new Set(chunk.filter((p) => publishing.hold?.(p.key)).map((p) => p.key));
      const request = (chunk: readonly PageSpec[]) => ({ live: publishing.live(chunk.map((p) => p.key)), now: publishing.now.toISOString(), hold: [...holdOf(chunk)], concurrency: publishing.concurrency ?? 32 });
      return run(
        pages,
        (id, chunk) => ({ id, pages: chunk, context, publish: request(chunk) }),
        (reply, chunk) => onChunk({ staged: reply.staged!, held: fromWire(reply.rendered!), pages: chunk.length }),
        async (chunk) => {
          const { live, hold, concurrency } = request(chunk);
          const { staged, held } = await publishChunk(await (inProcessStore ??= threadStore(store)), chunk, context, live, publishing.now, new Set(hold), concurrency);
          await onChunk({ staged, held, pages: chunk.length });
        },
      );
    };
  }
  return renderer;
}
