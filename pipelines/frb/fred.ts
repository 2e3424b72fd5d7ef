/**
 * `frb.fred`: FRED's `fredgraph.csv` of an exchange-rate series (`DEXJPUS`, `DEXCHUS`,
 * monthly `EXJPUS`…): a header `observation_date,<ID>[,<ID>…]` (older files: `DATE,<ID>`), then
 * `YYYY-MM-DD,value` rows with an empty value (older files: `.`) for a day without a rate.
 * Monthly and annual series are dated on the first day of their period; they become `YYYY-MM`
 * and `YYYY` like H.10's.
 *
 * Accepted variants: the header in any letter case (`date,dexjpus`, as some tools write it; the
 * ids are upper-cased, with a notice). Refused: a daily series (DEX…) whose dates are not one
 * business day apart — FRED aggregated it on download (monthly rows dated the 1st, weekly…),
 * by average, sum or end of period, which the file does not say; loaded as daily it would
 * supersede real daily rates. A last row without a line ending (FRED ends every file with one)
 * means the file was cut short.
 *
 * Scope, as for H.10: `<ids sorted>:<D|M|A>:<first>..<last>` — FRED serves the whole history
 * unless asked for a range, so each download of the full series is its own vintage; changed
 * values supersede the current row of the same natural key whatever its scope.
 */
import type { Dataset, FxObservation, ReleaseFacts, ReleaseInput } from '../../src/core/vocabulary.js';
import { FRB_FRED } from '../dataset-meta.js';
import { DataError } from '../../src/core/errors.js';
import { cutShort, readCsv } from '../../src/parse/csv.js';
import { FRED_SERIES, type FredSeries } from './fred-series.js';
import { checkPeriod, PeriodSequence, type FxFrequency } from './period-sequence.js';
import { readRateCell } from './rate-cell.js';
import { discoverFred } from './discovery.js';

export const FRED_DATASET_ID = FRB_FRED.id;
const MISSING = ['', '.'] as const;

interface Column { index: number; series: string; def: FredSeries }

/**
 * Parses one FRED graph CSV into exchange-rate observations (streaming).
 * @example for await (const fx of parseFred(input, facts)) { … } // { series: 'DEXJPUS', base: 'USD', quote: 'JPY', frequency: 'D', period: '2025-04-21', rate: '140.81' }
 */
export async function* parseFred(input: ReleaseInput, facts: ReleaseFacts): AsyncIterable<FxObservation> {
  const dataset = input.dataset || FRED_DATASET_ID;
  const file = input.fileName;
  let columns: Column[] | undefined;
  let frequency: FxFrequency = 'D';
  let seq: PeriodSequence | undefined;
  let rows = 0;
  let values = 0;

  let prevDate: string | undefined;
  for await (const row of readCsv(input.stream(), { dataset, fileName: file, encoding: 'utf8' })) {
    const { line, fields } = row;
    const blank = fields.length === 1 && fields[0]!.trim() === '';
    if (!columns) {
      const first = fields[0]!.trim();
      if (!/^(observation_date|date)$/i.test(first)) {
        throw new DataError({
          dataset, file, line, column: '1', value: fields.join(',').slice(0, 80),
          expected: 'the FRED header observation_date,<SERIES ID> (or DATE,<SERIES ID> in older files)',
        });
      }
      if (fields.length < 2) throw new DataError({ dataset, file, line, value: fields.join(','), expected: 'at least one series id after the date column' });
      if ((first !== 'observation_date' && first !== 'DATE') || fields.slice(1).some((f) => f.trim() !== f.trim().toUpperCase())) {
        (facts.notices ??= []).push(`header ${JSON.stringify(fields.join(','))} read as ${first.toLowerCase() === 'date' ? 'DATE' : 'observation_date'},${fields.slice(1).map((f) => f.trim().toUpperCase()).join(',')} (FRED writes the series ids in upper case)`);
      }
      columns = fields.slice(1).map((raw, i) => {
        const series = raw.trim().toUpperCase();
        const def = FRED_SERIES[series];
        if (!def) {
          throw new DataError({
            dataset, file, line, column: String(i + 2), value: series,
            expected: `a FRED exchange-rate series whose direction is known (${Object.keys(FRED_SERIES).join(', ')}); add it to pipelines/frb/fred-series.ts with its direction`,
          });
        }
        return { index: i + 1, series, def };
      });
      const freqs = new Set(columns.map((c) => c.def.frequency));
      if (freqs.size !== 1) throw new DataError({ dataset, file, line, value: fields.join(','), expected: 'series of one frequency in one file' });
      frequency = columns[0]!.def.frequency;
      seq = new PeriodSequence({ dataset, file, column: fields[0]!.trim() });
      facts.title = `FRED exchange rates: ${columns.map((c) => c.series).join(', ')}`;
      continue;
    }
    if (blank) continue;
    if (row.unterminated) throw cutShort({ dataset, fileName: file }, row, 'FRED ends every file with a line ending');
    if (fields.length !== columns.length + 1) {
      throw new DataError({ dataset, file, line, value: fields.join(','), expected: `${columns.length + 1} fields (the date and one value per series)` });
    }
    const date = fields[0]!.trim();
    const bad = checkPeriod(date, 'D');
    if (bad) throw new DataError({ dataset, file, line, column: 'observation_date', value: fields[0]!, expected: bad });
    if (frequency === 'D' && prevDate !== undefined) {
      const aggregated = aggregation(prevDate, date);
      if (aggregated) {
        throw new DataError({
          dataset, file, line, column: 'observation_date', value: `${prevDate} then ${date}`,
          expected: `daily rates of ${columns.map((c) => c.series).join(', ')}, one row per weekday (at most 4 days apart); these dates are ${aggregated}: ` +
            'FRED aggregated the daily series when it was downloaded (by average, sum or end of period — the file does not say which), so it cannot be loaded as daily rates. ' +
            'Download it again with frequency Daily, or load FRED\'s published monthly average (EXJPUS, EXCHUS…)',
        });
      }
    }
    prevDate = date;
    const period = toPeriod(date, frequency);
    if (period === null) {
      throw new DataError({
        dataset, file, line, column: 'observation_date', value: date,
        expected: frequency === 'M' ? 'the first day of a month (FRED dates monthly averages YYYY-MM-01)' : 'the first day of a year (FRED dates annual averages YYYY-01-01)',
      });
    }
    if (!seq!.accept(period, fields, line)) continue;
    rows++;
    for (const c of columns) {
      const rate = readRateCell(fields[c.index]!, { base: c.def.base, quote: c.def.quote, missing: MISSING }, { dataset, file, line, column: c.series });
      if (rate === null) continue;
      values++;
      yield { series: c.series, base: c.def.base, quote: c.def.quote, frequency, period, rate };
    }
  }

  if (!columns) throw new DataError({ dataset, file, line: 1, expected: 'the FRED header observation_date,<SERIES ID> (the file is empty)' });
  if (!seq!.first) throw new DataError({ dataset, file, line: 2, expected: 'data rows after the header' });
  const series = columns.map((c) => c.series).sort();
  facts.scopeKey = `${series.join(',')}:${frequency}:${seq!.first}..${seq!.last}`;
  facts.scope = {
    series,
    pairs: columns.map((c) => `${c.def.base}/${c.def.quote}`),
    h10Equivalent: columns.map((c) => c.def.h10),
    frequency,
    from: seq!.first,
    to: seq!.last,
    periods: rows,
    values,
  };
}

/**
 * What two consecutive dates of a daily series say when they are too far apart for daily rates
 * (FRED lists every weekday, holidays with an empty value, so at most 3 days apart): the
 * aggregation FRED applied, in words; undefined when they are a daily step.
 * @example aggregation('2024-01-01', '2024-02-01') === 'the first of consecutive months (aggregated to monthly)'
 */
export function aggregation(prev: string, date: string): string | undefined {
  const days = Math.round((Date.parse(date) - Date.parse(prev)) / 86_400_000);
  if (days <= 4) return undefined;
  if (prev.endsWith('-01-01') && date.endsWith('-01-01') && days >= 365 && days <= 366) return 'the first of consecutive years (aggregated to annual)';
  if (prev.endsWith('-01') && date.endsWith('-01') && days >= 28 && days <= 31) return 'the first of consecutive months (aggregated to monthly)';
  if (days === 7) return 'one week apart (aggregated to weekly)';
  if (days === 14) return 'two weeks apart (aggregated to biweekly)';
  return `${days} days apart (not a daily series)`;
}

/** `2024-10-01` → `2024-10` (M) / `2024` (A); null when the date is not the period's first day. */
function toPeriod(date: string, frequency: FxFrequency): string | null {
  if (frequency === 'D') return date;
  if (frequency === 'M') return date.endsWith('-01') ? date.slice(0, 7) : null;
  return date.endsWith('-01-01') ? date.slice(0, 4) : null;
}

/** The FRED dataset: fredgraph.csv exchange-rate series, rows for fx.rate_history. */
export const fredDataset: Dataset<FxObservation> = {
  ...FRB_FRED,
  discover: discoverFred,
  parse: parseFred,
};
