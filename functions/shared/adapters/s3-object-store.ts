/** ObjectStore on Amazon S3 (or any S3-compatible server: the local stack runs s3rver). */
import {
  DeleteObjectsCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, type ListObjectsV2CommandOutput, PutObjectCommand, type S3Client, type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Upload } from '@aws-sdk/lib-storage';
import { ObjectStoreError, isTransientAwsError } from '../errors.js';
import type { ObjectMeta, ObjectStore, StoredObject } from '../ports.js';
import { SDK_RETRY } from './sdk.js';

/** Bodies above this go through lib-storage's multipart Upload (S3 caps single PUTs at 5 GB). */
const MULTIPART_THRESHOLD = 8 * 1024 * 1024;

export interface S3ObjectStoreOptions {
  bucket: string;
  client: S3Client;
}

/** S3 client settings for an S3-compatible endpoint such as the local s3rver. */
export function s3CompatibleConfig(endpoint: string): S3ClientConfig {
  return {
    ...SDK_RETRY,
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    // s3rver predates the SDK's default flexible checksums (aws-chunked trailers): send them only when S3 requires them.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  };
}

function wrap(action: string, key: string, error: unknown): ObjectStoreError {
  const message = error instanceof Error ? error.message : String(error);
  return new ObjectStoreError(`S3 ${action} of "${key}" failed: ${message}`, { cause: error, retryable: isTransientAwsError(error) });
}

/** Creates the S3 adapter. Errors become ObjectStoreError with `retryable` set from the SDK error. */
export function createS3ObjectStore({ bucket, client }: S3ObjectStoreOptions): ObjectStore {
  return {
    async put(key: string, body: Buffer | string, meta: ObjectMeta): Promise<void> {
      const params = {
        Bucket: bucket, Key: key, Body: body, ContentType: meta.contentType, CacheControl: meta.cacheControl,
        ...(meta.metadata ? { Metadata: meta.metadata } : {}),
      };
      try {
        if (Buffer.byteLength(body) > MULTIPART_THRESHOLD) {
          await new Upload({ client, params, queueSize: 4, partSize: MULTIPART_THRESHOLD }).done();
        } else {
          await client.send(new PutObjectCommand(params));
        }
      } catch (error) {
        throw wrap('PUT', key, error);
      }
    },

    async putFile(key: string, path: string, meta: ObjectMeta): Promise<void> {
      const { size } = await stat(path);
      try {
        // S3 shows the object only when the (multipart) upload completes: readers never see half a file.
        await new Upload({
          client, queueSize: 4, partSize: MULTIPART_THRESHOLD,
          params: { Bucket: bucket, Key: key, Body: size === 0 ? '' : createReadStream(path), ContentLength: size, ContentType: meta.contentType, CacheControl: meta.cacheControl, ...(meta.metadata ? { Metadata: meta.metadata } : {}) },
        }).done();
      } catch (error) {
        throw wrap('PUT', key, error);
      }
    },

    async get(key: string): Promise<StoredObject | undefined> {
      try {
        const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        const body = Buffer.from(await out.Body!.transformToByteArray());
        return {
          body,
          etag: out.ETag ?? '',
          contentType: out.ContentType ?? 'application/octet-stream',
          cacheControl: out.CacheControl ?? '',
          metadata: out.Metadata ?? {},
        };
      } catch (error) {
        const name = (error as { name?: string }).name;
        if (name === 'NoSuchKey' || name === 'NotFound' || (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return undefined;
        throw wrap('GET', key, error);
      }
    },

    async head(key: string): Promise<string | undefined> {
      try {
        return (await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).ETag ?? '';
      } catch (error) {
        const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
        if (status === 404 || (error as { name?: string }).name === 'NotFound') return undefined;
        throw wrap('HEAD', key, error);
      }
    },

    async metadata(key: string): Promise<Record<string, string> | undefined> {
      try {
        return (await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).Metadata ?? {};
      } catch (error) {
        const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
        if (status === 404 || (error as { name?: string }).name === 'NotFound') return undefined;
        throw wrap('HEAD', key, error);
      }
    },

    async deleteMany(keys: readonly string[]): Promise<void> {
      for (let i = 0; i < keys.length; i += 1000) {
        const chunk = keys.slice(i, i + 1000);
        try {
          const out = await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: chunk.map((Key) => ({ Key })), Quiet: true } }));
          if (out.Errors?.length) {
            const first = out.Errors[0]!;
            throw new ObjectStoreError(`S3 DELETE of ${out.Errors.length} object(s) failed, first "${first.Key}": ${first.Code} ${first.Message}`, { retryable: true });
          }
        } catch (error) {
          throw error instanceof ObjectStoreError ? error : wrap('DELETE', `${chunk[0]} (+${chunk.length - 1} more)`, error);
        }
      }
    },

    async *list(prefix: string): AsyncIterable<string> {
      let token: string | undefined;
      do {
        let out: ListObjectsV2CommandOutput;
        try {
          out = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
        } catch (error) {
          throw wrap('LIST', prefix, error);
        }
        for (const item of out.Contents ?? []) if (item.Key) yield item.Key;
        token = out.IsTruncated ? out.NextContinuationToken : undefined;
      } while (token);
    },
  };
}
