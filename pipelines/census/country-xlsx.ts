import type { Flow, Observation, ReleaseFacts, ReleaseInput } from '../../src/core/vocabulary.js';
import { CENSUS_COUNTRY } from '../dataset-meta.js';
import { DataError } from '../../src/core/errors.js';
import { readNumber, scaleDecimal } from '../../src/parse/numbers.js';
import { readXlsxSheet, type XlsxRow } from '../../src/parse/xlsx.js';
import { partnerFromCensusCode } from '../../src/ref/countries.js';

/**
 * Parser for Census `country.xlsx` (`census.country`): goods trade by country, monthly, $ millions,
 * not seasonally adjusted, every year since 1985 in one sheet `country`. The whole file is one
 * scope (`country.xlsx`): each monthly release rewrites it, so a newer file supersedes all of
 * an older one and figures that vanish (or move from year-to-date to a full year) are closed.
 *
 * Months not yet published are written as 0 in the latest year. Rule implemented:
 * 1. If the latest year has any non-zero monthly figure, it is published through the latest
 *    such month (exact: the World rows are never 0 in a published month). A release date in
 *    hints.publishedOn is then only a check: a month that had not ended by that date is an error.
 * 2. If the latest year has no monthly figure at all (an annual-only file), the release date
 *    decides: Census publishes month M early in month M+2, so a file published in month P covers
 *    months through P−2. The date is hints.publishedOn, else hints.asOf (the day discovery saw
 *    the file current — an upper bound, off by one month only in the first days of a month).
 * 3. Otherwise nothing of the latest year is published, and its annual columns must be 0.
 * Later months of the latest year are not observations (their 0 means "not yet"); zeros in
 * earlier years and in published months are true zeros. IYR/EYR of the latest year are year to
 * date (YTD, period = through-month) unless all twelve months are published (A).
 * Empty cells are "not in this file" and yield nothing (the constructed fixtures use them for
 * annual-only rows); the real file fills every cell.
 * A row with an empty year cell whose figures are all 0 (or empty) is padding some vintages
 * carry; it is skipped and counted (facts.notices, scope.skippedRows). An empty year with any
 * non-zero figure is refused: which year it belongs to cannot be known.
 * Numbers are read at 15 significant digits (src/parse/xlsx.ts), so a writer's binary noise
 * (75144.16083899999 $ millions) does not become a fractional-dollar value.
 */

const DATASET = CENSUS_COUNTRY.id;
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
/** The header of the real file, in order. */
export const COUNTRY_XLSX_COLUMNS = ['year', 'CTY_CODE', 'CTYNAME', ...MONTHS.map((m) => `I${m}`), 'IYR', ...MONTHS.map((m) => `E${m}`), 'EYR'];
export const COUNTRY_XLSX_SCOPE = 'country.xlsx';

/**
 * Reads country.xlsx and yields monthly (M) and annual (A) or year-to-date (YTD) observations.
 * @example for await (const o of parseCensusCountry({ dataset: 'census.country', fileName: 'country.xlsx', stream, bytes, hints: { publishedOn: '2025-02-05' } }, facts)) { … }
 */
export async function* parseCensusCountry(input: ReleaseInput, facts: ReleaseFacts): AsyncIterable<Observation> {
  const file = input.fileName;
  const maxBytes = typeof input.hints?.maxBytes === 'number' ? input.hints.maxBytes : undefined;
  const table = await readXlsxSheet(input.stream(), { dataset: DATASET, fileName: file, sheet: 'country', requiredColumns: COUNTRY_XLSX_COLUMNS, maxBytes, bytes: input.bytes });
  const col = (name: string) => table.index.get(name)!;
  const publishedOn = typeof input.hints?.publishedOn === 'string' ? input.hints.publishedOn : undefined;
  if (publishedOn !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(publishedOn)) {
    throw new DataError({ dataset: DATASET, file, value: publishedOn, expected: 'hints.publishedOn as an ISO date YYYY-MM-DD' });
  }

  const figureCols = COUNTRY_XLSX_COLUMNS.slice(3).map((c) => col(c));
  let skipped = 0;
  let firstSkipped: number | undefined;
  const rows = table.rows.filter((r) => {
    if (!r.cells.some((c) => c !== undefined && c.trim() !== '')) return false;
    if ((r.cells[col('year')] ?? '').trim() !== '') return true;
    const nonZero = figureCols.find((i) => { const v = (r.cells[i] ?? '').trim(); return v !== '' && readNumber(v, { missing: [] }) !== '0'; });
    if (nonZero !== undefined) fail(file, r, 'year', '', `a four-digit year: this row has figures (${COUNTRY_XLSX_COLUMNS[figureCols.indexOf(nonZero) + 3]} = ${r.cells[nonZero]}) but no year, so which year they belong to cannot be told`);
    skipped++;
    firstSkipped ??= r.row;
    return false;
  });
  if (skipped) (facts.notices ??= []).push(`skipped ${skipped} row${skipped === 1 ? '' : 's'} with an empty year and every figure 0 (first: row ${firstSkipped})`);
  const yearOf = (r: XlsxRow): string => {
    const y = (r.cells[col('year')] ?? '').trim();
    if (!/^\d{4}$/.test(y)) fail(file, r, 'year', y, 'a four-digit year');
    return y;
  };
  const num = (r: XlsxRow, name: string): { raw: string; value: string } | undefined => {
    const raw = r.cells[col(name)];
    if (raw === undefined || raw.trim() === '') return undefined;
    const value = readNumber(raw, { missing: [] });
    if (typeof value !== 'string') fail(file, r, name, raw, 'a number of $ millions');
    return { raw, value };
  };
  const nonZero = (v: { value: string } | undefined) => v !== undefined && /[1-9]/.test(v.value);

  // Pass 1 (the sheet is in memory anyway): how far the latest year is published.
  let latest = '0000';
  for (const r of rows) { const y = yearOf(r); if (y > latest) latest = y; }
  let dataThrough = 0;
  for (const r of rows) {
    if (yearOf(r) !== latest) continue;
    for (let m = 12; m > dataThrough; m--) {
      if (nonZero(num(r, `I${MONTHS[m - 1]}`)) || nonZero(num(r, `E${MONTHS[m - 1]}`))) { dataThrough = m; break; }
    }
  }
  let through = dataThrough;
  let rule = 'data';
  if (dataThrough > 0 && publishedOn && `${latest}-${pad(dataThrough)}` >= publishedOn.slice(0, 7)) {
    throw new DataError({ dataset: DATASET, file, value: `${latest}-${pad(dataThrough)}`, expected: `no figures for months that had not ended by the release date ${publishedOn}` });
  }
  const releaseDate = publishedOn ?? (typeof input.hints?.asOf === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(input.hints.asOf) ? input.hints.asOf : undefined);
  if (dataThrough === 0 && releaseDate) {
    const p = Number(releaseDate.slice(0, 4)) * 12 + Number(releaseDate.slice(5, 7)) - 1 - 2;
    const py = Math.floor(p / 12);
    through = py > Number(latest) ? 12 : py < Number(latest) ? 0 : (p % 12) + 1;
    rule = publishedOn ? 'publishedOn' : 'asOf';
  } else if (dataThrough === 0) {
    rule = 'none published';
  }

  facts.scopeKey = COUNTRY_XLSX_SCOPE;
  facts.wholeSeries = true;
  facts.title = 'U.S. trade in goods by country (country.xlsx), $ millions, not seasonally adjusted';
  if (publishedOn) facts.publishedOn = publishedOn;
  let years = { min: '9999', max: '0000' };
  let emitted = 0;
  let blanks = 0;

  for (const r of rows) {
    if (input.position) input.position.row = r.row;
    const year = yearOf(r);
    if (year < years.min) years = { ...years, min: year };
    if (year > years.max) years = { ...years, max: year };
    const code = ctyCode(r, col('CTY_CODE'), file);
    const partner = partnerFromCensusCode(code);
    const isLatest = year === latest;
    for (const [letter, flow] of [['I', 'import'], ['E', 'export']] as Array<[string, Flow]>) {
      const base = {
        reporter: 'US', partner, partnerSourceCode: code, flow, classification: 'total', commodityCode: 'TOTAL',
        commodityLabel: null, measure: 'value' as const, unit: 'USD', sourceUnit: '$ millions',
        basis: flow === 'import' ? 'general imports' : 'f.a.s.',
      };
      for (let m = 1; m <= 12; m++) {
        const name = `${letter}${MONTHS[m - 1]}`;
        const v = num(r, name);
        if (!v) { blanks++; continue; }
        if (isLatest && m > through) {
          if (nonZero(v)) fail(file, r, name, v.raw, `0 for a month not yet published (published through ${latest}-${pad(through)})`);
          continue;
        }
        emitted++;
        yield { ...base, period: `${year}-${pad(m)}`, frequency: 'M', value: scaleDecimal(v.value, 6), sourceValue: v.raw };
      }
      const yrName = `${letter}YR`;
      const yr = num(r, yrName);
      if (!yr) { blanks++; continue; }
      if (isLatest && through === 0) {
        if (nonZero(yr)) fail(file, r, yrName, yr.raw, `0, since no month of ${year} is published${releaseDate ? ` by ${releaseDate}` : ' (give the release date as hints.publishedOn for an annual-only file)'}`);
        continue;
      }
      const full = !isLatest || through === 12;
      emitted++;
      yield { ...base, period: full ? year : `${year}-${pad(through)}`, frequency: full ? 'A' : 'YTD', value: scaleDecimal(yr.value, 6), sourceValue: yr.raw };
    }
  }
  if (emitted === 0) {
    throw new DataError({ dataset: DATASET, file, row: 2, expected: 'at least one country row with figures in sheet "country"' });
  }
  facts.scope = {
    years: [years.min, years.max], latestYear: latest,
    latestYearPublishedThrough: through ? `${latest}-${pad(through)}` : null, publishedMonthsRule: rule,
    rows: rows.length, observations: emitted, blankCells: blanks, skippedRows: skipped,
  };
}

function ctyCode(r: XlsxRow, idx: number, file: string): string {
  let code = (r.cells[idx] ?? '').trim();
  // A code stored as a number loses its zeros (4 for 0004); Schedule C codes are four characters.
  if (/^\d{1,3}$/.test(code)) code = code.padStart(4, '0');
  if (!/^[0-9A-Z]{4}$/.test(code)) fail(file, r, 'CTY_CODE', code, 'a four-character Census Schedule C code (5880, 0004, 5XXX…)');
  return code;
}

function pad(m: number): string {
  return String(m).padStart(2, '0');
}

function fail(file: string, r: XlsxRow, column: string, value: string, expected: string): never {
  throw new DataError({ dataset: DATASET, file, row: r.row, column, value, expected });
}
