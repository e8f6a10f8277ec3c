/** Catalog on the DynamoDB `products` table (partition key `sku`) through lib-dynamodb. */
import { type AttributeValue, DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { BatchWriteCommand, DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, ScanCommand, type ScanCommandOutput } from '@aws-sdk/lib-dynamodb';
import PQueue from 'p-queue';
import { validateProduct, type Product } from '../catalog/product.js';
import { CatalogError, ValidationError, isTransientAwsError } from '../errors.js';
import type { Catalog, RejectedProduct } from '../ports.js';
import { SDK_RETRY } from './sdk.js';

/** DynamoDB client settings for a DynamoDB-compatible endpoint such as the local dynalite. */
export function dynamoCompatibleConfig(endpoint: string) {
  return { ...SDK_RETRY, endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
}

export interface DynamoDbCatalogOptions {
  table: string;
  client: DynamoDBClient;
  /** Parallel scan segments for full reads. @default 4 */
  segments?: number;
  /** Items per scan page of `stream()` (DynamoDB's `Limit`); unset, pages end at 1 MB. */
  pageLimit?: number;
}

function wrap(action: string, subject: string, error: unknown): CatalogError {
  const message = error instanceof Error ? error.message : String(error);
  return new CatalogError(`DynamoDB ${action} of ${subject} failed: ${message}`, { cause: error, retryable: isTransientAwsError(error) });
}

/** The item as stored: the validated product, without a slug the editor did not set. */
export function toItem(product: Product, explicitSlug: boolean): Record<string, unknown> {
  const { slug, ...rest } = product;
  return explicitSlug ? { ...rest, slug } : rest;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Pages (≤ 1 MB each) a streaming scan segment reads ahead of its consumer. */
const PREFETCH_PAGES = 2;

/** A product as its table item appears in a stream record's images (DynamoDB attribute values). */
export function streamImage(product: Product, explicitSlug: boolean): Record<string, AttributeValue> {
  return marshall(toItem(product, explicitSlug), { removeUndefinedValues: true });
}

export function createDynamoDbCatalog({ table, client, segments = 4, pageLimit }: DynamoDbCatalogOptions): Catalog {
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });

  async function batchWrite(items: Record<string, unknown>[]): Promise<void> {
    let requests = items.map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; requests.length > 0; attempt++) {
      if (attempt > 8) throw new CatalogError(`DynamoDB kept ${requests.length} item(s) unprocessed after ${attempt} attempts`, { retryable: true });
      if (attempt > 0) await sleep(Math.min(2000, 50 * 2 ** attempt));
      const out = await doc.send(new BatchWriteCommand({ RequestItems: { [table]: requests } }));
      requests = (out.UnprocessedItems?.[table] ?? []) as typeof requests;
    }
  }

  /** One scan segment's pages, fetched up to PREFETCH_PAGES ahead of the reader. */
  function segmentPages(segment: number): { next(): Promise<Record<string, unknown>[] | undefined> } {
    const buffered: Record<string, unknown>[][] = [];
    let start: Record<string, unknown> | undefined;
    let done = false;
    let fetching = false;
    let failure: unknown;
    let wake: (() => void) | undefined;
    const pump = async (): Promise<void> => {
      if (fetching || done || buffered.length >= PREFETCH_PAGES) return;
      fetching = true;
      try {
        const out = await doc.send(new ScanCommand({ TableName: table, Segment: segment, TotalSegments: segments, ExclusiveStartKey: start, ...(pageLimit ? { Limit: pageLimit } : {}) }));
        buffered.push(out.Items ?? []);
        start = out.LastEvaluatedKey;
        done = !start;
      } catch (error) {
        failure = wrap('Scan', `table ${table} (segment ${segment})`, error);
        done = true;
      } finally {
        fetching = false;
        wake?.();
        wake = undefined;
      }
      void pump();
    };
    return {
      async next() {
        for (;;) {
          const page = buffered.shift();
          if (page) {
            void pump();
            return page;
          }
          if (failure) throw failure;
          if (done) return undefined;
          const woken = new Promise<void>((resolve) => { wake = resolve; });
          void pump();
          await woken;
        }
      },
    };
  }

  return {
    async scanAll(options = {}) {
      const products: Product[] = [];
      const rejected: RejectedProduct[] = [];
      let count = 0;
      await Promise.all(Array.from({ length: segments }, async (_, segment) => {
        let start: Record<string, unknown> | undefined;
        do {
          let out: ScanCommandOutput;
          try {
            out = await doc.send(new ScanCommand({ TableName: table, Segment: segment, TotalSegments: segments, ExclusiveStartKey: start }));
          } catch (error) {
            throw wrap('Scan', `table ${table} (segment ${segment})`, error);
          }
          for (const item of out.Items ?? []) {
            try {
              products.push(validateProduct(item));
            } catch (error) {
              if (!(error instanceof ValidationError)) throw error;
              rejected.push({ sku: String(item.sku ?? '(no sku)'), field: error.field, message: error.message });
            }
          }
          count += out.Items?.length ?? 0;
          options.onProgress?.(count);
          start = out.LastEvaluatedKey;
        } while (start);
      }));
      // Segments finish in any order; sort so every build sees the same catalog order.
      products.sort((a, b) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0));
      return { products, rejected };
    },

    async *stream(options = {}) {
      // Segments are read in parallel, each a few pages ahead, and their pages are taken in turn
      // (page 1 of every segment, then page 2…): the order is the same on every run for the same
      // data, so an unchanged catalog yields byte-identical feeds, and memory stays bounded.
      let active = Array.from({ length: segments }, (_, segment) => segmentPages(segment));
      while (active.length > 0) {
        const still: typeof active = [];
        for (const reader of active) {
          const page = await reader.next();
          if (!page) continue;
          still.push(reader);
          for (const item of page) {
            try {
              yield validateProduct(item);
            } catch (error) {
              if (!(error instanceof ValidationError)) throw error;
              options.onRejected?.({ sku: String(item.sku ?? '(no sku)'), field: error.field, message: error.message });
            }
          }
        }
        active = still;
      }
    },

    async approximateCount() {
      try {
        const out = await client.send(new DescribeTableCommand({ TableName: table }));
        // 0 also means "not counted yet" (new tables, local stand-ins): no total rather than a wrong one.
        return out.Table?.ItemCount || undefined;
      } catch {
        return undefined; // only a progress bar's total depends on it
      }
    },

    async get(sku) {
      try {
        // Strongly consistent: the change that triggered this read is committed, a replica may not have it yet.
        const out = await doc.send(new GetCommand({ TableName: table, Key: { sku }, ConsistentRead: true }));
        return out.Item ? validateProduct(out.Item) : undefined;
      } catch (error) {
        if (error instanceof ValidationError) throw error;
        throw wrap('GetItem', `sku ${sku}`, error);
      }
    },

    async getItem(sku) {
      try {
        const out = await doc.send(new GetCommand({ TableName: table, Key: { sku }, ConsistentRead: true }));
        return out.Item;
      } catch (error) {
        throw wrap('GetItem', `sku ${sku}`, error);
      }
    },

    async put(item) {
      const product = validateProduct(item);
      const explicitSlug = typeof (item as { slug?: unknown }).slug === 'string';
      try {
        await doc.send(new PutCommand({ TableName: table, Item: toItem(product, explicitSlug) }));
      } catch (error) {
        throw wrap('PutItem', `sku ${product.sku}`, error);
      }
      return product;
    },

    async putMany(products, options = {}) {
      const queue = new PQueue({ concurrency: 8 });
      let done = 0;
      let failure: unknown;
      for (let i = 0; i < products.length; i += 25) {
        const chunk = products.slice(i, i + 25);
        void queue.add(async () => {
          try {
            await batchWrite(chunk.map((p) => toItem(p, false)));
          } catch (error) {
            throw error instanceof CatalogError ? error : wrap('BatchWriteItem', `skus ${chunk[0]!.sku}…`, error);
          }
          done += chunk.length;
          options.onProgress?.(done);
        }).catch((error: unknown) => { queue.clear(); failure ??= error; });
      }
      await queue.onIdle();
      if (failure) throw failure;
    },

    async delete(sku) {
      try {
        const out = await doc.send(new DeleteCommand({ TableName: table, Key: { sku }, ReturnValues: 'ALL_OLD' }));
        if (!out.Attributes) return undefined;
        try {
          return validateProduct(out.Attributes);
        } catch {
          return undefined;
        }
      } catch (error) {
        throw wrap('DeleteItem', `sku ${sku}`, error);
      }
    },

    async isEmpty() {
      try {
        const out = await doc.send(new ScanCommand({ TableName: table, Limit: 1, ProjectionExpression: 'sku' }));
        return (out.Items?.length ?? 0) === 0;
      } catch (error) {
        throw wrap('Scan', `table ${table}`, error);
      }
    },
  };
}
