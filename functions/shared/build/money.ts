/** Money in minor units → display strings, with each currency's own number of decimals (ISO 4217). */

const LOCALE_FOR_CURRENCY: Record<string, string> = { USD: 'en-US', EUR: 'de-DE', GBP: 'en-GB', JPY: 'ja-JP', CHF: 'de-CH', SEK: 'sv-SE' };
const formatters = new Map<string, Intl.NumberFormat>();
// resolvedOptions() allocates a fresh object on every call: cache the digits (hot in site builds).
const digitsCache = new Map<string, number>();

function formatter(currency: string, locale?: string): Intl.NumberFormat {
  const key = locale ? `${currency} ${locale}` : currency;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.NumberFormat(locale ?? LOCALE_FOR_CURRENCY[currency] ?? 'en-US', { style: 'currency', currency });
    formatters.set(key, f);
  }
  return f;
}

/** Decimal places of a currency's minor unit (USD 2, JPY 0, KWD 3). */
export function minorUnitDigits(currency: string): number {
  let digits = digitsCache.get(currency);
  if (digits === undefined) {
    digits = formatter(currency).resolvedOptions().maximumFractionDigits ?? 2;
    digitsCache.set(currency, digits);
  }
  return digits;
}

/** Minor units → major units as a decimal string without rounding errors, e.g. 12999 USD → "129.99". */
export function toDecimalString(minor: number, currency: string): string {
  const digits = minorUnitDigits(currency);
  if (digits === 0) return String(minor);
  const sign = minor < 0 ? '-' : '';
  const abs = String(Math.abs(minor)).padStart(digits + 1, '0');
  return `${sign}${abs.slice(0, -digits)}.${abs.slice(-digits)}`;
}

/**
 * Minor units → a localised price, e.g. 12999 USD → "$129.99", 11999 EUR → "119,99 €": in the
 * given locale (a market's), else in the currency's home locale.
 */
export function formatMoney(minor: number, currency: string, locale?: string): string {
  return formatter(currency, locale).format(Number(toDecimalString(minor, currency)));
}
