/** The demo pictures: a silhouette per category in the product's colour, decodable PNGs at the size the pages need. */
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { productImage } from '../../../../functions/shared/demo/images.js';
import { rasterise, silhouette } from '../../../../functions/shared/demo/silhouettes.js';
import { DEMO_CATEGORIES } from '../../../../functions/shared/demo/vocabulary.js';

/** The RGB pixels of one of our PNGs (one IDAT, no filters). */
function pixels(png: Buffer): { width: number; height: number; at(x: number, y: number): string } {
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  const idat = png.indexOf('IDAT');
  const raw = inflateSync(png.subarray(idat + 4, idat + 4 + png.readUInt32BE(idat - 4)));
  return { width, height, at: (x, y) => raw.subarray(y * (width * 3 + 1) + 1 + x * 3, y * (width * 3 + 1) + 4 + x * 3).toString('hex') };
}

describe('demo pictures', () => {
  it('draws each category as its own silhouette, in the product\'s colour, at 600 px', () => {
    // Act
    const drawn = DEMO_CATEGORIES.map((c) => productImage(c, 'blue').body as Buffer);
    // Assess: every category looks different from every other
    expect(new Set(drawn.map((b) => b.toString('base64'))).size).toBe(DEMO_CATEGORIES.length);
    const picture = pixels(drawn[0]!);
    expect([picture.width, picture.height]).toEqual([600, 600]);
    const colours = new Set<string>();
    for (let y = 0; y < 600; y += 10) for (let x = 0; x < 600; x += 10) colours.add(picture.at(x, y));
    expect(colours).toContain('2e6fba');
    expect(colours).toContain('eef1f4');
  });

  it('mirrors the silhouette for the back view', () => {
    // Prepare
    const tones = { fill: Buffer.from([1, 1, 1]), dark: Buffer.from([2, 2, 2]), light: Buffer.from([3, 3, 3]), ground: Buffer.from([4, 4, 4]) };
    // Act
    const front = rasterise(silhouette('running-shoes', false), 300, tones);
    const back = rasterise(silhouette('running-shoes', true), 300, tones);
    // Assess
    expect(back.map((s) => [s.y, Math.round(300 - s.x1), Math.round(300 - s.x0)])).toEqual(front.map((s) => [s.y, Math.round(s.x0), Math.round(s.x1)]));
  });
});
