import type { FxObservation, Observation } from '../core/vocabulary.js';
import type { CopyValue } from '../db/connect.js';
import { isDecimal } from '../parse/numbers.js';

/**
 * Where a dataset's rows go and how they are keyed. The merge SQL is generated from this, so
 * trade observations and exchange rates get the same vintage-keeping logic.
 */
export interface Target<Row> {
  table: string;
  /** Natural key columns (the dataset column is always part of the key too). */
  keys: readonly string[];
  /** Other columns, in COPY order after the keys. */
  attrs: readonly string[];
  /** Columns whose change makes a new vintage (others, like labels, ride along). */
  changeCols: readonly string[];
  /** Column types for the staging table. */
  types: Record<string, string>;
  /** The row as COPY values (keys then attrs), or a reason it is malformed. */
  toCopy(row: Row): CopyValue[] | string;
}

const FREQ_PERIOD: Record<string, RegExp> = {
  M: /^\d{4}-(0[1-9]|1[0-2])$/,
  A: /^\d{4}$/,
  FY: /^FY\d{4}$/,
  H: /^\d{4}H[12]$/,
  YTD: /^\d{4}-(0[1-9]|1[0-2])$/,
  D: /^\d{4}-\d{2}-\d{2}$/,
};

/** Does the period's shape match its frequency? (Keeps calendar and fiscal years apart at the door.) */
export function periodFits(frequency: string, period: string): boolean {
  return FREQ_PERIOD[frequency]?.test(period) ?? false;
}

export const tradeTarget: Target<Observation> = {
  table: 'trade.observation_history',
  keys: ['reporter', 'partner', 'flow', 'period', 'frequency', 'classification', 'commodity_code', 'measure'],
  attrs: ['partner_source_code', 'commodity_label', 'value', 'unit', 'source_value', 'source_unit', 'basis'],
  changeCols: ['value', 'unit'],
  types: { value: 'numeric' },
  toCopy(o) {
    if (!o.reporter || !o.partner || !o.classification || o.commodityCode === undefined || o.commodityCode === '' || !o.unit) return 'a reporter, partner, classification, commodity code and unit';
    if (!['export', 'import', 'balance'].includes(o.flow)) return `flow export/import/balance, not ${o.flow}`;
    if (!periodFits(o.frequency, o.period)) return `a period shaped for frequency ${o.frequency}, not ${JSON.stringify(o.period)}`;
    if (typeof o.value !== 'string' || !isDecimal(o.value)) return `a decimal value string, not ${JSON.stringify(o.value)}`;
    return [o.reporter, o.partner, o.flow, o.period, o.frequency, o.classification, o.commodityCode, o.measure,
      o.partnerSourceCode ?? o.partner, o.commodityLabel ?? null, o.value, o.unit, o.sourceValue ?? null, o.sourceUnit ?? null, o.basis ?? null];
  },
};

export const fxTarget: Target<FxObservation> = {
  table: 'fx.rate_history',
  keys: ['series', 'frequency', 'period'],
  attrs: ['base', 'quote', 'rate'],
  changeCols: ['rate', 'base', 'quote'],
  types: { rate: 'numeric' },
  toCopy(r) {
    if (!r.series || !r.base || !r.quote) return 'a series, base and quote currency';
    if (!periodFits(r.frequency, r.period)) return `a period shaped for frequency ${r.frequency}, not ${JSON.stringify(r.period)}`;
    if (typeof r.rate !== 'string' || !isDecimal(r.rate) || !/[1-9]/.test(r.rate) || r.rate.startsWith('-')) return `a positive decimal rate, not ${JSON.stringify(r.rate)}`;
    return [r.series, r.frequency, r.period, r.base, r.quote, r.rate];
  },
};

/** The SQL statements of one merge, for a staging table `_stage` already filled. */
export function mergeSql(t: Target<unknown>): { createStage: string; duplicates: string; closeChanged: string; closeVanished: string; rescope: string; insert: string } {
  const cols = [...t.keys, ...t.attrs];
  const keyEq = t.keys.map((k) => `h.${k} = s.${k}`).join(' AND ');
  const changed = t.changeCols.map((c) => `h.${c} IS DISTINCT FROM s.${c}`).join(' OR ');
  return {
    createStage: `CREATE TEMP TABLE _stage (${cols.map((c) => `${c} ${t.types[c] ?? 'text'}`).join(', ')}) ON COMMIT DROP`,
    duplicates: `SELECT ${t.keys.join(', ')}, count(*)::int AS n FROM _stage GROUP BY ${t.keys.join(', ')} HAVING count(*) > 1 LIMIT 1`,
    closeChanged: `UPDATE ${t.table} h SET valid_to_release = $2 FROM _stage s
      WHERE h.dataset = $1 AND h.valid_to_release IS NULL AND ${keyEq} AND (${changed})`,
    closeVanished: `UPDATE ${t.table} h SET valid_to_release = $3
      WHERE h.dataset = $1 AND h.scope_key = $2 AND h.valid_to_release IS NULL
        AND NOT EXISTS (SELECT 1 FROM _stage s WHERE ${keyEq})`,
    rescope: `UPDATE ${t.table} h SET scope_key = $2 FROM _stage s
      WHERE h.dataset = $1 AND h.valid_to_release IS NULL AND h.scope_key <> $2 AND ${keyEq}`,
    insert: `INSERT INTO ${t.table} (dataset, scope_key, ${cols.join(', ')}, valid_from_release)
      SELECT $1, $2, ${cols.map((c) => `s.${c}`).join(', ')}, $3 FROM _stage s
      WHERE NOT EXISTS (SELECT 1 FROM ${t.table} h WHERE h.dataset = $1 AND h.valid_to_release IS NULL AND ${keyEq})`,
  };
}
