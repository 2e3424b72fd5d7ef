/**
 * Country code lookups shared by the pipelines. The one list behind them is ref/countries.csv,
 * which migration 004 (generated from it by scripts/gen-ref-sql.ts) also loads into ref.country,
 * so parsers and the database agree. Migration 071 moved the code columns into rows of
 * ref.country_code (one per code system: CODE_SYSTEMS below); the CSV keeps one column per
 * system because 004, generated from it, is an applied (checksummed) migration.
 *
 * Where the CSV comes from (so a reviewer can redo it):
 * - Rows: every ISO code of the US Census Schedule C country list (a country or territory), plus
 *   the MOF codes that are one ISO country Census does not list (PS, EH, BL). Census's own
 *   non-ISO codes are resolved: KV (Kosovo) → XK, the user-assigned code in common use;
 *   GZ / WE (Gaza Strip, West Bank) get no row, because ISO has only PS for both and one
 *   census_code column cannot hold two codes — they stay `census:5082` / `census:5083`.
 *   Census codes without an ISO code are aggregates and are not countries.
 * - iso3 and name_en: ISO 3166-1 (Debian iso-codes 4.15: common name where given, else short name).
 * - mof_code: the MOF 3-digit codes of the third-party list compiled by liapunov/JapanTrade
 *   (not an official file), checked against the codes in the project's MOF format notes (§4),
 *   which win on conflict (there was none). MOF areas that are not one ISO country (Azores,
 *   Netherlands Antilles, French West Indies, Ceuta and Melilla, Canary Islands, other
 *   Australian territories, British Antarctic Territory, special areas 701–703) stay `mof3:<code>`.
 * - mof_press_abbr: the country abbreviations used in pg2 of the real press-release XMLs
 *   (chiikikunikbn = 2); regions (chiikikunikbn = 1) are not countries and stay `mof:<ABBR>`.
 * - name_ja: standard names as in MOF publications, only where certain; empty otherwise.
 */
import fs from 'node:fs';
import path from 'node:path';
import Papa from 'papaparse';
import { DataError } from '../core/errors.js';
import { REPO_ROOT } from '../core/paths.js';

/** One country (or territory with its own ISO code) and its code in each source. */
export interface Country {
  iso2: string;
  iso3: string;
  nameEn: string;
  nameJa: string | null;
  mofCode: string | null;
  censusCode: string | null;
  mofPressAbbr: string | null;
}

/** The CSV columns, in order. */
export const COUNTRY_COLUMNS = ['iso2', 'iso3', 'name_en', 'name_ja', 'mof_code', 'census_code', 'mof_press_abbr'] as const;

/** Where ref/countries.csv lives. */
export const COUNTRIES_CSV_PATH = path.join(REPO_ROOT, 'ref', 'countries.csv');

const DATASET = 'ref.country';

const COLUMN_RULES: Record<(typeof COUNTRY_COLUMNS)[number], { re: RegExp; expected: string; required: boolean }> = {
  iso2: { re: /^[A-Z]{2}$/, expected: 'an ISO 3166-1 alpha-2 code (two capital letters)', required: true },
  iso3: { re: /^[A-Z]{3}$/, expected: 'an ISO 3166-1 alpha-3 code (three capital letters)', required: true },
  name_en: { re: /^\S(.*\S)?$/u, expected: 'an English name without surrounding spaces', required: true },
  name_ja: { re: /^\S(.*\S)?$/u, expected: 'a Japanese name without surrounding spaces, or empty', required: false },
  mof_code: { re: /^\d{3}$/, expected: 'a MOF 3-digit country code, or empty', required: false },
  census_code: { re: /^\d{4}$/, expected: 'a Census Schedule C 4-digit code, or empty', required: false },
  mof_press_abbr: { re: /^[A-Z][A-Z &]*[A-Z]$/, expected: 'a MOF press abbreviation in capitals (e.g. R KOREA), or empty', required: false },
};

/**
 * Parses and checks the text of ref/countries.csv: exact header, valid codes, every key unique.
 * @example parseCountriesCsv(fs.readFileSync('ref/countries.csv', 'utf8'), 'ref/countries.csv')[0].iso2
 */
export function parseCountriesCsv(text: string, file: string): Country[] {
  const parsed = Papa.parse<string[]>(text.replace(/^\uFEFF/, ''), { header: false, skipEmptyLines: true });
  if (parsed.errors.length > 0) {
    const e = parsed.errors[0]!;
    throw new DataError({ dataset: DATASET, file, line: (e.row ?? 0) + 1, expected: `well-formed CSV (${e.message})` });
  }
  const [header, ...rows] = parsed.data;
  if (header?.join(',') !== COUNTRY_COLUMNS.join(',')) {
    throw new DataError({ dataset: DATASET, file, line: 1, value: header?.join(',') ?? '', expected: `header ${COUNTRY_COLUMNS.join(',')}` });
  }
  const seen = new Map<string, number>();
  return rows.map((cells, i) => {
    // Data cells never contain line breaks (checked below), so the row index gives the line.
    const line = i + 2;
    if (cells.length !== COUNTRY_COLUMNS.length) {
      throw new DataError({ dataset: DATASET, file, line, value: cells.join(','), expected: `${COUNTRY_COLUMNS.length} fields` });
    }
    const rec = {} as Record<(typeof COUNTRY_COLUMNS)[number], string | null>;
    COUNTRY_COLUMNS.forEach((col, j) => {
      const value = cells[j]!;
      const rule = COLUMN_RULES[col];
      if (value === '' && !rule.required) { rec[col] = null; return; }
      if (!rule.re.test(value) || /[\r\n]/.test(value)) {
        throw new DataError({ dataset: DATASET, file, line, column: col, value, expected: rule.expected });
      }
      if (col !== 'name_en' && col !== 'name_ja' && col !== 'iso3') {
        const key = `${col}=${value}`;
        const first = seen.get(key);
        if (first !== undefined) {
          throw new DataError({ dataset: DATASET, file, line, column: col, value, expected: `a value not already used (line ${first})` });
        }
        seen.set(key, line);
      }
      rec[col] = value;
    });
    return {
      iso2: rec.iso2!, iso3: rec.iso3!, nameEn: rec.name_en!, nameJa: rec.name_ja,
      mofCode: rec.mof_code, censusCode: rec.census_code, mofPressAbbr: rec.mof_press_abbr,
    };
  });
}

interface Index { all: readonly Country[]; byIso2: Map<string, Country>; byMof: Map<string, Country>; byCensus: Map<string, Country>; byPress: Map<string, Country> }
let index: Index | undefined;

// Loaded on first use: a small file, and the lookups are called from synchronous parser code.
function load(): Index {
  if (index) return index;
  const all = Object.freeze(parseCountriesCsv(fs.readFileSync(COUNTRIES_CSV_PATH, 'utf8'), COUNTRIES_CSV_PATH).map((c) => Object.freeze(c)));
  const by = (key: (c: Country) => string | null) => new Map(all.flatMap((c) => { const k = key(c); return k === null ? [] : [[k, c] as const]; }));
  index = { all, byIso2: by((c) => c.iso2), byMof: by((c) => c.mofCode), byCensus: by((c) => c.censusCode), byPress: by((c) => c.mofPressAbbr) };
  return index;
}

/**
 * The code system (ref.country_code.code_system) of each code column of ref/countries.csv. In the
 * database a country's codes are rows of ref.country_code (sql/071_country_codes.sql), so a
 * source with codes of its own adds a system and rows there, not a column to ref.country.
 */
export const CODE_SYSTEMS = { mofCode: 'mof', censusCode: 'census', mofPressAbbr: 'mof_press' } as const;

/** One row of ref.country_code. */
export interface CountryCode { codeSystem: string; code: string; iso2: string }

/**
 * Every country's code in every code system, as the rows of ref.country_code.
 * @example countryCodes().find((c) => c.codeSystem === 'mof' && c.code === '304')?.iso2 // 'US'
 */
export function countryCodes(): CountryCode[] {
  return allCountries().flatMap((c) => (Object.keys(CODE_SYSTEMS) as Array<keyof typeof CODE_SYSTEMS>)
    .flatMap((k) => (c[k] === null ? [] : [{ codeSystem: CODE_SYSTEMS[k], code: c[k]!, iso2: c.iso2 }])));
}

/**
 * All countries of ref/countries.csv, sorted by ISO code.
 * @example allCountries().length // 241
 */
export function allCountries(): readonly Country[] {
  return load().all;
}

/**
 * The country with this ISO 3166-1 alpha-2 code, if listed.
 * @example countryByIso2('JP')?.censusCode // '5880'
 */
export function countryByIso2(iso2: string): Country | undefined {
  return load().byIso2.get(iso2.trim().toUpperCase());
}

/**
 * Partner id for a MOF 3-digit country code: ISO2 when known, else `mof3:<code>`.
 * @example partnerFromMofCode('304') // 'US'
 */
export function partnerFromMofCode(code: string): string {
  const c = nonEmpty(code, 'MOF country code');
  return load().byMof.get(c)?.iso2 ?? `mof3:${c}`;
}

// The press release spells these groupings in parentheses in pg2 ("(ASEAN)", "(EU)") and
// without them in page titles ("( ASEAN )"): one partner id for both.
const PARENTHESISED_REGIONS = new Set(['ASEAN', 'EU']);
const WORLD_WORDS = new Set(['TOTAL', 'GRAND TOTAL', 'WORLD']);

/**
 * Partner id for a MOF press-release area abbreviation (`USA`, `R KOREA`, `(ASEAN)`): ISO2 for a country, `mof:<abbr>` for a region.
 * Title spellings are accepted too: `( USA )` → US, `( ASEAN )` → `mof:(ASEAN)`, `Grand Total` / `( World )` → WORLD.
 * @example partnerFromMofPressAbbr('R KOREA') // 'KR'
 */
export function partnerFromMofPressAbbr(abbr: string): string {
  const a = nonEmpty(abbr, 'MOF press area').replace(/\s+/g, ' ').toUpperCase();
  const inner = /^\(.*\)$/.test(a) ? a.slice(1, -1).trim() : a;
  if (WORLD_WORDS.has(inner)) return 'WORLD';
  const country = load().byPress.get(inner);
  if (country) return country.iso2;
  return `mof:${PARENTHESISED_REGIONS.has(inner) ? `(${inner})` : inner}`;
}

/**
 * Partner id for a Census Schedule C code: ISO2 for a country, `WORLD` for `-`, `census:<code>` for groupings and unknown codes.
 * @example partnerFromCensusCode('5880') // 'JP'
 */
export function partnerFromCensusCode(code: string): string {
  const c = nonEmpty(code, 'Census country code');
  if (c === '-') return 'WORLD';
  return load().byCensus.get(c)?.iso2 ?? `census:${c}`;
}

function nonEmpty(s: string, what: string): string {
  const t = s.trim();
  // An empty code is a parser bug, not a partner: `mof3:` would silently merge unrelated rows.
  if (t === '') throw new RangeError(`empty ${what}`);
  return t;
}
