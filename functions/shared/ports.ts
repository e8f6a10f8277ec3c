/**
 * Ports: the small interfaces the cores depend on. Each has one adapter per technology in
 * `./adapters/` (S3, DynamoDB, Contentful, CloudFront, the local edge). Cores receive these as
 * arguments and never import `@aws-sdk/*` or read `process.env` themselves.
 */
import type { Product } from './catalog/product.js';
import type { ContentEntity, DeletedEntity, LocaleDef } from './content/types.js';

/** Metadata stored with an object; the edge serves these headers back verbatim. */
export interface ObjectMeta {
  contentType: string;
  cacheControl: string;
  /** Extra user metadata (`x-amz-meta-*`). */
  metadata?: Record<string, string>;
}

/** An object as read back from the store. */
export interface StoredObject extends ObjectMeta {
  body: Buffer;
  etag: string;
}

/** The site bucket (S3). Keys never start with `/`. */
export interface ObjectStore {
  put(key: string, body: Buffer | string, meta: ObjectMeta): Promise<void>;
  /** Uploads a file from disk, streamed (multipart when large): visible only once complete. */
  putFile(key: string, path: string, meta: ObjectMeta): Promise<void>;
  /** `undefined` when the key does not exist. */
  get(key: string): Promise<StoredObject | undefined>;
  /** The object's ETag, or `undefined` when it does not exist (cheap freshness check of cached state). */
  head(key: string): Promise<string | undefined>;
  /** The object's user metadata (e.g. the data version it was made from), or `undefined` when missing. */
  metadata(key: string): Promise<Record<string, string> | undefined>;
  /** Deletes many keys; missing keys are not an error. */
  deleteMany(keys: readonly string[]): Promise<void>;
  /** Lists keys under a prefix (used only for diagnostics and migrations, never on the publish path). */
  list(prefix: string): AsyncIterable<string>;
}

/** A record of the site's search index: one page, its text in its market's language. */
export interface SearchRecord {
  url: string;
  /** ISO 639-1 (`en`, `de`): each language is an index of its own. */
  language: string;
  content: string;
  /** Shown with a result: `title` always, `image` when the page has one. */
  meta: Record<string, string>;
}

/** Builds a static search index (Pagefind) from records: the files of its bundle, by path under its prefix. */
export interface SearchIndexer {
  index(records: Iterable<SearchRecord>): Promise<Array<{ path: string; bytes: Uint8Array }>>;
}

/** The CDN in front of the bucket (CloudFront, or the local edge server). */
export interface Cdn {
  /**
   * Requests invalidation of the given paths (each starts with `/`, may end in `*`).
   * Returns the id of the request; never waits for it to complete.
   */
  invalidate(paths: readonly string[], callerReference: string): Promise<string>;
}

/** A set of content changes from Contentful: everything (initial) or a delta since a token. */
export interface ContentDelta {
  /** True when `entries`/`assets` are the whole space, not a delta. */
  full: boolean;
  entries: ContentEntity[];
  assets: ContentEntity[];
  deletedEntries: DeletedEntity[];
  deletedAssets: DeletedEntity[];
  /** Token to pass to the next `sync` call to receive only what changed since this one. */
  nextToken: string;
}

/** Editorial content (Contentful Delivery API via the Sync API, or a bundled export file). */
export interface ContentSource {
  /** Without a token: the whole space. With one: what changed since. */
  sync(token?: string): Promise<ContentDelta>;
  /** The space's locales (default first in importance: the one with `default: true`). */
  locales(): Promise<LocaleDef[]>;
}

/** Progress of long work, shown as a CLI progress bar locally and as log lines in Lambda. */
export interface Progress {
  /** `total` 0 when unknown: the count and rate are shown without a percentage. */
  start(label: string, total: number): void;
  advance(count: number): void;
  stop(): void;
}

/** A product read from the table that failed validation (it is skipped, not fatal). */
export interface RejectedProduct {
  sku: string;
  field: string;
  message: string;
}

/** The product catalog (DynamoDB `products` table). */
export interface Catalog {
  /** Reads every product (parallel scan); invalid items are returned separately, never thrown. */
  scanAll(options?: { onProgress?: (count: number) => void }): Promise<{ products: Product[]; rejected: RejectedProduct[] }>;
  /**
   * Every valid product, page by page, in a stable order (one sequential scan): for jobs that must
   * not hold the catalog in memory. Invalid items are passed to `onRejected`.
   */
  stream(options?: { onRejected?: (rejected: RejectedProduct) => void }): AsyncIterable<Product>;
  /** The table's item count as last published (DynamoDB updates it about every six hours): for progress bars. */
  approximateCount?(): Promise<number | undefined>;
  get(sku: string): Promise<Product | undefined>;
  /** The item as stored, unvalidated and without derived fields (a slug derived from the title is not in it): what an edit starts from. */
  getItem(sku: string): Promise<Record<string, unknown> | undefined>;
  /** Validates and writes one product; throws ValidationError naming the field. Returns the stored item. */
  put(item: unknown): Promise<Product>;
  /** Writes many already-validated products (seeding). */
  putMany(products: readonly Product[], options?: { onProgress?: (count: number) => void }): Promise<void>;
  delete(sku: string): Promise<Product | undefined>;
  /** Cheap emptiness check (seeding decides on it). */
  isEmpty(): Promise<boolean>;
}

/** Where the edge reads slug-change redirects in AWS (a CloudFront KeyValueStore). */
export interface RedirectTable {
  /** Makes the table equal to `redirects` (path → path). */
  replaceAll(redirects: Record<string, string>): Promise<void>;
}

/**
 * One-time runs at the instants when pages change with time alone (a sale starting or ending):
 * EventBridge Scheduler in AWS, a durable timer locally. Each sends a `Time` change envelope.
 */
export interface InstantSchedule {
  /** Makes the pending schedule exactly `instants` (epoch ms): creates the missing, deletes the rest. */
  sync(instants: readonly number[]): Promise<void>;
}

/**
 * The commit points of the documents kept as shards in the bucket (the site state, the manifest):
 * which root object is live, swapped only by a writer that saw the current one (compare-and-swap),
 * so two runs can never both commit from the same starting point and lose each other's updates.
 * A DynamoDB table in AWS and locally; without one, a document's root is a fixed key in the bucket.
 */
export interface RootPointers {
  /** The live root object's key and the pointer's version; undefined when none was committed here yet. */
  get(document: string): Promise<{ key: string; version: string } | undefined>;
  /**
   * Points `document` at `key` if the pointer's version is still `expected` (undefined: no pointer
   * yet) and returns the new version; otherwise throws StateConflictError (retryable: re-read, redo).
   */
  swap(document: string, key: string, expected: string | undefined): Promise<string>;
}

/** What a full build did, in counts (a million keys would not fit a state machine's payload). */
export interface BuildSummary {
  buildId: string;
  pages: number;
  products: number;
  uploaded: number;
  unchanged: number;
  deleted: number;
  invalidated: number;
  rejected: number;
  warnings: number;
  generation: number;
  ms: number;
}

/**
 * Full builds fanned out over many functions (a Step Functions state machine in AWS: plan, a
 * Distributed Map of shards, commit). One runs at a time: `run` waits for any build already
 * running, then starts one and waits for its end.
 */
export interface BuildFanOut {
  /**
   * Starts the build `request` names (or follows it, started before) and waits for its end. With
   * `waitUntil` (epoch ms), stops following at that time with a BuildStillRunningError: the build
   * goes on, and a retry with the same request follows it.
   */
  run(request: { buildId: string; correlationId: string }, onProgress?: (shardsDone: number, shards: number) => void, options?: { waitUntil?: number }): Promise<BuildSummary>;
  /**
   * Waits for the build that the change `correlationId` started (a requested full build the worker
   * runs when its turn comes) to appear, then for its end.
   */
  follow(correlationId: string, options?: { onStarted?: (buildId: string) => void; onProgress?: (shardsDone: number, shards: number) => void; appearWithinMs?: number }): Promise<BuildSummary>;
}

/** A durable queue of messages (SQS in AWS; a journal file locally). */
export interface Queue<T> {
  send(messages: readonly T[]): Promise<void>;
}

/** Structured logger; Powertools' Logger satisfies it. */
export interface Logger {
  debug(message: string, ...extra: Array<Record<string, unknown>>): void;
  info(message: string, ...extra: Array<Record<string, unknown>>): void;
  warn(message: string, ...extra: Array<Record<string, unknown>>): void;
  error(message: string, ...extra: Array<Record<string, unknown>>): void;
}

/** Numbers for dashboards and alarms; Powertools' Metrics satisfies it (flushed as EMF per invocation). */
/**
 * Gives received messages back to their queue sooner than its visibility timeout (SQS:
 * ChangeMessageVisibility). A Lambda's queue keeps a message it was given invisible for six times
 * the function's timeout; a failed message would wait that long, and on a FIFO queue hold back
 * every message after it.
 */
export interface MessageReturns {
  /** Makes each message visible again `seconds` from now. */
  retryAfter(messages: ReadonlyArray<{ receiptHandle: string; seconds: number }>): Promise<void>;
}

export interface MetricsSink {
  addMetric(name: string, unit: 'Milliseconds' | 'Count' | 'Percent', value: number): void;
}

/** Resizes and re-encodes pictures (sharp in AWS and locally). */
export interface ImageTransformer {
  /**
   * `original` at most `width` pixels wide (never enlarged; EXIF orientation applied), encoded as
   * `format`. Rejects with a non-retryable error when the bytes are not a picture it can decode.
   */
  resize(original: Buffer, width: number, format: 'avif' | 'webp' | 'jpeg' | 'png'): Promise<Buffer>;
}
