/**
 * GTIN checks as Google Merchant Center applies them: 8, 12, 13 or 14 digits (spaces and dashes
 * ignored), GS1 mod-10 check digit, and no restricted (`2`, `02`, `04`) or coupon (`05`, `99`,
 * `981`–`984`) prefixes — the first digit of a GTIN-14 is not part of the prefix.
 */

export type GtinProblem = 'format' | 'length' | 'check-digit' | 'restricted-prefix' | 'coupon-prefix' | 'all-zero';

/** Normalises a GTIN (digits only), or explains why it is not a valid one. */
export function checkGtin(raw: string): { gtin: string } | { problem: GtinProblem } {
  const digits = raw.replace(/[\s-]/g, '');
  if (!/^\d+$/.test(digits)) return { problem: 'format' };
  if (![8, 12, 13, 14].includes(digits.length)) return { problem: 'length' };
  if (/^0+$/.test(digits)) return { problem: 'all-zero' };
  let sum = 0;
  for (let i = 0; i < digits.length - 1; i++) {
    // Weights 3,1,3,1… from the digit left of the check digit.
    const fromRight = digits.length - 1 - i;
    sum += Number(digits[i]) * (fromRight % 2 === 1 ? 3 : 1);
  }
  if ((10 - (sum % 10)) % 10 !== Number(digits.at(-1))) return { problem: 'check-digit' };
  // Compare prefixes on the GTIN-13 form (GTIN-12 gains a leading 0; GTIN-14 drops its indicator).
  const as13 = digits.length === 14 ? digits.slice(1) : digits.length === 12 ? `0${digits}` : digits.length === 8 ? '' : digits;
  if (as13) {
    if (/^(02|04|2)/.test(as13)) return { problem: 'restricted-prefix' };
    if (/^(05|99|98[1-4])/.test(as13)) return { problem: 'coupon-prefix' };
  }
  return { gtin: digits };
}
