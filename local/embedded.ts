/**
 * The embedded AWS stand-ins of the local stack, speaking the real protocols: s3rver (S3 REST) and
 * dynalite (DynamoDB JSON API, LevelDB on disk). Both keep their data under the data directory,
 * so a second `npm start` finds the site and catalog where the first left them.
 */
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { dynamoCompatibleConfig } from '../functions/shared/adapters/dynamodb-catalog.js';
import { ensureTable } from '../functions/shared/adapters/dynamodb-tables.js';
import { s3CompatibleConfig } from '../functions/shared/adapters/s3-object-store.js';
import { dynaliteWithStream, type StreamNotice } from './dynamodb-stream.js';
import { allowS3rverContinuationTokens } from './s3rver-tokens.js';

const require = createRequire(import.meta.url);

export interface EmbeddedServers {
  s3Endpoint: string;
  dynamoEndpoint: string;
  s3: S3Client;
  dynamo: DynamoDBClient;
  /** Called for each record the products table's local stream appends (see local/dynamodb-stream.ts). */
  onStreamRecord(listener: (notice: StreamNotice) => void): void;
  close(): Promise<void>;
}

export interface EmbeddedOptions {
  dataDir: string;
  bucket: string;
  /** More buckets to create (the preview site's). */
  extraBuckets?: string[];
  table: string;
  s3Port?: number;
  dynamoPort?: number;
}

/** The products table's stream log, under the data directory. */
export const streamLogFile = (dataDir: string): string => join(dataDir, 'dynamodb-stream', 'products.jsonl');

/**
 * Starts both servers on free loopback ports (or the given ones), creates the bucket and the
 * products table if missing, and returns ready SDK clients.
 */
export async function startEmbeddedServers(options: EmbeddedOptions): Promise<EmbeddedServers> {
  const s3Dir = join(options.dataDir, 's3');
  const dynamoDir = join(options.dataDir, 'dynamodb');
  mkdirSync(s3Dir, { recursive: true });
  mkdirSync(dynamoDir, { recursive: true });

  allowS3rverContinuationTokens();
  const S3rver = require('s3rver') as new (options: object) => { run(): Promise<AddressInfo>; close(): Promise<void> };
  const s3rver = new S3rver({ address: '127.0.0.1', port: options.s3Port ?? 0, directory: s3Dir, silent: true, configureBuckets: [options.bucket, ...(options.extraBuckets ?? [])].map((name) => ({ name })) });
  const s3Address = await s3rver.run();

  const listeners: Array<(notice: StreamNotice) => void> = [];
  const dynamoServer = dynaliteWithStream({ path: dynamoDir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 }, {
    table: options.table, key: 'sku', file: streamLogFile(options.dataDir), onRecord: (notice) => { for (const l of listeners) l(notice); },
  });
  await new Promise<void>((resolve, reject) => {
    dynamoServer.once('error', (error: NodeJS.ErrnoException) => {
      void s3rver.close();
      reject(error.code === 'EADDRINUSE' ? new Error(`expected port ${options.dynamoPort} free for the local DynamoDB (RESTATIC_DYNAMODB_PORT), but it is in use`) : error);
    });
    dynamoServer.listen(options.dynamoPort ?? 0, '127.0.0.1', () => resolve());
  });
  const dynamoAddress = dynamoServer.address() as AddressInfo;

  const s3Endpoint = `http://127.0.0.1:${s3Address.port}`;
  const dynamoEndpoint = `http://127.0.0.1:${dynamoAddress.port}`;
  const s3 = new S3Client(s3CompatibleConfig(s3Endpoint));
  const dynamo = new DynamoDBClient(dynamoCompatibleConfig(dynamoEndpoint));
  await ensureProductsTable(dynamo, options.table);

  return {
    s3Endpoint, dynamoEndpoint, s3, dynamo,
    onStreamRecord: (listener) => { listeners.push(listener); },
    async close() {
      s3.destroy();
      dynamo.destroy();
      await s3rver.close();
      // dynalite keeps LevelDB open until its server closes; close idle keep-alive sockets too.
      (dynamoServer as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      await new Promise<void>((resolve) => dynamoServer.close(() => resolve()));
    },
  };
}

/**
 * Starts the same servers in a worker thread of their own: the local stack's edge and webhook
 * receiver then never wait behind the servers' work (hashing and writing large objects, LevelDB),
 * as in AWS, where S3 and DynamoDB are elsewhere entirely.
 */
export async function startEmbeddedServersInThread(options: EmbeddedOptions): Promise<EmbeddedServers> {
  const thread = new Worker(new URL('./servers-thread.js', import.meta.url), { workerData: options });
  const listeners: Array<(notice: StreamNotice) => void> = [];
  const { s3Endpoint, dynamoEndpoint } = await new Promise<{ s3Endpoint: string; dynamoEndpoint: string }>((resolve, reject) => {
    thread.once('error', reject);
    thread.once('message', (message: { s3Endpoint?: string; dynamoEndpoint?: string; error?: { message: string } }) => {
      if (message.error) reject(new Error(`The embedded S3/DynamoDB servers failed to start: ${message.error.message}`));
      else resolve(message as { s3Endpoint: string; dynamoEndpoint: string });
    });
  });
  thread.on('message', (message: { stream?: StreamNotice }) => {
    if (message.stream) for (const l of listeners) l(message.stream);
  });
  const s3 = new S3Client(s3CompatibleConfig(s3Endpoint));
  const dynamo = new DynamoDBClient(dynamoCompatibleConfig(dynamoEndpoint));
  return {
    s3Endpoint, dynamoEndpoint, s3, dynamo,
    onStreamRecord: (listener) => { listeners.push(listener); },
    async close() {
      s3.destroy();
      dynamo.destroy();
      await new Promise<void>((resolve) => {
        thread.on('message', (message: { closed?: boolean }) => { if (message.closed) resolve(); });
        thread.once('exit', () => resolve());
        thread.postMessage('close');
      });
      await thread.terminate();
    },
  };
}

/** Creates the `products` table (partition key `sku`, NEW_AND_OLD_IMAGES stream) unless it exists. */
export function ensureProductsTable(dynamo: DynamoDBClient, table: string): Promise<void> {
  return ensureTable(dynamo, {
    TableName: table,
    AttributeDefinitions: [{ AttributeName: 'sku', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'sku', KeyType: 'HASH' }],
    BillingMode: 'PAY_PER_REQUEST',
    StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
  });
}
