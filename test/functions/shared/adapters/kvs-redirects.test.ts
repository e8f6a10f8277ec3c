/** The redirect table in a CloudFront KeyValueStore (client mocked: no AWS here). */
import { CloudFrontKeyValueStoreClient, DescribeKeyValueStoreCommand, ListKeysCommand, UpdateKeysCommand } from '@aws-sdk/client-cloudfront-keyvaluestore';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createKvsRedirectTable, RedirectStoreError } from '../../../../functions/shared/adapters/cloudfront-kvs-redirects.js';

const kvsArn = 'arn:aws:cloudfront::123456789012:key-value-store/abc';
const mock = mockClient(CloudFrontKeyValueStoreClient);
afterEach(() => mock.reset());

describe('CloudFront KeyValueStore redirect table', () => {
  it('puts new and changed redirects, deletes stale ones, in conditional batches of 50 chained by ETag', async () => {
    // Prepare: the store holds a stale key, an up-to-date key and a changed one, over two pages
    mock.on(ListKeysCommand).resolvesOnce({ Items: [{ Key: '/old/', Value: '/gone/' }, { Key: '/same/', Value: '/same-target/' }], NextToken: 'p2' })
      .resolvesOnce({ Items: [{ Key: '/changed/', Value: '/before/' }] });
    mock.on(DescribeKeyValueStoreCommand).resolves({ ETag: 'E0' });
    mock.on(UpdateKeysCommand).resolvesOnce({ ETag: 'E1' }).resolvesOnce({ ETag: 'E2' });
    const redirects = Object.fromEntries([...Array.from({ length: 60 }, (_, i) => [`/p/${i}/`, `/q/${i}/`]), ['/same/', '/same-target/'], ['/changed/', '/after/']]);

    // Act
    await createKvsRedirectTable({ kvsArn, client: new CloudFrontKeyValueStoreClient({ region: 'us-east-1' }) }).replaceAll(redirects);

    // Assess
    const updates = mock.commandCalls(UpdateKeysCommand).map((c) => c.args[0].input);
    expect(updates.map((u) => u.IfMatch)).toEqual(['E0', 'E1']);
    const puts = updates.flatMap((u) => u.Puts ?? []);
    expect(puts).toHaveLength(61);
    expect(puts).toContainEqual({ Key: '/changed/', Value: '/after/' });
    expect(puts.find((p) => p.Key === '/same/')).toBeUndefined();
    expect(updates.flatMap((u) => u.Deletes ?? [])).toEqual([{ Key: '/old/' }]);
    expect(updates.every((u) => (u.Puts?.length ?? 0) + (u.Deletes?.length ?? 0) <= 50)).toBe(true);
  });

  it('writes nothing when the store already matches, and reports a lost race as retryable', async () => {
    // Prepare
    mock.on(ListKeysCommand).resolves({ Items: [{ Key: '/a/', Value: '/b/' }] });
    const table = createKvsRedirectTable({ kvsArn, client: new CloudFrontKeyValueStoreClient({ region: 'us-east-1' }) });
    // Act
    await table.replaceAll({ '/a/': '/b/' });
    mock.on(DescribeKeyValueStoreCommand).resolves({ ETag: 'E0' });
    mock.on(UpdateKeysCommand).rejects(Object.assign(new Error('The provided ETag does not match'), { name: 'ConflictException' }));
    const race = table.replaceAll({ '/a/': '/c/' });
    // Assess
    await expect(race).rejects.toBeInstanceOf(RedirectStoreError);
    await expect(race).rejects.toMatchObject({ retryable: true });
    expect(mock.commandCalls(UpdateKeysCommand)).toHaveLength(1);
  });
});
