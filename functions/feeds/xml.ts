/**
 * A tiny XML serialiser for the feed's hot path: per-item string fragments, no DOM. Values arrive
 * sanitised (see text.ts), so escaping `&`, `<` and `>` (which also closes any `]]>`) is all a strict
 * XML 1.0 parser needs in element content. A differential test holds it equal to xmlbuilder2.
 */
import type { FeedItem } from './item.js';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
const TEXT_SPECIAL = /[&<>]/;

/** Escapes a string for element content or a quoted attribute. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** Escapes a string for element content (most catalog text needs nothing: one test, no copy). */
export function escapeText(text: string): string {
  // A long text (a description) usually comes twice in a row: the same product in the next market.
  if (text.length >= LONG && text === lastLong.text) return lastLong.escaped;
  const escaped = TEXT_SPECIAL.test(text) ? text.replace(/[&<>]/g, (c) => ESCAPES[c]!) : text;
  if (text.length >= LONG) lastLong = { text, escaped };
  return escaped;
}
const LONG = 64;
let lastLong = { text: '', escaped: '' };

export function feedHeader(channel: { title: string; link: string; description: string }): string {
  return '<?xml version="1.0" encoding="UTF-8"?>\n<rss xmlns:g="http://base.google.com/ns/1.0" version="2.0">\n<channel>\n' +
    `<title>${escapeXml(channel.title)}</title>\n<link>${escapeXml(channel.link)}</link>\n<description>${escapeXml(channel.description)}</description>\n`;
}

export const FEED_FOOTER = '</channel>\n</rss>\n';

/** The `<g:…>` elements of some attributes, without the enclosing `<item>`. */
export function entriesXml(entries: FeedItem): string {
  let xml = '';
  for (const [name, value] of entries) xml += `<g:${name}>${escapeText(value)}</g:${name}>`;
  return xml;
}

export function itemXml(item: FeedItem): string {
  return `<item>${entriesXml(item)}</item>\n`;
}
