/** The image function's core over sharp: variants by width and format, and every way a request can fail costing that request only. */
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { serveImageVariant } from '../../../functions/images/variant.js';
import { createSharpTransformer } from '../../../functions/shared/adapters/sharp-images.js';
import { ObjectStoreError } from '../../../functions/shared/errors.js';
import { silentLogger } from '../../../functions/shared/logger.js';
import { MemoryStore } from '../../fixtures/memory.js';

const KEY = 'assets/img/tent-blue-0a1b2c3d4e.png';
let store: MemoryStore;
const deps = () => ({ store, transform: createSharpTransformer(), logger: silentLogger });

beforeAll(async () => {
  // Prepare: a 600 × 400 PNG, as the demo pictures are drawn
  store = new MemoryStore();
  const png = await sharp({ create: { width: 600, height: 400, channels: 3, background: '#2e6fba' } }).png().toBuffer();
  await store.put(KEY, png, { contentType: 'image/png', cacheControl: 'public, max-age=31536000, immutable' });
  await store.put('assets/img/broken.png', Buffer.from('not a picture'), { contentType: 'image/png', cacheControl: 'public, max-age=31536000, immutable' });
});

describe('image variants', () => {
  it.each([['avif', 'image/avif', 'heif'], ['webp', 'image/webp', 'webp'], ['png', 'image/png', 'png'], ['jpeg', 'image/jpeg', 'jpeg']] as const)('answer %s at the width asked, in proportion, cached for a year', async (format, contentType, decoded) => {
    // Act
    const response = await serveImageVariant(`/_img/320w/${format}/${KEY}`, deps());
    // Assess
    expect(response.status).toBe(200);
    expect(response.headers).toEqual({ 'content-type': contentType, 'cache-control': 'public, max-age=31536000, immutable' });
    const meta = await sharp(response.body).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual([decoded, 320, 213]);
  });

  it('never enlarge: a width beyond the original answers the original\'s size', async () => {
    const response = await serveImageVariant(`/_img/1280w/webp/${KEY}`, deps());
    expect((await sharp(response.body).metadata()).width).toBe(600);
  });

  it('answer a bad request with a clear 4xx that the CDN keeps a minute', async () => {
    // Act
    const [width, missing, state, broken] = await Promise.all([
      serveImageVariant(`/_img/300w/webp/${KEY}`, deps()),
      serveImageVariant('/_img/320w/webp/assets/img/gone.png', deps()),
      serveImageVariant('/_img/320w/webp/_restatic/state/root.json', deps()),
      serveImageVariant('/_img/320w/webp/assets/img/broken.png', deps()),
    ]);
    // Assess
    expect([width.status, missing.status, state.status, broken.status]).toEqual([400, 404, 404, 422]);
    expect(broken.body.toString()).toMatch(/^expected a picture sharp can decode to resize to 320w webp, got: /);
    for (const r of [width, missing, state, broken]) expect(r.headers['cache-control']).toBe('public, max-age=60');
  });

  it('throw a store failure (retryable) rather than answer it: the CDN caches no 5xx', async () => {
    // Prepare
    const failing = { get: async () => { throw new ObjectStoreError('S3 GetObject: SlowDown', { retryable: true }); } };
    // Act + Assess
    await expect(serveImageVariant(`/_img/320w/webp/${KEY}`, { ...deps(), store: failing })).rejects.toMatchObject({ retryable: true });
  });
});
