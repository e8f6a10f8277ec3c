/**
 * `/_preview/open?entry=ID`, Contentful's "Open preview" link: where to send the editor. To the
 * page showing the entry once the preview shows its latest saved version; until then to a page that
 * reloads itself; to a page in words when no page shows it. The local edge and the AWS open
 * function decide with this, each with its own way of knowing the latest version.
 */
import { compareVersions } from '../changes/envelope.js';
import { escapeHtml } from '../build/html.js';
import type { SiteState } from '../state/types.js';
import { pagesShowingEntry } from './entry-pages.js';

export type OpenDecision = { kind: 'page'; url: string } | { kind: 'building'; entry: string } | { kind: 'nowhere'; entry: string } | { kind: 'invalid'; message: string };

export interface OpenDeps {
  /** The preview site's state; undefined before its first build. */
  state(): Promise<SiteState | undefined>;
  /**
   * Whether the preview shows the entry's latest saved version (the state's applied versions are
   * one way to know: `appliedVersionCaughtUp`).
   */
  caughtUp(entry: string, state: SiteState): Promise<boolean>;
  /** Prefixes of the markets other than the default one (their pages come second). */
  otherPrefixes: readonly string[];
}

export const ENTRY_ID = /^[A-Za-z0-9._-]{1,64}$/;

export async function openPreview(deps: OpenDeps, entry: string | null): Promise<OpenDecision> {
  if (!entry || !ENTRY_ID.test(entry)) return { kind: 'invalid', message: `expected ?entry=<entry id> (1–64 of A-Z, a-z, 0-9, ".", "_", "-"), got ${JSON.stringify(entry ?? '')}` };
  const state = await deps.state();
  if (!state || !(await deps.caughtUp(entry, state))) return { kind: 'building', entry };
  const [first] = pagesShowingEntry(state.pages, entry, deps.otherPrefixes);
  return first ? { kind: 'page', url: first } : { kind: 'nowhere', entry };
}

/**
 * Caught up when the version the preview applied for the entry is at least `latest` (its save time
 * as Contentful shows it now). An entry the preview never had a change of was read whole by its build.
 */
export function appliedVersionCaughtUp(state: SiteState, entry: string, latest: string | undefined): boolean {
  const applied = state.versions[`entry:${entry}`];
  return latest === undefined || applied === undefined || compareVersions(applied, latest) >= 0;
}

/** The small pages the open route answers with: private, noindex, in words. */
export function previewNotice(title: string, text: string, refresh = false): string {
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex, nofollow">${refresh ? '<meta http-equiv="refresh" content="1">' : ''}<title>${escapeHtml(title)}</title></head>\n<body><main><h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p></main></body></html>\n`;
}

export function noticeFor(decision: Exclude<OpenDecision, { kind: 'page' }>): { status: number; html: string } {
  switch (decision.kind) {
    case 'building': return { status: 200, html: previewNotice('Building the preview…', `The preview is catching up with the latest draft of entry ${decision.entry}. This page reloads itself until it is there.`, true) };
    case 'nowhere': return { status: 404, html: previewNotice('Not on any page', `Entry ${decision.entry} is on no page of the preview: it may be unpublished with no draft, or nothing links to it yet.`) };
    case 'invalid': return { status: 400, html: previewNotice('Which entry?', decision.message) };
  }
}
