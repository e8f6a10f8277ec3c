/**
 * Bundles a benchmark entry with esbuild into one plain-JS file, as the Lambda functions are
 * bundled, so a scenario's time and peak RSS carry no TypeScript loader.
 */
import { mkdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { build } from 'esbuild';

export const BUNDLE_DIR = 'bench/.out';

export interface BundleOptions {
  /** Where to write the bundle (default: `bench/.out/<entry name>.mjs`). */
  outfile?: string;
  /** Node version the code targets. @default node20 (this machine) */
  target?: string;
  minify?: boolean;
  /** Packages left out of the bundle (resolved at run time). */
  external?: string[];
}

/** Bundles `entry` (a .ts path) and returns the path of the .mjs bundle. */
export async function bundle(entry: string, options: BundleOptions = {}): Promise<string> {
  const outfile = options.outfile ?? join(BUNDLE_DIR, basename(entry).replace(/\.ts$/, '.mjs'));
  mkdirSync(dirname(outfile), { recursive: true });
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: options.target ?? 'node20',
    minify: options.minify ?? false,
    mainFields: ['module', 'main'],
    external: options.external ?? [],
    logLevel: 'error',
    // Some dependencies are CommonJS and call require(): give the ESM bundle one.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  });
  return outfile;
}
