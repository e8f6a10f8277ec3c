/**
 * One host for every function the local stack runs in its own thread (rebuild worker, PDFs,
 * feeds: each its own Lambda in AWS). The thread (`thread.js`) builds its operations from plain
 * configuration; this side spawns it, waits until it is ready, numbers requests, relays progress,
 * revives errors with their class, `retryable` and `cause`, and respawns the thread if it dies
 * (the work in flight then fails, retryable).
 */
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { RestaticError, fromWireError, type WireError } from '../functions/shared/errors.js';

/** What a thread module exports: a factory of its operations, each `(args, progress) => result`. */
export type ThreadOperations = Record<string, (args: never, progress: (update: unknown) => void) => Promise<unknown>>;

export interface ThreadSpec {
  /** Names the thread in errors ("rebuild thread exited…"). */
  name: string;
  /** The module (relative to `local/`, as `.ts`) and its export that builds the operations. */
  module: string;
  factory: string;
  config: unknown;
  resourceLimits?: ResourceLimits;
  /**
   * Work that may wait (PDFs, search, feeds): the thread runs at a lower CPU priority (Linux nice
   * values are per thread, and the threads and processes it starts inherit it), so on this machine's
   * shared cores the rebuild worker and the edge and webhook receiver come first.
   */
  background?: boolean;
}

/** The nice value of background threads (0 is normal, 19 the lowest). */
export const BACKGROUND_NICE = 10;

type Reply = { ready: true } | { id: number; progress: unknown } | { id: number; result: unknown } | { id: number; error: WireError };

interface Call {
  resolve: (result: unknown) => void;
  reject: (error: Error) => void;
  onProgress?: (update: never) => void;
}

export class ThreadHost {
  #thread!: Worker;
  #ready!: Promise<void>;
  #closed = false;
  #next = 0;
  readonly #calls = new Map<number, Call>();

  constructor(private readonly spec: ThreadSpec) {
    this.#spawn();
  }

  get closed(): boolean {
    return this.#closed;
  }

  #spawn(): void {
    const { module, factory, config, resourceLimits, background } = this.spec;
    const workerData = { module, factory, config, ...(background ? { nice: BACKGROUND_NICE } : {}) };
    const thread = new Worker(new URL('./thread.js', import.meta.url), { workerData, ...(resourceLimits ? { resourceLimits } : {}) });
    this.#thread = thread;
    this.#ready = new Promise((resolve, reject) => {
      thread.once('error', reject);
      thread.on('message', (reply: Reply) => {
        if ('ready' in reply) return resolve();
        const call = this.#calls.get(reply.id);
        if (!call) return;
        if ('progress' in reply) return call.onProgress?.(reply.progress as never);
        this.#calls.delete(reply.id);
        if ('error' in reply) return call.reject(fromWireError(reply.error));
        call.resolve(reply.result);
      });
    });
    this.#ready.catch(() => undefined);
    onThreadDeath(thread, this.spec.name, (error) => {
      for (const call of this.#calls.values()) call.reject(error);
      this.#calls.clear();
      if (!this.#closed) this.#spawn();
    });
  }

  /** Runs operation `op` in the thread; `onProgress` hears its progress updates. */
  async call<R, P = never>(op: string, args?: unknown, onProgress?: (update: P) => void): Promise<R> {
    await this.#ready;
    const id = this.#next++;
    return new Promise<R>((resolve, reject) => {
      this.#calls.set(id, { resolve: resolve as (r: unknown) => void, reject, ...(onProgress ? { onProgress: onProgress as (u: never) => void } : {}) });
      this.#thread.postMessage({ id, op, args });
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#thread.terminate();
  }
}

/** Progress at most every `ms` (and always the last update): progress, not a message per item. */
export function throttled<T>(send: (update: T) => void, isLast: (update: T) => boolean, ms = 100): (update: T) => void {
  let last = 0;
  return (update) => {
    if (!isLast(update) && Date.now() - last < ms) return;
    last = Date.now();
    send(update);
  };
}

/**
 * Calls `onDeath` once the thread exits, with a retryable error naming the thread and the error it
 * threw, if any: the host fails the work in flight and starts a new thread.
 */
export function onThreadDeath(thread: Worker, name: string, onDeath: (error: RestaticError) => void): void {
  let failure: Error | undefined;
  thread.on('error', (error) => { failure = error; });
  thread.on('exit', (code) => onDeath(new RestaticError(`${name} thread exited (code ${code})${failure ? `: ${failure.message}` : ''}`, { retryable: true, ...(failure ? { cause: failure } : {}) })));
}
