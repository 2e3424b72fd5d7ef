/**
 * The schedule's rows, whatever the export format, as tariff lines. USITC exports the same rows
 * as CSV (`HTS Number, Indent, …`) and as JSON (`htsno`, `indent`, …); each format's reader
 * (hts-csv.ts, hts-json.ts) only turns its rows into the nine texts below, so both formats are
 * checked by the same rules and give the very same lines — a revision loaded as JSON and then as
 * CSV changes nothing.
 */
import { DataError } from '../../src/core/errors.js';
import type { HtsLine } from './tariff-target.js';
import { adValoremPct, additionPct } from './rate-text.js';
import { BadDatePhrase, effectiveDates } from './effective-date.js';

/** The fields of one schedule row, as both exports carry them, in the CSV's column order. */
export const HTS_FIELDS = ['number', 'indent', 'description', 'units', 'general', 'special', 'column2', 'quota', 'additional'] as const;
export type HtsField = typeof HTS_FIELDS[number];

/** One row of an export: its texts ('' for empty), and where it is for messages. */
export interface HtsRow {
  /** 1-based physical line the row starts on. */
  line: number;
  /** 1-based position in the JSON array; CSV rows are named by their line alone. */
  row?: number;
  values: Record<HtsField, string>;
}

/** How a format names each field in messages (`Indent` in the CSV, `indent` in the JSON). */
export type HtsColumnNames = Record<HtsField, string>;

const HTS_NUMBER = /^\d{4}(?:\.\d{2}){0,3}$/;
/**
 * Chapters a whole schedule has at least: 01-99 less reserved chapter 77 is 98. A release
 * supersedes the whole schedule, so a partial export (exportList with a narrower from/to) would
 * make every line outside it look dropped; it is refused instead.
 */
const MIN_CHAPTERS = 97;

function unitsOk(text: string): boolean {
  try {
    const v = JSON.parse(text) as unknown;
    return Array.isArray(v) && v.every((u) => typeof u === 'string'); // [""] occurs in the real files: kept as written
  } catch {
    return false;
  }
}

/**
 * Checks the rows of one export and makes them schedule lines: keys for unnumbered label lines,
 * parents from the indents, rates and effective dates read where unambiguous, and at the end the
 * check that the export is the whole schedule.
 * @example for await (const l of htsLines(rows, { dataset: 'usitc.hts', file: 'hts.csv', columns })) { … }
 */
export async function* htsLines(rows: AsyncIterable<HtsRow>, opts: { dataset: string; file: string; columns: HtsColumnNames }): AsyncIterable<HtsLine> {
  const { dataset, file, columns } = opts;
  let lastNumber = '';
  let unnumbered = 0;
  const seen = new Set<string>();
  const stack: Array<{ indent: number; key: string }> = [];
  let lines = 0;
  let last: HtsRow | undefined;
  const chapters = new Set<string>();

  for await (const r of rows) {
    const v = r.values;
    const fail = (field: HtsField, expected: string): never => {
      throw new DataError({ dataset, file, line: r.line, row: r.row, column: columns[field], value: v[field], expected });
    };
    const number = v.number.trim();
    if (number !== '' && !HTS_NUMBER.test(number)) fail('number', 'an HTS number (NNNN, NNNN.NN, NNNN.NN.NN or NNNN.NN.NN.NN) or nothing for a label line');
    if (!/^\d{1,2}$/.test(v.indent.trim())) fail('indent', 'an indent level, a whole number 0-99');
    if (v.units.trim() !== '' && !unitsOk(v.units)) fail('units', 'a JSON list of unit names like ["No."] or ["doz.","kg"], or nothing');
    if (v.description.trim() === '' && number === '') fail('description', 'a description (a line with neither number nor description says nothing)');

    let lineKey: string;
    if (number) {
      if (seen.has(number)) fail('number', 'each HTS number once per revision');
      seen.add(number);
      chapters.add(number.slice(0, 2));
      lastNumber = number;
      unnumbered = 0;
      lineKey = number;
    } else {
      lineKey = `${lastNumber}+${++unnumbered}`;
    }
    const indent = Number(v.indent.trim());
    while (stack.length && stack[stack.length - 1]!.indent >= indent) stack.pop();
    const parentKey = stack.length ? stack[stack.length - 1]!.key : null;
    stack.push({ indent, key: lineKey });

    let dates: { from: string | null; before: string | null } = { from: null, before: null };
    try {
      dates = effectiveDates(v.description);
    } catch (err) {
      if (err instanceof BadDatePhrase) fail('description', `a real date in "${err.phrase}"`);
      throw err;
    }
    const text = (s: string) => (s.trim() === '' ? null : s);
    lines++;
    last = r;
    yield {
      lineKey, htsNumber: number || null, indent: String(indent), parentKey, description: v.description,
      unitOfQuantity: text(v.units), generalRate: text(v.general), specialRate: text(v.special), column2Rate: text(v.column2),
      quotaQuantity: text(v.quota), additionalDuties: text(v.additional),
      generalAdValoremPct: adValoremPct(text(v.general)), generalAdditionalPct: additionPct(text(v.general)),
      effectiveFrom: dates.from, effectiveBefore: dates.before,
    };
  }
  if (!last) throw new DataError({ dataset, file, line: 2, expected: 'schedule lines, but the file has none' });
  if (chapters.size < MIN_CHAPTERS || !chapters.has('01') || !chapters.has('99')) {
    const list = [...chapters].sort();
    throw new DataError({
      dataset, file, line: last.line, row: last.row, value: `${list.length} chapter${list.length === 1 ? '' : 's'}${list.length ? ` (${list[0]}..${list.at(-1)})` : ''}`,
      expected: `the whole schedule, chapters 01 to 99 (at least ${MIN_CHAPTERS}): each release supersedes the whole schedule, so a partial export would make every line outside it look dropped; export from=0101 to=9999`,
    });
  }
}
