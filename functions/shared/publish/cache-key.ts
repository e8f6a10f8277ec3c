/**
 * The one cache key a URL has at the edge. CloudFront caches on the URI as the viewer sent it, so
 * `/products/sam%65/` and `/products/same/` would be two cache entries for one object, and an
 * invalidation of `/products/same/` would leave the other serving the old page for ever. Both
 * edges (the local server and the viewer-request CloudFront Function, which repeats this code in
 * plain JS and is tested against it) normalise the path first, per RFC 3986 §6.2.2.
 */

const UNRESERVED = /^[A-Za-z0-9\-._~]$/;

/**
 * Decodes percent-escapes of unreserved characters, upper-cases the hex of the others, and removes
 * `.` and `..` segments (never above the root).
 *
 * @example normalizePath('/products/sam%65/') === '/products/same/'
 * @example normalizePath('/a/./b/../c') === '/a/c'
 */
export function normalizePath(path: string): string {
  const decoded = path.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => {
    const char = String.fromCharCode(parseInt(hex, 16));
    return UNRESERVED.test(char) ? char : `%${hex.toUpperCase()}`;
  });
  const segments = decoded.split('/');
  const out: string[] = [];
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    const last = i === segments.length - 1;
    if (segment === '.' || segment === '..') {
      if (segment === '..' && out.length > 1) out.pop();
      if (last) out.push('');
      continue;
    }
    out.push(segment);
  }
  const result = out.join('/');
  return result.startsWith('/') ? result : `/${result}`;
}
