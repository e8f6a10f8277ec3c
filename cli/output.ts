/**
 * What the CLI prints: for a person, aligned tables and sentences; with `--json`, one JSON document
 * on stdout for a machine (nothing else on stdout). Progress and hints go to stderr either way.
 */
import { describeSource, type ChangeRecord } from '../local/status.js';

/** Rows as an aligned text table under a header; numbers right-aligned. */
export function table(header: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number>>): string {
  const cells = [header, ...rows.map((r) => r.map((c) => (typeof c === 'number' ? c.toLocaleString('en-US') : c)))];
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === 'number'));
  const widths = header.map((_, i) => Math.max(...cells.map((r) => String(r[i] ?? '').length)));
  return cells.map((r) => r.map((c, i) => (numeric[i] ? String(c).padStart(widths[i]!) : String(c).padEnd(widths[i]!))).join('  ').trimEnd()).join('\n');
}

export interface Output {
  readonly json: boolean;
  /** The command's result: `value` as JSON with --json, else the human text. */
  result(value: unknown, human: () => string): void;
}

export function createOutput(json: boolean, stream: NodeJS.WritableStream = process.stdout): Output {
  return {
    json,
    result(value, human) {
      stream.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${human()}\n`);
    },
  };
}

/** Milliseconds between two ISO instants. */
const between = (from: string, to: string | undefined) => (to ? Date.parse(to) - Date.parse(from) : undefined);

/** A finished change as a person reads it: what it was, how long each stage took, what it rebuilt. */
export function describeChange(record: ChangeRecord): string {
  const lines = [describeSource(record.source)];
  if (record.stages.skipped) {
    lines.push(`  nothing to do: ${record.duplicateOf ?? 'already live'}`);
    return lines.join('\n');
  }
  const stages = (['built', 'uploaded', 'invalidated', 'deadLettered'] as const).filter((s) => record.stages[s]);
  lines.push(table(['stage', 'at', 'after'], [
    ['received', record.stages.received.slice(11, 23), '—'],
    ...stages.map((s) => [s === 'deadLettered' ? 'dead-lettered' : s, record.stages[s]!.slice(11, 23), `${between(record.stages.received, record.stages[s])} ms`]),
  ]).replace(/^/gm, '  '));
  const markets = Object.entries(record.pagesByMarket).map(([m, n]) => `${m} ${n}`).join(', ');
  if (record.fullBuild) lines.push(`  a full build: ${record.fullBuild}`);
  lines.push(`  ${record.pagesRebuilt} page${record.pagesRebuilt === 1 ? '' : 's'} rebuilt${markets ? ` (${markets})` : ''}, ${record.objectsUploaded} object${record.objectsUploaded === 1 ? '' : 's'} uploaded, ` +
    `${record.objectsDeleted} deleted, ${record.pathsInvalidated.length} path${record.pathsInvalidated.length === 1 ? '' : 's'} invalidated`);
  for (const page of record.pages.slice(0, 20)) lines.push(`    ${page.market.padEnd(4)}${page.url}`);
  if (record.pages.length > 20) lines.push(`    … and ${record.pagesRebuilt - 20} more`);
  for (const w of record.warnings) lines.push(`  warning: ${w}`);
  for (const e of record.errors) lines.push(`  error: ${e}`);
  return lines.join('\n');
}

/** A change has finished when it went live, was skipped, or was dead-lettered. */
export const finished = (record: ChangeRecord): boolean => Boolean(record.stages.built || record.stages.skipped || record.stages.deadLettered || record.stages.failed);
