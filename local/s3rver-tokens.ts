/**
 * s3rver 3.7.1 encrypts its ListObjectsV2 continuation tokens with single DES (`des`, CBC), which
 * OpenSSL 3 keeps in its legacy provider: on Node ≥ 17 every LIST of more than 1,000 keys fails
 * with a 500 (the manifest's shards at 100,000 products, `aws s3 sync` of a real site). Triple DES
 * with three equal keys is single DES (encrypt, decrypt, encrypt with one key), and it is in the
 * default provider: the tokens are byte for byte the ones s3rver would make. s3rver is pinned
 * exactly; test/local/s3rver-tokens.test.ts compares with `des` under the legacy provider.
 */
import crypto from 'node:crypto';

let installed = false;

/** Makes `des` ciphers work in this thread when OpenSSL lacks them; a no-op where it has them. */
export function allowS3rverContinuationTokens(): void {
  if (installed || desAvailable()) return;
  installed = true;
  const { createCipheriv, createDecipheriv } = crypto;
  const tripled = (key: crypto.CipherKey) => Buffer.concat([key, key, key] as Buffer[]);
  crypto.createCipheriv = ((algorithm: string, key: crypto.CipherKey, iv: crypto.BinaryLike | null, options?: object) =>
    (algorithm.toLowerCase() === 'des' ? createCipheriv('des-ede3-cbc', tripled(key), iv, options as never) : createCipheriv(algorithm, key, iv, options as never))) as typeof crypto.createCipheriv;
  crypto.createDecipheriv = ((algorithm: string, key: crypto.CipherKey, iv: crypto.BinaryLike | null, options?: object) =>
    (algorithm.toLowerCase() === 'des' ? createDecipheriv('des-ede3-cbc', tripled(key), iv, options as never) : createDecipheriv(algorithm, key, iv, options as never))) as typeof crypto.createDecipheriv;
}

function desAvailable(): boolean {
  try {
    crypto.createCipheriv('des', Buffer.alloc(8), Buffer.alloc(8));
    return true;
  } catch {
    return false;
  }
}
