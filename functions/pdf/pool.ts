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
interface Slot { worker: Worker; busy: number; ready: Promise<void> }

export interface SheetPool {
  render: SheetRenderer;
  readonly size: number;
  close(): Promise<void>;
}

/** Starts `size` render threads (default: one per core). */
export function createSheetPool(size = availableParallelism(), options: { fontDir?: string } = {}): SheetPool {
  const pending = new Map<number, Pending>();
  let next = 0;
  const slots: Slot[] = Array.from({ length: size }, () => {
    // A larger young generation: a sheet allocates many short-lived objects (text runs, glyph
    // positions, content-stream strings), and scavenges were a large share of its time.
    const worker = new Worker(new URL('./pool-thread.js', import.meta.url), { workerData: { fontDir: options.fontDir }, resourceLimits: { maxYoungGenerationSizeMb: 64 } });
    const slot: Slot = { worker, busy: 0, ready: Promise.resolve() };
    slot.ready = new Promise((resolve, reject) => {
      worker.once('error', reject);
      worker.on('message', (message: { ready?: boolean; id?: number; bytes?: ArrayBuffer; error?: { name: string; message: string } }) => {
        if (message.ready) return resolve();
        const call = pending.get(message.id!);
        if (!call) return;
        pending.delete(message.id!);
        slot.busy--;
        if (message.error) call.reject(new RenderError(message.error.message));
        else call.resolve(Buffer.from(message.bytes!));
      });
    });
    worker.on('error', (error) => {
      for (const call of pending.values()) call.reject(error);
      pending.clear();
    });
    return slot;
  });

  return {
    size,
    async render(data: SheetData, siteName: string, image: Buffer | undefined): Promise<Buffer> {
      // The least busy thread: sheets differ in cost (long stories, CJK text).
      const slot = slots.reduce((a, b) => (b.busy < a.busy ? b : a));
      // Count the job before awaiting: calls made in one tick must spread over the threads.
      slot.busy++;
      await slot.ready;
      const id = next++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        slot.worker.postMessage({ id, data, siteName, image });
      });
    },
    async close() {
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}
