/**
 * Item groups as shoppers see them: one listing card per group (its name, colour swatches, size
 * range, lowest price) and the product page's colour and size picker. Pure functions of the
 * group's members, so a listing page's data follows every member's sku and nothing else.
 */
import type { Product } from '../catalog/product.js';

/** Colours the stylesheet draws as a swatch (`.swatch--<tone>`); any other colour shows its name. */
const TONES: Record<string, string> = {
  black: 'black', white: 'white', ivory: 'white', cream: 'white', red: 'red', burgundy: 'red', crimson: 'red',
  blue: 'blue', navy: 'navy', 'navy blue': 'navy', 'light blue': 'blue', green: 'green', olive: 'olive', khaki: 'olive',
  orange: 'orange', grey: 'grey', gray: 'grey', charcoal: 'grey', silver: 'grey', yellow: 'yellow', gold: 'yellow',
  purple: 'purple', violet: 'purple', teal: 'teal', turquoise: 'teal', pink: 'pink', brown: 'brown', beige: 'beige', tan: 'beige',
};

/** The stylesheet's swatch class suffix for a colour name, `other` when it has none. */
export function swatchTone(color: string): string {
  return TONES[color.trim().toLowerCase()] ?? 'other';
}

/** Letter sizes in order; other sizes sort numerically when they are numbers, else stay in first-seen order. */
const LETTER_SIZES = ['XXXS', '3XS', 'XXS', '2XS', 'XS', 'S', 'M', 'L', 'XL', 'XXL', '2XL', 'XXXL', '3XL', '4XL', '5XL'];

function sizeRank(size: string): number | undefined {
  const letter = LETTER_SIZES.indexOf(size.trim().toUpperCase());
  if (letter >= 0) return letter;
  const n = Number(size.trim().replace(',', '.'));
  return Number.isFinite(n) ? 1000 + n : undefined;
}

/** Distinct sizes, smallest first (`S`, `M`, `XL`; `38`, `40.5`, `42`); unranked sizes keep their order, after the ranked. */
export function orderSizes(sizes: Iterable<string>): string[] {
  const distinct = [...new Set(sizes)];
  const ranked = distinct.filter((s) => sizeRank(s) !== undefined).sort((a, b) => sizeRank(a)! - sizeRank(b)!);
  return [...ranked, ...distinct.filter((s) => sizeRank(s) === undefined)];
}

/** What a card says of the sizes: `38–46` for three or more, `S, M` for two, the size for one. */
export function sizeRange(sizes: Iterable<string>): string | undefined {
  const ordered = orderSizes(sizes);
  if (ordered.length === 0) return undefined;
  return ordered.length > 2 ? `${ordered[0]}–${ordered[ordered.length - 1]}` : ordered.join(', ');
}

/**
 * A group's name: what its members' titles share up to a word boundary, without the separator
 * before the variant (`Summit 28 — Blue, 41` and `Summit 28 — Red, 42` → `Summit 28`). A lone
 * member, or members with nothing in common, give the first member's title.
 */
export function groupTitle(titles: readonly string[]): string {
  const first = titles[0] ?? '';
  if (titles.length < 2) return first;
  let common = first;
  for (const t of titles.slice(1)) {
    let i = 0;
    while (i < common.length && i < t.length && common[i] === t[i]) i++;
    common = common.slice(0, i);
  }
  if (common === first && titles.every((t) => t === first)) return first;
  // Cut back to a word boundary unless every title continues with one there.
  const atBoundary = titles.every((t) => t.length === common.length || /[\s,/(\-–—:;|]/u.test(t[common.length]!));
  const whole = atBoundary ? common : common.replace(/[^\s,/(\-–—:;|]*$/u, '');
  const trimmed = whole.replace(/[\s,/(\-–—:;|]+$/u, '');
  return trimmed.length >= 3 ? trimmed : first;
}

/** The availability a group card shows: the best any member has. */
const AVAILABILITY_RANK: Record<Product['availability'], number> = { in_stock: 0, preorder: 1, backorder: 2, out_of_stock: 3 };

export function bestAvailability(members: readonly Product[]): Product['availability'] {
  let best = members[0]!.availability;
  for (const m of members) if (AVAILABILITY_RANK[m.availability] < AVAILABILITY_RANK[best]) best = m.availability;
  return best;
}

/** Listing members grouped into cards, in listing order: a group's card stands where its first member would. */
export function cardGroups(members: readonly Product[]): Product[][] {
  const cards: Product[][] = [];
  const byGroup = new Map<string, Product[]>();
  for (const p of members) {
    if (!p.itemGroupId) { cards.push([p]); continue; }
    const card = byGroup.get(p.itemGroupId);
    if (card) card.push(p);
    else { const fresh = [p]; byGroup.set(p.itemGroupId, fresh); cards.push(fresh); }
  }
  return cards;
}

export interface PickerOption {
  label: string;
  url: string;
  current: boolean;
  /** Swatch class suffix (colours only). */
  tone?: string;
  /** No member of this option can be bought now. */
  unavailable?: boolean;
}

export interface VariantPicker {
  colours: PickerOption[];
  sizes: PickerOption[];
}

/**
 * The product page's picker: a colour chooses the member of that colour in the current size
 * (else its first), a size the member of the current colour in that size. Undefined when the
 * group's members do not differ by colour and size (the page lists them by name instead).
 */
export function variantPicker(current: Product, members: readonly Product[], url: (p: Product) => string): VariantPicker | undefined {
  if (members.length < 2) return undefined;
  const key = (p: Product) => `${p.color ?? ''}\u0000${p.size ?? ''}`;
  if (new Set(members.map(key)).size !== members.length) return undefined;
  const colours = [...new Set(members.map((m) => m.color).filter((c): c is string => !!c))];
  const sameColour = members.filter((m) => (m.color ?? '') === (current.color ?? ''));
  const sizes = orderSizes(sameColour.map((m) => m.size).filter((s): s is string => !!s));
  // Nothing to choose between (members that differ in neither): the page lists them by name.
  if (colours.length < 2 && sizes.length < 2) return undefined;
  return {
    colours: colours.map((colour) => {
      const ofColour = members.filter((m) => m.color === colour);
      const target = ofColour.find((m) => m.size === current.size) ?? ofColour[0]!;
      return { label: colour, url: url(target), current: colour === current.color, tone: swatchTone(colour), unavailable: ofColour.every((m) => m.availability === 'out_of_stock') };
    }),
    sizes: sizes.map((size) => {
      const target = sameColour.find((m) => m.size === size)!;
      return { label: size, url: url(target), current: target.sku === current.sku, unavailable: target.availability === 'out_of_stock' };
    }),
  };
}
