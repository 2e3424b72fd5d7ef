/**
 * `frb.h10`: the Federal Reserve Data Download Program CSV of the H.10 release (noon buying
 * rates in New York). Six quoted header lines, found by their trimmed labels and ended by the
 * `Time Period` line, then unquoted data rows `period,value,value…` with `ND` (or an empty
 * field) for a period without a rate.
 *
 * Scope: one release covers a set of series at one frequency over the range of periods it
 * carries, so its scopeKey is `<series ids sorted, comma-joined>:<D|M|A>:<first>..<last>` (e.g.
 * `RXI_N.B.CH,RXI_N.B.JA:D:2024-01-01..2025-05-09`). The same download made again (a revision)
 * gets the same key and supersedes the earlier vintage, closing values it no longer carries;
 * a download of another range is another scope and never closes rows outside its own range.
 * Where two scopes overlap, the merge closes a current row whose value an incoming release
 * changes by its natural key (dataset, series, frequency, period), whatever its scope, so there
 * is still one current value per day. The key is complete only once the file has been read to
 * the end (the last period is the last row).
 *
 * Accepted with a notice naming what was normalized, because nothing in them is ambiguous: a
 * file re-saved by a spreadsheet (header quotes dropped, dates written `1971/1/4` — year first,
 * so month and day cannot be swapped — spaces around cells), and a file that kept only the
 * `Time Period` line of its header when every series id there is a known H.10 exchange rate
 * whose id fixes its direction and currency. Refused: dates with the year last (`1/2/19`: day
 * and month cannot be told apart), thousands separators, unknown series, series that are not
 * exchange rates (indexes such as `JRXWTFB_N.B`), and a last row cut short.
 */
import type { Dataset, FxObservation, ReleaseFacts, ReleaseInput } from '../../src/core/vocabulary.js';
import { FRB_H10 } from '../dataset-meta.js';
import { DataError } from '../../src/core/errors.js';
import { readCsv } from '../../src/parse/csv.js';
import { H10_COUNTRY_CURRENCY, parseH10SeriesId, resolveDirection } from './h10-series.js';
import { checkPeriod, PeriodSequence, type FxFrequency } from './period-sequence.js';
import { readRateCell } from './rate-cell.js';
import { tapHead } from './raw-head.js';
import { discoverH10 } from './discovery.js';

export const H10_DATASET_ID = FRB_H10.id;

/** The six header lines, by normalized label, with the wording used in messages. */
const HEADER_LABELS: ReadonlyArray<readonly [string, string]> = [
  ['series description', 'Series Description'],
  ['unit', 'Unit:'],
  ['multiplier', 'Multiplier:'],
  ['currency', 'Currency:'],
  ['unique identifier', 'Unique Identifier:'],
  ['time period', 'Time Period'],
];
const KNOWN = new Set(HEADER_LABELS.map(([k]) => k));
/** The header is six lines; a few more are tolerated (unknown label lines are skipped). */
const MAX_HEADER_LINES = 12;
const HEAD_BYTES = 256 * 1024;
const MISSING = ['ND', ''] as const;

interface Column { index: number; series: string; base: string; quote: string }

/** `"Unique Identifier: "` and `"Unique Identifier:"` are the same label; so are `Currency` and `Currency:`. */
function normLabel(cell: string): string {
  return cell.trim().replace(/:$/, '').trim().replace(/\s+/g, ' ').toLowerCase();
}

function looksLikeData(cell: string): boolean {
  return /^\d/.test(cell.trim());
}

/**
 * Parses one H.10 Data Download Program CSV into exchange-rate observations (streaming).
 * Sets facts.scopeKey/scope/title; throws DataError on anything that does not match the layout.
 * @example for await (const fx of parseH10(input, facts)) { … } // fx = { series: 'RXI_N.B.JA', base: 'USD', quote: 'JPY', frequency: 'D', period: '2025-04-21', rate: '140.81' }
 */
export async function* parseH10(input: ReleaseInput, facts: ReleaseFacts): AsyncIterable<FxObservation> {
  const dataset = input.dataset || H10_DATASET_ID;
  const file = input.fileName;
  const tap = tapHead(input.stream(), HEAD_BYTES);
  const header = new Map<string, { line: number; fields: string[] }>();
  let columns: Column[] | undefined;
  let frequency: FxFrequency = 'D';
  let seq: PeriodSequence | undefined;
  let rows = 0;
  let values = 0;
  const notices = new Set<string>();
  const notice = (text: string): void => { notices.add(text); };
  let prevCells: string[] = [];

  for await (const row of readCsv(tap.stream, { dataset, fileName: file, encoding: 'utf8' })) {
    const { line, fields } = row;
    const blank = fields.length === 1 && fields[0]!.trim() === '';
    if (!columns) {
      if (blank) continue;
      const label = normLabel(fields[0]!);
      if (label === 'time period') {
        header.set(label, { line, fields });
        if (!headerQuoted(tap.head(), line)) notice('header lines without their quotes (as a spreadsheet writes them when it re-saves the file) read by their labels');
        columns = buildColumns(header, { dataset, file }, notice);
        frequency = columnFrequency(columns, header, { dataset, file });
        seq = new PeriodSequence({ dataset, file, column: 'Time Period' });
        const series = columns.map((c) => c.series);
        facts.title = `H.10 exchange rates: ${series.join(', ')} (${frequency === 'D' ? 'daily' : frequency === 'M' ? 'monthly averages' : 'annual averages'})`;
        continue;
      }
      if (KNOWN.has(label)) {
        if (header.has(label)) {
          throw new DataError({ dataset, file, line, column: '1', value: fields[0]!, expected: `the header line ${JSON.stringify(fields[0]!.trim())} once (it already appeared on line ${header.get(label)!.line})` });
        }
        header.set(label, { line, fields });
        continue;
      }
      if (looksLikeData(fields[0]!) || line > MAX_HEADER_LINES) {
        throw missingHeader(header, { dataset, file, line, value: fields.join(',') });
      }
      continue; // a label line this parser does not use
    }

    if (blank) continue; // the final newline, when there is one
    if (fields.length !== columns.length + 1) {
      throw new DataError({
        dataset, file, line, value: fields.join(','),
        expected: `${columns.length + 1} fields (the period and one value for each of ${columns.map((c) => c.series).join(', ')}); ` +
          (row.unterminated ? 'the last row is incomplete: the file was cut short' : 'a thousands separator or a stray comma splits a value'),
      });
    }
    if (row.unterminated) checkLastRow(fields, prevCells, notices.size > 0, { dataset, file, line }, columns);
    prevCells = fields;
    if (fields.some((f) => f !== f.trim())) notice('spaces around cells trimmed');
    let period = fields[0]!.trim();
    const slashed = /^(\d{4})\/(\d{1,2})(?:\/(\d{1,2}))?$/.exec(period);
    if (slashed && (frequency === 'D') === (slashed[3] !== undefined)) {
      period = [slashed[1], slashed[2]!.padStart(2, '0'), slashed[3]?.padStart(2, '0')].filter(Boolean).join('-');
      notice(`dates written year first with slashes (${fields[0]!.trim()}) read as ISO dates (${period})`);
    }
    const bad = checkPeriod(period, frequency);
    if (bad) throw new DataError({ dataset, file, line, column: 'Time Period', value: fields[0]!, expected: bad });
    if (!seq!.accept(period, fields, line)) continue;
    rows++;
    for (const c of columns) {
      const rate = readRateCell(fields[c.index]!, { base: c.base, quote: c.quote, missing: MISSING }, { dataset, file, line, column: c.series });
      if (rate === null) continue;
      values++;
      yield { series: c.series, base: c.base, quote: c.quote, frequency, period, rate };
    }
  }

  if (!columns) throw missingHeader(header, { dataset, file });
  if (!seq!.first) {
    throw new DataError({ dataset, file, line: header.get('time period')!.line + 1, expected: 'data rows after the Time Period line (the file has a header but no periods)' });
  }
  if (notices.size) facts.notices = [...(facts.notices ?? []), ...[...notices].map((n) => `normalized: ${n}`)];
  const series = columns.map((c) => c.series).sort();
  facts.scopeKey = `${series.join(',')}:${frequency}:${seq!.first}..${seq!.last}`;
  facts.scope = {
    series,
    pairs: columns.map((c) => `${c.base}/${c.quote}`),
    frequency,
    from: seq!.first,
    to: seq!.last,
    periods: rows,
    values,
    multiplier: 'ignored (H.10 multipliers are unreliable; magnitudes are validated instead)',
  };
}

/** Does every header line keep the quotes the Data Download Program writes? (A spreadsheet drops them.) */
function headerQuoted(head: Buffer, timePeriodLine: number): boolean {
  const lines = head.toString('utf8').replace(/^\uFEFF/, '').split(/\r?\n/);
  const complete = head.length < HEAD_BYTES ? lines.length : lines.length - 1; // the last piece may be cut
  for (let i = 0; i < Math.min(timePeriodLine, complete); i++) {
    const text = lines[i]!;
    if (text.trim() !== '' && !text.startsWith('"')) return false;
  }
  return true;
}

/**
 * The last row of a file with no final line ending (the DDP writes none) may have been cut
 * mid-number. Only its last cell can be incomplete: refuse it empty (a series ending in an
 * empty cell would still have its comma-separated neighbours), and, in a file as the DDP wrote
 * it (fixed decimals), with fewer decimals than the same column in the row before.
 */
function checkLastRow(fields: string[], prev: string[], normalized: boolean, at: { dataset: string; file: string; line: number }, columns: Column[]): void {
  const decimals = (v: string | undefined) => /^\d+(\.\d*)?$/.test((v ?? '').trim()) ? ((v ?? '').trim().split('.')[1] ?? '').length : undefined;
  const c = columns[columns.length - 1]!;
  const v = fields[c.index]!;
  const before = decimals(prev[c.index]);
  const now = decimals(v);
  const cut = v.trim() === '' ? prev.length > 0 && (prev[c.index] ?? '').trim() !== '' : !normalized && before !== undefined && now !== undefined && now < before;
  if (cut) {
    throw new DataError({
      ...at, column: c.series, value: v,
      expected: `a complete value in the last row (the row before has ${JSON.stringify(prev[c.index] ?? '')}); the file ends here mid-number or mid-row, so it was cut short — download it again`,
    });
  }
}

function missingHeader(header: Map<string, { line: number }>, at: { dataset: string; file: string; line?: number; value?: string }): DataError {
  const missing = HEADER_LABELS.filter(([k]) => !header.has(k)).map(([, w]) => w);
  return new DataError({
    ...at,
    expected: `the six H.10 header lines (${HEADER_LABELS.map(([, w]) => w).join(', ')}) before the data; missing: ${missing.join(', ')}` +
      (missing.length ? ' (a spreadsheet may have dropped them when re-saving the file)' : ''),
  });
}

function buildColumns(header: Map<string, { line: number; fields: string[] }>, where: { dataset: string; file: string }, notice: (text: string) => void): Column[] {
  const tp = header.get('time period')!;
  const missing = HEADER_LABELS.filter(([k]) => !header.has(k));
  const width = tp.fields.length;
  if (width < 2) {
    throw new DataError({ ...where, line: tp.line, value: tp.fields.join(','), expected: 'at least one series id after "Time Period"' });
  }
  for (const [k, w] of HEADER_LABELS) {
    const h = header.get(k);
    if (h && h.fields.length !== width) {
      throw new DataError({
        ...where, line: h.line, column: w, value: h.fields.join(',').slice(0, 120),
        expected: `${width} cells like the Time Period line (a description containing commas lost its quotes?)`,
      });
    }
  }
  const unit = header.get('unit');
  const currency = header.get('currency');
  const uid = header.get('unique identifier');
  const seen = new Set<string>();
  const cols: Column[] = [];
  for (let i = 1; i < width; i++) {
    const id = tp.fields[i]!.trim();
    const sid = parseH10SeriesId(id);
    if (!sid) {
      throw new DataError({
        ...where, line: tp.line, column: String(i + 1), value: id,
        expected: 'an H.10 exchange-rate series id, RXI_N.<B|M|A>.<country> (foreign units per USD) or RXI$US_N.<B|M|A>.<country> (USD per foreign unit); the direction of any other series is unknown',
      });
    }
    if (seen.has(id)) throw new DataError({ ...where, line: tp.line, column: String(i + 1), value: id, expected: 'each series once' });
    seen.add(id);
    const u = uid?.fields[i]!.trim();
    if (uid && u !== id && !u!.endsWith(`/${id}`)) {
      throw new DataError({ ...where, line: uid.line, column: id, value: u, expected: `the unique identifier of ${id} (H10/H10/${id})` });
    }
    let unitCell = unit?.fields[i]!.trim();
    let currencyCell = currency?.fields[i]!.trim();
    if (unitCell === undefined || currencyCell === undefined) {
      // Without its Unit:/Currency: lines a column is read only when its id says everything.
      const known = H10_COUNTRY_CURRENCY[sid!.country];
      if (!known || known.length !== 1) {
        throw new DataError({
          ...where, line: tp.line, column: String(i + 1), value: id,
          expected: `the header lines ${missing.map(([, w]) => w).join(', ')} (missing): without them only a series whose id names one currency can be read, and ${id} ${known ? `may price ${known.join(' or ')}` : 'is not a known H.10 country code'}`,
        });
      }
      const foreign = known![0]!;
      unitCell ??= sid!.dollarsPerForeign ? `Currency:_Per_${foreign}` : 'Currency:_Per_USD';
      currencyCell ??= sid!.dollarsPerForeign ? 'USD' : foreign;
    }
    const dir = resolveDirection(unitCell, currencyCell, sid!);
    if ('problem' in dir) {
      throw new DataError({ ...where, line: (unit ?? tp).line, column: id, value: `${unitCell} / ${currencyCell}`, expected: `a known direction of the rate: ${dir.problem}` });
    }
    cols.push({ index: i, series: id, base: dir.base, quote: dir.quote });
  }
  if (missing.length) {
    notice(`header lines ${missing.map(([, w]) => w).join(', ')} missing: direction and currency taken from the series ids (${cols.map((c) => `${c.series} = ${c.quote} per ${c.base}`).join('; ')})`);
  }
  return cols;
}

function columnFrequency(cols: Column[], header: Map<string, { line: number; fields: string[] }>, where: { dataset: string; file: string }): FxFrequency {
  const freqs = new Set(cols.map((c) => parseH10SeriesId(c.series)!.frequency));
  if (freqs.size !== 1) {
    const tp = header.get('time period')!;
    throw new DataError({ ...where, line: tp.line, value: cols.map((c) => c.series).join(','), expected: 'series of one frequency (all .B., all .M. or all .A.)' });
  }
  return [...freqs][0]!;
}

/** The H.10 dataset: Data Download Program CSV, rows for fx.rate_history. */
export const h10Dataset: Dataset<FxObservation> = {
  ...FRB_H10,
  discover: discoverH10,
  parse: parseH10,
};
