/**
 * The local DynamoDB stream. dynalite has no Streams API, so every write it commits to the captured
 * table becomes a stream record (NEW_AND_OLD_IMAGES) appended, fsync'd, to a stream log before the
 * writer gets its answer: any client (the SDK, `aws dynamodb put-item --endpoint-url`, an importer)
 * reaches the pipeline as it would through the table's stream in AWS.
 *
 * The capture wraps the item store dynalite writes through: its actions (PutItem, UpdateItem,
 * DeleteItem, BatchWriteItem) hold a per-key lock around `get` → `put`/`del`, so records of one key
 * are appended in commit order. This patches dynalite's internals: the version is pinned exactly in
 * package.json, and test/local/dynamodb-stream.test.ts compares answers with an unpatched server.
 */
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { isDeepStrictEqual } from 'node:util';
import type { DynamoDBRecord } from 'aws-lambda';
import { JournalQueue } from './journal-queue.js';

const require = createRequire(import.meta.url);

/** What a writer learns of the record its write made (the local routes answer with it). */
export type StreamNotice =
  | { sku: string; eventID: string; eventName: 'INSERT' | 'MODIFY' | 'REMOVE'; sequenceNumber: string; unchanged?: undefined }
  /** A put that left the item as it was: no record, as in AWS. */
  | { sku: string; unchanged: true };

export interface StreamCaptureOptions {
  /** The table whose writes become records (the products table; the state table is not streamed). */
  table: string;
  /** Its partition key attribute. */
  key: string;
  /** The stream log (JSON lines of DynamoDB stream records). */
  file: string;
  /** Called once a record is durably in the log, and for a put that changed nothing. */
  onRecord?: (notice: StreamNotice) => void;
}

type Callback = (error?: Error | null, value?: unknown) => void;
interface ItemDb {
  get(key: string, cb: Callback): void;
  put(key: string, item: unknown, cb: Callback): void;
  del(key: string, cb: Callback): void;
  [CAPTURED]?: true;
}
interface DynaliteStore { getItemDb(name: string): ItemDb }
type AttributeMap = Record<string, Record<string, unknown>>;

const CAPTURED = Symbol('restatic.streamCaptured');

/**
 * Sequence numbers grow across writes and restarts (DynamoDB's are decimal strings that only grow
 * within a shard): time-based, and above the last one in the log.
 */
export class SequenceNumbers {
  #last: bigint;
  constructor(last: string | undefined) {
    this.#last = last && /^\d+$/.test(last) ? BigInt(last) : 0n;
  }
  next(now = Date.now()): string {
    const timed = BigInt(now) * 1_000_000n;
    this.#last = timed > this.#last ? timed : this.#last + 1n;
    return String(this.#last);
  }
}

/** The record for one committed write, or undefined when the item did not change (no record, as in AWS). */
export function recordFor(table: string, key: string, before: AttributeMap | undefined, after: AttributeMap | undefined, sequenceNumber: () => string): DynamoDBRecord | undefined {
  if (!before && !after) return undefined;
  if (before && after && isDeepStrictEqual(before, after)) return undefined;
  const keyValue = (after ?? before)![key]!;
  const eventName = !before ? 'INSERT' : !after ? 'REMOVE' : 'MODIFY';
  return {
    eventID: randomUUID(), eventName, eventVersion: '1.1', eventSource: 'aws:dynamodb', awsRegion: 'local',
    eventSourceARN: `arn:aws:dynamodb:local:000000000000:table/${table}/stream/local`,
    dynamodb: {
      Keys: { [key]: keyValue } as never, SequenceNumber: sequenceNumber(), StreamViewType: 'NEW_AND_OLD_IMAGES',
      ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
      ...(before ? { OldImage: before as never } : {}), ...(after ? { NewImage: after as never } : {}),
    },
  };
}

/**
 * Wraps the store dynalite returns so that commits to `options.table` append their stream record.
 * The record is appended after the item is committed and before the write is answered: a crash in
 * between leaves a write nobody was told of, which the next start's full build reads anyway.
 */
export function captureStore(store: DynaliteStore, options: StreamCaptureOptions): void {
  const log = new JournalQueue<DynamoDBRecord>(options.file);
  const sequence = new SequenceNumbers(lastSequenceNumber(log));
  // A record that could not be appended (disk full) is retried ahead of the next one, never dropped.
  const unwritten: DynamoDBRecord[] = [];
  const append = async (record: DynamoDBRecord): Promise<void> => {
    unwritten.push(record);
    const batch = unwritten.splice(0);
    try {
      await log.send(batch);
    } catch (error) {
      unwritten.unshift(...batch);
      throw error;
    }
    for (const r of batch) {
      options.onRecord?.({ sku: String(r.dynamodb!.Keys![options.key]!.S), eventID: r.eventID!, eventName: r.eventName!, sequenceNumber: r.dynamodb!.SequenceNumber! });
    }
  };
  const original = store.getItemDb.bind(store);
  store.getItemDb = (name: string) => {
    const db = original(name);
    if (name !== options.table || db[CAPTURED]) return db;
    const { get, put, del } = { get: db.get.bind(db), put: db.put.bind(db), del: db.del.bind(db) };
    const commit = (key: string, after: AttributeMap | undefined, write: (cb: Callback) => void, cb: Callback) => {
      get(key, (error, before) => {
        if (error && error.name !== 'NotFoundError') return cb(error);
        write((error) => {
          if (error) return cb(error);
          const record = recordFor(options.table, options.key, before as AttributeMap | undefined, after, () => sequence.next());
          if (!record) {
            if (after) options.onRecord?.({ sku: String(after[options.key]?.S), unchanged: true });
            return cb(null);
          }
          append(record).then(() => cb(null), (error: Error) => cb(error));
        });
      });
    };
    db.put = (key, item, cb) => commit(key, item as AttributeMap, (done) => put(key, item, done), cb);
    db.del = (key, cb) => commit(key, undefined, (done) => del(key, done), cb);
    db[CAPTURED] = true;
    return db;
  };
}

/** Starts dynalite with its writes to `capture.table` captured (see `captureStore`). */
export function dynaliteWithStream(dynaliteOptions: object, capture: StreamCaptureOptions): import('node:http').Server {
  const db = require('dynalite/db') as { create(options: object): DynaliteStore };
  const dynalite = require('dynalite') as (options: object) => import('node:http').Server;
  // dynalite builds its store through this module export; swap it for the one call only.
  const create = db.create;
  db.create = (options: object) => {
    const store = create(options);
    captureStore(store, capture);
    return store;
  };
  try {
    return dynalite(dynaliteOptions);
  } finally {
    db.create = create;
  }
}

function lastSequenceNumber(log: JournalQueue<DynamoDBRecord>): string | undefined {
  return log.last()?.dynamodb?.SequenceNumber;
}
