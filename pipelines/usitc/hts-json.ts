/**
 * `usitc.hts` as USITC's JSON export (`reststop/exportList?…&format=JSON`, the archive's
 * `hts_2026_revision_4_json.json`): one array of objects, one per schedule row, with the fields
 * `htsno`, `indent` (a string: "0"), `description`, `superior`, `units` (a list: ["No."]),
 * `general`, `special`, `other` (column 2), `footnotes`, `quotaQuantity`, `additionalDuties` and
 * USITC's misspelt twin `addiitionalDuties`.
 *
 * The rows are the CSV's rows, so they go through the same checks (hts-lines.ts) and give the
 * same lines: `units` is written back as the CSV writes it (`["No."]`), nulls are empty texts.
 * Not loaded: `superior` (the CSV has no such column, and the indents already say what a label
 * line heads) and `footnotes` (not in the CSV either: storing them from one format only would make
 * every line look revised when the other format of the same revision is loaded).
 */
import type { ReleaseFacts, ReleaseInput } from '../../src/core/vocabulary.js';
import { DataError } from '../../src/core/errors.js';
import { USITC_HTS } from './meta.js';
import type { HtsLine } from './tariff-target.js';
import { htsLines, type HtsColumnNames, type HtsField, type HtsRow } from './hts-lines.js';
import { readJsonArray } from './json-records.js';
import { describeHtsRelease } from './revision.js';

/** The JSON field of each row field; `additional` may also come as `addiitionalDuties` (USITC's spelling). */
const JSON_FIELDS: HtsColumnNames = {
  number: 'htsno', indent: 'indent', description: 'description', units: 'units', general: 'general',
  special: 'special', column2: 'other', quota: 'quotaQuantity', additional: 'additionalDuties',
};
const MISSPELT_ADDITIONAL = 'addiitionalDuties';

/** The JSON's elements as the nine texts of every export format. */
async function* jsonRows(input: ReleaseInput, dataset: string, file: string): AsyncIterable<HtsRow> {
  for await (const { row, line, value } of readJsonArray(input.stream(), { dataset, fileName: file })) {
    const fail = (column: string, found: unknown, expected: string): never => {
      throw new DataError({ dataset, file, line, row, column, value: typeof found === 'string' ? found : JSON.stringify(found) ?? 'undefined', expected });
    };
    if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('(row)', value, 'an object with the fields htsno, indent, description, …');
    const o = value as Record<string, unknown>;
    for (const required of ['htsno', 'indent', 'description'] as const) {
      if (!(required in o)) fail(required, undefined, `a field "${required}" in every row (the USITC JSON export has it)`);
    }
    const text = (field: string): string => {
      const v = o[field];
      if (v === undefined || v === null) return '';
      if (typeof v === 'string') return v;
      return fail(field, v, 'a text or null');
    };
    const indent = typeof o.indent === 'number' && Number.isInteger(o.indent) ? String(o.indent) : text('indent');
    const units = o.units;
    let unitsText = '';
    if (Array.isArray(units)) {
      if (!units.every((u) => typeof u === 'string')) fail('units', units, 'a list of unit names like ["No."] or ["doz.","kg"]');
      if (units.length) unitsText = JSON.stringify(units);
    } else if (units !== undefined && units !== null && units !== '') {
      fail('units', units, 'a list of unit names like ["No."] or ["doz.","kg"], or nothing');
    }
    const additional = text('additionalDuties');
    const misspelt = text(MISSPELT_ADDITIONAL);
    if (additional && misspelt && additional !== misspelt) {
      fail(MISSPELT_ADDITIONAL, misspelt, `no second, different additional duty: additionalDuties is ${JSON.stringify(additional)}`);
    }
    const values: Record<HtsField, string> = {
      number: text('htsno'), indent, description: text('description'), units: unitsText, general: text('general'),
      special: text('special'), column2: text('other'), quota: text('quotaQuantity'), additional: additional || misspelt,
    };
    yield { line, row, values };
  }
}

/**
 * Parses one HTS JSON export into schedule lines (streaming), the same lines as its CSV.
 * @example for await (const l of parseHtsJson(input, facts)) { … } // { lineKey: '8703.23.01', generalRate: '2.5%', … }
 */
export async function* parseHtsJson(input: ReleaseInput, facts: ReleaseFacts): AsyncIterable<HtsLine> {
  const dataset = input.dataset || USITC_HTS.id;
  describeHtsRelease(input, facts);
  yield* htsLines(jsonRows(input, dataset, input.fileName), { dataset, file: input.fileName, columns: JSON_FIELDS });
}
