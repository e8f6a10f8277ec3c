/**
 * The image function's core: one variant of a site picture per request (`/_img/{width}w/{format}/{key}`),
 * read from the bucket, resized and encoded, answered with headers the CDN caches for a year (the
 * originals are content-hashed, so a variant never changes). A request it cannot serve costs that
 * request only: a clear 4xx, cached briefly so a flood of bad URLs is absorbed by the CDN.
 */
import { ImageTransformError, RestaticError } from '../shared/errors.js';
import { IMAGE_CONTENT_TYPES, parseImagePath } from '../shared/images/urls.js';
import type { ImageTransformer, Logger, ObjectStore } from '../shared/ports.js';

export interface ImageResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export interface ImageDeps {
  store: Pick<ObjectStore, 'get'>;
  transform: ImageTransformer;
  logger: Logger;
  /** Largest original it reads, in bytes. @default 20 MiB */
  maxOriginalBytes?: number;
}

const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Answers that may change once the cause is fixed (a missing original published later). */
const BRIEF = 'public, max-age=60';

const text = (status: number, message: string, cacheControl = BRIEF): ImageResponse => ({
  status, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': cacheControl }, body: Buffer.from(`${message}\n`),
});

/**
 * The variant at `path`. A store failure is thrown (retryable: the CDN does not cache a 5xx and the
 * next visitor asks again); everything else is answered.
 */
export async function serveImageVariant(path: string, deps: ImageDeps): Promise<ImageResponse> {
  const request = parseImagePath(path);
  if ('error' in request) return text(request.status, request.error);
  const original = await deps.store.get(request.key);
  if (!original) return text(404, `no picture at /${request.key}`);
  const limit = deps.maxOriginalBytes ?? 20 * 1024 * 1024;
  if (original.body.length > limit) return text(413, `/${request.key} is ${original.body.length} bytes; pictures over ${limit} bytes are served as they are, not resized`);
  const started = Date.now();
  let body: Buffer;
  try {
    body = await deps.transform.resize(original.body, request.width, request.format);
  } catch (error) {
    if (error instanceof RestaticError && error.retryable) throw error;
    const failure = error instanceof ImageTransformError ? error : new ImageTransformError(`expected a picture at /${request.key} to resize to ${request.width}w ${request.format}, got: ${(error as Error).message}`, { cause: error });
    deps.logger.warn('image variant failed', { key: request.key, width: request.width, format: request.format, error: failure.message });
    return text(422, failure.message);
  }
  deps.logger.debug('image variant made', { key: request.key, width: request.width, format: request.format, bytesIn: original.body.length, bytesOut: body.length, ms: Date.now() - started });
  return { status: 200, headers: { 'content-type': IMAGE_CONTENT_TYPES[request.format], 'cache-control': IMMUTABLE }, body };
}
