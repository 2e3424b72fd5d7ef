/**
 * Country code lookups shared by the pipelines. The one list behind them is ref/countries.csv,
 * which migration 004 also loads into ref.country, so parsers and the database agree.
 *
 * STUB: the reference-data work replaces the inline table with ref/countries.csv. The function
 * signatures below are the contract and stay.
 */

const INLINE: Array<{ iso2: string; mof: string; census: string; press: string }> = [
  { iso2: 'US', mof: '304', census: '1000', press: 'USA' },
  { iso2: 'JP', mof: '', census: '5880', press: '' },
  { iso2: 'CN', mof: '105', census: '5700', press: 'CHINA' },
  { iso2: 'MX', mof: '305', census: '2010', press: 'MEXICO' },
];

/** Partner id for a MOF 3-digit country code: ISO2 when known, else `mof3:<code>`. */
export function partnerFromMofCode(code: string): string {
  return INLINE.find((c) => c.mof === code)?.iso2 ?? `mof3:${code}`;
}

/** Partner id for a MOF press-release area abbreviation (`USA`, `R KOREA`, `(ASEAN)`): ISO2 for a country, `mof:<abbr>` for a region. */
export function partnerFromMofPressAbbr(abbr: string): string {
  const a = abbr.trim();
  if (a === 'TOTAL' || a === 'WORLD') return 'WORLD';
  return INLINE.find((c) => c.press === a)?.iso2 ?? `mof:${a}`;
}

/** Partner id for a Census Schedule C code: ISO2 for a country, `WORLD` for `-`, `census:<code>` for groupings and unknown codes. */
export function partnerFromCensusCode(code: string): string {
  if (code === '-') return 'WORLD';
  return INLINE.find((c) => c.census === code)?.iso2 ?? `census:${code}`;
}
