/**
 * Slug-change redirects in a CloudFront KeyValueStore (read by the viewer-request function): the
 * store is made equal to the pipeline's redirect map — new and changed keys put, stale ones deleted
 * — in batches of 50 (the API's limit), each conditional on the store's ETag so two writers never
 * silently interleave (a lost race is a retryable error; the next run converges).
 */
import '@aws-sdk/signature-v4a'; // the KeyValueStore API is signed with SigV4A
import { type CloudFrontKeyValueStoreClient, DescribeKeyValueStoreCommand, ListKeysCommand, UpdateKeysCommand } from '@aws-sdk/client-cloudfront-keyvaluestore';
import { RestaticError, isTransientAwsError } from '../errors.js';
import type { RedirectTable } from '../ports.js';

const BATCH = 50;
// KeyValueStore limits: keys up to 512 bytes, values up to 1 KB.
const fits = (key: string, value: string) => Buffer.byteLength(key) <= 512 && Buffer.byteLength(value) <= 1024;

export class RedirectStoreError extends RestaticError {}

export function createKvsRedirectTable(options: { kvsArn: string; client: CloudFrontKeyValueStoreClient }): RedirectTable {
  const { kvsArn, client } = options;
  const call = async <T>(what: string, send: () => Promise<T>): Promise<T> => {
    try {
      return await send();
    } catch (error) {
      const name = (error as { name?: string }).name ?? '';
      throw new RedirectStoreError(`KeyValueStore ${what} on ${kvsArn} failed: ${name} ${(error as Error).message}`, { cause: error, retryable: isTransientAwsError(error) || name === 'ConflictException' || name === 'ValidationException' && /etag|match/i.test((error as Error).message) });
    }
  };
  return {
    async replaceAll(redirects) {
      const current = new Map<string, string>();
      let token: string | undefined;
      do {
        const page = await call('ListKeys', () => client.send(new ListKeysCommand({ KvsARN: kvsArn, ...(token ? { NextToken: token } : {}) })));
        for (const item of page.Items ?? []) if (item.Key !== undefined) current.set(item.Key, item.Value ?? '');
        token = page.NextToken;
      } while (token);
      const puts = Object.entries(redirects).filter(([key, value]) => fits(key, value) && current.get(key) !== value).map(([Key, Value]) => ({ Key, Value }));
      const deletes = [...current.keys()].filter((key) => !(key in redirects)).map((Key) => ({ Key }));
      if (puts.length === 0 && deletes.length === 0) return;
      let etag = (await call('DescribeKeyValueStore', () => client.send(new DescribeKeyValueStoreCommand({ KvsARN: kvsArn })))).ETag;
      const ops = [...puts.map((p) => ({ put: p })), ...deletes.map((d) => ({ del: d }))];
      for (let i = 0; i < ops.length; i += BATCH) {
        const batch = ops.slice(i, i + BATCH);
        const Puts = batch.flatMap((o) => ('put' in o ? [o.put] : []));
        const Deletes = batch.flatMap((o) => ('del' in o ? [o.del] : []));
        const out = await call('UpdateKeys', () => client.send(new UpdateKeysCommand({ KvsARN: kvsArn, IfMatch: etag, ...(Puts.length ? { Puts } : {}), ...(Deletes.length ? { Deletes } : {}) })));
        etag = out.ETag;
      }
    },
  };
}
