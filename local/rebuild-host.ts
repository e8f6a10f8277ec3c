/**
 * The local rebuild worker in its own thread: what runs there (`rebuildThread`, from plain
 * configuration) and the main thread's handle on it (`ThreadedRebuildWorker`, same `run()` as the
 * in-process worker). Envelopes cross as indices, so results refer to the caller's own objects.
 */
import { RebuildWorker, type RebuildOptions, type RebuildResult } from '../functions/rebuild/worker.js';
import { fullBuild } from '../functions/shared/build/full-build.js';
import { createWorkerPoolRenderer } from '../functions/shared/build/render-pool.js';
import { threadStore } from '../functions/compose/thread-store.js';
import type { ChangeEnvelope } from '../functions/shared/changes/envelope.js';
import { fromWireError, toWireError, type WireError } from '../functions/shared/errors.js';
import { createJsonLogger } from '../functions/shared/logger.js';
import { type HostedContent, type HostedServices, hostedContentSource, hostedPorts } from './compose.js';
import { ThreadHost } from './thread-host.js';

export interface HostedWorkerConfig extends HostedServices, HostedContent {
  options: RebuildOptions;
}

/** Builds the worker inside the thread, on its own clients. */
export function createHostedWorker(config: HostedWorkerConfig): RebuildWorker {
  const logger = createJsonLogger({ service: 'restatic-rebuild', level: config.logLevel });
  const { store, roots, catalog, cdn } = hostedPorts(config);
  const content = hostedContentSource(config);
  const renderer = createWorkerPoolRenderer({ store: threadStore({ bucket: config.bucket, endpoint: config.s3Endpoint }) });
  const build = () => fullBuild({ content, catalog, store, roots, cdn, logger, renderer }, { site: { ...config.options.site, now: new Date() }, demoImages: config.options.demoImages });
  return new RebuildWorker({ content, catalog, store, roots, cdn, logger, fullBuild: build }, config.options);
}

type SerializedResult = Omit<RebuildResult, 'skipped' | 'failed'> & { skipped: number[]; failed: Array<{ index: number; error: WireError }> };

/** Envelopes cross as indices, errors as wire errors (class, `retryable`, field, cause). */
export function serializeResult(result: RebuildResult, envelopes: readonly ChangeEnvelope[]): SerializedResult {
  return {
    ...result,
    skipped: result.skipped.map((e) => envelopes.indexOf(e)),
    failed: result.failed.map((f) => ({ index: envelopes.indexOf(f.envelope), error: toWireError(f.error) })),
  };
}

/** The thread's operations (thread.js builds them from the configuration). */
export function rebuildThread(config: HostedWorkerConfig) {
  const worker = createHostedWorker(config);
  return {
    run: async (envelopes: ChangeEnvelope[]) => serializeResult(await worker.run(envelopes), envelopes),
    warm: () => worker.warm(),
  };
}

/** The main thread's handle: one batch at a time, like the loop that drives it. */
export class ThreadedRebuildWorker {
  readonly #host: ThreadHost;

  constructor(config: HostedWorkerConfig) {
    this.#host = new ThreadHost({ name: 'rebuild', module: './rebuild-host.ts', factory: 'rebuildThread', config, resourceLimits: { maxYoungGenerationSizeMb: 64 } });
  }

  async run(envelopes: readonly ChangeEnvelope[]): Promise<RebuildResult> {
    const r = await this.#host.call<SerializedResult>('run', envelopes);
    return {
      ...r,
      skipped: r.skipped.map((i) => envelopes[i]!),
      failed: r.failed.map((f) => ({ envelope: envelopes[f.index]!, error: fromWireError(f.error) })),
    };
  }

  /** Readies the thread for its first change (see `RebuildWorker.warm`); the pages it rendered, unpublished. */
  async warm(): Promise<string[]> {
    try {
      return await this.#host.call<string[]>('warm');
    } catch (error) {
      // A warm-up cut short by close() is no failure; one cut short by a crash is.
      if (this.#host.closed) return [];
      throw error;
    }
  }

  close(): Promise<void> {
    return this.#host.close();
  }
}
