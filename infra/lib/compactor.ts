/**
 * A compactor (functions/compact/handler.ts) over one site's bucket and state table, fed by its FIFO
 * queue: the live site and the preview each have one. It may touch the state and manifest
 * prefixes of its bucket and the state table, nothing else.
 */
import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { RestaticFunction } from './functions.js';
import { heapOptions } from './worker-memory.js';

export interface CompactorProps {
  bucket: s3.IBucket;
  stateTable: dynamodb.ITable;
  /** Its requests (FIFO, one group: one compaction at a time). */
  queue: sqs.IQueue;
  description: string;
  serviceName: string;
  logRetention: logs.RetentionDays;
  removalPolicy: RemovalPolicy;
  /** What a function holding the whole store needs (`worker-memory.ts`): splitting a kind anew reads all of its records. */
  storeMemoryMb: number;
}

export function compactorFunction(scope: Construct, props: CompactorProps): RestaticFunction {
  const memoryMb = Math.max(2048, props.storeMemoryMb);
  const compact = new RestaticFunction(scope, 'Compact', {
    logRetention: props.logRetention, removalPolicy: props.removalPolicy,
    entry: 'functions/compact/handler.ts', description: props.description, serviceName: props.serviceName,
    // Reads and rewrites most state and manifest shards (at 1,000,000 products, about a gigabyte of JSON, a shard at a time).
    // Splitting a kind that outgrew its shard count anew reads all of that kind's records at once.
    memorySize: memoryMb, nodeOptions: heapOptions(memoryMb),
    timeout: Duration.minutes(15), environment: { SITE_BUCKET: props.bucket.bucketName, STATE_TABLE: props.stateTable.tableName },
  });
  // It rewrites the state's and manifest's shards and commits their roots beside the worker.
  props.bucket.grantReadWrite(compact.fn, '_restatic/state/*');
  props.bucket.grantReadWrite(compact.fn, '_restatic/manifest/*');
  props.stateTable.grantReadWriteData(compact.fn);
  // A batch of requests is one compaction (its requests carry nothing it needs).
  compact.fn.addEventSource(new SqsEventSource(props.queue, { batchSize: 10, reportBatchItemFailures: true }));
  return compact;
}
