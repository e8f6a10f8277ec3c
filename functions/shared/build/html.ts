/** Small HTML helpers: escaping, entity decoding (the `entities` package), and an allow-list sanitiser for "light HTML". */
import { decodeHTML } from 'entities';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/**
 * Decodes HTML character references once (`&amp;amp;` → `&amp;`), every named one HTML knows
 * (`&eacute;`, `&hellip;`, legacy forms without `;` as browsers read them) and numeric ones.
 */
export function decodeEntities(text: string): string {
  return text.includes('&') ? decodeHTML(text) : text;
}

const ALLOWED_TAGS = new Set(['p', 'br', 'strong', 'em', 'b', 'i', 'ul', 'ol', 'li']);
const VOID_TAGS = new Set(['br']);
const DROP_WITH_CONTENT = /<(script|style|iframe|object|embed|template|noscript|svg|math)\b[\s\S]*?(<\/\1\s*>|$)/gi;
const TOKEN = /<!--[\s\S]*?(?:-->|$)|<\/?([a-zA-Z][a-zA-Z0-9]*)\b[^>]*>|[^<]+|</g;

/**
 * Sanitises catalog "light HTML" to a fixed set of attribute-free tags; everything else becomes
 * escaped text, `<script>`-like elements are dropped with their content, and unclosed tags are
 * closed so a description can never break the page around it.
 */
export function sanitizeLightHtml(html: string): string {
  const out: string[] = [];
  const open: string[] = [];
  for (const match of html.replace(DROP_WITH_CONTENT, '').matchAll(TOKEN)) {
    const token = match[0];
    const tag = match[1]?.toLowerCase();
    if (token.startsWith('<!--')) continue;
    if (tag === undefined) {
      out.push(escapeHtml(decodeEntities(token)));
      continue;
    }
    if (!ALLOWED_TAGS.has(tag)) continue;
    if (VOID_TAGS.has(tag)) {
      out.push(`<${tag}>`);
    } else if (token[1] === '/') {
      const at = open.lastIndexOf(tag);
      if (at === -1) continue;
      while (open.length > at) out.push(`</${open.pop()}>`);
    } else {
      open.push(tag);
      out.push(`<${tag}>`);
    }
  }
  while (open.length) out.push(`</${open.pop()}>`);
  return out.join('');
}

/** Plain text of light HTML: tags removed, entities decoded once, whitespace collapsed. */
export function htmlToText(html: string): string {
  return decodeEntities(html.replace(DROP_WITH_CONTENT, ' ').replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ').trim();
}

/** JSON for a `<script type="application/ld+json">` block: cannot close the script or open a comment. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}
