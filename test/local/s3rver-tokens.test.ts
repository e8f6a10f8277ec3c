/** LISTs of more than 1,000 keys on the local S3 stand-in (s3rver's DES continuation tokens on OpenSSL 3). */
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createS3ObjectStore } from '../../functions/shared/adapters/s3-object-store.js';
import { allowS3rverContinuationTokens } from '../../local/s3rver-tokens.js';
import { freshBucket, s3Client } from '../fixtures/aws.js';

describe('s3rver continuation tokens', () => {
  it('lists 1,500 keys across pages on the stand-in the tests run (Node without the legacy provider)', async () => {
    // Prepare
    const s3 = s3Client();
    const store = createS3ObjectStore({ bucket: await freshBucket(s3), client: s3 });
    const keys = Array.from({ length: 1500 }, (_, i) => `many/${String(i).padStart(5, '0')}.json`);
    for (let i = 0; i < keys.length; i += 100) await Promise.all(keys.slice(i, i + 100).map((k) => store.put(k, Buffer.from('{}'), { contentType: 'application/json', cacheControl: 'no-store' })));
    // Act
    const listed: string[] = [];
    for await (const key of store.list('many/')) listed.push(key);
    // Assess
    expect(listed.sort()).toEqual(keys);
  }, 60_000);

  it('makes exactly the tokens single DES makes under the legacy provider', () => {
    // Prepare: s3rver's token cipher, its fixed key and a fixed IV
    const key = Buffer.alloc(8, 'S3RVER', 'utf8');
    const iv = Buffer.from('d4a1b2c3d4e5f607', 'hex');
    const text = 'us-east-1/bucket/_restatic/manifest/shards/00ff.json.gz';
    const expected = execFileSync(process.execPath, ['--openssl-legacy-provider', '-e', `
      const c = require('crypto').createCipheriv('des', Buffer.alloc(8, 'S3RVER', 'utf8'), Buffer.from('${iv.toString('hex')}', 'hex'));
      process.stdout.write(Buffer.concat([c.update(${JSON.stringify(text)}, 'utf8'), c.final()]).toString('hex'));
    `], { encoding: 'utf8' });
    allowS3rverContinuationTokens();
    // Act
    const cipher = crypto.createCipheriv('des', key, iv);
    const actual = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]).toString('hex');
    const decipher = crypto.createDecipheriv('des', key, iv);
    const back = Buffer.concat([decipher.update(Buffer.from(actual, 'hex')), decipher.final()]).toString('utf8');
    // Assess
    expect(actual).toBe(expected);
    expect(back).toBe(text);
  });
});
