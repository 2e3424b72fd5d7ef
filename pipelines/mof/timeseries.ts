/**
 * `mof.timeseries` — Japan Customs time-series CSVs (CP932, multi-row headers, numbers with a
 * trailing space, '-' = not published). Which file it is comes from the content, not the name:
 * - d41ma: world monthly export/import totals since 1979 → classification 'total', 'TOTAL',
 *   partner 'WORLD'. Months not yet published are 0 in this file, and a world total is never
 *   really 0, so a 0 is not an observation.
 * - d51ma (exports) / d61ma (imports): principal commodities, 7 header rows, column 2 the total
 *   value, then (quantity, value) pairs per code → classification 'mof_pc_export' /
 *   'mof_pc_import', code as text without quotes ('70503', '0+1', '0～9' for the all-commodity
 *   column, so it never shares a key with d41ma's TOTAL). A row whose total is 0 or '-' is an
 *   unpublished month and skipped whole; within a published row a 0 is a real 0.
 * Only what the file publishes is emitted (monthly); no aggregation. scopeKey = the file id.
 */
import type { Dataset, Flow, Observation, ReleaseFacts, ReleaseInput } from '../../src/core/vocabulary.js';
import { MOF_TIMESERIES } from '../dataset-meta.js';
import { DataError } from '../../src/core/errors.js';
import { cutShort, readCsv, type CsvRow } from '../../src/parse/csv.js';
import { scaleDecimal } from '../../src/parse/numbers.js';
import { discoverTimeseries } from './discovery.js';

const DATASET = MOF_TIMESERIES.id;

interface Series {
  code: string;
  label: string;
  /** Column of the value; the quantity is the column before it (none for the total column). */
  valueCol: number;
  qtyCol?: number;
  unit?: string;
}

/** Reads a cell: a whole number, null for '-' or blank, else a DataError. */
function cell(row: CsvRow, col: number, fileName: string, header: string): string | null {
  const raw = row.fields[col];
  if (raw === undefined) {
    throw new DataError({ dataset: DATASET, file: fileName, line: row.line, column: `${col + 1} (${header})`, value: '(missing)', expected: 'a field here (the row is shorter than the header)' });
  }
  const t = raw.trim();
  if (t === '-' || t === '') return null;
  if (!/^\d+$/.test(t)) {
    throw new DataError({ dataset: DATASET, file: fileName, line: row.line, column: `${col + 1} (${header})`, value: raw, expected: "a whole number (thousand yen or units, trailing space allowed) or '-'" });
  }
  return t.replace(/^0+(?=\d)/, '');
}

function monthOf(row: CsvRow, fileName: string): string {
  const m = /^(\d{4})\/(\d{2})$/.exec((row.fields[0] ?? '').trim());
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 12) {
    throw new DataError({ dataset: DATASET, file: fileName, line: row.line, column: '1 (Years/Months)', value: row.fields[0] ?? '', expected: 'a month like 2024/01' });
  }
  return `${m[1]}-${m[2]}`;
}

const headerError = (fileName: string, line: number, column: string, value: string, expected: string): DataError =>
  new DataError({ dataset: DATASET, file: fileName, line, column, value, expected });

/**
 * Parses d41ma / d51ma / d61ma into monthly observations.
 * @example for await (const o of parseTimeseries(input, facts)) rows.push(o)
 */
export async function* parseTimeseries(input: ReleaseInput, facts: ReleaseFacts): AsyncIterable<Observation> {
  const file = input.fileName;
  const head: CsvRow[] = [];
  let kind: 'd41ma' | 'd51ma' | 'd61ma' | undefined;
  let flow: Flow = 'export';
  let series: Series[] = [];
  let headerRows = 0;
  let count = 0;
  for await (const row of readCsv(input.stream(), { dataset: DATASET, fileName: file, encoding: 'cp932' })) {
    if (!kind) {
      head.push(row);
      if (head.length === 2) {
        const en = head[1]!.fields[0]!.trim();
        if (/^WORLD\s+Monthly Data\s+\(a thousand yen\)$/.test(en)) { kind = 'd41ma'; headerRows = 4; }
        else if (/^WORLD\s+Monthly Data\s+\(Export\)$/.test(en)) { kind = 'd51ma'; headerRows = 7; flow = 'export'; }
        else if (/^WORLD\s+Monthly Data\s+\(Import\)$/.test(en)) { kind = 'd61ma'; headerRows = 7; flow = 'import'; }
        else throw headerError(file, 2, '1', en, "the English title of a Customs time series: 'WORLD  Monthly Data  (a thousand yen)' (d41ma) or 'WORLD Monthly Data  (Export)'/'(Import)' (d51ma/d61ma)");
        facts.scopeKey = kind;
        facts.wholeSeries = true;
        facts.title = `${head[0]!.fields[0]!.trim()} / ${en}`;
        facts.stage = 'preliminary';
        facts.sourceStage = 'mixed (time series: recent months provisional, older months revised/fixed)';
      }
      continue;
    }
    if (head.length < headerRows) {
      head.push(row);
      if (head.length === headerRows) {
        series = kind === 'd41ma' ? d41Header(head, file) : commodityHeader(head, file);
        flow = kind === 'd61ma' ? 'import' : 'export';
      }
      continue;
    }
    if (row.fields.length === 1 && row.fields[0] === '') continue;
    if (row.unterminated) throw cutShort({ dataset: DATASET, fileName: file }, row, 'Customs time series end every row, the last one too, with a line ending');
    if (input.position) input.position.line = row.line;
    const period = monthOf(row, file);
    if (kind === 'd41ma') {
      if (row.fields.length !== 3) {
        throw new DataError({ dataset: DATASET, file, line: row.line, value: row.fields.join(','), expected: '3 fields (month, exports, imports): a thousands separator or a stray comma splits a number' });
      }
      for (const s of series) {
        const f: Flow = s.code === 'Exp-Total' ? 'export' : 'import';
        const v = cell(row, s.valueCol, file, s.code);
        if (v === null || v === '0') continue;
        count++;
        yield {
          reporter: 'JP', partner: 'WORLD', partnerSourceCode: 'WORLD', flow: f, period, frequency: 'M', classification: 'total',
          commodityCode: 'TOTAL', commodityLabel: s.label, measure: 'value', value: scaleDecimal(v, 3), unit: 'JPY',
          sourceValue: row.fields[s.valueCol]!.trim(), sourceUnit: 'thousand yen', basis: f === 'export' ? 'FOB' : 'CIF',
        };
      }
      continue;
    }
    if (row.fields.length < series[series.length - 1]!.valueCol + 1) {
      throw new DataError({ dataset: DATASET, file, line: row.line, value: `${row.fields.length} fields`, expected: `${series[series.length - 1]!.valueCol + 1} fields as in the header` });
    }
    const total = cell(row, 1, file, 'total');
    if (total === null || total === '0') continue;
    const classification = flow === 'export' ? 'mof_pc_export' : 'mof_pc_import';
    for (const s of series) {
      const base = { reporter: 'JP', partner: 'WORLD', partnerSourceCode: 'WORLD', flow, period, frequency: 'M' as const, classification, commodityCode: s.code, commodityLabel: s.label, basis: flow === 'export' ? 'FOB' : 'CIF' };
      if (s.qtyCol !== undefined) {
        const q = cell(row, s.qtyCol, file, `${s.code} quantity`);
        if (q !== null) {
          if (!s.unit) throw new DataError({ dataset: DATASET, file, line: row.line, column: `${s.qtyCol + 1} (${s.code} quantity)`, value: row.fields[s.qtyCol]!, expected: "'-': the header gives this code no quantity unit" });
          count++;
          yield { ...base, measure: 'quantity', value: q, unit: s.unit, sourceValue: row.fields[s.qtyCol]!.trim(), sourceUnit: s.unit };
        }
      }
      const v = cell(row, s.valueCol, file, `${s.code} value`);
      if (v !== null) {
        count++;
        yield { ...base, measure: 'value', value: scaleDecimal(v, 3), unit: 'JPY', sourceValue: row.fields[s.valueCol]!.trim(), sourceUnit: 'thousand yen' };
      }
    }
  }
  if (!kind) throw headerError(file, head.length + 1, '1', '', 'a Customs time-series CSV with its title rows (the file is empty or too short)');
  if (head.length < headerRows) throw headerError(file, head.length + 1, '1', '', `${headerRows} header rows before the data`);
  if (count === 0) throw headerError(file, headerRows + 1, '1', '', 'at least one published month');
}

function d41Header(head: CsvRow[], file: string): Series[] {
  const cols = head[2]!.fields.map((f) => f.trim());
  const want = ['Years/Months', 'Exp-Total', 'Imp-Total'];
  for (let i = 0; i < want.length; i++) {
    if (cols[i] !== want[i]) throw headerError(file, 3, String(i + 1), head[2]!.fields[i] ?? '(missing)', `the d41ma column header ${want.join(',')}`);
  }
  return [
    { code: 'Exp-Total', label: 'Exp-Total', valueCol: 1 },
    { code: 'Imp-Total', label: 'Imp-Total', valueCol: 2 },
  ];
}

function commodityHeader(head: CsvRow[], file: string): Series[] {
  const [, , names, names2, codes, labels, units] = head as [CsvRow, CsvRow, CsvRow, CsvRow, CsvRow, CsvRow, CsvRow];
  const u = units.fields.map((f) => f.trim());
  if (u[0] !== 'Years/Months') throw headerError(file, 7, '1', units.fields[0] ?? '', "'Years/Months' in the units row");
  if (u[1] !== '(千円)') throw headerError(file, 7, '2', units.fields[1] ?? '', "'(千円)' (thousand yen) for the total column");
  if ((labels.fields[1] ?? '').trim() !== '金額') throw headerError(file, 6, '2', labels.fields[1] ?? '', "'金額' (value) for the total column");
  const strip = (s: string): string => s.trim().replace(/'/g, '');
  const out: Series[] = [{ code: strip(codes.fields[1] ?? ''), label: (names.fields[1] ?? '').trim() || '総額', valueCol: 1 }];
  if (!out[0]!.code) throw headerError(file, 5, '2', codes.fields[1] ?? '', 'the code of the total column');
  const seen = new Set<string>([out[0]!.code]);
  for (let c = 2; c < u.length; c += 2) {
    const unitCell = u[c] ?? '';
    const unitMatch = /^\(単位(?:：(.+))?\)$/.exec(unitCell);
    if (!unitMatch) throw headerError(file, 7, String(c + 1), units.fields[c] ?? '', "a quantity unit like '(単位：NO)' or '(単位)'");
    if (u[c + 1] !== '(千円)') throw headerError(file, 7, String(c + 2), units.fields[c + 1] ?? '(missing)', "'(千円)' after each quantity unit");
    const lq = (labels.fields[c] ?? '').trim();
    const lv = (labels.fields[c + 1] ?? '').trim();
    if ((lq !== '' && lq !== '数量') || (lv !== '' && lv !== '金額')) throw headerError(file, 6, String(c + 1), `${lq},${lv}`, "the pair '数量','金額' (quantity, value)");
    const code = strip(codes.fields[c] ?? '');
    if (!code) throw headerError(file, 5, String(c + 1), codes.fields[c] ?? '', 'a principal-commodity code in quotes');
    if (seen.has(code)) throw headerError(file, 5, String(c + 1), codes.fields[c] ?? '', 'each code once');
    seen.add(code);
    const label = (names2.fields[c] ?? '').trim() || (names.fields[c] ?? '').trim() || code;
    out.push({ code, label, qtyCol: c, valueCol: c + 1, unit: unitMatch[1]?.trim() || undefined });
  }
  return out;
}

export const timeseriesDataset: Dataset = {
  ...MOF_TIMESERIES,
  discover: discoverTimeseries,
  parse: parseTimeseries,
};
