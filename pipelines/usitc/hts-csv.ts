/**
 * `usitc.hts`: the Harmonized Tariff Schedule of the United States as USITC exports it (the
 * archive's `hts_2025_revision_13_csv.csv`, the REST API's `exportList?…&format=CSV`): UTF-8 with
 * a BOM, CRLF, line breaks inside some quoted fields, and the columns
 * `HTS Number, Indent, Description, Unit of Quantity, General Rate of Duty, Special Rate of Duty,
 * Column 2 Rate of Duty, Quota Quantity, Additional Duties`.
 *
 * Every row becomes one line of tariff.line_history: numbered lines (heading `8703`, subheading
 * `8703.23`, tariff line `8703.23.01`, statistical line `8703.23.01.10`) and the unnumbered label
 * lines between them (`Horses:`). Rate texts are kept verbatim; a plain `N%`/`Free` and a chapter-99
 * addition (`The duty provided in the applicable subheading + 25%`) are also read as numbers, and
 * an effective date written in the description ("entries on or after April 3, 2025") as a date.
 *
 * Scope: each release is the whole schedule as of one revision, so every release has the scope key
 * `HTSUS` and the newer revision supersedes the older one line by line (a line it drops is closed);
 * the revision itself (`2025-r13`) is in the release's scope details and title. A revision loaded
 * after a newer one joins the history at its publication date (the engine's late merge). For the
 * same reason a partial export (a few chapters) is refused rather than read as the schedule.
 */
import type { Dataset, ReleaseFacts, ReleaseInput } from '../../src/core/vocabulary.js';
import { DataError, PermanentError } from '../../src/core/errors.js';
import { readCsvRecords } from './csv-records.js';
import { USITC_HTS } from './meta.js';
import type { HtsLine } from './tariff-target.js';
import { adValoremPct, additionPct } from './rate-text.js';
import { BadDatePhrase, effectiveDates } from './effective-date.js';
import { revisionFromFileName, revisionFromId, revisionFromReleaseName, type HtsRevision } from './revision.js';
import { discoverHts } from './discovery.js';

export const HTS_COLUMNS = ['HTS Number', 'Indent', 'Description', 'Unit of Quantity', 'General Rate of Duty', 'Special Rate of Duty',
  'Column 2 Rate of Duty', 'Quota Quantity', 'Additional Duties'] as const;
/** Every release is the whole schedule: see the module comment. */
export const HTS_SCOPE_KEY = 'HTSUS';
const HTS_NUMBER = /^\d{4}(?:\.\d{2}){0,3}$/;
/**
 * Chapters a whole schedule has at least: 01-99 less reserved chapter 77 is 98. A release
 * supersedes the whole schedule, so a partial export (exportList with a narrower from/to) would
 * make every line outside it look dropped; it is refused instead.
 */
const MIN_CHAPTERS = 97;

/** Which revision a release is: discovery's hint, else the USITC file name; never guessed from the content. */
function revisionOf(input: ReleaseInput): HtsRevision {
  const h = input.hints ?? {};
  const r = (typeof h.revision === 'string' ? revisionFromId(h.revision) : undefined)
    ?? (typeof h.releaseName === 'string' ? revisionFromReleaseName(h.releaseName) : undefined)
    ?? revisionFromFileName(input.fileName);
  if (!r) {
    throw new PermanentError(
      `${input.dataset}: cannot tell which HTS revision ${input.fileName} is (the CSV does not say): keep USITC's file name ` +
      '(hts_2025_revision_13_csv.csv, hts_2026_basic_csv.csv) or fetch it with `trade-etl refresh --source usitc`; nothing loaded',
      { dataset: input.dataset, file: input.fileName });
  }
  return r;
}

function unitsOk(text: string): boolean {
  try {
    const v = JSON.parse(text) as unknown;
    return Array.isArray(v) && v.every((u) => typeof u === 'string'); // [""] occurs in the real files: kept as written
  } catch {
    return false;
  }
}

/**
 * Parses one HTS CSV export into schedule lines (streaming).
 * @example for await (const l of parseHtsCsv(input, facts)) { … } // { lineKey: '8703.23.01', indent: '2', generalRate: '2.5%', generalAdValoremPct: '2.5', … }
 */
export async function* parseHtsCsv(input: ReleaseInput, facts: ReleaseFacts): AsyncIterable<HtsLine> {
  const dataset = input.dataset || USITC_HTS.id;
  const file = input.fileName;
  const revision = revisionOf(input);
  facts.scopeKey = HTS_SCOPE_KEY;
  facts.scope = { revision: revision.id, releaseName: revision.releaseName, year: revision.year, number: revision.number };
  facts.title = revision.title;
  facts.sourceStage = revision.number ? `Revision ${revision.number}` : 'Basic Edition';

  let header = false;
  let lastNumber = '';
  let unnumbered = 0;
  const seen = new Set<string>();
  const stack: Array<{ indent: number; key: string }> = [];
  let lines = 0;
  let lastLine = 1;
  const chapters = new Set<string>();

  for await (const { line, fields } of readCsvRecords(input.stream(), { dataset, fileName: file })) {
    const fail = (column: number, expected: string): never => {
      throw new DataError({ dataset, file, line, column: HTS_COLUMNS[column] ?? String(column + 1), value: fields[column] ?? '', expected });
    };
    if (!header) {
      HTS_COLUMNS.forEach((name, i) => {
        if ((fields[i] ?? '').trim() !== name) fail(i, `the USITC export header ${HTS_COLUMNS.join(', ')}`);
      });
      if (fields.length !== HTS_COLUMNS.length) throw new DataError({ dataset, file, line, value: fields.join(','), expected: `${HTS_COLUMNS.length} columns` });
      header = true;
      continue;
    }
    if (fields.length === 1 && fields[0] === '') continue; // a blank line (none in USITC's files, harmless)
    if (fields.length !== HTS_COLUMNS.length) {
      throw new DataError({ dataset, file, line, value: fields.join(',').slice(0, 120), expected: `${HTS_COLUMNS.length} fields (${HTS_COLUMNS.join(', ')}), found ${fields.length}` });
    }
    const [num, indentText, description, units, general, special, column2, quota, additional] = fields as [string, string, string, string, string, string, string, string, string];
    const number = num.trim();
    if (number !== '' && !HTS_NUMBER.test(number)) fail(0, 'an HTS number (NNNN, NNNN.NN, NNNN.NN.NN or NNNN.NN.NN.NN) or nothing for a label line');
    if (!/^\d{1,2}$/.test(indentText.trim())) fail(1, 'an indent level, a whole number 0-99');
    if (units.trim() !== '' && !unitsOk(units)) fail(3, 'a JSON list of unit names like ["No."] or ["doz.","kg"], or nothing');
    if (description.trim() === '' && number === '') fail(2, 'a description (a line with neither number nor description says nothing)');

    let lineKey: string;
    if (number) {
      if (seen.has(number)) fail(0, 'each HTS number once per revision');
      seen.add(number);
      chapters.add(number.slice(0, 2));
      lastNumber = number;
      unnumbered = 0;
      lineKey = number;
    } else {
      lineKey = `${lastNumber}+${++unnumbered}`;
    }
    const indent = Number(indentText.trim());
    while (stack.length && stack[stack.length - 1]!.indent >= indent) stack.pop();
    const parentKey = stack.length ? stack[stack.length - 1]!.key : null;
    stack.push({ indent, key: lineKey });

    let dates: { from: string | null; before: string | null };
    try {
      dates = effectiveDates(description);
    } catch (err) {
      if (err instanceof BadDatePhrase) fail(2, `a real date in "${err.phrase}"`);
      throw err;
    }
    const text = (s: string) => (s.trim() === '' ? null : s);
    lines++;
    lastLine = line;
    yield {
      lineKey, htsNumber: number || null, indent: String(indent), parentKey, description,
      unitOfQuantity: text(units), generalRate: text(general), specialRate: text(special), column2Rate: text(column2),
      quotaQuantity: text(quota), additionalDuties: text(additional),
      generalAdValoremPct: adValoremPct(text(general)), generalAdditionalPct: additionPct(text(general)),
      effectiveFrom: dates!.from, effectiveBefore: dates!.before,
    };
  }
  if (!header) throw new DataError({ dataset, file, line: 1, expected: `the USITC export header ${HTS_COLUMNS.join(', ')}` });
  if (!lines) throw new DataError({ dataset, file, line: 2, expected: 'schedule lines after the header, but the file has none' });
  if (chapters.size < MIN_CHAPTERS || !chapters.has('01') || !chapters.has('99')) {
    const list = [...chapters].sort();
    throw new DataError({
      dataset, file, line: lastLine, value: `${list.length} chapter${list.length === 1 ? '' : 's'}${list.length ? ` (${list[0]}..${list.at(-1)})` : ''}`,
      expected: `the whole schedule, chapters 01 to 99 (at least ${MIN_CHAPTERS}): each release supersedes the whole schedule, so a partial export would make every line outside it look dropped; export from=0101 to=9999`,
    });
  }
}

export const htsDataset: Dataset<HtsLine> = {
  ...USITC_HTS,
  discover: discoverHts,
  parse: parseHtsCsv,
};
