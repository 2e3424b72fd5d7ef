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
  MTD: /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/,
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

/**
 * The SQL of a late merge: a release published BEFORE the newest loaded release of its scope
 * (a backfill fetching an older stage after a newer one). Its values are slotted into each key's
 * chain at its publication date, so `observation_as_of` answers as the publisher did then, while
 * the current values stay those of the newer release. For a key whose value at that date differs
 * (or that had none), the late row is valid from the late release until the next change of that
 * key or the next release of the scope, whichever was published first; the value it interrupted
 * resumes at the next release of the scope if it lasted beyond it.
 * Parameters — at: $1 dataset, $2 the late release's publication date; insertLate: $1 dataset,
 * $2 scope key, $3 late release id, $4 next release of the scope, $5 its publication date;
 * close: $1 late release id; insertResumed: $1 next release, $2 its publication date.
 * Keys the late release lacks are left alone (an older stage missing a key says nothing about
 * the stages around it).
 */
export function lateMergeSql(t: Target<unknown>): { at: string; close: string; insertLate: string; insertResumed: string } {
  const cols = [...t.keys, ...t.attrs];
  const keyEq = (a: string, b: string) => t.keys.map((k) => `${a}.${k} = ${b}.${k}`).join(' AND ');
  const changed = t.changeCols.map((c) => `h.${c} IS DISTINCT FROM s.${c}`).join(' OR ');
  return {
    at: `CREATE TEMP TABLE _at ON COMMIT DROP AS
      SELECT h.id, h.valid_to_release AS old_to, tr.published_on AS old_to_pub, ${t.keys.map((k) => `h.${k}`).join(', ')}
      FROM ${t.table} h
      JOIN etl.release fr ON fr.id = h.valid_from_release
      LEFT JOIN etl.release tr ON tr.id = h.valid_to_release
      WHERE h.dataset = $1 AND fr.published_on <= $2::date AND (h.valid_to_release IS NULL OR tr.published_on > $2::date)
        AND EXISTS (SELECT 1 FROM _stage s WHERE ${keyEq('h', 's')})`,
    insertLate: `INSERT INTO ${t.table} (dataset, scope_key, ${cols.join(', ')}, valid_from_release, valid_to_release)
      SELECT $1, $2, ${cols.map((c) => `s.${c}`).join(', ')}, $3,
             CASE WHEN a.old_to IS NOT NULL AND a.old_to_pub <= $5::date THEN a.old_to ELSE $4 END
      FROM _stage s
      LEFT JOIN _at a ON ${keyEq('a', 's')}
      LEFT JOIN ${t.table} h ON h.id = a.id
      WHERE a.id IS NULL OR (${changed})`,
    insertResumed: `INSERT INTO ${t.table} (dataset, scope_key, ${cols.join(', ')}, valid_from_release, valid_to_release)
      SELECT h.dataset, h.scope_key, ${cols.map((c) => `h.${c}`).join(', ')}, $1, a.old_to
      FROM _at a JOIN ${t.table} h ON h.id = a.id JOIN _stage s ON ${keyEq('a', 's')}
      WHERE (${changed}) AND (a.old_to IS NULL OR a.old_to_pub > $2::date) AND a.old_to IS DISTINCT FROM $1`,
    close: `UPDATE ${t.table} h SET valid_to_release = $1 FROM _at a, _stage s
      WHERE h.id = a.id AND ${keyEq('a', 's')} AND (${changed})`,
  };
}

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
