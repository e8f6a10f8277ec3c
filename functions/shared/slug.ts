/**
 * URL slugs. Every slug that becomes part of a bucket key passes through `toSlug`, so no CMS or
 * catalog value can escape its URL section (`../../x`, `a/b`, `%2e%2e`, control characters).
 */
import anyAscii from 'any-ascii';
import { decodeEntities } from './build/html.js';

const MAX_SLUG_LENGTH = 100;

/**
 * Normalises any string to a lowercase ASCII slug of `[a-z0-9-]`: percent-escapes are decoded,
 * every script transliterated (é → e, ß → ss, Ж → zh, 茶 → cha), every other run of characters
 * becomes one `-`. Returns `''` when nothing usable is left (e.g. `..`, or only punctuation).
 *
 * @example toSlug('Trail Runner 2 — Black, 42') === 'trail-runner-2-black-42'
 * @example toSlug('../../etc/passwd') === 'etc-passwd'
 */
export function toSlug(input: string): string {
  let text = input;
  // Decode percent-escapes (repeatedly, to undo double encoding) so `%2e%2e` cannot hide a `..`.
  for (let i = 0; i < 3 && /%[0-9a-f]{2}/i.test(text); i++) {
    try {
      text = decodeURIComponent(text);
    } catch {
      break;
    }
  }
  // Transliterated, not dropped: a Greek or Cyrillic title gets a readable URL of its own instead of
  // falling back to digits that two products could share (Ζεστό τσάι → zesto-tsai).
  const folded = anyAscii(text.normalize('NFC')).toLowerCase();
  const slug = folded
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug.length > MAX_SLUG_LENGTH ? slug.slice(0, MAX_SLUG_LENGTH).replace(/-+$/, '') : slug;
}

/** Whether a string is already a valid slug (what `toSlug` would return unchanged). */
export function isSlug(value: string): boolean {
  return value.length > 0 && value.length <= MAX_SLUG_LENGTH && /^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(value);
}

/**
 * Picks a slug for a record: its explicit slug if usable, else the slugified title, else a
 * fallback (e.g. the sku), so titles in scripts without an ASCII folding still get a URL.
 */
export function chooseSlug(explicit: string | undefined, title: string, fallback: string): string {
  // From the title as pages show it: `Caf&eacute;` makes `cafe`, not `caf-eacute`.
  return (explicit !== undefined ? toSlug(explicit) : '') || toSlug(decodeEntities(title)) || toSlug(fallback) || 'item';
}
