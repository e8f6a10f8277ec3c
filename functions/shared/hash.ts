import { createHash } from 'node:crypto';

/** sha256 of `body`, hex: the content hash the manifest compares. */
export const sha256 = (body: Buffer | string): string => createHash('sha256').update(body).digest('hex');
