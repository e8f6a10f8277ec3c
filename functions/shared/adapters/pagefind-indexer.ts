/**
 * The search index through Pagefind's Node API (its Rust binary, shipped in the platform package
 * `@pagefind/linux-x64`, runs as a child process): records in, the files of the bundle out, never
 * written to disk here.
 */
import * as pagefind from 'pagefind';
import { RestaticError } from '../errors.js';
import type { SearchIndexer, SearchRecord } from '../ports.js';

/** Pagefind could not index (its binary missing or failing): retryable, the live index stays. */
export class SearchIndexError extends RestaticError {}

/** Records sent to the binary at once: its service answers them in parallel. */
const BATCH = 500;

export function createPagefindIndexer(): SearchIndexer {
  return {
    async index(records: Iterable<SearchRecord>) {
      const created = await pagefind.createIndex({}).catch((error: unknown) => { throw new SearchIndexError(`Pagefind did not start: expected its binary (@pagefind/linux-x64), got ${(error as Error).message}`, { cause: error, retryable: true }); });
      if (!created.index) throw new SearchIndexError(`Pagefind did not create an index: ${created.errors.join('; ') || 'no reason given'}`, { retryable: true });
      const { index } = created;
      try {
        let batch: Array<Promise<{ errors: string[]; file: { url: string } }>> = [];
        const flush = async () => {
          for (const added of await Promise.all(batch)) if (added.errors.length) throw new SearchIndexError(`Pagefind refused the record ${added.file?.url ?? '?'}: ${added.errors.join('; ')}`);
          batch = [];
        };
        for (const record of records) {
          batch.push(index.addCustomRecord(record));
          if (batch.length >= BATCH) await flush();
        }
        await flush();
        const { errors, files } = await index.getFiles();
        if (errors.length) throw new SearchIndexError(`Pagefind could not write its bundle: ${errors.join('; ')}`, { retryable: true });
        return files.map((f) => ({ path: f.path, bytes: f.content }));
      } finally {
        await index.deleteIndex().catch(() => undefined);
      }
    },
  };
}

/** Stops Pagefind's binary (it keeps running between indexes): at shutdown. */
export function closePagefind(): Promise<unknown> {
  return pagefind.close();
}
