/**
 * `npm run bench`: measures Restatic against baselines measured in the same run, on this machine,
 * and prints a table (scenario, ours, baseline, ratio, target). Medians of BENCH_RUNS runs.
 * BENCH_PRODUCTS (default 10,000) sets the catalog size.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { createDynamoDbCatalog } from '../functions/shared/adapters/dynamodb-catalog.js';
import { startEmbeddedServers } from '../local/embedded.js';
import { seedDemoCatalog } from '../local/seed.js';

const PRODUCTS = Number(process.env.BENCH_PRODUCTS ?? 10_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const dataDir = mkdtempSync(join(tmpdir(), 'restatic-bench-data-'));
const servers = await startEmbeddedServers({ dataDir, bucket: 'bench-seed', table: 'products' });
await seedDemoCatalog(createDynamoDbCatalog({ table: 'products', client: servers.dynamo }), PRODUCTS);
let bucketCounter = 0;
const freshBucket = async () => {
  const bucket = `bench-${++bucketCounter}`;
  await servers.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  return bucket;
};

// Asynchronous on purpose: the protocol servers live in this process and must keep answering.
async function run(scenario: string, bucket: string, ...args: string[]): Promise<Record<string, number>> {
  const { stdout: out } = await promisify(execFile)(process.execPath, ['bin/run-ts.js', 'bench/scenarios.ts', scenario, ...args], {
    env: { ...process.env, BENCH_S3: servers.s3Endpoint, BENCH_DYNAMO: servers.dynamoEndpoint, BENCH_BUCKET: bucket, BENCH_TABLE: 'products' },
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(out.trim().split('\n').pop()!) as Record<string, number>;
}

function repeat(scenario: string, bucketFor: () => Promise<string>, ...args: string[]) {
  return (async () => {
    const results: Array<Record<string, number>> = [];
    for (let i = 0; i < RUNS; i++) {
      results.push(await run(scenario, await bucketFor(), ...args));
      process.stderr.write(`  ${scenario}${args.length ? ` ${args.join(' ')}` : ''} run ${i + 1}/${RUNS}: ${Math.round(results.at(-1)!.ms!)} ms\n`);
    }
    const pick = (field: string) => median(results.map((r) => r[field] ?? 0));
    return { ms: pick('ms'), rssMb: Math.max(...results.map((r) => r.rssMb ?? 0)), pick, last: results.at(-1)! };
  })();
}

process.stderr.write(`bench: ${PRODUCTS} products, ${RUNS} run(s) per scenario\n`);
const baseline = await repeat('eleventy-baseline', async () => 'bench-seed');
const render = await repeat('render-only', async () => 'bench-seed');
const cold = await repeat('full-build', freshBucket);
// Publish once more into one bucket, then measure the no-change paths against it.
const warmBucket = await freshBucket();
await run('full-build', warmBucket);
const warm = await repeat('full-build', async () => warmBucket);
const publishNoChange = await repeat('publish-phase', async () => warmBucket);
const publishNaive = await repeat('publish-phase', async () => warmBucket, 'naive');
await servers.close();
rmSync(dataDir, { recursive: true, force: true });

const pages = baseline.last.pages!;
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const x = (v: number) => `${v.toFixed(2)}×`;
const rows: string[][] = [
  ['scenario', 'ours', 'baseline', 'ratio', 'target'],
  [`render ${pages} pages (${PRODUCTS} products), wall`, s(render.ms), s(baseline.ms), x(baseline.ms / render.ms), '—'],
  [`full build + publish (cold bucket), wall`, s(cold.ms), s(baseline.ms), x(baseline.ms / cold.ms), '≥ 2×'],
  ['full build + publish, pages/s', `${Math.round(pages / (cold.ms / 1000))}`, `${Math.round(pages / (baseline.ms / 1000))}`, x(baseline.ms / cold.ms), '—'],
  ['full build + publish, peak RSS', `${Math.round(cold.rssMb)} MB`, `${Math.round(baseline.rssMb)} MB`, x(baseline.rssMb / cold.rssMb), '≤ 1024 MB'],
  ['no-change full rebuild (render + publish), wall', s(warm.ms), s(baseline.ms), x(baseline.ms / warm.ms), '—'],
  ['no-change republish: objects uploaded', `${publishNoChange.pick('puts')}`, `${publishNaive.pick('puts')}`, '—', '0'],
  ['no-change republish: bucket LIST / object GET calls', `${publishNoChange.pick('lists')} / ${publishNoChange.pick('gets')}`, `${publishNaive.pick('lists')} / ${publishNaive.pick('gets')}`, '—', '0 LIST, no per-object HEAD'],
  ['no-change republish: invalidations', `${publishNoChange.pick('invalidations')}`, '—', '—', '0'],
  ['no-change republish: publish phase, wall', s(publishNoChange.ms), s(publishNaive.ms), x(publishNaive.ms / publishNoChange.ms), '< 2 s'],
];
const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
const line = (r: string[]) => `| ${r.map((cell, c) => cell.padEnd(widths[c]!)).join(' | ')} |`;
console.log(`\nRestatic bench — ${PRODUCTS} products, median of ${RUNS} run(s), 2-core machine, protocol servers in-process\n`);
console.log(line(rows[0]!));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const r of rows.slice(1)) console.log(line(r));
