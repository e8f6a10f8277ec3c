import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The Eleventy site (templates, styles): at the repository root from a checkout, next to the
 * handler in a Lambda bundle (infra copies `site/` there).
 */
export const SITE_DIR = [new URL('../../../site/', import.meta.url), new URL('./site/', import.meta.url)]
  .map((url) => fileURLToPath(url)).find((dir) => existsSync(join(dir, 'pages.11ty.js'))) ?? fileURLToPath(new URL('../../../site/', import.meta.url));
