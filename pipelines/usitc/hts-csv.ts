/**
 * `usitc.hts`: the Harmonized Tariff Schedule of the United States as USITC exports it (the
 * archive's `hts_2025_revision_13_csv.csv`, the REST API's `exportList?…&format=CSV`): UTF-8 with
 * a BOM, CRLF, line breaks inside some quoted fields, and the columns
 * `HTS Number, Indent, Description, Unit of Quantity, General Rate of Duty, Special Rate of Duty,
 * Column 2 Rate of Duty, Quota Quantity, Additional Duties`. The JSON export of the same rows
 * (`format=JSON`, the archive's `…_json.json`) is read by hts-json.ts; `parseHts` tells them apart.
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
import { DataError } from '../../src/core/errors.js';
import { readCsvRecords } from './csv-records.js';
import { USITC_HTS } from './meta.js';
import type { HtsLine } from './tariff-target.js';
import { HTS_FIELDS, htsLines, type HtsColumnNames, type HtsRow } from './hts-lines.js';
import { headBytes } from '../../src/parse/sniff.js';
import { describeHtsRelease } from './revision.js';
import { parseHtsJson } from './hts-json.js';
import { discoverHts } from './discovery.js';

export const HTS_COLUMNS = ['HTS Number', 'Indent', 'Description', 'Unit of Quantity', 'General Rate of Duty', 'Special Rate of Duty',
  'Column 2 Rate of Duty', 'Quota Quantity', 'Additional Duties'] as const;
export { HTS_SCOPE_KEY } from './revision.js';
/** How the CSV names each field, for messages: its header, in the order of its columns. */
const CSV_COLUMNS = Object.fromEntries(HTS_FIELDS.map((field, i) => [field, HTS_COLUMNS[i]])) as HtsColumnNames;

/** The CSV's rows after its header, as the nine texts of every export format. */
async function* csvRows(input: ReleaseInput, dataset: string, file: string): AsyncIterable<HtsRow> {
  let header = false;
  for await (const { line, fields } of readCsvRecords(input.stream(), { dataset, fileName: file })) {
    if (!header) {
      HTS_COLUMNS.forEach((name, i) => {
        if ((fields[i] ?? '').trim() !== name) {
          throw new DataError({ dataset, file, line, column: name, value: fields[i] ?? '', expected: `the USITC export header ${HTS_COLUMNS.join(', ')}` });
        }
      });
      if (fields.length !== HTS_COLUMNS.length) throw new DataError({ dataset, file, line, value: fields.join(','), expected: `${HTS_COLUMNS.length} columns` });
      header = true;
      continue;
    }
    if (fields.length === 1 && fields[0] === '') continue; // a blank line (none in USITC's files, harmless)
    if (fields.length !== HTS_COLUMNS.length) {
      throw new DataError({ dataset, file, line, value: fields.join(',').slice(0, 120), expected: `${HTS_COLUMNS.length} fields (${HTS_COLUMNS.join(', ')}), found ${fields.length}` });
    }
    const [number, indent, description, units, general, special, column2, quota, additional] = fields as [string, string, string, string, string, string, string, string, string];
    yield { line, values: { number, indent, description, units, general, special, column2, quota, additional } };
  }
  if (!header) throw new DataError({ dataset, file, line: 1, expected: `the USITC export header ${HTS_COLUMNS.join(', ')}` });
}

/**
 * Parses one HTS CSV export into schedule lines (streaming).
 * @example for await (const l of parseHtsCsv(input, facts)) { … } // { lineKey: '8703.23.01', indent: '2', generalRate: '2.5%', generalAdValoremPct: '2.5', … }
 */
export async function* parseHtsCsv(input: ReleaseInput, facts: ReleaseFacts): AsyncIterable<HtsLine> {
  const dataset = input.dataset || USITC_HTS.id;
  describeHtsRelease(input, facts);
  yield* htsLines(csvRows(input, dataset, input.fileName), { dataset, file: input.fileName, columns: CSV_COLUMNS });
}

/**
 * Parses one HTS export, CSV or JSON, told apart by its first character (`[` opens the JSON array;
 * the CSV starts with its header), never by the file name.
 * @example for await (const l of parseHts(input, facts)) { … }
 */
export async function* parseHts(input: ReleaseInput, facts: ReleaseFacts): AsyncIterable<HtsLine> {
  const head = (await headBytes(input.stream, 64)).toString('utf8').replace(/^\uFEFF/, '').trimStart();
  if (head.startsWith('[')) yield* parseHtsJson(input, facts);
  else yield* parseHtsCsv(input, facts);
}

export const htsDataset: Dataset<HtsLine> = {
  ...USITC_HTS,
  discover: discoverHts,
  parse: parseHts,
};
