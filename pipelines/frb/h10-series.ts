/**
 * H.10 series identifiers and the direction of their rates.
 *
 * `RXI_N.B.JA` = yen per dollar (`RXI_`: foreign currency per USD); `RXI$US_N.B.EU` = dollars
 * per euro (`RXI$US_`: USD per foreign unit). The middle letter is the frequency: `B` business
 * day, `M` monthly average, `A` annual average. The last part is the Fed's country code.
 */
import type { FxFrequency } from './period-sequence.js';

/** H.10 country codes and the ISO currency their series price (legacy codes included). */
export const H10_COUNTRY_CURRENCY: Readonly<Record<string, readonly string[]>> = {
  AL: ['AUD'], EU: ['EUR'], NZ: ['NZD'], UK: ['GBP'], BZ: ['BRL'], CA: ['CAD'], CH: ['CNY'],
  DN: ['DKK'], HK: ['HKD'], IN: ['INR'], JA: ['JPY'], KO: ['KRW'], MA: ['MYR'], MX: ['MXN'],
  NO: ['NOK'], SD: ['SEK'], SF: ['ZAR'], SI: ['SGD'], SL: ['LKR'], SZ: ['CHF'], TA: ['TWD'],
  TH: ['THB'], VE: ['VEB', 'VEF', 'VES'], VES: ['VES', 'VEB', 'VEF'],
  // Pre-euro series, still downloadable for their history.
  AU: ['ATS'], BE: ['BEF'], FN: ['FIM'], FR: ['FRF'], GE: ['DEM'], GR: ['GRD'], IR: ['IEP'],
  IT: ['ITL'], NE: ['NLG'], PO: ['PTE'], SP: ['ESP'],
};

const FREQ: Record<string, FxFrequency> = { B: 'D', M: 'M', A: 'A' };

export interface H10SeriesId {
  id: string;
  /** true for `RXI$US_` (dollars per foreign unit), false for `RXI_` (foreign units per dollar). */
  dollarsPerForeign: boolean;
  frequency: FxFrequency;
  country: string;
}

/**
 * Splits an H.10 exchange-rate series id; null when it is not one (an index such as
 * `JRXWTFB_N.B`, whose direction is not a currency pair).
 * @example parseH10SeriesId('RXI$US_N.B.EU') // → { dollarsPerForeign: true, frequency: 'D', country: 'EU', … }
 */
export function parseH10SeriesId(id: string): H10SeriesId | null {
  const m = /^(RXI|RXI\$US)_N\.([BMA])\.([A-Z]{2,3})$/.exec(id);
  if (!m) return null;
  return { id, dollarsPerForeign: m[1] === 'RXI$US', frequency: FREQ[m[2]!]!, country: m[3]! };
}

export type Direction = { base: string; quote: string } | { problem: string };

/**
 * The pair a column's rates price, from its `Unit:` and `Currency:` cells and its series id.
 * Old label style: `Currency:_Per_USD` + `Currency: JPY` → USD→JPY; `Currency:_Per_EUR` +
 * `Currency: USD` → EUR→USD. Newer style: unit `Currency` says nothing, `Currency:` names the
 * foreign currency, and the id prefix gives the direction. Contradictions are problems, not
 * guesses.
 * @example resolveDirection('Currency:_Per_USD', 'JPY', parseH10SeriesId('RXI_N.B.JA')!) // → { base: 'USD', quote: 'JPY' }
 */
export function resolveDirection(unit: string, currency: string, sid: H10SeriesId): Direction {
  if (!/^[A-Z]{3}$/.test(currency)) return { problem: `a 3-letter ISO currency code on the Currency: line, found ${JSON.stringify(currency)}` };
  const per = /^Currency:_Per_([A-Z]{3})$/.exec(unit);
  let pair: { base: string; quote: string };
  if (per) {
    const perIso = per[1]!;
    if (perIso === 'USD') {
      if (sid.dollarsPerForeign) return { problem: `unit ${unit} contradicts the RXI$US_ prefix of ${sid.id} (dollars per foreign unit)` };
      pair = { base: 'USD', quote: currency };
    } else {
      if (!sid.dollarsPerForeign) return { problem: `unit ${unit} contradicts the RXI_ prefix of ${sid.id} (foreign units per dollar)` };
      if (currency !== 'USD') return { problem: `unit ${unit} with Currency: ${currency}; an H.10 rate per ${perIso} is in USD` };
      pair = { base: perIso, quote: 'USD' };
    }
  } else if (unit === 'Currency') {
    if (currency === 'USD') return { problem: `the foreign currency on the Currency: line (newer label style), found USD` };
    pair = sid.dollarsPerForeign ? { base: currency, quote: 'USD' } : { base: 'USD', quote: currency };
  } else {
    return { problem: `a Unit: of Currency:_Per_USD, Currency:_Per_<ISO> or Currency (the direction of the rate), found ${JSON.stringify(unit)}` };
  }
  const foreign = pair.base === 'USD' ? pair.quote : pair.base;
  const known = H10_COUNTRY_CURRENCY[sid.country];
  if (known && !known.includes(foreign)) {
    return { problem: `${sid.id} prices ${known.join('/')} but the header says ${foreign}` };
  }
  return pair;
}
