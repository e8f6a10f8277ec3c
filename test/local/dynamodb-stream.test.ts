/**
 * The local DynamoDB stream: dynalite with its commits captured as stream records, compared with an
 * unpatched dynalite (the capture patches its internals), and the poller that feeds the stream
 * handler core as Lambda's event source mapping does.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchWriteItemCommand, DeleteItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { dynamoCompatibleConfig } from '../../functions/shared/adapters/dynamodb-catalog.js';
import { ensureProductsTable } from '../../local/embedded.js';
import { dynaliteWithStream, SequenceNumbers, type StreamNotice } from '../../local/dynamodb-stream.js';
import { JournalQueue } from '../../local/journal-queue.js';
import { StreamPoller } from '../../local/stream-poller.js';
import { silentLogger } from '../../functions/shared/logger.js';

const require = createRequire(import.meta.url);
const TABLE = 'products';
const open: Array<{ server: Server; client: DynamoDBClient }> = [];

async function serve(server: Server): Promise<DynamoDBClient> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const client = new DynamoDBClient(dynamoCompatibleConfig(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  open.push({ server, client });
  await ensureProductsTable(client, TABLE);
  return client;
}

function captured(file: string, notices: StreamNotice[] = []) {
  return serve(dynaliteWithStream({ createTableMs: 0 }, { table: TABLE, key: 'sku', file, onRecord: (n) => notices.push(n) }));
}

const unpatched = () => serve((require('dynalite') as (o: object) => Server)({ createTableMs: 0 }));
const tmp = () => join(mkdtempSync(join(tmpdir(), 'restatic-stream-')), 'products.jsonl');
const records = (file: string) => new JournalQueue<DynamoDBRecord>(file).pending().envelopes;

afterEach(async () => {
  for (const { server, client } of open.splice(0)) {
    client.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

/** Every kind of write dynalite takes, including ones that change nothing or are refused. */
async function writes(client: DynamoDBClient): Promise<unknown[]> {
  const item = (sku: string, price: number) => ({ sku: { S: sku }, title: { S: `Item ${sku}` }, price: { M: { USD: { N: String(price) } } } });
  const answers: unknown[] = [];
  const run = async (command: object) => {
    try {
      const { $metadata: _, ...out } = (await client.send(command as never)) as { $metadata: unknown };
      answers.push(out);
    } catch (error) {
      answers.push({ error: (error as Error).name });
    }
  };
  await run(new PutItemCommand({ TableName: TABLE, Item: item('A-1', 100) }));
  await run(new PutItemCommand({ TableName: TABLE, Item: item('A-1', 100) })); // unchanged
  await run(new UpdateItemCommand({ TableName: TABLE, Key: { sku: { S: 'A-1' } }, UpdateExpression: 'SET price.USD = :p', ExpressionAttributeValues: { ':p': { N: '90' } }, ReturnValues: 'ALL_NEW' }));
  await run(new PutItemCommand({ TableName: TABLE, Item: item('A-1', 1), ConditionExpression: 'attribute_not_exists(sku)' })); // refused
  await run(new BatchWriteItemCommand({ RequestItems: { [TABLE]: [{ PutRequest: { Item: item('B-1', 200) } }, { PutRequest: { Item: item('C-1', 300) } }] } }));
  await run(new DeleteItemCommand({ TableName: TABLE, Key: { sku: { S: 'B-1' } }, ReturnValues: 'ALL_OLD' }));
  await run(new DeleteItemCommand({ TableName: TABLE, Key: { sku: { S: 'NOPE' } } })); // absent
  for (const sku of ['A-1', 'B-1', 'C-1']) await run(new GetItemCommand({ TableName: TABLE, Key: { sku: { S: sku } }, ConsistentRead: true }));
  return answers;
}

describe('local DynamoDB stream: capture', () => {
  it('answers every write exactly as an unpatched dynalite does', async () => {
    // Prepare
    const plain = await unpatched();
    const withStream = await captured(tmp());
    // Act
    const expected = await writes(plain);
    const actual = await writes(withStream);
    // Assess
    expect(actual).toEqual(expected);
    expect(expected).toContainEqual({ error: 'ConditionalCheckFailedException' });
  });

  it('records each committed change as NEW_AND_OLD_IMAGES with growing sequence numbers, none for a write that changed nothing', async () => {
    // Prepare
    const file = tmp();
    const notices: StreamNotice[] = [];
    const client = await captured(file, notices);
    // Act
    await writes(client);
    // Assess
    const log = records(file);
    const events = log.map((r) => `${r.eventName} ${r.dynamodb!.Keys!.sku!.S}`);
    expect(events.slice(0, 2)).toEqual(['INSERT A-1', 'MODIFY A-1']);
    expect(events.slice(2, 4).sort()).toEqual(['INSERT B-1', 'INSERT C-1']); // one batch, written in parallel
    expect(events.slice(4)).toEqual(['REMOVE B-1']);
    const modify = log[1]!.dynamodb!;
    expect(modify.OldImage!.price).toEqual({ M: { USD: { N: '100' } } });
    expect(modify.NewImage!.price).toEqual({ M: { USD: { N: '90' } } });
    expect(modify.StreamViewType).toBe('NEW_AND_OLD_IMAGES');
    expect(log[4]!.dynamodb!.NewImage).toBeUndefined();
    expect(log[4]!.dynamodb!.OldImage!.sku).toEqual({ S: 'B-1' });
    const sequence = log.map((r) => BigInt(r.dynamodb!.SequenceNumber!));
    expect(sequence).toEqual([...sequence].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect(new Set(sequence).size).toBe(sequence.length);
    expect(notices.filter((n) => n.unchanged)).toEqual([{ sku: 'A-1', unchanged: true }]);
  });

  it('has the record on disk before the writer gets its answer', async () => {
    // Prepare
    const file = tmp();
    const client = await captured(file);
    // Act
    await client.send(new PutItemCommand({ TableName: TABLE, Item: { sku: { S: 'DURABLE-1' }, title: { S: 'x' } } }));
    const onDisk = readFileSync(file, 'utf8');
    // Assess
    expect(onDisk).toContain('"DURABLE-1"');
  });

  it('keeps one key\'s records in write order under concurrent writes', async () => {
    // Prepare
    const file = tmp();
    const client = await captured(file);
    // Act: 30 updates of one item, sent at once
    await Promise.all(Array.from({ length: 30 }, () => client.send(new UpdateItemCommand({
      TableName: TABLE, Key: { sku: { S: 'HOT-1' } }, UpdateExpression: 'ADD hits :one', ExpressionAttributeValues: { ':one': { N: '1' } },
    }))));
    // Assess: each record's old image is the previous record's new image
    const log = records(file);
    expect(log).toHaveLength(30);
    log.forEach((r, i) => {
      expect(r.dynamodb!.NewImage!.hits).toEqual({ N: String(i + 1) });
      if (i > 0) expect(r.dynamodb!.OldImage).toEqual(log[i - 1]!.dynamodb!.NewImage);
    });
  });

  it('continues sequence numbers above the log\'s last after a restart, even with the clock behind', () => {
    // Prepare
    const numbers = new SequenceNumbers('9000000000000000000');
    // Act
    const next = numbers.next(Date.UTC(2020, 0, 1));
    // Assess
    expect(BigInt(next)).toBe(9000000000000000001n);
    expect(BigInt(new SequenceNumbers(undefined).next(1000))).toBe(1_000_000_000n);
  });
});

describe('local DynamoDB stream: poller', () => {
  const record = (i: number): DynamoDBRecord => ({ eventID: `e${i}`, eventName: 'MODIFY', dynamodb: { Keys: { sku: { S: `S-${i}` } }, SequenceNumber: String(1000 + i) } });
  const seeded = async (count: number) => {
    const file = tmp();
    await new JournalQueue<DynamoDBRecord>(file).send(Array.from({ length: count }, (_, i) => record(i)));
    return file;
  };

  it('hands records over in order, in batches of at most 100, and checkpoints them', async () => {
    // Prepare
    const file = await seeded(250);
    const batches: string[][] = [];
    const poller = new StreamPoller(file, async (event: DynamoDBStreamEvent) => { batches.push(event.Records.map((r) => r.eventID!)); return { batchItemFailures: [] }; }, silentLogger, { failuresFile: `${file}.failures` });
    // Act
    while ((await poller.poll()) !== 0);
    await poller.handled('1249');
    // Assess
    expect(batches.map((b) => b.length)).toEqual([100, 100, 50]);
    expect(batches.flat()).toEqual(Array.from({ length: 250 }, (_, i) => `e${i}`));
    expect(poller.backlog()).toBe(0);
  });

  it('retries from the first failed record, and moves a record that fails every retry to the on-failure file', async () => {
    // Prepare: record 3 always fails
    const file = await seeded(6);
    const seen: string[] = [];
    const poller = new StreamPoller(file, async (event) => {
      seen.push(...event.Records.map((r) => r.eventID!));
      const failed = event.Records.filter((r) => r.eventID === 'e3');
      return { batchItemFailures: failed.map((r) => ({ itemIdentifier: r.dynamodb!.SequenceNumber! })) };
    }, silentLogger, { failuresFile: `${file}.failures`, retryAttempts: 2 });
    // Act
    const results: Array<number | 'retry'> = [];
    for (let i = 0; i < 5; i++) results.push(await poller.poll());
    // Assess: 0-2 handed over once; 3 fails with them, then on 2 retries, and goes to the file; then 4-5
    expect(results).toEqual([3, 'retry', 1, 2, 0]);
    expect(seen.filter((id) => id === 'e0')).toHaveLength(1);
    expect(seen.filter((id) => id === 'e3')).toHaveLength(3);
    const failures = readFileSync(`${file}.failures`, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { record: DynamoDBRecord; attempts: number });
    expect(failures.map((f) => [f.record.eventID, f.attempts])).toEqual([['e3', 3]]);
    expect(poller.backlog()).toBe(0);
  });

  it('retries the whole batch when the handler throws, and skips what a full build will read', async () => {
    // Prepare
    const file = await seeded(3);
    let calls = 0;
    const poller = new StreamPoller(file, async () => { calls++; if (calls === 1) throw new Error('queue unreachable'); return { batchItemFailures: [] }; }, silentLogger, { failuresFile: `${file}.failures` });
    // Act
    const first = await poller.poll();
    const second = await poller.poll();
    await new JournalQueue<DynamoDBRecord>(file).send([record(7), record(8)]);
    const skipped = poller.skipToEnd();
    // Assess
    expect([first, second]).toEqual(['retry', 3]);
    expect(skipped).toBe(2);
    expect(await poller.poll()).toBe(0);
  });
});
