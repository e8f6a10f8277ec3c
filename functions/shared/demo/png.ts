/**
 * A minimal PNG encoder (8-bit RGB, no interlace) for the generated demo product images: feeds and
 * PDFs need raster images (Google accepts JPEG/PNG/GIF/WebP/BMP/TIFF; pdfkit embeds JPEG/PNG).
 */
import { crc32, deflateSync } from 'node:zlib';

/** One PNG chunk: length, type, data and CRC. */
export function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

/** A horizontal run of one colour on row `y`, from `x0` to `x1` (exclusive). */
export interface Span {
  y: number;
  x0: number;
  x1: number;
  rgb: Buffer;
}

/**
 * Encodes a `width × height` RGB image: a background colour, then spans painted in order (flat
 * shapes are a handful of spans per row, so this is fast enough to draw hundreds at start-up).
 */
export function encodePng(width: number, height: number, background: Buffer, spans: Iterable<Span>): Buffer {
  const stride = width * 3 + 1;
  const raw = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) raw.fill(background, y * stride + 1, (y + 1) * stride); // filter byte 0 = none
  for (const { y, x0, x1, rgb } of spans) {
    const a = Math.max(0, Math.min(width, Math.round(x0)));
    const b = Math.max(0, Math.min(width, Math.round(x1)));
    if (b > a && y >= 0 && y < height) raw.fill(rgb, y * stride + 1 + a * 3, y * stride + 1 + b * 3);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // bit depth 8, colour type RGB, deflate, adaptive filtering, no interlace
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), pngChunk('IHDR', ihdr), pngChunk('IDAT', deflateSync(raw, { level: 6 })), pngChunk('IEND', Buffer.alloc(0))]);
}

export function hexColor(hex: string): Buffer {
  const n = Number.parseInt(hex.slice(1), 16);
  return Buffer.from([(n >> 16) & 255, (n >> 8) & 255, n & 255]);
}
