/**
 * `/_status` for a browser: the recent changes as a small page. Each change shows where it came
 * from, its stages on a time line (each at its own time, offset from when it was received), the
 * pages it rebuilt as links, and its warnings and errors in words. JSON stays the default; a
 * request whose Accept prefers text/html gets this.
 */
import { escapeUTF8 } from 'entities';
import Negotiator from 'negotiator';
import type { IncomingMessage } from 'node:http';
import { describeSource, type ChangeRecord } from './status.js';

/** Whether the request prefers HTML to JSON (a browser's navigation does; curl and fetch do not). */
export function prefersHtml(req: Pick<IncomingMessage, 'headers'>): boolean {
  return new Negotiator(req).mediaType(['application/json', 'text/html']) === 'text/html';
}

const STAGES = ['received', 'built', 'uploaded', 'invalidated', 'skipped', 'deadLettered', 'failed'] as const;
const LABELS: Record<(typeof STAGES)[number], string> = {
  received: 'received', built: 'built', uploaded: 'uploaded', invalidated: 'invalidated', skipped: 'skipped', deadLettered: 'dead-lettered', failed: 'failed',
};

const h = (text: string) => escapeUTF8(text);

/** Where a change stands, in a word. */
function outcome(record: ChangeRecord): { word: string; kind: 'live' | 'pending' | 'skipped' | 'failed' } {
  if (record.stages.deadLettered || record.stages.failed) return { word: 'failed', kind: 'failed' };
  if (record.stages.skipped) return { word: 'nothing to do', kind: 'skipped' };
  if (record.stages.built) return { word: record.errors.length ? 'live, with errors' : 'live', kind: record.errors.length ? 'failed' : 'live' };
  return { word: 'queued', kind: 'pending' };
}

function change(record: ChangeRecord, siteUrl: string): string {
  const received = Date.parse(record.stages.received);
  const stages = STAGES.filter((s) => record.stages[s]).map((s) => ({ name: LABELS[s], at: record.stages[s]!, after: Date.parse(record.stages[s]!) - received }));
  const span = Math.max(1, ...stages.map((s) => s.after));
  const { word, kind } = outcome(record);
  const timeline = stages.map((s) => `<li style="--at:${((s.after / span) * 100).toFixed(1)}%"><span class="stage">${h(s.name)}</span> <time datetime="${h(s.at)}">${h(s.at.slice(11, 23))}</time>${s.after > 0 ? ` <span class="after">+${s.after} ms</span>` : ''}</li>`).join('');
  const pages = record.pages.map((p) => `<li><a href="${h(new URL(p.url, siteUrl).href)}">${h(p.url)}</a> <span class="market">${h(p.market)}</span></li>`).join('');
  const more = record.pagesRebuilt > record.pages.length ? `<li>… and ${record.pagesRebuilt - record.pages.length} more</li>` : '';
  const notes = [
    ...record.errors.map((e) => `<li class="error">Error: ${h(e)}</li>`),
    ...record.warnings.map((w) => `<li class="warning">Warning: ${h(w)}</li>`),
    ...(record.duplicateOf ? [`<li>Nothing to do: ${h(record.duplicateOf)} is what the site already shows.</li>`] : []),
  ].join('');
  return `<article class="change ${kind}">
<h2>${h(describeSource(record.source))} <span class="outcome">${h(word)}</span></h2>
<p class="ids">correlation id <code>${h(record.correlationId)}</code></p>
<ol class="timeline">${timeline}</ol>
<p>${record.fullBuild ? `A full build (${h(record.fullBuild)}): ` : ''}${record.pagesRebuilt} page${record.pagesRebuilt === 1 ? '' : 's'} rebuilt, ${record.objectsUploaded} object${record.objectsUploaded === 1 ? '' : 's'} uploaded, ${record.objectsDeleted} deleted, ${record.pathsInvalidated.length} path${record.pathsInvalidated.length === 1 ? '' : 's'} invalidated.</p>
${pages || more ? `<ul class="pages">${pages}${more}</ul>` : ''}
${notes ? `<ul class="notes">${notes}</ul>` : ''}
</article>`;
}

/** The whole page: newest change first. */
/** A preview receipt as the status page lists it (local/preview.ts `PreviewEntryReceipt`). */
export interface PreviewReceiptRow {
  entry: string;
  latestVersion: string;
  shownVersion?: string;
  builtAt?: string;
  pending: boolean;
  error?: string;
}

const saved = (version: string) => (/^\d{13}$/.test(version) ? `${new Date(Number(version)).toISOString().replace('T', ' ').slice(0, 19)} UTC` : `version ${version}`);

/** The preview's entries: the latest draft, the one shown and when it was built. */
function previewSection(rows: readonly PreviewReceiptRow[]): string {
  if (rows.length === 0) return '';
  const row = (r: PreviewReceiptRow) => `<tr><td>${h(r.entry)}</td><td>${h(saved(r.latestVersion))}</td><td>${r.shownVersion ? h(saved(r.shownVersion)) : '—'}</td><td>${r.builtAt ? h(r.builtAt.replace('T', ' ').slice(0, 19)) : '—'}</td><td>${r.error ? `<span class="error">${h(r.error)}</span>` : r.pending ? 'building…' : 'shown'}</td></tr>`;
  return `<h2>Preview</h2>\n<table class="preview"><thead><tr><th>entry</th><th>latest draft saved</th><th>draft shown, saved</th><th>built</th><th></th></tr></thead><tbody>\n${rows.map(row).join('\n')}\n</tbody></table>\n`;
}

export function statusPage(records: readonly ChangeRecord[], siteUrl: string, now = new Date(), preview: readonly PreviewReceiptRow[] = []): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="5">
<meta name="robots" content="noindex">
<title>Restatic status</title>
<style>
body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;max-width:60rem;padding:1rem;color:#1a1a1a}
h1{font-size:1.4rem}h2{font-size:1.05rem;margin:0 0 .25rem}
.change{border:1px solid #ccc;border-left:6px solid #888;border-radius:4px;padding:.75rem 1rem;margin:0 0 1rem}
.live{border-left-color:#1a7f37}.pending{border-left-color:#9a6700}.failed{border-left-color:#cf222e}.skipped{border-left-color:#6e7781}
.outcome{font-weight:normal;font-size:.9rem;padding:0 .4rem;border-radius:3px;background:#eee}
.ids{margin:0;color:#555;font-size:.85rem}
.timeline{list-style:none;position:relative;margin:.5rem 0;padding:0;border-left:2px solid #ccc}
.timeline li{position:relative;margin-left:calc(var(--at) * .6);padding-left:.5rem;white-space:nowrap}
.timeline li::before{content:"";position:absolute;left:-.35rem;top:.45rem;width:.5rem;height:.5rem;border-radius:50%;background:#555}
.stage{display:inline-block;min-width:6.5rem;font-weight:600}.after,.market{color:#555}
.error{color:#a40e26}.warning{color:#7a4d00}
.pages{columns:2;font-size:.9rem}
.preview{border-collapse:collapse;margin:0 0 1rem;font-size:.9rem}.preview td,.preview th{text-align:left;padding:.15rem .6rem .15rem 0}
</style>
</head>
<body>
<h1>Restatic status</h1>
<p>The last ${records.length} change${records.length === 1 ? '' : 's'}, newest first, as of <time datetime="${now.toISOString()}">${now.toISOString().replace('T', ' ').slice(0, 19)} UTC</time>. This page refreshes every 5 seconds; the same data is JSON for any client that does not ask for HTML.</p>
${previewSection(preview)}${records.length ? records.map((r) => change(r, siteUrl)).join('\n') : '<p>No changes yet.</p>'}
</body>
</html>
`;
}
