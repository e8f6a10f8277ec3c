/**
 * Images resized at the edge: the URL layout the pages write and the image function reads.
 * `/_img/{width}w/{format}/{key}` is the picture at bucket key `{key}` (a site image under
 * `assets/`), at most `{width}` pixels wide, as `{format}`. Widths and formats are allow-listed,
 * so the CDN caches a bounded set of variants per picture and nobody can ask for a million.
 * Nothing is made at build time: the first request makes a variant and the CDN keeps it.
 */

export const IMAGE_ROUTE = '/_img/';

/** The widths a variant may have (CSS px × device pixel ratio of the layouts' slots). */
export const IMAGE_WIDTHS = [160, 320, 480, 640, 960, 1280] as const;
export type ImageWidth = (typeof IMAGE_WIDTHS)[number];

export const IMAGE_FORMATS = ['avif', 'webp', 'jpeg', 'png'] as const;
export type ImageFormat = (typeof IMAGE_FORMATS)[number];

export const IMAGE_CONTENT_TYPES: Record<ImageFormat, string> = { avif: 'image/avif', webp: 'image/webp', jpeg: 'image/jpeg', png: 'image/png' };

/** Originals the function reads: the site's own pictures (content-hashed, immutable). */
const ORIGINAL = /^assets\/[A-Za-z0-9._/-]+\.(png|jpe?g|webp|avif|gif)$/;

export interface ImageRequest {
  width: ImageWidth;
  format: ImageFormat;
  /** The original's bucket key. */
  key: string;
}

/** The format a browser without AVIF or WebP gets: the original's, as JPEG or PNG. */
export function fallbackFormat(key: string): ImageFormat {
  return /\.jpe?g$/i.test(key) ? 'jpeg' : 'png';
}

/** The bucket key of a site picture (`/assets/img/x.png` → `assets/img/x.png`), or undefined for anything the function does not serve (another host's URL). */
export function originalKey(src: string): string | undefined {
  if (!src.startsWith('/') || src.startsWith('//')) return undefined;
  const key = src.slice(1);
  return ORIGINAL.test(key) && !key.split('/').some((s) => s === '..' || s === '.' || s === '') ? key : undefined;
}

export function imageUrl(key: string, width: ImageWidth, format: ImageFormat): string {
  return `${IMAGE_ROUTE}${width}w/${format}/${key}`;
}

/** What a request for a variant asks for, or why it cannot be served (a clear message for the 400/404). */
export function parseImagePath(path: string): ImageRequest | { error: string; status: 400 | 404 } {
  if (!path.startsWith(IMAGE_ROUTE)) return { status: 404, error: `expected a path under ${IMAGE_ROUTE}, got ${JSON.stringify(path.slice(0, 80))}` };
  const match = /^(\d{1,5})w\/([a-z]{1,8})\/(.+)$/.exec(path.slice(IMAGE_ROUTE.length));
  if (!match) return { status: 400, error: `expected ${IMAGE_ROUTE}{width}w/{format}/{key}, got ${JSON.stringify(path.slice(0, 80))}` };
  const width = Number(match[1]);
  if (!(IMAGE_WIDTHS as readonly number[]).includes(width)) return { status: 400, error: `expected a width of ${IMAGE_WIDTHS.join(', ')}, got ${match[1]}` };
  const format = match[2]!;
  if (!(IMAGE_FORMATS as readonly string[]).includes(format)) return { status: 400, error: `expected a format of ${IMAGE_FORMATS.join(', ')}, got ${JSON.stringify(format)}` };
  const key = originalKey(`/${match[3]!}`);
  if (!key) return { status: 404, error: `expected a site picture under /assets/, got ${JSON.stringify(match[3]!.slice(0, 80))}` };
  return { width: width as ImageWidth, format: format as ImageFormat, key };
}

/** A picture's responsive sources: `srcset` lists per format, for `<picture>`. */
export interface ResponsiveImage {
  avif: string;
  webp: string;
  /** In the original's format, for browsers with neither. */
  fallback: string;
}

/** The responsive sources of a site picture at `widths`, or undefined for a picture on another host (shown as it is). */
export function responsiveImage(src: string, widths: readonly ImageWidth[]): ResponsiveImage | undefined {
  const key = originalKey(src);
  if (!key || widths.length === 0) return undefined;
  const set = (format: ImageFormat) => widths.map((w) => `${imageUrl(key, w, format)} ${w}w`).join(', ');
  return { avif: set('avif'), webp: set('webp'), fallback: set(fallbackFormat(key)) };
}
