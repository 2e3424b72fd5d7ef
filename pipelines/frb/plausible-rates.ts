/**
 * Plausible magnitudes of exchange rates, per currency, in units of that currency per one US
 * dollar. H.10's `Multiplier:` line cannot be trusted (GBP says 0.00999999978 while its values
 * are already dollars per pound), so no value is ever multiplied by it; instead every rate is
 * checked against these ranges, which catch a value scaled by 100 or 1000, a series read in the
 * wrong direction, or a column shifted into its neighbour.
 *
 * The ranges span the whole history the sources publish (H.10/FRED from 1971) with headroom:
 * e.g. the yen was 358 per dollar in 1971 and 75.7 in 2011, so JPY is 60–400. Currencies not
 * listed (Venezuela's bolívar, with its redenominations and hyperinflation; the legacy
 * pre-euro currencies) get only the positivity check.
 */

export interface RateRange {
  /** Lowest plausible units of the currency per US dollar. */
  min: number;
  /** Highest plausible units of the currency per US dollar. */
  max: number;
}

/** Units of currency per USD; see the file comment for how they were chosen. */
export const PLAUSIBLE_PER_USD: Readonly<Record<string, RateRange>> = {
  JPY: { min: 60, max: 400 },
  CNY: { min: 1.4, max: 10 },
  EUR: { min: 0.5, max: 1.6 },   // 0.63–2.0 dollars per euro
  GBP: { min: 0.3, max: 1.0 },   // 1.0–3.3 dollars per pound
  AUD: { min: 0.5, max: 2.5 },
  NZD: { min: 0.5, max: 3 },
  CAD: { min: 0.8, max: 1.8 },
  CHF: { min: 0.5, max: 5 },
  BRL: { min: 0.5, max: 10 },
  DKK: { min: 4, max: 13 },
  HKD: { min: 4, max: 10 },
  INR: { min: 5, max: 150 },
  KRW: { min: 300, max: 2500 },
  MYR: { min: 1.5, max: 6 },
  MXN: { min: 2, max: 40 },
  NOK: { min: 4, max: 15 },
  SEK: { min: 3.5, max: 15 },
  ZAR: { min: 0.5, max: 25 },
  SGD: { min: 1, max: 3.5 },
  LKR: { min: 5, max: 500 },
  TWD: { min: 20, max: 45 },
  THB: { min: 15, max: 60 },
};

/**
 * Is a rate of `quote` per one `base` plausible? One side must be USD; the other side's range
 * is looked up (inverted when the rate is dollars per foreign unit). Returns the range that was
 * violated, or null when the rate is plausible or no range is known.
 * @example implausibleRange('USD', 'JPY', '1.4081') // → { min: 60, max: 400 }
 */
export function implausibleRange(base: string, quote: string, rate: string): RateRange | null {
  const value = Number(rate); // only for the range check; the stored value stays the string
  if (base === 'USD') {
    const r = PLAUSIBLE_PER_USD[quote];
    return r && (value < r.min || value > r.max) ? r : null;
  }
  if (quote === 'USD') {
    const r = PLAUSIBLE_PER_USD[base];
    if (!r) return null;
    const perUsd = 1 / value;
    return perUsd < r.min || perUsd > r.max ? r : null;
  }
  return null;
}

/**
 * Words for an error message: the range in the direction the file writes the rate.
 * @example describeRange('USD', 'JPY', { min: 60, max: 400 }) === 'between 60 and 400 JPY per USD'
 */
export function describeRange(base: string, quote: string, r: RateRange): string {
  if (base === 'USD') return `between ${r.min} and ${r.max} ${quote} per USD`;
  const lo = Number((1 / r.max).toPrecision(3));
  const hi = Number((1 / r.min).toPrecision(3));
  return `between ${lo} and ${hi} ${quote} per ${base}`;
}
