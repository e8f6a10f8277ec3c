/**
 * The record of recent changes behind `GET /_status`: for each change its source, the time of each
 * stage (received, built, uploaded, invalidated), what it rebuilt, uploaded and invalidated, and
 * its errors. Kept in memory (last 200) and appended to `status.jsonl` in the data directory at
 * every step, so the last 200 survive a restart (a change cut short by one is finished by the
 * replay of its queued envelope, under the same record).
 */
import { appendFileSync, closeSync, mkdirSync, openSync, readSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export type ChangeSource =
  | { kind: 'full-build'; reason: string }
  | { kind: 'catalog'; sku: string; sequenceNumber: string; eventName: string }
  | { kind: 'contentful'; entityId: string; version: string; topic: string }
  | { kind: 'time'; instant: string };

export interface ChangeRecord {
  id: string;
  correlationId: string;
  source: ChangeSource;
  stages: { received: string; built?: string; uploaded?: string; invalidated?: string; skipped?: string; failed?: string; deadLettered?: string };
  pagesRebuilt: number;
  /** Why the change took the full-build path (every page rebuilt), when it did. */
  fullBuild?: string;
  /** The pages a targeted run rebuilt, with their market (the first 100), and how many per market. */
  pages: Array<{ url: string; market: string }>;
  pagesByMarket: Record<string, number>;
  objectsUploaded: number;
  objectsDeleted: number;
  pathsInvalidated: string[];
  errors: string[];
  warnings: string[];
  /** Set when the change did no work: another delivery of it, or a version not newer than what is live. */
  duplicateOf?: string;
}

/**
 * What a source names, for people: `entry page-about (Entry.publish, saved 2026-12-04 21:42:07 UTC)`,
 * `sku TR2-BLK-42 sequence 41`. An entry's version is the epoch milliseconds of its save: shown as a time.
 */
export function describeSource(source: ChangeSource): string {
  switch (source.kind) {
    case 'contentful': {
      const topic = source.topic.replace(/^ContentManagement\./, '');
      return /^\d{13}$/.test(source.version)
        ? `entry ${source.entityId} (${topic}, saved ${new Date(Number(source.version)).toISOString().replace('T', ' ').slice(0, 19)} UTC)`
        : `entry ${source.entityId} (${topic}, version ${source.version})`;
    }
    case 'catalog': return `sku ${source.sku} sequence ${source.sequenceNumber}`;
    case 'time': return `instant ${source.instant}`;
    case 'full-build': return `full build (${source.reason})`;
  }
}

/** How many records keep their page list (a reconciling run may rebuild thousands). */
export const PAGES_LISTED = 100;

/** The pages of a run as a status record shows them: the first few by URL and a count per market. */
export function pagesOfRun(pages: ReadonlyArray<{ url: string; market: string }>): Pick<ChangeRecord, 'pages' | 'pagesByMarket'> {
  const pagesByMarket: Record<string, number> = {};
  for (const page of pages) pagesByMarket[page.market] = (pagesByMarket[page.market] ?? 0) + 1;
  // The shortest URLs first: the entry's or product's own pages before the many that link to it.
  const listed = [...pages].sort((a, b) => a.url.length - b.url.length || a.url.localeCompare(b.url));
  return { pages: listed.slice(0, PAGES_LISTED).map(({ url, market }) => ({ url, market })), pagesByMarket };
}

/** How many changes the log keeps (in memory, and across restarts). */
export const STATUS_KEPT = 200;
/** The file is rewritten with only the kept records once it grows past this. */
const COMPACT_BYTES = 8 << 20;

export class StatusLog {
  readonly #records: ChangeRecord[] = [];
  readonly #file: string | undefined;
  #counter = 0;

  constructor(file?: string) {
    this.#file = file;
    if (!file) return;
    mkdirSync(dirname(file), { recursive: true });
    this.#records.push(...lastRecords(file));
    if (sizeOf(file) > COMPACT_BYTES) {
      writeFileSync(`${file}.tmp`, this.#records.map((r) => `${JSON.stringify(r)}\n`).join(''));
      renameSync(`${file}.tmp`, file);
    }
  }

  /**
   * Opens a record at stage `received`. Another delivery of a change already open (Contentful's
   * retries share its idempotency key, hence its correlation id) closes at once as its duplicate.
   */
  open(source: ChangeSource, correlationId: string): ChangeRecord {
    const at = new Date().toISOString();
    const record: ChangeRecord = {
      id: `${Date.now().toString(36)}-${(++this.#counter).toString(36)}`,
      correlationId, source, stages: { received: at },
      pagesRebuilt: 0, pages: [], pagesByMarket: {}, objectsUploaded: 0, objectsDeleted: 0, pathsInvalidated: [], errors: [], warnings: [],
    };
    const original = this.find(correlationId);
    if (original && JSON.stringify(original.source) === JSON.stringify(source)) {
      record.stages.skipped = at;
      record.duplicateOf = describeSource(original.source);
    }
    this.save(record);
    this.#records.push(record);
    if (this.#records.length > STATUS_KEPT) this.#records.shift();
    return record;
  }

  /** Persists the record's current state (call when it reaches a final stage). */
  save(record: ChangeRecord): void {
    if (this.#file) appendFileSync(this.#file, `${JSON.stringify(record)}\n`);
  }

  /** The record of a change, by its correlation id (not one of its duplicates). */
  find(correlationId: string): ChangeRecord | undefined {
    return this.#records.findLast((r) => r.correlationId === correlationId && r.duplicateOf === undefined);
  }

  /** Newest first. */
  list(): ChangeRecord[] {
    return [...this.#records].reverse();
  }
}

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/** The latest state of each of the last STATUS_KEPT records in the file (read from its tail). */
function lastRecords(file: string): ChangeRecord[] {
  const size = sizeOf(file);
  if (size === 0) return [];
  const length = Math.min(size, COMPACT_BYTES);
  const buffer = Buffer.alloc(length);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, buffer, 0, length, size - length);
  } finally {
    closeSync(fd);
  }
  const byId = new Map<string, ChangeRecord>();
  for (const line of buffer.toString('utf8').split('\n')) {
    try {
      const record = JSON.parse(line) as ChangeRecord;
      if (typeof record?.id !== 'string' || typeof record.correlationId !== 'string') continue;
      byId.delete(record.id); // the latest line of a record places it
      byId.set(record.id, record);
    } catch {
      // the first line of the window, cut in half, or a torn last line
    }
  }
  return [...byId.values()].sort((a, b) => a.stages.received.localeCompare(b.stages.received)).slice(-STATUS_KEPT);
}
