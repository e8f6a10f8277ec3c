/** The bench's settings: the one place `npm run bench` reads the environment (all optional; a malformed value stops it naming the variable). */
import * as v from 'valibot';
import { ConfigError } from '../functions/shared/errors.js';

const count = (fallback: number) => v.optional(v.pipe(v.string(), v.regex(/^\d+$/, 'expected a whole number'), v.transform(Number)), String(fallback));
const SECTIONS = ['build', 'rebuild', 'worker', 'invariant', 'feeds', 'pdfs', 'images', 'bundles'] as const;

const BenchEnv = v.object({
  BENCH_PRODUCTS: count(10_000),
  BENCH_SECTIONS: v.optional(v.pipe(v.string(), v.transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean)), v.array(v.picklist(SECTIONS, `expected some of ${SECTIONS.join(',')}`))), SECTIONS.join(',')),
  BENCH_RUNS: count(3),
  BENCH_INVARIANT_RUNS: count(300),
  BENCH_INVARIANT_SEED: v.optional(v.pipe(v.string(), v.regex(/^\d+$/, 'expected a whole number'), v.transform(Number))),
  BENCH_FEED_PRODUCTS: count(100_000),
  BENCH_FEED_NAIVE_PRODUCTS: count(20_000),
  BENCH_FEED_MAX: count(1_000_000),
  BENCH_PDF_SHEETS: count(1000),
  BENCH_PDF_CATALOG: count(10_000),
  // Set by the bench for its scenario processes.
  BENCH_S3: v.optional(v.string()),
  BENCH_DYNAMO: v.optional(v.string()),
  BENCH_BUCKET: v.optional(v.string()),
  BENCH_TABLE: v.optional(v.string()),
});

export type BenchConfig = v.InferOutput<typeof BenchEnv>;

export function readBenchConfig(env: NodeJS.ProcessEnv = process.env): BenchConfig {
  const given = Object.fromEntries(Object.keys(BenchEnv.entries).filter((k) => env[k]).map((k) => [k, env[k]]));
  const result = v.safeParse(BenchEnv, given);
  if (result.success) return result.output;
  const name = v.getDotPath(result.issues[0]) ?? 'environment';
  throw new ConfigError(name.split('.')[0]!, `${result.issues[0].message}, got ${JSON.stringify(env[name.split('.')[0]!])}`);
}

/** A setting the scenario processes need (the bench passes them down). */
export function needBench(config: BenchConfig, key: 'BENCH_S3' | 'BENCH_DYNAMO' | 'BENCH_BUCKET' | 'BENCH_TABLE'): string {
  const value = config[key];
  if (!value) throw new ConfigError(key, 'is not set (scenarios run under npm run bench)');
  return value;
}

/** The environment of a child process: this one's, plus `extra`. */
export const childEnv = (extra: Record<string, string>): NodeJS.ProcessEnv => ({ ...process.env, ...extra });
