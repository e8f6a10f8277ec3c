/**
 * Plain text from catalog and CMS strings (Google feeds, PDFs): HTML stripped, entities decoded
 * exactly once, characters XML 1.0 forbids (and Google's "invalid Unicode": controls,
 * non-characters, private use) removed, whitespace
 * collapsed, and limits counted in user-perceived characters — a cut never splits a surrogate pair,
 * an emoji sequence or a letter from its combining marks.
 */
import { decodeEntities } from './build/html.js';

// XML 1.0 Char production, minus what Google rejects (C1 controls, private use, non-characters).
const FORBIDDEN = /[^\t\n\r\u0020-\u007E\u00A0-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\u{10000}-\u{EFFFD}]|[\u{F0000}-\u{10FFFF}]/gu;
const segmenter = new Intl.Segmenter('en', { granularity: 'grapheme' });

// Google's list of invalid Unicode also names format controls: zero-width and bidi controls, U+2061…
const GOOGLE_INVALID = /[\u200B-\u200F\u202A-\u202E\u2060-\u206F\uFEFF]/g;

// C0/C1 controls (tab, newline and carriage return kept) and lone surrogates: never text anywhere.
const CONTROLS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Removes control characters and lone surrogates (NUL, ESC…), keeping every character text can use. */
export function removeControlChars(text: string): string {
  return text.replace(CONTROLS, '');
}

/**
 * A JSON-shaped value with control characters removed from every string in it (keys included).
 * Iterative: CMS documents may nest deeper than a recursive walk's stack allows.
 */
export function withoutControlChars<T>(value: T): T {
  const clean = (v: unknown): unknown => (typeof v === 'string' ? removeControlChars(v) : v);
  if (typeof value !== 'object' || value === null) return clean(value) as T;
  const root: unknown = Array.isArray(value) ? [] : {};
  const stack: Array<[Record<string, unknown> | unknown[], Record<string, unknown> | unknown[]]> = [[value as never, root as never]];
  while (stack.length) {
    const [from, to] = stack.pop()!;
    for (const [key, v] of Object.entries(from)) {
      const copy = typeof v === 'object' && v !== null ? (Array.isArray(v) ? [] : {}) : clean(v);
      if (Array.isArray(to)) to[Number(key)] = copy;
      else to[removeControlChars(key)] = copy;
      if (typeof v === 'object' && v !== null) stack.push([v as never, copy as never]);
    }
  }
  return root as T;
}

/** Removes characters no strict XML parser or Google accepts. */
export function removeForbiddenChars(text: string): string {
  // Lone surrogates never match the \u{…} ranges above in a `u` regex, so they are removed too.
  return text.replace(FORBIDDEN, '').replace(GOOGLE_INVALID, '');
}

// Anything that needs the slow path: markup, entities, whitespace to collapse, or characters to drop.
const NEEDS_WORK = /[<&\t\n\r\u0000-\u001F\u007F-\u009F\u200B-\u200F\u202A-\u202E\u2060-\u206F\uD800-\uDFFF\uE000-\uF8FF\uFDD0-\uFDEF\uFEFF\uFFFE\uFFFF]| {2}|^ | $/;

/** Plain text of a value that may hold HTML: tags dropped, entities decoded once, whitespace collapsed. */
export function plainText(value: string): string {
  // Most catalog text is already plain: one test instead of five passes (the feed's hot path).
  if (!NEEDS_WORK.test(value)) return value;
  const withoutTags = value.replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, ' ').replace(/<[^>]*>/g, ' ');
  return removeForbiddenChars(decodeEntities(withoutTags)).replace(/\s+/g, ' ').trim();
}

/**
 * Plain text of a field that is text, not HTML (a title, a brand, a colour): entities decoded
 * once, forbidden characters removed, whitespace collapsed, and `<`, `>`, `&` kept as written —
 * `Set <Black & Gold>` is a title, not markup.
 */
export function literalText(value: string): string {
  if (!NEEDS_WORK.test(value)) return value;
  return removeForbiddenChars(decodeEntities(value)).replace(/\s+/g, ' ').trim();
}

/** Number of user-perceived characters (grapheme clusters). */
export function graphemeLength(text: string): number {
  let n = 0;
  for (const _ of segmenter.segment(text)) n++;
  return n;
}

/** The first `max` grapheme clusters of `text` (never a broken pair or a mark without its base). */
export function truncateGraphemes(text: string, max: number): string {
  let out = '';
  let n = 0;
  for (const { segment } of segmenter.segment(text)) {
    if (n++ >= max) break;
    out += segment;
  }
  return out;
}
