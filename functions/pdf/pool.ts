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

interface Job {
  id: number;
  data: SheetData;
  siteName: string;
  image: Buffer | undefined;
  resolve: (pdf: Buffer) => void;
  reject: (error: Error) => void;
}
interface Slot { worker: Worker; inFlight: Map<number, Job>; ready: boolean; failed: boolean }

type Reply = { ready?: boolean; id?: number; bytes?: ArrayBuffer; error?: { name: string; message: string } };

/**
 * Sheets handed to a thread before it has answered: two, so a thread starts its next sheet without
 * waiting for a message round trip, and the rest wait in the pool's queue for whichever thread
 * frees up first. Handing every sheet out at once would tie each to a thread up front: one slow
 * thread (a sheet with a large image, a core the host takes away for a while) would then hold up
 * its share while the other thread sat idle.
 */
const IN_FLIGHT_PER_THREAD = 2;

export interface SheetPool {
  render: SheetRenderer;
  readonly size: number;
  close(): Promise<void>;
}

/**
 * Starts `size` render threads (default: one per core). A thread that dies (out of memory, a
 * native crash) fails only the sheets it was rendering — the caller retries them — and is replaced
 * at once; queued sheets go to the other threads. A thread that cannot start (fonts missing) fails
 * the queued sheets and is started again on the next call.
 */
export function createSheetPool(size = availableParallelism(), options: { fontDir?: string } = {}): SheetPool {
  let next = 0;
  let closed = false;
  // A FIFO of jobs not yet handed to a thread; `head` moves instead of shifting the array.
  let queue: Job[] = [];
  let head = 0;

  const take = (): Job | undefined => {
    if (head >= queue.length) return undefined;
    const job = queue[head++]!;
    if (head > 1024 && head * 2 > queue.length) { queue = queue.slice(head); head = 0; }
    return job;
  };

  /** Hands queued jobs to `slot` up to its window. */
  const pump = (slot: Slot) => {
    while (slot.ready && slot.inFlight.size < IN_FLIGHT_PER_THREAD) {
      const job = take();
      if (!job) return;
      slot.inFlight.set(job.id, job);
      slot.worker.postMessage({ id: job.id, data: job.data, siteName: job.siteName, image: job.image });
    }
  };

  const failQueued = (error: Error) => {
    for (let job = take(); job; job = take()) job.reject(error);
  };

  const start = (): Slot => {
    // A larger young generation: a sheet allocates many short-lived objects (text runs, glyph
    // positions, content-stream strings), and scavenges were a large share of its time.
    const worker = new Worker(new URL('./pool-thread.js', import.meta.url), { workerData: { fontDir: options.fontDir }, resourceLimits: { maxYoungGenerationSizeMb: 64 } });
    const slot: Slot = { worker, inFlight: new Map(), ready: false, failed: false };
    let failure: Error | undefined;
    worker.on('message', (message: Reply) => {
      if (message.ready) {
        slot.ready = true;
        return pump(slot);
      }
      const job = slot.inFlight.get(message.id!);
      if (!job) return;
      slot.inFlight.delete(message.id!);
      if (message.error) job.reject(new RenderError(message.error.message));
      else job.resolve(Buffer.from(message.bytes!));
      pump(slot);
    });
    worker.on('error', (error) => { failure = error; });
    worker.on('exit', (code) => {
      const detail = failure ? `: ${failure.message}` : '';
      const cause = failure ? { cause: failure } : {};
      const error = new RenderError(`PDF render thread exited (code ${code})${detail}`, { retryable: true, ...cause });
      for (const job of slot.inFlight.values()) job.reject(error);
      slot.inFlight.clear();
      if (closed) return;
      if (!slot.ready) {
        // It never started: starting it again at once would only loop. Queued sheets fail now;
        // the next call tries a fresh thread.
        slot.failed = true;
        failQueued(new RenderError(`PDF render thread did not start${detail}`, { retryable: true, ...cause }));
        return;
      }
      const replacement = start();
      slots[slots.indexOf(slot)] = replacement;
    });
    return slot;
  };
  const slots: Slot[] = Array.from({ length: size }, start);

  return {
    size,
    render(data: SheetData, siteName: string, image: Buffer | undefined): Promise<Buffer> {
      if (closed) return Promise.reject(new RenderError('PDF render pool is closed'));
      for (let i = 0; i < slots.length; i++) if (slots[i]!.failed) slots[i] = start();
      return new Promise<Buffer>((resolve, reject) => {
        queue.push({ id: next++, data, siteName, image, resolve, reject });
        // The least busy ready thread takes it now if it has room; otherwise it waits its turn.
        const idle = slots.filter((s) => s.ready).sort((a, b) => a.inFlight.size - b.inFlight.size)[0];
        if (idle) pump(idle);
      });
    },
    async close() {
      closed = true;
      failQueued(new RenderError('PDF render pool closed before the sheet was rendered', { retryable: true }));
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}
