/**
 * Pictures resized at the edge: what the first request of a variant costs (the image function's
 * core over sharp, in-process, originals in memory), what the variants weigh against the original,
 * and the baseline a build-time resizer pays: every picture in every width and format, before a
 * page can go live, where ours makes none at build time.
 */
import { serveImageVariant } from '../functions/images/variant.js';
import { createSharpTransformer } from '../functions/shared/adapters/sharp-images.js';
import { allDemoImages } from '../functions/shared/demo/images.js';
import { IMAGE_FORMATS, IMAGE_WIDTHS, imageUrl, type ImageFormat } from '../functions/shared/images/urls.js';
import { silentLogger } from '../functions/shared/logger.js';
import type { StoredObject } from '../functions/shared/ports.js';

export interface ImageBench {
  pictures: number;
  /** Median first-request time per format at 640w, ms. */
  firstMs: Record<ImageFormat, number>;
  /** Median bytes of a 640w variant per format, and of the originals. */
  bytes: Record<ImageFormat | 'original', number>;
  /** Every picture × width × format, made in one pass as a build-time resizer would: variants and wall ms. */
  buildTime: { variants: number; ms: number };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function benchImages(sample: number): Promise<ImageBench> {
  const pictures = allDemoImages().filter((a) => a.contentType === 'image/png');
  const objects = new Map<string, StoredObject>(pictures.map((a) => [a.key, { body: Buffer.from(a.body), contentType: a.contentType, cacheControl: '', etag: '' }]));
  const deps = { store: { get: async (key: string) => objects.get(key) }, transform: createSharpTransformer(), logger: silentLogger };
  const picked = pictures.filter((_, i) => i % Math.max(1, Math.floor(pictures.length / sample)) === 0).slice(0, sample);
  // Warm-up: sharp's first call loads libvips' codecs.
  for (const format of IMAGE_FORMATS) await serveImageVariant(imageUrl(picked[0]!.key, 640, format), deps);
  const firstMs = {} as Record<ImageFormat, number>;
  const bytes = { original: median(picked.map((p) => Buffer.byteLength(p.body))) } as Record<ImageFormat | 'original', number>;
  for (const format of IMAGE_FORMATS) {
    const times: number[] = [];
    const sizes: number[] = [];
    for (const p of picked) {
      const t = performance.now();
      const r = await serveImageVariant(imageUrl(p.key, 640, format), deps);
      times.push(performance.now() - t);
      if (r.status !== 200) throw new Error(`expected 200 for ${p.key} as ${format}, got ${r.status}: ${r.body.toString()}`);
      sizes.push(r.body.length);
    }
    firstMs[format] = median(times);
    bytes[format] = median(sizes);
  }
  // The baseline: all of it up front, two at a time (this machine's cores), as a build step would.
  const jobs = pictures.flatMap((p) => IMAGE_WIDTHS.flatMap((w) => IMAGE_FORMATS.map((f) => imageUrl(p.key, w, f))));
  const t = performance.now();
  let next = 0;
  await Promise.all([0, 1].map(async () => { while (next < jobs.length) await serveImageVariant(jobs[next++]!, deps); }));
  return { pictures: pictures.length, firstMs, bytes, buildTime: { variants: jobs.length, ms: performance.now() - t } };
}
