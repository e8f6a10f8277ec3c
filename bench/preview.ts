/**
 * Preview rows of the bench, on the rebuild section's stack (the same store): the preview's first
 * build, an editor's auto-save of a blog post → the draft on its preview page (median of 5, saves
 * 2.5 s apart as an editor's are; a page the navigation links, like the demo's CMS pages, changes
 * every page's navigation, so its draft re-renders the whole site), a burst of 100 auto-saves of one entry within 10 s (runs, and
 * the last draft shown), and the live bucket compared object by object before and after.
 */
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { createExportContentSource } from '../functions/shared/adapters/contentful-export-source.js';
import type { LocalStack } from '../local/stack.js';
import { DEMO_SPACE_FILE } from '../local/demo-space.js';
import { cmaEntryFrom, signedWebhook } from '../test/fixtures/webhooks.js';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface PreviewBench {
  firstBuildMs: number;
  draftLatencyMs: number;
  draftPagesRendered: number;
  burst: { saves: number; seconds: number; runs: number; lastShown: boolean };
  live: { objects: number; written: number; liveRuns: number };
}

async function liveObjects(stack: LocalStack, bucket: string): Promise<Map<string, string>> {
  const objects = new Map<string, string>();
  let token: string | undefined;
  do {
    const page = await stack.services.servers.s3.send(new ListObjectsV2Command({ Bucket: bucket, ...(token ? { ContinuationToken: token } : {}) }));
    for (const o of page.Contents ?? []) objects.set(o.Key!, `${o.ETag}@${o.LastModified?.getTime()}`);
    token = page.NextContinuationToken;
  } while (token);
  return objects;
}

export async function benchPreview(stack: LocalStack, bucket: string): Promise<PreviewBench> {
  const entries = (await createExportContentSource(DEMO_SPACE_FILE).sync()).entries;
  let clock = Date.now();
  const save = async (entryId: string, title: string) => {
    clock = Math.max(clock + 1, Date.now());
    const request = signedWebhook('Entry.auto_save', cmaEntryFrom(entries.find((e) => e.sys.id === entryId)!, title, clock));
    const response = await fetch(`${stack.url}${request.path}`, { method: 'POST', headers: request.headers, body: request.body });
    if (response.status !== 202) throw new Error(`bench: the receiver answered ${response.status} to an auto_save of ${entryId}`);
  };
  const shows = async (path: string, cookie: string, text: string) => (await (await fetch(`${stack.url}/_preview${path}`, { headers: { cookie } })).text()).includes(text);

  await stack.loop.idle();
  await stack.pdfs.idle();
  const before = await liveObjects(stack, bucket);
  const liveRuns0 = stack.loop.runCount;

  // First use: the preview builds the whole site once.
  const t0 = performance.now();
  const link = await (await fetch(`${stack.url}/_local/preview-url`, { method: 'POST', body: JSON.stringify({ entry: 'post-3' }) })).json() as { url: string };
  const cookie = (await fetch(link.url, { redirect: 'manual' })).headers.get('set-cookie')!.split(';')[0]!;
  await stack.preview.idle();
  const firstBuildMs = performance.now() - t0;

  // An editor's auto-saves of a blog post, 2.5 s apart: save → the draft on its preview page.
  const slugOf = (id: string) => String(entries.find((e) => e.sys.id === id)!.fields.slug!['en-US']);
  const latencies: number[] = [];
  for (let i = 1; i <= 5; i++) {
    const title = `Winter layering draft ${i} ${Date.now()}`;
    const t = performance.now();
    await save('post-3', title);
    while (!(await shows(`/blog/${slugOf('post-3')}/`, cookie, title))) await sleep(5);
    latencies.push(performance.now() - t);
    await stack.preview.idle();
    await sleep(2500);
  }
  const draftPagesRendered = stack.preview.status.list()[0]?.pagesRebuilt ?? Number.NaN;

  // 100 auto-saves of one entry within 10 s.
  const runs0 = stack.preview.runs;
  const start = performance.now();
  let last = '';
  for (let i = 1; i <= 100; i++) {
    last = `Burst draft ${i} ${Date.now()}`;
    await save('post-7', last);
    const due = start + i * 100;
    if (due > performance.now()) await sleep(due - performance.now());
  }
  const seconds = (performance.now() - start) / 1000;
  await stack.preview.idle();
  const lastShown = await shows(`/blog/${slugOf('post-7')}/`, cookie, last);

  await stack.loop.idle();
  const after = await liveObjects(stack, bucket);
  let written = 0;
  for (const [key, version] of after) if (before.get(key) !== version) written++;
  for (const key of before.keys()) if (!after.has(key)) written++;
  return {
    firstBuildMs, draftLatencyMs: median(latencies), draftPagesRendered,
    burst: { saves: 100, seconds, runs: stack.preview.runs - runs0, lastShown },
    live: { objects: after.size, written, liveRuns: stack.loop.runCount - liveRuns0 },
  };
}
