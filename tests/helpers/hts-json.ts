/**
 * USITC's JSON export built from a real CSV export of the same revision (no real JSON file is in
 * ../shared/data): every value is the CSV's, in the JSON layout described in pipelines/usitc/hts-json.ts.
 * `superior` is null and `footnotes` empty on every row: the CSV does not carry them, and nothing
 * here makes them up. Independent of the parser under test: papaparse over the whole file.
 */
import fs from 'node:fs';
import Papa from 'papaparse';

export type HtsJsonRow = Record<string, unknown>;

/** The rows of a USITC CSV export as JSON export objects. */
export function htsCsvToJsonRows(csvFile: string): HtsJsonRow[] {
  const text = fs.readFileSync(csvFile, 'utf8').replace(/^\uFEFF/, '');
  const { data } = Papa.parse<string[]>(text, { newline: '\r\n', skipEmptyLines: true });
  return data.slice(1).map(([htsno, indent, description, units, general, special, other, quota, additional]) => ({
    htsno, indent, description, superior: null, units: units ? JSON.parse(units!) as string[] : [],
    general, special, other, footnotes: [], quotaQuantity: quota || null, additionalDuties: additional || null, addiitionalDuties: null,
  }));
}

/** Writes rows as USITC's one-line JSON, or one element per line (`pretty`). */
export function writeHtsJson(file: string, rows: HtsJsonRow[], opts: { pretty?: boolean } = {}): string {
  fs.writeFileSync(file, opts.pretty ? `[\n${rows.map((r) => JSON.stringify(r)).join(',\n')}\n]\n` : JSON.stringify(rows));
  return file;
}
