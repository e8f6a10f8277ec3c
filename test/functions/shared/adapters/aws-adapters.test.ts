/** S3 and DynamoDB adapters against the real protocol servers (s3rver, dynalite); CloudFront mocked. */
import { DescribeTableCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { CloudFrontClient, CreateInvalidationCommand, TooManyInvalidationsInProgress } from '@aws-sdk/client-cloudfront';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { createCloudFrontCdn } from '../../../../functions/shared/adapters/cloudfront-cdn.js';
import { createDynamoDbCatalog } from '../../../../functions/shared/adapters/dynamodb-catalog.js';
import { createS3ObjectStore } from '../../../../functions/shared/adapters/s3-object-store.js';
import { CdnError, ObjectStoreError, ValidationError } from '../../../../functions/shared/errors.js';
import { dynamoClient, freshBucket, freshTable, s3Client } from '../../../fixtures/aws.js';
import { productItem } from '../../../fixtures/products.js';

describe('S3 object store (s3rver)', () => {
  it('stores bytes with content type, cache control and metadata, and reads them back', async () => {
    // Prepare
    const client = s3Client();
    const store = createS3ObjectStore({ bucket: await freshBucket(client), client });
    // Act
    await store.put('a/b/index.html', '<p>hi</p>', { contentType: 'text/html; charset=utf-8', cacheControl: 'public, max-age=60', metadata: { sha256: 'abc' } });
    const object = await store.get('a/b/index.html');
    // Assess
    expect(object?.body.toString()).toBe('<p>hi</p>');
    expect(object).toMatchObject({ contentType: 'text/html; charset=utf-8', cacheControl: 'public, max-age=60', metadata: { sha256: 'abc' } });
    expect(await store.get('missing')).toBeUndefined();
  });

  it('uploads large bodies in parts and deletes in batches', async () => {
    // Prepare
    const client = s3Client();
    const store = createS3ObjectStore({ bucket: await freshBucket(client), client });
    const big = Buffer.alloc(9 * 1024 * 1024, 7);
    // Act
    await store.put('big.bin', big, { contentType: 'application/octet-stream', cacheControl: 'no-store' });
    await store.put('small.txt', 'x', { contentType: 'text/plain', cacheControl: 'no-store' });
    const read = await store.get('big.bin');
    await store.deleteMany(['big.bin', 'small.txt', 'never-existed']);
    // Assess
    expect(read?.body.equals(big)).toBe(true);
    const left: string[] = [];
    for await (const key of store.list('')) left.push(key);
    expect(left).toEqual([]);
  });

  it('reports an unreachable endpoint as a retryable ObjectStoreError naming the key', async () => {
    // Prepare
    const { S3Client } = await import('@aws-sdk/client-s3');
    const { s3CompatibleConfig } = await import('../../../../functions/shared/adapters/s3-object-store.js');
    const client = new S3Client({ ...s3CompatibleConfig('http://127.0.0.1:9'), maxAttempts: 1 });
    const store = createS3ObjectStore({ bucket: 'nope', client });
    // Act
    const error = await store.put('k.html', 'x', { contentType: 'text/html', cacheControl: '' }).catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(ObjectStoreError);
    expect((error as ObjectStoreError).message).toContain('S3 PUT of "k.html" failed');
    expect((error as ObjectStoreError).retryable).toBe(true);
  });
});

describe('DynamoDB catalog (dynalite)', () => {
  it('writes, reads and scans products in parallel segments, skipping invalid items with the field named', async () => {
    // Prepare
    const client = dynamoClient();
    const table = await freshTable(client);
    const catalog = createDynamoDbCatalog({ table, client, segments: 3 });
    const items = Array.from({ length: 60 }, (_, i) => productItem({ sku: `SKU-${String(i).padStart(3, '0')}`, title: `Product ${i}` }));
    await catalog.putMany(items.map((item) => ({ ...(item as object), slug: '' }) as never));
    await client.send(new PutItemCommand({ TableName: table, Item: { sku: { S: 'BROKEN-1' }, title: { S: 'No price' } } }));
    // Act
    const { products, rejected } = await catalog.scanAll();
    // Assess
    expect(products).toHaveLength(60);
    expect(products[0]!.sku).toBe('SKU-000');
    expect(rejected).toEqual([expect.objectContaining({ sku: 'BROKEN-1', field: 'description' })]);
    expect(await catalog.isEmpty()).toBe(false);
  });

  it('streams every product once, segments in parallel, in the same order on every run', async () => {
    // Prepare: 3 segments of 7-item pages, so each segment has several pages to prefetch
    const client = dynamoClient();
    const table = await freshTable(client);
    const catalog = createDynamoDbCatalog({ table, client, segments: 3, pageLimit: 7 });
    await catalog.putMany(Array.from({ length: 80 }, (_, i) => productItem({ sku: `S-${i}`, slug: '' }) as never));
    await client.send(new PutItemCommand({ TableName: table, Item: { sku: { S: 'BROKEN-2' }, title: { S: 'No price' } } }));
    const read = async () => {
      const rejected: string[] = [];
      const skus: string[] = [];
      for await (const product of catalog.stream({ onRejected: (r) => rejected.push(r.sku) })) skus.push(product.sku);
      return { skus, rejected };
    };

    // Act
    const first = await read();
    const second = await read();

    // Assess
    expect(new Set(first.skus).size).toBe(80);
    expect(first.skus).toHaveLength(80);
    expect(second.skus).toEqual(first.skus);
    expect(first.rejected).toEqual(['BROKEN-2']);
  });

  it('takes a progress total from the table description, none when DynamoDB has not counted yet', async () => {
    // Prepare
    const mock = mockClient(DynamoDBClient);
    const catalog = createDynamoDbCatalog({ table: 'products', client: new DynamoDBClient({ region: 'us-east-1' }) });
    mock.on(DescribeTableCommand).resolvesOnce({ Table: { ItemCount: 1234 } }).resolvesOnce({ Table: { ItemCount: 0 } }).rejectsOnce(new Error('AccessDenied'));
    // Act / Assess
    expect(await catalog.approximateCount?.()).toBe(1234);
    expect(await catalog.approximateCount?.()).toBeUndefined();
    expect(await catalog.approximateCount?.()).toBeUndefined();
    mock.restore();
  });

  it('reads a product strongly consistent: a stream record comes after its write, an eventually consistent read may not', async () => {
    // Prepare
    const mock = mockClient(DynamoDBDocumentClient);
    const catalog = createDynamoDbCatalog({ table: 'products', client: new DynamoDBClient({ region: 'us-east-1' }) });
    mock.on(GetCommand).resolves({});
    // Act
    const found = await catalog.get('TR2-BLK-42').finally(() => mock.restore());
    // Assess
    expect(found).toBeUndefined();
    expect(mock.commandCalls(GetCommand)[0]!.args[0].input).toMatchObject({ TableName: 'products', Key: { sku: 'TR2-BLK-42' }, ConsistentRead: true });
  });

  it('validates on put, keeps an explicit slug, and returns the old item on delete', async () => {
    // Prepare
    const client = dynamoClient();
    const catalog = createDynamoDbCatalog({ table: await freshTable(client), client });
    // Act
    await expect(catalog.put(productItem({ price: { USD: -5 } }))).rejects.toBeInstanceOf(ValidationError);
    await catalog.put(productItem({ slug: 'My Custom Slug' }));
    const stored = await catalog.get('TR2-BLK-42');
    const removed = await catalog.delete('TR2-BLK-42');
    // Assess
    expect(stored?.slug).toBe('my-custom-slug');
    expect(removed?.sku).toBe('TR2-BLK-42');
    expect(await catalog.get('TR2-BLK-42')).toBeUndefined();
    expect(await catalog.isEmpty()).toBe(true);
  });
});

describe('CloudFront CDN', () => {
  it('creates one invalidation with the caller reference and flags throttling as retryable', async () => {
    // Prepare
    const mock = mockClient(CloudFrontClient);
    mock.on(CreateInvalidationCommand).resolvesOnce({ Invalidation: { Id: 'I1', Status: 'InProgress', CreateTime: new Date(), InvalidationBatch: undefined } })
      .rejectsOnce(new TooManyInvalidationsInProgress({ message: 'slow down', $metadata: {} }));
    const cdn = createCloudFrontCdn({ distributionId: 'D1', client: new CloudFrontClient({}) });
    // Act
    const id = await cdn.invalidate(['/a/', '/a/index.html'], 'ref-1');
    const error = await cdn.invalidate(['/b/'], 'ref-2').catch((e: unknown) => e);
    // Assess
    expect(id).toBe('I1');
    expect(mock.commandCalls(CreateInvalidationCommand)[0]!.args[0].input).toEqual({
      DistributionId: 'D1', InvalidationBatch: { CallerReference: 'ref-1', Paths: { Quantity: 2, Items: ['/a/', '/a/index.html'] } },
    });
    expect(error).toBeInstanceOf(CdnError);
    expect((error as CdnError).retryable).toBe(true);
    mock.restore();
  });
});
