/**
 * A pool of worker threads rendering spec sheets (local runs and benchmarks): pdfkit is synchronous
 * CPU work, so one thread per core renders in parallel while the caller's I/O (reads, uploads)
 * carries on. Each thread parses the fonts once and keeps them for every sheet it renders. In AWS
 * the Lambda concurrency is the pool: the handler renders in-process (see handler.ts).
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { RenderError } from '../shared/errors.js';
import type { SheetData } from './data.js';
import type { SheetRenderer } from './worker.js';

interface Pending { resolve: (pdf: Buffer) => void; reject: (error: Error) => void }
interface Slot { worker: Worker; pending: Map<number, Pending>; ready: Promise<void> }

type Reply = { ready?: boolean; id?: number; bytes?: ArrayBuffer; error?: { name: string; message: string } };

export interface SheetPool {
  render: SheetRenderer;
  readonly size: number;
  close(): Promise<void>;
}

/**
 * Starts `size` render threads (default: one per core). A thread that dies (out of memory, a
 * native crash) fails only its own sheets — the caller retries them — and is replaced at once.
 */
export function createSheetPool(size = availableParallelism(), options: { fontDir?: string } = {}): SheetPool {
  let next = 0;
  let closed = false;
  const start = (): Slot => {
    // A larger young generation: a sheet allocates many short-lived objects (text runs, glyph
    // positions, content-stream strings), and scavenges were a large share of its time.
    const worker = new Worker(new URL('./pool-thread.js', import.meta.url), { workerData: { fontDir: options.fontDir }, resourceLimits: { maxYoungGenerationSizeMb: 64 } });
    const slot: Slot = { worker, pending: new Map(), ready: Promise.resolve() };
    slot.ready = new Promise((resolve, reject) => {
      worker.once('error', reject);
      worker.on('message', (message: Reply) => {
        if (message.ready) return resolve();
        const call = slot.pending.get(message.id!);
        if (!call) return;
        slot.pending.delete(message.id!);
        if (message.error) call.reject(new RenderError(message.error.message));
        else call.resolve(Buffer.from(message.bytes!));
      });
    });
    slot.ready.catch(() => undefined);
    let failure: Error | undefined;
    worker.on('error', (error) => { failure = error; });
    worker.on('exit', (code) => {
      const error = new RenderError(`PDF render thread exited (code ${code})${failure ? `: ${failure.message}` : ''}`, { retryable: true, ...(failure ? { cause: failure } : {}) });
      for (const call of slot.pending.values()) call.reject(error);
      slot.pending.clear();
      if (!closed) slots[slots.indexOf(slot)] = start();
    });
    return slot;
  };
  const slots: Slot[] = Array.from({ length: size }, start);

  return {
    size,
    async render(data: SheetData, siteName: string, image: Buffer | undefined): Promise<Buffer> {
      // The least busy thread: sheets differ in cost (long stories, CJK text). The call is
      // registered before awaiting readiness, so calls made in one tick spread over the threads.
      const slot = slots.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
      const id = next++;
      const result = new Promise<Buffer>((resolve, reject) => slot.pending.set(id, { resolve, reject }));
      result.catch(() => undefined); // rejections reach the caller through the return below
      try {
        await slot.ready;
      } catch (error) {
        slot.pending.delete(id);
        throw new RenderError(`PDF render thread did not start: ${(error as Error).message}`, { cause: error, retryable: true });
      }
      slot.worker.postMessage({ id, data, siteName, image });
      return result;
    },
    async close() {
      closed = true;
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}
