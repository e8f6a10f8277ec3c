/**
 * The local compactor in its own thread, as it runs in its own Lambda: folding the state's and the
 * manifest's segments into their shards rewrites most shards, seconds of work at 100,000 products
 * that the rebuild worker must not wait for. The main thread's handle (`ThreadedCompactor`)
 * coalesces requests as the FIFO queue and its deduplication do in AWS: one compaction at a time,
 * and requests made during one ask for one more after it.
 */
import { runCompaction, type CompactionJobResult } from '../functions/compact/job.js';
import { createJsonLogger } from '../functions/shared/logger.js';
import type { Logger } from '../functions/shared/ports.js';
import { type HostedServices, hostedPorts } from './compose.js';
import { ThreadHost } from './thread-host.js';

/** The thread's operations (thread.js builds them from the configuration). */
export function compactThread(config: HostedServices) {
  const logger = createJsonLogger({ service: 'restatic-compact', level: config.logLevel });
  const { store, roots } = hostedPorts(config);
  return {
    run: (args: { correlationId: string; force?: boolean }) => runCompaction({ store, roots, logger }, args),
  };
}

/** What the compactor has done: for `/_status` and the bench. */
export interface CompactionStatus {
  running: boolean;
  /** Compactions run, and documents they folded (a run folds the state, the manifest, both or neither). */
  runs: number;
  folded: number;
  /** Wall milliseconds of all runs (how long a compaction takes here, beside the worker). */
  ms: number;
  last?: { at: string; documents: CompactionJobResult['documents'] } | { at: string; error: string };
}

export class ThreadedCompactor {
  readonly state: CompactionStatus = { running: false, runs: 0, folded: 0, ms: 0 };
  #loop: Promise<void> | undefined;
  #again: string | undefined;
  #closed = false;

  readonly #call: (correlationId: string) => Promise<CompactionJobResult>;
  readonly #host: ThreadHost | undefined;

  /** `run` stands in for the thread (tests of the coalescing). */
  constructor(config: HostedServices, private readonly logger: Logger, options: { run?: (correlationId: string) => Promise<CompactionJobResult> } = {}) {
    if (options.run) {
      this.#call = options.run;
    } else {
      // Normal priority, unlike the PDF, search and feed threads: under a burst of changes a niced
      // compactor starved, the segments reached the commit's own limit and a change paid for the fold.
      const host = new ThreadHost({ name: 'compact', module: './compact-host.ts', factory: 'compactThread', config });
      this.#host = host;
      this.#call = (correlationId) => host.call<CompactionJobResult>('run', { correlationId });
    }
  }

  /** Asks for a compaction (the compactor checks what is due); while one runs, for one more after it. */
  request(correlationId: string): void {
    if (this.#closed) return;
    if (this.#loop) {
      this.#again = correlationId;
      return;
    }
    this.#loop = this.#run(correlationId).finally(() => { this.#loop = undefined; });
  }

  /** Resolves once no compaction runs or is asked for. */
  async idle(): Promise<void> {
    while (this.#loop) await this.#loop;
  }

  async #run(first: string): Promise<void> {
    let next: string | undefined = first;
    while (next !== undefined && !this.#closed) {
      this.#again = undefined;
      this.state.running = true;
      const t0 = performance.now();
      try {
        const result = await this.#call(next);
        this.state.ms += performance.now() - t0;
        this.state.runs++;
        this.state.folded += result.documents.filter((d) => d.compacted).length;
        this.state.last = { at: new Date().toISOString(), documents: result.documents };
      } catch (error) {
        if (this.#closed) return;
        // The segments stay as they are: the next request tries again, and a commit folds them itself past its limit.
        this.logger.warn('compaction failed', { correlation_id: next, error: (error as Error).message });
        this.state.last = { at: new Date().toISOString(), error: (error as Error).message };
      } finally {
        this.state.running = false;
      }
      next = this.#again;
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#host?.close();
  }
}
