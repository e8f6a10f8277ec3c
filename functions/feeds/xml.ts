/**
 * A tiny XML serialiser for the feed's hot path: per-item string fragments, five escapes, no DOM.
 * Values arrive sanitised (see text.ts), so escaping `&`, `<`, `>` (also closes any `]]>`), and
 * quotes is all a strict XML 1.0 parser needs. A differential test holds it equal to xmlbuilder2.
 */
import type { FeedItem } from './item.js';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

export function feedHeader(channel: { title: string; link: string; description: string }): string {
  return '<?xml version="1.0" encoding="UTF-8"?>\n<rss xmlns:g="http://base.google.com/ns/1.0" version="2.0">\n<channel>\n' +
    `<title>${escapeXml(channel.title)}</title>\n<link>${escapeXml(channel.link)}</link>\n<description>${escapeXml(channel.description)}</description>\n`;
}

export const FEED_FOOTER = '</channel>\n</rss>\n';

export function itemXml(item: FeedItem): string {
  let xml = '<item>';
  for (const [name, value] of item) xml += `<g:${name}>${escapeXml(value)}</g:${name}>`;
  return `${xml}</item>\n`;
}
