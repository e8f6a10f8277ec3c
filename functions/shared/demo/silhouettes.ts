/**
 * Flat silhouettes of the demo categories (a shoe, a jacket, a tent…), drawn on a 300-unit grid as
 * polygons, ellipses and rectangles, each in a tone of the product's colour: the demo pictures read
 * as the product without any image file. Rasterised by row into spans (png.ts paints them in order).
 */
import type { Span } from './png.js';

type Tone = 'fill' | 'dark' | 'light' | 'ground';
type Point = readonly [number, number];
export type Shape =
  | { tone: Tone; poly: readonly Point[] }
  | { tone: Tone; ellipse: readonly [cx: number, cy: number, rx: number, ry: number] }
  | { tone: Tone; rect: readonly [x0: number, y0: number, x1: number, y1: number] };

const poly = (tone: Tone, ...pts: Point[]): Shape => ({ tone, poly: pts });
const ellipse = (tone: Tone, cx: number, cy: number, rx: number, ry = rx): Shape => ({ tone, ellipse: [cx, cy, rx, ry] });
const rect = (tone: Tone, x0: number, y0: number, x1: number, y1: number): Shape => ({ tone, rect: [x0, y0, x1, y1] });

const jacket = (...extra: Shape[]): Shape[] => [
  poly('fill', [100, 80], [60, 100], [35, 210], [65, 216], [98, 135]),
  poly('fill', [200, 80], [240, 100], [265, 210], [235, 216], [202, 135]),
  poly('fill', [100, 78], [200, 78], [214, 232], [86, 232]),
  ...extra,
];

const SHAPES: Record<string, Shape[]> = {
  'running-shoes': [
    poly('fill', [52, 200], [70, 150], [122, 128], [160, 160], [232, 172], [258, 200]),
    rect('light', 112, 145, 150, 152), rect('light', 118, 158, 156, 165),
    poly('dark', [40, 198], [262, 198], [268, 214], [46, 224]),
  ],
  'hiking-boots': [
    poly('fill', [62, 204], [76, 88], [142, 84], [150, 150], [236, 166], [256, 204]),
    rect('light', 96, 100, 136, 106), rect('light', 96, 118, 138, 124), rect('light', 98, 136, 140, 142),
    rect('dark', 54, 204, 262, 228),
  ],
  'rain-jackets': [ellipse('fill', 150, 78, 38, 34), ellipse('dark', 150, 84, 22, 20), ...jacket(rect('light', 147, 100, 153, 230))],
  'insulated-jackets': jacket(rect('light', 90, 118, 210, 123), rect('light', 89, 158, 211, 163), rect('light', 88, 198, 212, 203), ellipse('ground', 150, 80, 22, 12)),
  fleece: jacket(rect('dark', 147, 82, 153, 230), ellipse('dark', 150, 80, 24, 12)),
  'base-layers': jacket(ellipse('ground', 150, 80, 26, 16)),
  backpacks: [
    ellipse('fill', 150, 86, 56, 30), rect('fill', 94, 86, 206, 236),
    rect('light', 116, 160, 184, 214), ellipse('dark', 150, 72, 30, 10),
  ],
  tents: [poly('fill', [150, 66], [268, 228], [32, 228]), poly('dark', [150, 122], [192, 228], [108, 228]), rect('dark', 28, 226, 272, 232)],
  'sleeping-bags': [ellipse('fill', 150, 88, 46, 38), poly('fill', [104, 92], [196, 92], [182, 244], [118, 244]), ellipse('dark', 150, 88, 24, 20), rect('light', 147, 120, 153, 236)],
  'sleeping-pads': [rect('fill', 36, 118, 264, 186), ...[0, 1, 2, 3, 4, 5, 6, 7].map((i) => rect('light', 58 + i * 26, 124, 62 + i * 26, 180))],
  headlamps: [ellipse('fill', 150, 146, 112, 46), ellipse('ground', 150, 146, 96, 32), rect('dark', 116, 164, 184, 218), ellipse('light', 150, 191, 20, 16)],
  'water-bottles': [poly('fill', [108, 104], [130, 76], [170, 76], [192, 104]), rect('fill', 108, 102, 192, 248), rect('dark', 128, 48, 172, 78), rect('light', 108, 150, 192, 160)],
  'trekking-poles': [
    poly('fill', [98, 70], [112, 70], [152, 252], [144, 252]), poly('fill', [188, 70], [202, 70], [156, 252], [148, 252]),
    rect('dark', 92, 42, 116, 78), rect('dark', 184, 42, 208, 78), ellipse('dark', 135, 210, 14, 4), ellipse('dark', 165, 210, 14, 4),
  ],
  'climbing-harnesses': [
    ellipse('fill', 150, 104, 104, 38), ellipse('ground', 150, 104, 86, 22),
    ellipse('fill', 108, 190, 40, 40), ellipse('ground', 108, 190, 24, 24), ellipse('fill', 192, 190, 40, 40), ellipse('ground', 192, 190, 24, 24),
    rect('dark', 138, 126, 162, 168),
  ],
  ropes: [ellipse('fill', 150, 150, 104), ellipse('ground', 150, 150, 80), ellipse('fill', 150, 150, 60), ellipse('ground', 150, 150, 36), rect('dark', 240, 140, 280, 160)],
  'camp-stoves': [
    poly('fill', [120, 160], [96, 246], [108, 246], [132, 166]), poly('fill', [180, 160], [204, 246], [192, 246], [168, 166]),
    rect('fill', 108, 120, 192, 176), ellipse('dark', 150, 118, 70, 14), poly('light', [150, 60], [170, 108], [130, 108]),
  ],
  cookware: [rect('fill', 70, 118, 230, 224), ellipse('fill', 150, 224, 80, 10), ellipse('dark', 150, 116, 82, 14), rect('dark', 36, 138, 72, 152), rect('dark', 228, 138, 264, 152), ellipse('dark', 150, 100, 14, 8)],
  sunglasses: [
    ellipse('fill', 98, 154, 52, 40), ellipse('fill', 202, 154, 52, 40), rect('dark', 140, 136, 160, 146),
    rect('dark', 20, 126, 50, 134), rect('dark', 250, 126, 280, 134), ellipse('light', 84, 140, 14, 8), ellipse('light', 188, 140, 14, 8),
  ],
  gloves: [
    rect('fill', 96, 128, 204, 244), ...[0, 1, 2, 3].map((i) => rect('fill', 98 + i * 27, 62 + Math.abs(i - 1.5) * 10, 120 + i * 27, 140)),
    poly('fill', [96, 170], [52, 126], [40, 140], [92, 214]), rect('dark', 92, 222, 208, 250),
  ],
  socks: [rect('fill', 108, 48, 172, 182), poly('fill', [108, 170], [172, 170], [252, 214], [244, 252], [118, 252]), rect('light', 108, 48, 172, 70), ellipse('dark', 240, 232, 16, 18)],
};

/** A plain badge for a category without a silhouette. */
const FALLBACK: Shape[] = [ellipse('fill', 150, 150, 110), rect('light', 100, 130, 200, 142), rect('light', 100, 158, 200, 170)];

/** The shapes of a category's silhouette, mirrored for the back view. */
export function silhouette(category: string, mirrored: boolean): Shape[] {
  const shapes = SHAPES[category] ?? FALLBACK;
  if (!mirrored) return shapes;
  return shapes.map((s) => ('poly' in s ? { tone: s.tone, poly: s.poly.map(([x, y]) => [300 - x, y] as const) }
    : 'ellipse' in s ? { tone: s.tone, ellipse: [300 - s.ellipse[0], s.ellipse[1], s.ellipse[2], s.ellipse[3]] as const }
      : { tone: s.tone, rect: [300 - s.rect[2], s.rect[1], 300 - s.rect[0], s.rect[3]] as const }));
}

/** The spans of `shapes` on a `size`-pixel image (the grid scaled), toned by `tones`, in order. */
export function rasterise(shapes: readonly Shape[], size: number, tones: Record<Tone, Buffer>): Span[] {
  const u = size / 300;
  const spans: Span[] = [];
  for (let y = 0; y < size; y++) {
    const g = (y + 0.5) / u;
    for (const s of shapes) {
      const rgb = tones[s.tone];
      if ('rect' in s) {
        const [x0, y0, x1, y1] = s.rect;
        if (g >= y0 && g < y1) spans.push({ y, x0: x0 * u, x1: x1 * u, rgb });
      } else if ('ellipse' in s) {
        const [cx, cy, rx, ry] = s.ellipse;
        const dy = (g - cy) / ry;
        if (Math.abs(dy) < 1) {
          const half = rx * Math.sqrt(1 - dy * dy);
          spans.push({ y, x0: (cx - half) * u, x1: (cx + half) * u, rgb });
        }
      } else {
        // Even-odd scanline over the polygon's edges.
        const xs: number[] = [];
        const pts = s.poly;
        for (let i = 0; i < pts.length; i++) {
          const [ax, ay] = pts[i]!;
          const [bx, by] = pts[(i + 1) % pts.length]!;
          if ((ay <= g && by > g) || (by <= g && ay > g)) xs.push(ax + ((g - ay) / (by - ay)) * (bx - ax));
        }
        xs.sort((a, b) => a - b);
        for (let i = 0; i + 1 < xs.length; i += 2) spans.push({ y, x0: xs[i]! * u, x1: xs[i + 1]! * u, rgb });
      }
    }
  }
  return spans;
}
