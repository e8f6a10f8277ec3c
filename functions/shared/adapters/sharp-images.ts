/**
 * ImageTransformer over sharp (libvips, from its prebuilt platform package: no install script).
 * Encoder settings favour the first request's latency: AVIF at effort 2 costs a fraction of the
 * default's time for a few per cent more bytes, and the CDN keeps the result for a year.
 */
import sharp from 'sharp';
import { ImageTransformError } from '../errors.js';
import type { ImageTransformer } from '../ports.js';

/** Refuse decompression bombs: 40 megapixels is far beyond any product photo. */
const MAX_INPUT_PIXELS = 40_000_000;

export function createSharpTransformer(): ImageTransformer {
  return {
    async resize(original, width, format) {
      try {
        const pipeline = sharp(original, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error' }).rotate().resize({ width, withoutEnlargement: true });
        switch (format) {
          case 'avif': return await pipeline.avif({ quality: 55, effort: 2 }).toBuffer();
          case 'webp': return await pipeline.webp({ quality: 78, effort: 4 }).toBuffer();
          case 'jpeg': return await pipeline.flatten({ background: '#ffffff' }).jpeg({ quality: 80, mozjpeg: true }).toBuffer();
          case 'png': return await pipeline.png({ compressionLevel: 9, palette: true, quality: 90 }).toBuffer();
        }
      } catch (error) {
        throw new ImageTransformError(`expected a picture sharp can decode to resize to ${width}w ${format}, got: ${(error as Error).message}`, { cause: error });
      }
    },
  };
}
