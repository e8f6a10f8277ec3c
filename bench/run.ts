/**
 * `npm run bench`: measures Restatic against baselines measured in the same run, on this machine,
 * and prints a table (scenario, ours, baseline, ratio, target). Medians of BENCH_RUNS runs.
 * BENCH_PRODUCTS (default 10,000) sets the catalog size.
 */
import { childEnv, readBenchConfig } from './config.js';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { createDynamoDbCatalog } from '../functions/shared/adapters/dynamodb-catalog.js';
import { startEmbeddedServers } from '../local/embedded.js';
import { seedDemoCatalog } from '../local/seed.js';
import type { RebuildResult } from '../functions/rebuild/worker.js';
import { benchRebuild } from './rebuild.js';
import { bundle } from './bundle.js';
import { measureBundles } from './bundles.js';
import { benchImages } from './images.js';
import { FEED_NODE_OPTIONS } from '../functions/feeds/runtime.js';
import { DEMO_TARGETS, feedRuns } from '../functions/feeds/job.js';
import { DEMO_MARKETS } from '../functions/shared/markets/markets.js';
import { HELD_KB_PER_PAGE, heapOptions, workerMemory } from '../infra/lib/worker-memory.js';
import { buildStepMemory } from '../infra/lib/builds.js';

const config = readBenchConfig();
const PRODUCTS = config.BENCH_PRODUCTS;
// BENCH_SECTIONS=build,rebuild,worker,invariant,feeds,pdfs,images,bundles (default all) picks the parts to run.
const SECTIONS = new Set<string>(config.BENCH_SECTIONS);
const RUNS = config.BENCH_RUNS;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const x = (v: number) => `${v.toFixed(2)}×`;

const rows: string[][] = [['scenario', 'ours', 'baseline', 'ratio', 'target']];
/**
 * Whether `aws` runs; installs Debian's awscli when missing and the bench may (root).
 */
async function hasAwsCli(): Promise<boolean> {
  const works = () => promisify(execFile)('aws', ['--version']).then(() => true, () => false);
  if (await works()) return true;
  process.stderr.write('bench: awscli missing; trying apt-get install -y awscli\n');
  await promisify(execFile)('sh', ['-c', 'apt-get update -qq && apt-get install -y -qq awscli'], { maxBuffer: 64 * 1024 * 1024 }).catch(() => undefined);
  return works();
}

if (SECTIONS.has('build')) {
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
  return runWith({}, scenario, bucket, ...args);
}

async function runWith(env: Record<string, string>, scenario: string, bucket: string, ...args: string[]): Promise<Record<string, number>> {
  const { stdout: out } = await promisify(execFile)(process.execPath, ['bin/run-ts.js', 'bench/scenarios.ts', scenario, ...args], {
    env: childEnv({ ...env, BENCH_S3: servers.s3Endpoint, BENCH_DYNAMO: servers.dynamoEndpoint, BENCH_BUCKET: bucket, BENCH_TABLE: 'products' }),
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(out.trim().split('\n').pop()!) as Record<string, number>;
}

interface Series {
  runs: Array<Record<string, number>>;
  ms: number;
  rssMb: number;
  pick(field: string): number;
  last: Record<string, number>;
}

function series(): Series {
  const runs: Array<Record<string, number>> = [];
  return {
    runs,
    get ms() { return median(runs.map((r) => r.ms ?? 0)); },
    get rssMb() { return Math.max(...runs.map((r) => r.rssMb ?? 0)); },
    pick: (field: string) => median(runs.map((r) => r[field] ?? 0)),
    get last() { return runs.at(-1)!; },
  };
}

async function measure(into: Series, scenario: string, bucket: string, ...args: string[]): Promise<void> {
  into.runs.push(await run(scenario, bucket, ...args));
  process.stderr.write(`  ${scenario}${args.length ? ` ${args.join(' ')}` : ''}: ${Math.round(into.last.ms!)} ms\n`);
}

process.stderr.write(`bench: ${PRODUCTS} products, ${RUNS} round(s); scenarios interleave within each round, so drift in machine load hits ours and the baselines alike\n`);
const baseline = series();
const render = series();
const cold = series();
const coldOneMarket = series();
const warm = series();
const publishNoChange = series();
const publishNaive = series();
const sync = series();
const awsCli = await hasAwsCli();
// One bucket published once, for the no-change paths.
const warmBucket = await freshBucket();
await run('full-build', warmBucket);
for (let round = 1; round <= RUNS; round++) {
  process.stderr.write(`round ${round}/${RUNS}\n`);
  await measure(baseline, 'eleventy-baseline', 'bench-seed');
  await measure(render, 'render-only', 'bench-seed');
  await measure(cold, 'full-build', await freshBucket());
  await measure(coldOneMarket, 'full-build', await freshBucket(), 'one-market');
  await measure(warm, 'full-build', warmBucket);
  await measure(publishNoChange, 'publish-phase', warmBucket);
  await measure(publishNaive, 'publish-phase', warmBucket, 'naive');
  if (awsCli) await measure(sync, 'eleventy-s3-sync', await freshBucket());
}
// The fan-out build once, into a cold bucket: its steps' times give a shard's throughput.
const fanOut = series();
const fanOutBucket = await freshBucket();
await measure(fanOut, 'fan-out', fanOutBucket);
// Again over what it published: nothing to upload, each shard compares its pages with the manifest.
const fanOutAgain = series();
await measure(fanOutAgain, 'fan-out', fanOutBucket);
// Each step again in a process of its own, as each runs in a function of its own: its peak RSS against the memory the stack gives it.
const stepsBucket = await freshBucket();
const storeMemory = workerMemory({ products: PRODUCTS, markets: DEMO_MARKETS.length });
// With the heap each function gets (V8's default here is 4 GB, whatever a function's memory: garbage would be counted as need).
const stepMemory = buildStepMemory(storeMemory.memoryMb);
const heap = (mb: number) => ({ NODE_OPTIONS: heapOptions(mb) });
const planPeak = await runWith(heap(stepMemory.plan), 'fan-out-step', stepsBucket, 'plan');
const shardPeak = await runWith(heap(stepMemory.shard), 'fan-out-step', stepsBucket, 'shard', '0');
await run('fan-out-step', stepsBucket, 'shards-except', '0', String(planPeak.shards));
const commitPeak = await runWith(heap(stepMemory.commit), 'fan-out-step', stepsBucket, 'commit');
process.stderr.write(`  fan-out steps apart: plan ${Math.round(planPeak.rssMb!)} MB, shard ${Math.round(shardPeak.rssMb!)} MB, commit ${Math.round(commitPeak.rssMb!)} MB\n`);
await servers.close();
rmSync(dataDir, { recursive: true, force: true });

const pages = baseline.last.pages!;
rows.push(
  [`render ${pages} pages (${PRODUCTS} products), wall`, s(render.ms), s(baseline.ms), x(baseline.ms / render.ms), '—'],
  [`full build + publish (cold bucket), wall`, s(cold.ms), s(baseline.ms), x(baseline.ms / cold.ms), '≥ 2×'],
  // The ratio of each round's pair (run back to back), median: drift between rounds cancels out.
  [`full build + publish (cold bucket), two markets (us + de) / the us market alone, wall (ratio: median of the rounds' pairs)`, s(cold.ms), s(coldOneMarket.ms), x(median(cold.runs.map((r, i) => r.ms! / coldOneMarket.runs[i]!.ms!))), '≤ 2.2×'],
  ['full build + publish, pages/s', `${Math.round(pages / (cold.ms / 1000))}`, `${Math.round(pages / (baseline.ms / 1000))}`, x(baseline.ms / cold.ms), '—'],
  ['full build + publish, peak RSS', `${Math.round(cold.rssMb)} MB`, `${Math.round(baseline.rssMb)} MB`, x(baseline.rssMb / cold.rssMb), '≤ 1024 MB'],
  ['no-change full rebuild (render + publish), wall', s(warm.ms), s(baseline.ms), x(baseline.ms / warm.ms), '—'],
  ['no-change republish: objects uploaded', `${publishNoChange.pick('puts')}`, `${publishNaive.pick('puts')}`, '—', '0'],
  ['no-change republish: bucket LIST / GET calls (every GET is the manifest: its root and shards)', `${publishNoChange.pick('lists')} / ${publishNoChange.pick('gets')}`, `${publishNaive.pick('lists')} / ${publishNaive.pick('gets')}`, '—', '0 LIST, no per-object HEAD'],
  ['no-change republish: invalidations', `${publishNoChange.pick('invalidations')}`, '—', '—', '0'],
  ['no-change republish: publish phase, wall', s(publishNoChange.ms), s(publishNaive.ms), x(publishNaive.ms / publishNoChange.ms), '< 2 s'],
  [`fan-out full build (cold bucket): plan / ${fanOut.last.shards} shards, 2 at a time / commit, wall`, `${s(fanOut.last.planMs!)} / ${s(fanOut.last.shardsMs!)} / ${s(fanOut.last.commitMs!)}`, `${s(cold.ms)} (local full build)`, x(cold.ms / fanOut.ms), 'reported'],
  [`fan-out no-change rebuild: plan / ${fanOutAgain.last.shards} shards / commit, wall; objects uploaded`, `${s(fanOutAgain.last.planMs!)} / ${s(fanOutAgain.last.shardsMs!)} / ${s(fanOutAgain.last.commitMs!)}; ${fanOutAgain.last.uploaded}`, `${s(fanOut.ms)} (cold fan-out)`, x(fanOut.ms / fanOutAgain.ms), 'reported; 0 uploaded'],
  [`fan-out no-change rebuild: manifest shards a build shard reads (median / most, of ${fanOutAgain.last.manifestShards})`, `${fanOutAgain.last.manifestReadsMedian} / ${fanOutAgain.last.manifestReadsMax}`, '—', '—', '≤ 2 (pages grouped by manifest shard)'],
  [`fan-out steps, each in a process of its own (${commitPeak.pages} pages): peak RSS of the plan / one shard / the commit`, `${Math.round(planPeak.rssMb!)} / ${Math.round(shardPeak.rssMb!)} / ${Math.round(commitPeak.rssMb!)} MB`, `${stepMemory.plan} / ${stepMemory.shard} / ${stepMemory.commit} MB (each function's memory; its heap capped as there)`, `${[planPeak.rssMb! / stepMemory.plan, shardPeak.rssMb! / stepMemory.shard, commitPeak.rssMb! / stepMemory.commit].map((r) => `${Math.round(r * 100)} %`).join(' / ')}`, '≤ 75 % of each'],
  ['fan-out full build: one shard of 500 pages (render in-process + upload), median; pages/s per shard', `${s(fanOut.last.shardMedianMs!)}; ${Math.round(500 / (fanOut.last.shardMedianMs! / 1000))}`, '—', '—', 'reported (the projection\'s input)'],
  // What bounds a cold publish here: every object is one PUT into the local S3 stand-in.
  ['S3 stand-in (s3rver) ingest, objects/s', '—', `${Math.round(publishNaive.pick('puts') / (publishNaive.ms / 1000))}`, '—', '—'],
);
if (awsCli) {
  rows.push(
    ['cold publish vs the real client: full build + publish / Eleventy to disk + `aws s3 sync`', s(cold.ms), `${s(sync.ms)} (${s(sync.pick('renderMs'))} + ${s(sync.pick('syncMs'))})`, x(sync.ms / cold.ms), '≥ 2×'],
    ['no-change republish vs the real client: publish phase / `aws s3 sync` of the unchanged tree', s(publishNoChange.ms), s(sync.pick('noChangeSyncMs')), x(sync.pick('noChangeSyncMs') / publishNoChange.ms), '≥ 20×'],
    ['no-change rebuild + republish vs the real client: render + publish / Eleventy + `aws s3 sync`', s(warm.ms), s(sync.pick('renderMs') + sync.pick('noChangeSyncMs')), x((sync.pick('renderMs') + sync.pick('noChangeSyncMs')) / warm.ms), 'reported'],
  );
} else {
  rows.push(['vs the real client (`aws s3 sync`)', 'skipped: awscli is not installed and `apt-get install -y awscli` failed', '—', '—', '≥ 2× cold, ≥ 20× no-change']);
}
}

if (SECTIONS.has('rebuild')) {
  process.stderr.write('targeted rebuilds: local stack over the same store size\n');
  const rb = await benchRebuild(PRODUCTS);
  const written = (r: RebuildResult) => r.uploaded.length + r.deleted.length + (r.manifest?.objectsWritten ?? 1) + (r.state?.objectsWritten ?? 1);
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
  const full = `full build + publish ${(rb.fullBuildMs / 1000).toFixed(2)} s`;
  rows.push(
    ['price change: pages rendered', `${rb.price.rendered.length}`, `all (${full})`, '—', '≤ 3'],
    ['price change: objects written: pages, manifest and state shards + their roots', `${written(rb.price)}`, '—', '—', '≤ 4 (state and manifest now in shards)'],
    ['price change: site state bytes read + written', `${kb((rb.price.state?.bytesRead ?? 0) + (rb.price.state?.bytesWritten ?? 0))} (${kb(rb.price.state?.bytesRead ?? 0)} + ${kb(rb.price.state?.bytesWritten ?? 0)})`, '—', '—', '≤ 256 KB at 100,000 products'],
    ['price change: paths invalidated', `${rb.price.invalidated.length}`, '—', '—', '≤ 3'],
    ['price change: PUT → new page at the edge (median of 5)', `${Math.round(rb.priceLatencyMs)} ms`, full, x(rb.fullBuildMs / rb.priceLatencyMs), '≤ 1 s, ≥ 30×'],
    [`sustained repricing: ${rb.sustained.rate} price changes/s for ${rb.sustained.seconds} s (${rb.sustained.changes} products, ${rb.sustained.runs} runs): live / save → live p50 / p95`, `${rb.sustained.live}/${rb.sustained.changes}; ${Math.round(rb.sustained.p50)} / ${Math.round(rb.sustained.p95)} ms`, '—', '—', 'all live, p95 ≤ 5 s'],
    ['sustained repricing: the median run: products changed, pages rendered; read / plan + render / publish (upload, manifest, invalidation) / commit', `${rb.sustained.run.products}, ${rb.sustained.run.pages}; ${[rb.sustained.run.read, rb.sustained.run.build, rb.sustained.run.publish, rb.sustained.run.commit].map((ms) => Math.round(ms)).join(' / ')} ms`, '—', '—', 'reported'],
    [`sustained repricing: the slowest run (${rb.sustained.slowest.mode}), the same figures`, `${rb.sustained.slowest.products}, ${rb.sustained.slowest.pages}; ${[rb.sustained.slowest.read, rb.sustained.slowest.build, rb.sustained.slowest.publish, rb.sustained.slowest.commit].map((ms) => Math.round(ms)).join(' / ')} ms`, '—', '—', 'reported'],
    ['sustained repricing: runs that listed the whole site instead of patching the warm outline; run attempts that threw (retried)', `${rb.sustained.listed}; ${rb.sustained.failedRuns}`, '—', '—', '0; 0'],
    ['sustained repricing: state and manifest compactions beside the worker (a compaction run\'s mean wall); runs whose own commit folded the segments (no compactor had kept up)', `${rb.sustained.compacted} (${Math.round(rb.sustained.compactionMs)} ms); ${rb.sustained.inlineFolds}`, '—', '—', 'reported; 0'],
    ['sustained repricing: dead letters; pages read back at the edge / stale', `${rb.sustained.deadLetters}; ${rb.sustained.edgeChecked} / ${rb.sustained.edgeStale}`, '—', '—', '0; 0 stale'],
    ['price change ending a sale: off the Black Friday page at the edge (median of 3); pages rendered', `${Math.round(rb.saleEndedLatencyMs)} ms; ${rb.saleEnded.rendered.length} (${rb.saleEnded.rendered.filter((u) => u.endsWith('/black-friday/')).join(', ')} among them)`, full, x(rb.fullBuildMs / rb.saleEndedLatencyMs), '≤ 1 s (the price-change target)'],
    ['description change: pages rendered', `${rb.description.rendered.length}`, '—', '—', '1'],
    ['EUR price change (German-translated products): pages rendered; all under /de/', `${rb.eur.rendered.length}; ${rb.eur.rendered.every((u) => u.startsWith('/de/')) ? 'yes' : `NO: ${rb.eur.rendered.join(' ')}`}`, '—', '—', '≤ 3; yes'],
    ['EUR price change: PUT → new page at the edge under /de/ (median of 5)', `${Math.round(rb.eurLatencyMs)} ms`, full, x(rb.fullBuildMs / rb.eurLatencyMs), '≤ 1 s'],
    ['en-US description change of a product with a German description: pages rendered', `${rb.englishDescription.rendered.length} (${rb.englishDescription.rendered.join(' ')})`, '—', '—', '1 (under /)'],
    ['author rename (20 posts): pages rendered', `${rb.author.rendered.length}`, '—', '—', 'posts + blog index, in each market'],
    ['editor publishes a blog post title: webhook → new title at the edge (median of 3); pages rendered; planning', `${Math.round(rb.editorLatencyMs)} ms; ${rb.editor.rendered.length}; ${rb.editor.planning ?? '—'}`, full, x(rb.fullBuildMs / rb.editorLatencyMs), '≤ 1 s; patched (not a pass over the catalog)'],
    ['sale ending 6 s ahead, nothing else changing: its instant → regular price on the page / listing at the edge (median of 3)', `${Math.round(rb.saleEnd.pageMs)} / ${Math.round(rb.saleEnd.listingMs)} ms`, 'never (a pipeline driven by events alone)', '—', '≤ 2 s'],
    ['sale ending: instant → new spec sheet in the bucket (median of 3); JSON-LD agrees', `${Math.round(rb.saleEnd.sheetMs)} ms; ${rb.saleEnd.jsonLdAgrees ? 'yes' : 'NO'}`, '—', '—', 'reported'],
    ['webhook receiver at 200 req/s for 10 s: p50 / p99', `${rb.webhook.p50} / ${rb.webhook.p99} ms`, '—', '—', 'p99 ≤ 50 ms'],
    [`search: start-up refresh, ${rb.search.first.records} pages indexed into ${rb.search.first.files} files, wall`, `${(rb.search.first.ms / 1000).toFixed(2)} s`, full, x(rb.fullBuildMs / rb.search.first.ms), 'reported (start-up waits for it)'],
    ['search: the last refresh the changes above asked for (prices, descriptions, an author: records made, compared, re-indexed when words changed), wall', `${(rb.search.afterChanges.ms / 1000).toFixed(2)} s (${rb.search.afterChanges.skipped === 'no' ? 're-indexed' : `skipped: ${rb.search.afterChanges.skipped}`})`, '—', '—', 'reported'],
    ['preview: first use, a build of the whole preview site, wall', `${(rb.preview.firstBuildMs / 1000).toFixed(2)} s`, full, x(rb.fullBuildMs / rb.preview.firstBuildMs), 'reported'],
    ['preview: auto_save of a blog post → the draft on its preview page (median of 5, 2.5 s apart); pages rendered', `${Math.round(rb.preview.draftLatencyMs)} ms; ${rb.preview.draftPagesRendered}`, full, x(rb.fullBuildMs / rb.preview.draftLatencyMs), '≤ 1 s'],
    [`preview: ${rb.preview.burst.saves} auto-saves of one entry in ${rb.preview.burst.seconds.toFixed(1)} s: preview runs; the last draft shown`, `${rb.preview.burst.runs}; ${rb.preview.burst.lastShown ? 'yes' : 'NO'}`, `${rb.preview.burst.saves} (a run per save)`, x(rb.preview.burst.saves / Math.max(1, rb.preview.burst.runs)), '≤ 10; yes'],
    ['preview: live bucket objects written during all preview activity (of all live objects); live runs meanwhile', `${rb.preview.live.written} (of ${rb.preview.live.objects}); ${rb.preview.live.liveRuns}`, '—', '—', '0'],
    ['webhook receiver: requests / errors / non-2xx / left unprocessed', `${rb.webhook.requests} / ${rb.webhook.errors} / ${rb.webhook.non2xx} / ${rb.webhook.pending}`, '—', '—', '0 errors, all processed'],
  );
}

if (SECTIONS.has('worker')) {
  // In a process of its own with a collectable heap: what a worker that has just started pays, and what a warm one holds.
  process.stderr.write('rebuild worker: cold start and the memory it holds\n');
  const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', 'bin/run-ts.js', 'bench/worker-memory.ts'], { env: childEnv({ BENCH_PRODUCTS: String(PRODUCTS) }), encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  const w = JSON.parse(stdout.trim().split('\n').pop()!) as { pages: number; coldMs: number; coldReadMs: number; coldBuildMs: number; coldPlanning: string; warmMs: number; warmUpMs: number; afterWarmUpMs: number; afterWarmUpStateRead: number; heldMb: number };
  const per = workerMemory({ products: PRODUCTS, markets: DEMO_MARKETS.length });
  rows.push(
    [`rebuild worker just started: first price change (state in memory: read it / outline, index, render) vs a warm worker's (median of 5)`, `${Math.round(w.coldMs)} ms (${Math.round(w.coldReadMs)} / ${Math.round(w.coldBuildMs)})`, `${Math.round(w.warmMs)} ms`, x(w.coldMs / w.warmMs), 'reported: O(store), paid by a Lambda\'s first run (a full-build run pays it at its end)'],
    [`rebuild worker started ahead of changes (provisioned concurrency: the live site read while it starts): its first price change; state bytes it read (its start-up took)`, `${Math.round(w.afterWarmUpMs)} ms; ${(w.afterWarmUpStateRead / 1024).toFixed(1)} KB (${Math.round(w.warmUpMs)} ms)`, `${Math.round(w.coldMs)} ms (a worker started by the change)`, x(w.coldMs / w.afterWarmUpMs), '≤ 1 s, as a warm worker\'s'],
    [`rebuild worker: heap a warm worker holds for the live site (${w.pages} pages), after GC; per page`, `${Math.round(w.heldMb)} MB; ${((w.heldMb * 1024) / w.pages).toFixed(2)} KB`, `${per.memoryMb} MB (the worker Lambda's memory the stack gives ${PRODUCTS} products in ${DEMO_MARKETS.length} markets)`, '—', `≤ ${HELD_KB_PER_PAGE} KB a page (what the stack sizes the worker by)`],
  );
}

if (SECTIONS.has('invariant')) {
  // The live-site invariant, longer than npm test's seeded run: random sequences over a small store.
  const { invariantRun } = await import('../test/fixtures/invariant.js');
  const runs = config.BENCH_INVARIANT_RUNS;
  process.stderr.write(`invariant: ${runs} random sequences of changes, targeted runs vs a full build\n`);
  const result = await invariantRun(runs, config.BENCH_INVARIANT_SEED ?? Date.now() % 1_000_000);
  rows.push([`live site = full build: ${result.sequences} random sequences, ${result.steps} steps (seed ${result.seed})`, result.failure ? `FAILED: ${result.failure.slice(0, 80)}` : 'held', '—', '—', 'holds', ]);
}

if (SECTIONS.has('feeds')) {
  process.stderr.write('feeds: generated products, no table; scenarios bundled with esbuild like the Lambda\n');
  const feedCount = config.BENCH_FEED_PRODUCTS;
  // The naive baseline leaks (its writes never wait for drain): a smaller catalog keeps it in
  // memory, which flatters it (its cost grows faster than linearly), so the ratio is conservative.
  const naiveCount = config.BENCH_FEED_NAIVE_PRODUCTS;
  const entry = await bundle('bench/feed-scenarios.ts');
  const scenario = async (name: string, count: number, ...args: string[]) => {
    const { stdout } = await promisify(execFile)(process.execPath, [...FEED_NODE_OPTIONS, entry, name, String(count), ...args], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
    return JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, number>;
  };
  const both: number[] = [];
  const sideBySide: number[] = [];
  const alone: number[] = [];
  const one: number[] = [];
  const naive: number[] = [];
  const runs = feedRuns(DEMO_TARGETS, DEMO_MARKETS);
  for (let round = 0; round < RUNS; round++) {
    // As deployed: one process per market (each market's schedule invokes its own Lambda), together.
    const markets = await Promise.all(runs.map((r) => scenario('feeds-ours-market', feedCount, r.market)));
    sideBySide.push(feedCount / (Math.max(...markets.map((m) => m.ms!)) / 1000));
    // Each market's run with the machine to itself, as each runs in a Lambda of its own: the slower market.
    const each: number[] = [];
    for (const r of runs) each.push((await scenario('feeds-ours-market', feedCount, r.market)).ms!);
    alone.push(feedCount / (Math.max(...each) / 1000));
    both.push(feedCount / ((await scenario('feeds-ours', feedCount)).ms! / 1000));
    one.push(feedCount / ((await scenario('feeds-ours-one', feedCount)).ms! / 1000));
    naive.push(naiveCount / ((await scenario('feeds-xmlbuilder2', naiveCount)).ms! / 1000));
  }
  const million = await scenario('feeds-ours', config.BENCH_FEED_MAX);
  const n = (v: number) => Math.round(v).toLocaleString('en-US');
  rows.push(
    [`feeds: ${n(feedCount)} products → us + de feeds, a run per market side by side (${runs.length} processes, as the markets' schedules run them), items/s per feed`, n(median(sideBySide)), `${n(median(naive))} (xmlbuilder2 createCB, one feed, no gzip, ${n(naiveCount)} products)`, x(median(sideBySide) / median(naive)), '≥ 40,000/s, ≥ 10×'],
    [`feeds: ${n(feedCount)} products → each market's run alone (as in its own Lambda), items/s per feed, the slower market`, n(median(alone)), `${n(median(naive))} (same baseline)`, x(median(alone) / median(naive)), '≥ 40,000/s, ≥ 10×'],
    [`feeds: ${n(feedCount)} products → us + de feeds in one pass, one process (an invoke without a market), items/s per feed`, n(median(both)), `${n(median(naive))} (same baseline)`, x(median(both) / median(naive)), 'reported'],
    [`feeds: ${n(feedCount)} products → us feed alone (XML + gzip + report), items/s`, n(median(one)), `${n(median(naive))} (same baseline)`, x(median(one) / median(naive)), '≥ 40,000/s, ≥ 10×'],
    [`feeds: ${n(million.items!)} products generated on the fly → us + de, peak RSS (whole process)`, `${Math.round(million.rssMb!)} MB`, '—', '—', '≤ 256 MB'],
  );
}

if (SECTIONS.has('pdfs')) {
  process.stderr.write('pdfs: generated products, no table\n');
  const pdfScenario = async (...args: string[]) => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', 'bin/run-ts.js', 'bench/pdf-scenarios.ts', ...args], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
    return JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, number>;
  };
  const sheets = config.BENCH_PDF_SHEETS;
  // Steady state: a one-thread and a two-thread pool in one process, each thread first rendering
  // 3,000 other products (V8 keeps optimising functions that run once per document for the first
  // few thousand sheets), then taking turns on fresh products: paired rounds, median ratio.
  const paired = await pdfScenario('pdf-sheets-paired', String(sheets), String(Math.max(RUNS, 9)), '3000');
  // Cold: fresh threads that have rendered only a few sheets, V8 still optimising as the clock runs.
  const coldOne: number[] = [];
  const coldTwo: number[] = [];
  for (let round = 0; round < RUNS; round++) {
    // Interleaved, so that a noisy neighbour slows both sides of the ratio alike.
    coldOne.push((await pdfScenario('pdf-sheets', String(sheets), '1', '4')).ms!);
    coldTwo.push((await pdfScenario('pdf-sheets', String(sheets), '2', '4')).ms!);
  }
  const catalogProducts = config.BENCH_PDF_CATALOG;
  const catalog = await pdfScenario('pdf-catalog', String(catalogProducts));
  rows.push(
    [`pdfs: ${sheets} spec sheets, 2 render threads, wall (steady state; median of ${paired.rounds} paired rounds, ratio range ${paired.minRatio!.toFixed(2)}–${paired.maxRatio!.toFixed(2)})`, s(paired.twoMs!), `${s(paired.oneMs!)} (1 render thread)`, x(paired.ratio!), '≤ 3 s, ≥ 1.7×'],
    [`pdfs: ${sheets} spec sheets, 2 render threads, wall (cold: JIT still compiling; separate processes)`, s(median(coldTwo)), `${s(median(coldOne))} (1 render thread)`, x(median(coldOne) / median(coldTwo)), 'reported'],
    [`pdfs: spec sheet size, mean`, `${(paired.bytes! / sheets / 1024).toFixed(1)} KiB`, '—', '—', 'reported'],
    [`pdfs: catalog of ${catalogProducts} products (${catalog.pages} pages), wall / peak RSS`, `${s(catalog.ms!)} / ${Math.round(catalog.rssMb!)} MB`, '—', '—', '≤ 20 s, ≤ 400 MB'],
  );
}

if (SECTIONS.has('images')) {
  process.stderr.write('images: demo pictures through the image function\'s core (sharp), in-process\n');
  const img = await benchImages(40);
  const kb = (b: number) => `${(b / 1024).toFixed(1)} KiB`;
  rows.push(
    [`images: first request of a 640 px variant (median of 40 pictures): AVIF / WebP / PNG / JPEG`, (['avif', 'webp', 'png', 'jpeg'] as const).map((f) => `${Math.round(img.firstMs[f])} ms`).join(' / '), '—', '—', 'reported (then cached a year at the edge)'],
    [`images: bytes of a 640 px variant: AVIF / WebP against the original PNG (600 px)`, `${kb(img.bytes.avif)} / ${kb(img.bytes.webp)}`, kb(img.bytes.original), x(img.bytes.original / img.bytes.avif), 'smaller'],
    [`images: variants made by a build or a price change (${img.pictures} demo pictures)`, '0', `${img.buildTime.variants} variants, ${s(img.buildTime.ms)} (resizing at build time: every picture × 6 widths × 4 formats, 2 at a time)`, '—', '0 (no build-time image explosion)'],
  );
}

if (SECTIONS.has('bundles')) {
  process.stderr.write('bundles: esbuild as the infrastructure bundles, import time in fresh processes\n');
  // A bundle that fails to load is a row of its own: it must not cost the table of everything else.
  try {
    for (const b of await measureBundles(Math.max(RUNS, 3))) {
      rows.push([`lambda ${b.name}: bundle size / module import time (median)`, `${(b.bytes / 1e6).toFixed(2)} MB / ${Math.round(b.importMs)} ms`, '—', '—', b.name === 'worker' ? 'reported (Eleventy beside it)' : '≤ 5 MB']);
    }
  } catch (error) {
    rows.push(['lambda bundles: import', `FAILED: ${String((error as Error).message).split('\n').find((l) => /Error|required/.test(l))?.slice(0, 120) ?? 'see stderr'}`, '—', '—', 'every bundle imports']);
  }
}

const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
const line = (r: string[]) => `| ${r.map((cell, c) => cell.padEnd(widths[c]!)).join(' | ')} |`;
console.log(`\nRestatic bench — ${PRODUCTS} products, median of ${RUNS} interleaved round(s) for builds, 2-core machine, S3/DynamoDB stand-ins in the bench process\n`);
console.log(line(rows[0]!));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const r of rows.slice(1)) console.log(line(r));
