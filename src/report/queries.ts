/**
 * The report's data, read from the metrics views (sql/020_metrics.sql, 021_claims.sql) and the fx
 * views (sql/010_fx.sql). Nothing here knows a figure: which year, partner, series or date a chart
 * is about comes from the claim registry (metrics.claim), and every value from a view. Numbers
 * arrive as decimal text, already scaled to the unit the chart shows (trillion yen, billion
 * dollars); the charts turn them into plot positions and print the text as it came. The queries
 * are Kysely over the declared views (src/db/trade-schema.ts), computed columns as `sql`
 * fragments; which dataset a figure comes from is a source's to say (SourceDescriptor.report).
 */
import type { Session } from '../db/connect.js';
import { run, etlBuilder } from '../db/etl-schema.js';
import type { FxLookupRow } from '../db/trade-schema.js';
import { reportDataset } from '../engine/registry.js';

type Q = Pick<Session, 'query'>;

/** Release ids as numbers, whatever form the driver returns (bigint text, number, array text). */
function ids(rows: Array<{ release_id: unknown }>): number[] {
  const out = new Set<number>();
  for (const r of rows) if (r.release_id !== null && r.release_id !== undefined) out.add(Number(r.release_id));
  return [...out].sort((a, b) => a - b);
}

function str(v: unknown): string | null {
  return v === null || v === undefined ? null : String(v);
}

// 1. Japan's annual exports --------------------------------------------------------------------

export interface AnnualExportsYear {
  year: number;
  /** Exports in trillion yen, 3 decimals, as text. */
  trnJpy: string;
  marked: boolean;
  /** No earlier year in the series was higher (metrics.jp_exports_record). */
  recordThen: boolean;
}

export interface AnnualExports {
  years: AnnualExportsYear[];
  /** The claim's year (metrics.claim jp_exports_record_since_1979), marked in the chart. */
  markYear: number | null;
  method: string | null;
  releaseIds: number[];
}

/**
 * Japan's exports per complete calendar year, summed from the monthly totals of the dataset a
 * source names for it (SourceDescriptor.report.annualExports: mof.timeseries, d41ma).
 * @example (await annualExports(db)).years[0] // { year: 1979, trnJpy: '22.532', marked: false, recordThen: true }
 */
export async function annualExports(db: Q): Promise<AnnualExports> {
  const { q, sql } = await etlBuilder();
  const dataset = reportDataset('annualExports');
  const claimYear = q.selectFrom('metrics.claim as c').select(sql<number>`c.period::int`.as('year')).where('c.id', '=', 'jp_exports_record_since_1979');
  const rows = dataset === undefined ? [] : await run(db, q.selectFrom('metrics.jp_trade_annual as t')
    .leftJoin('metrics.jp_exports_record as r', (j) => j.onRef('r.year', '=', 't.year').onRef('r.dataset', '=', 't.dataset').onRef('r.method', '=', 't.method'))
    .select((eb) => [
      't.year', sql<string>`trim_scale(round(t.value_jpy / 1e12, 3))::text`.as('trn_jpy'),
      eb.fn.coalesce(eb('t.year', '=', claimYear), sql<boolean>`false`).as('marked'),
      eb.fn.coalesce('r.is_record_through_year', sql<boolean>`false`).as('record_then'), 't.method',
    ])
    .where('t.dataset', '=', dataset).where('t.method', '=', 'sum of 12 monthly figures').where('t.flow', '=', 'export')
    .where('t.year_kind', '=', 'calendar').where('t.months', '=', 12)
    .orderBy('t.year'));
  const mark = await run(db, claimYear);
  const years = rows.map((r) => ({ year: Number(r.year), trnJpy: String(r.trn_jpy), marked: r.marked === true, recordThen: r.record_then === true }));
  // Every release any summed month came from (the view names only the newest).
  const rel = years.length ? await run(db, q.selectFrom('trade.observation as o').select('o.release_id').distinct()
    .where('o.dataset', '=', dataset!).where('o.reporter', '=', 'JP').where('o.partner', '=', 'WORLD').where('o.flow', '=', 'export')
    .where('o.frequency', '=', 'M').where('o.measure', '=', 'value').where('o.unit', '=', 'JPY').where('o.classification', '=', 'total')
    .where('o.commodity_code', '=', 'TOTAL')
    .where((eb) => eb.between(sql<number>`substr(o.period, 1, 4)::int`, years[0]!.year, years[years.length - 1]!.year))) : [];
  return {
    years,
    markYear: mark[0]?.year === undefined || mark[0]?.year === null ? null : Number(mark[0].year),
    method: str(rows[0]?.method),
    releaseIds: ids(rel),
  };
}

// 2. Japan's exports to the USA by principal commodity -----------------------------------------

export interface CommodityLine {
  label: string;
  /** A sub-item of the line above it in MOF's table: "(CAR)", "(BUS&TRUCK)". */
  subItem: boolean;
  groupId: string | null;
  trnJpy: string;
  sharePct: string | null;
}

export interface UsExportsByCommodity {
  period: string | null;
  partnerName: string | null;
  lines: CommodityLine[];
  /** Shares of all exports to the partner, percent, 1 decimal, computed from the values. */
  shares: { motorVehicles: string; parts: string; autosAndParts: string; rest: string; totalTrnJpy: string } | null;
  releaseIds: number[];
}

/** How many commodity lines the chart shows at most (the auto lines always). */
export const MAX_COMMODITY_LINES = 12;

/**
 * Japan's exports to the claim's partner (USA) by MOF principal commodity for the claim's year.
 * @example (await usExportsByCommodity(db)).shares?.autosAndParts // '33.8'
 */
export async function usExportsByCommodity(db: Q): Promise<UsExportsByCommodity> {
  const { q, sql } = await etlBuilder();
  const claim = await run(db, q.selectFrom('metrics.claim as c')
    .select(['c.period', sql<string | null>`c.series ->> 'partner'`.as('partner')]).where('c.id', '=', 'jp_autos_share_of_us_exports'));
  const period = str(claim[0]?.period);
  const partner = str(claim[0]?.partner);
  if (!period || !partner) return { period, partnerName: null, lines: [], shares: null, releaseIds: [] };
  // Section headings ("8 TRANSPORT EQUIPMENT") repeat their items' sums; the chart shows items.
  const lines = await run(db, q
    .with('l', (w) => w.selectFrom('metrics.jp_principal_commodity as p').selectAll('p')
      .select(sql<number>`row_number() OVER (ORDER BY p.value_jpy DESC NULLS LAST)`.as('n'))
      .where('p.partner', '=', partner).where('p.flow', '=', 'export').where('p.frequency', '=', 'A').where('p.period', '=', period)
      .where('p.value_jpy', 'is not', null).where('p.commodity_code', '!~', '^[0-9]+ '))
    .selectFrom('l')
    .select((eb) => [
      'l.commodity_label', eb('l.commodity_code', 'like', '(%').as('sub_item'), 'l.group_id', 'l.partner_name',
      sql<string>`trim_scale(round(l.value_jpy / 1e12, 4))::text`.as('trn_jpy'), sql<string | null>`round(l.share_pct, 1)::text`.as('share_pct'), 'l.release_id',
    ])
    .where((eb) => eb.or([eb('l.n', '<=', MAX_COMMODITY_LINES), eb('l.group_id', 'is not', null)]))
    .orderBy('l.value_jpy', 'desc'));
  const share = await run(db, q.selectFrom('metrics.jp_auto_export_share as s')
    .select([
      sql<string>`round(s.autos_share_pct, 1)::text`.as('mv'), sql<string>`round(s.autos_parts_share_pct - s.autos_share_pct, 1)::text`.as('parts'),
      sql<string>`round(s.autos_parts_share_pct, 1)::text`.as('both'), sql<string>`round(100 - s.autos_parts_share_pct, 1)::text`.as('rest'),
      sql<string>`trim_scale(round(s.total_exports_jpy / 1e12, 2))::text`.as('total'), 's.release_id',
    ])
    .where('s.partner', '=', partner).where('s.year_kind', '=', 'calendar').where('s.period', '=', period).where('s.autos_parts_share_pct', 'is not', null));
  const s = share[0];
  return {
    period,
    partnerName: str(lines[0]?.partner_name),
    lines: lines.map((r) => ({
      label: String(r.commodity_label), subItem: r.sub_item === true, groupId: str(r.group_id),
      trnJpy: String(r.trn_jpy), sharePct: str(r.share_pct),
    })),
    shares: s ? { motorVehicles: String(s.mv), parts: String(s.parts), autosAndParts: String(s.both), rest: String(s.rest), totalTrnJpy: String(s.total) } : null,
    releaseIds: ids([...lines, ...share]),
  };
}

// 3. US passenger-car imports by country --------------------------------------------------------

export interface CarImportRow {
  rank: number;
  partnerName: string;
  bnUsd: string;
  sharePct: string | null;
  rankIsCertain: boolean;
  /** A country one of the article's claims is about (Mexico, Japan). */
  claimed: boolean;
}

export interface UsCarImports {
  period: string | null;
  series: string | null;
  worldBnUsd: string | null;
  rows: CarImportRow[];
  releaseIds: number[];
}

/**
 * US imports of passenger cars by country in the series and year the claims pin, ranked.
 * @example (await usCarImports(db)).rows[1] // { rank: 2, partnerName: 'Japan', bnUsd: '39.936', … }
 */
export async function usCarImports(db: Q): Promise<UsCarImports> {
  const { q, sql } = await etlBuilder();
  const claims = ['us_car_imports_mexico', 'us_car_imports_japan'];
  const rows = await run(db, q
    .with('pin', (w) => w.selectFrom('metrics.claim as c').distinct()
      .select([
        sql<string>`c.series ->> 'dataset'`.as('dataset'), sql<string>`c.series ->> 'classification'`.as('classification'),
        sql<string>`c.series ->> 'commodity_code'`.as('commodity_code'), 'c.period',
      ])
      .where('c.id', 'in', claims))
    .with('claimed', (w) => w.selectFrom('metrics.claim as c').select(sql<string>`c.series ->> 'partner'`.as('partner')).where('c.id', 'in', claims))
    .selectFrom('metrics.us_car_imports_by_country as v')
    .innerJoin('pin', (j) => j.onRef('v.dataset', '=', 'pin.dataset').onRef('v.classification', '=', 'pin.classification')
      .onRef('v.commodity_code', '=', 'pin.commodity_code').onRef('v.period', '=', 'pin.period'))
    .select((eb) => [
      'v.rank', 'v.partner_name', sql<string>`trim_scale(round(v.value_usd / 1e9, 3))::text`.as('bn_usd'),
      sql<string | null>`round(v.share_of_world_pct, 1)::text`.as('share_pct'), eb.fn.coalesce('v.rank_is_certain', sql<boolean>`false`).as('certain'),
      eb('v.partner', 'in', eb.selectFrom('claimed').select('claimed.partner')).as('claimed'), 'v.period', 'v.series',
      sql<string | null>`trim_scale(round(v.world_value_usd / 1e9, 3))::text`.as('world_bn'), 'v.release_id',
    ])
    .where('v.frequency', '=', 'A').where('v.partner_kind', '=', 'country')
    .orderBy('v.rank').orderBy('v.partner_name'));
  return {
    period: str(rows[0]?.period),
    series: str(rows[0]?.series),
    worldBnUsd: str(rows[0]?.world_bn),
    rows: rows.map((r) => ({
      rank: Number(r.rank), partnerName: String(r.partner_name), bnUsd: String(r.bn_usd), sharePct: str(r.share_pct),
      rankIsCertain: r.certain === true, claimed: r.claimed === true,
    })),
    releaseIds: ids(rows),
  };
}

// 4. The US–Japan goods balance, both sides ------------------------------------------------------

export interface BalanceBar {
  year: number;
  /** Which side and dataset: the legend entry. */
  view: string;
  /** The imbalance in Japan's favour (US deficit = Japanese surplus), billion dollars. */
  bnUsd: string;
  /** How a yen figure was converted (rate, series, basis), for the table under the chart. */
  conversion: string | null;
  /** The US side from the dataset a source names for the balance (SourceDescriptor.report.usBalance): drawn in the primary colour. */
  primary: boolean;
}

export interface UsJapanBalance {
  bars: BalanceBar[];
  /** The article's claimed US deficit, in its unit (bn USD), from metrics.claim. */
  claimedBnUsd: string | null;
  claimText: string | null;
  releaseIds: number[];
  fxReleaseIds: number[];
}

/**
 * The US goods balance with Japan (Census) and Japan's balance with the US (MOF, yen converted to
 * dollars at the Federal Reserve annual average), both as the imbalance in Japan's favour.
 * @example (await usJapanBalance(db)).bars.find((b) => b.year === 2024)?.bnUsd
 */
export async function usJapanBalance(db: Q): Promise<UsJapanBalance> {
  const { q, sql } = await etlBuilder();
  const claim = await run(db, q.selectFrom('metrics.claim as c')
    .select([sql<string | null>`c.article_value::text`.as('v'), 'c.article_text', 'c.unit', sql<string | null>`c.series ->> 'partner'`.as('partner')])
    .where('c.id', '=', 'us_deficit_with_japan'));
  const partner = str(claim[0]?.partner);
  if (!partner) return { bars: [], claimedBnUsd: null, claimText: null, releaseIds: [], fxReleaseIds: [] };
  // Calendar years only on both sides: MOF's fiscal-year figures (FY) are a different period.
  const rows = await run(db, q.selectFrom('metrics.us_goods_balance_by_partner as b')
    .select([
      'b.year', sql<string>`'US view: Census ' || b.dataset`.as('view'),
      sql<string>`trim_scale(round(-b.balance_usd / 1e9, 3))::text`.as('bn_usd'), sql<string | null>`NULL::text`.as('conversion'),
      sql<string | null>`NULL::text`.as('rate_dataset'), 'b.release_id', 'b.dataset',
    ])
    .where('b.partner', '=', partner).where('b.balance_usd', 'is not', null)
    .unionAll(q.selectFrom('metrics.annual_converted as a')
      .select([
        sql<number>`a.period::int`.as('year'), sql<string>`'Japanese view: MOF ' || a.dataset || ', yen in dollars'`.as('view'),
        sql<string>`trim_scale(round(a.converted_value / 1e9, 3))::text`.as('bn_usd'),
        sql<string | null>`format('%s trn JPY at %s JPY per USD (%s, %s, %s)', trim_scale(round(a.value / 1e12, 4)),
                  round(1 / a.rate, 2), a.rate_series, a.rate_dataset, a.rate_basis)`.as('conversion'),
        'a.rate_dataset', 'a.release_id', 'a.dataset',
      ])
      .where('a.metric', '=', 'jp_trade_by_partner').where('a.reporter', '=', partner).where('a.partner', '=', 'US')
      .where('a.figure', '=', 'balance').where('a.year_kind', '=', 'calendar').where('a.to_currency', '=', 'USD').where('a.converted_value', 'is not', null))
    .orderBy(sql`1`).orderBy(sql`2`));
  // The daily rates behind each converted year's average.
  const converted = rows.filter((r) => r.rate_dataset);
  const years = [...new Set(converted.map((r) => Number(r.year)))];
  const datasets = [...new Set(converted.flatMap((r) => String(r.rate_dataset).split('+')))];
  const fx = years.length ? await run(db, q.selectFrom('fx.usd_daily as u').select('u.release_id').distinct()
    .where('u.currency', '=', 'JPY').where(sql<number>`extract(year FROM u.date)::int`, '=', sql<number>`ANY (${years}::int[])`)
    .where('u.dataset', '=', sql<string>`ANY (${datasets}::text[])`)) : [];
  const usBalance = reportDataset('usBalance');
  return {
    bars: rows.map((r) => ({
      year: Number(r.year), view: String(r.view), bnUsd: String(r.bn_usd), conversion: str(r.conversion),
      primary: r.conversion === null && r.dataset === usBalance,
    })),
    claimedBnUsd: str(claim[0]?.v),
    claimText: str(claim[0]?.article_text),
    releaseIds: ids(rows),
    fxReleaseIds: ids(fx),
  };
}

// 5. The yen–dollar rate around the article's date -----------------------------------------------

export interface RateDay {
  date: string;
  jpyPerUsd: string;
  source: string;
}

export interface YenDollar {
  referenceDate: string | null;
  days: RateDay[];
  /** The rate used on the article's date (that day's, else the previous day with one). */
  onReference: { rate: string; dateUsed: string; series: string } | null;
  /** Yen per dollar implied by the article's conversion (341 ¥/kg ≈ $2.30). */
  impliedByArticle: { rate: string; text: string } | null;
  /** The annual average the balance chart converts with (the latest year it converts). */
  annualAverage: { year: string; rate: string; basis: string } | null;
  releaseIds: number[];
}

/**
 * Daily yen per dollar (fx.usd_daily) from two months before to one month after the article's date.
 * @example (await yenDollar(db)).onReference // { rate: '140.81', dateUsed: '2025-04-21', series: 'RXI_N.B.JA' }
 */
export async function yenDollar(db: Q): Promise<YenDollar> {
  const { q, sql } = await etlBuilder();
  const ref = await run(db, q.selectFrom('metrics.claim as c').select(sql<string | null>`min(c.reference_date)::text`.as('d'))
    .where((eb) => eb.or([eb(sql<string>`c.series ->> 'from'`, '=', 'JPY'), eb(sql<string>`c.series ->> 'to'`, '=', 'JPY')])));
  const referenceDate = str(ref[0]?.d);
  if (!referenceDate) return { referenceDate, days: [], onReference: null, impliedByArticle: null, annualAverage: null, releaseIds: [] };
  const days = await run(db, q.selectFrom('fx.usd_daily as u')
    .select([
      sql<string>`u.date::text`.as('date'), sql<string>`trim_scale(u.per_usd)::text`.as('jpy'), sql<string>`u.dataset || ' ' || u.series`.as('source'), 'u.release_id',
    ])
    .where('u.currency', '=', 'JPY')
    .where((eb) => eb.between('u.date', sql<Date>`(${referenceDate}::date - interval '2 months')::date`, sql<Date>`(${referenceDate}::date + interval '1 month')::date`))
    .orderBy('u.date'));
  const on = await run(db, q.selectFrom(sql<FxLookupRow>`fx.lookup('USD', 'JPY', ${referenceDate}::date)`.as('l'))
    .select([sql<string>`trim_scale(round(l.rate, 4))::text`.as('rate'), sql<string>`l.date_used::text`.as('date_used'), 'l.series'])
    .where('l.rate', 'is not', null));
  const implied = await run(db, q.selectFrom('metrics.claim as c')
    .select([
      sql<string>`round(c.input_value / c.article_value, 2)::text`.as('rate'),
      sql<string>`format('%s %s = %s %s in the article', c.input_value, c.input_unit, c.article_value, c.unit)`.as('text'),
    ])
    .where('c.id', '=', 'rice_tariff_usd').where(sql<string>`c.series ->> 'from'`, '=', 'JPY').where(sql<string>`c.series ->> 'to'`, '=', 'USD')
    .where('c.article_value', '>', sql<string>`0`));
  const avg = await run(db, q.selectFrom('fx.usd_period as p')
    .select(['p.period', sql<string>`round(p.rate, 2)::text`.as('rate'), sql<string>`p.rate_basis || ', ' || p.dataset || ' ' || p.series`.as('basis')])
    .where('p.currency', '=', 'JPY').where('p.frequency', '=', 'A')
    .where('p.period', 'in', q.selectFrom('metrics.annual_converted as a').select('a.period')
      .where('a.metric', '=', 'jp_trade_by_partner').where('a.figure', '=', 'balance').where('a.to_currency', '=', 'USD').where('a.year_kind', '=', 'calendar')
      .where('a.converted_value', 'is not', null))
    .orderBy('p.period', 'desc').limit(1));
  return {
    referenceDate,
    days: days.map((r) => ({ date: String(r.date), jpyPerUsd: String(r.jpy), source: String(r.source) })),
    onReference: on[0] ? { rate: String(on[0].rate), dateUsed: String(on[0].date_used), series: String(on[0].series) } : null,
    impliedByArticle: implied[0] ? { rate: String(implied[0].rate), text: String(implied[0].text) } : null,
    annualAverage: avg[0] ? { year: String(avg[0].period), rate: String(avg[0].rate), basis: String(avg[0].basis) } : null,
    releaseIds: ids(days),
  };
}
