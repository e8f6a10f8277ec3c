/**
 * Bundles a benchmark entry with esbuild into one plain-JS file, as the Lambda functions are
 * bundled, so a scenario's time and peak RSS carry no TypeScript loader.
 */
import { mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { build } from 'esbuild';

export const BUNDLE_DIR = 'bench/.out';

/** Bundles `entry` (a .ts path) and returns the path of the .mjs bundle. */
export async function bundle(entry: string): Promise<string> {
  mkdirSync(BUNDLE_DIR, { recursive: true });
  const outfile = join(BUNDLE_DIR, basename(entry).replace(/\.ts$/, '.mjs'));
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'error',
    // Some dependencies are CommonJS and call require(): give the ESM bundle one.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  });
  return outfile;
}
