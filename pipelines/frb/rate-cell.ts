import { DataError } from '../../src/core/errors.js';
import { readNumber } from '../../src/parse/numbers.js';
import { describeRange, implausibleRange } from './plausible-rates.js';

/** Where a cell sits, for error messages. */
export interface CellPlace {
  dataset: string;
  file: string;
  line: number;
  column: string;
}

/**
 * Reads one exchange-rate cell: a positive decimal, or null for a day without a rate (`ND`,
 * empty, FRED's `.`). Zero, negative, non-numeric and implausible values are data errors — a
 * rate of zero is never "missing", it is a broken file. The decimal is normalized (trailing
 * zeros dropped: H.10's `140.8100` and FRED's `140.81` become the same `140.81`), so the same
 * rate from two files compares equal as text too.
 * @example readRateCell('140.8100', { base: 'USD', quote: 'JPY', missing: ['ND', ''] }, place) === '140.81'
 */
export function readRateCell(
  raw: string,
  pair: { base: string; quote: string; missing: readonly string[] },
  place: CellPlace,
): string | null {
  const t = raw.trim();
  if (pair.missing.includes(t)) return null;
  const missingWords = pair.missing.map((m) => (m === '' ? 'an empty field' : m)).join(' or ');
  const n = /^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(t) ? readNumber(t, { missing: [] }) : undefined;
  if (/^\d{1,3}(,\d{3})+(\.\d*)?$/.test(t)) {
    throw new DataError({ ...place, value: raw, expected: 'a decimal exchange rate without thousands separators (H.10 and FRED write none; a comma here is either a thousands separator or a decimal comma, which cannot be told apart)' });
  }
  if (n === undefined || n === null) {
    throw new DataError({ ...place, value: raw, expected: `a decimal exchange rate, or ${missingWords} for a day without one` });
  }
  if (n.startsWith('-') || !/[1-9]/.test(n)) {
    throw new DataError({
      ...place, value: raw,
      expected: `a positive exchange rate (a rate of zero or below is not a rate; a day without one is written ${missingWords})`,
    });
  }
  const bad = implausibleRange(pair.base, pair.quote, n);
  if (bad) {
    throw new DataError({
      ...place, value: raw,
      expected: `a plausible ${pair.quote} per ${pair.base} rate, ${describeRange(pair.base, pair.quote, bad)} ` +
        '(was the value scaled by the file\'s Multiplier, or the series read in the wrong direction?)',
    });
  }
  return n;
}
