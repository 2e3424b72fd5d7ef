/**
 * The report's data, read from the metrics views (sql/020_metrics.sql, 021_claims.sql) and the fx
 * views (sql/010_fx.sql). Nothing here knows a figure: which year, partner, series or date a chart
 * is about comes from the claim registry (metrics.claim), and every value from a view. Numbers
 * arrive as decimal text, already scaled to the unit the chart shows (trillion yen, billion
 * dollars); the charts turn them into plot positions and print the text as it came.
 */
import type { Session } from '../db/connect.js';

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
 * Japan's exports per complete calendar year, summed from mof.timeseries (d41ma) monthly totals.
 * @example (await annualExports(db)).years[0] // { year: 1979, trnJpy: '22.532', marked: false, recordThen: true }
 */
export async function annualExports(db: Q): Promise<AnnualExports> {
  const rows = await db.query<Record<string, unknown>>(`
    SELECT t.year, trim_scale(round(t.value_jpy / 1e12, 3))::text AS trn_jpy,
           coalesce(t.year = (SELECT c.period::int FROM metrics.claim c WHERE c.id = 'jp_exports_record_since_1979'), false) AS marked,
           coalesce(r.is_record_through_year, false) AS record_then, t.method
    FROM metrics.jp_trade_annual t
    LEFT JOIN metrics.jp_exports_record r ON r.year = t.year AND r.dataset = t.dataset AND r.method = t.method
    WHERE t.dataset = 'mof.timeseries' AND t.method = 'sum of 12 monthly figures' AND t.flow = 'export'
      AND t.year_kind = 'calendar' AND t.months = 12
    ORDER BY t.year`);
  const mark = await db.query<{ year: unknown }>(`SELECT c.period::int AS year FROM metrics.claim c WHERE c.id = 'jp_exports_record_since_1979'`);
  const years = rows.map((r) => ({ year: Number(r.year), trnJpy: String(r.trn_jpy), marked: r.marked === true, recordThen: r.record_then === true }));
  // Every release any summed month came from (the view names only the newest).
  const rel = years.length ? await db.query<{ release_id: unknown }>(`
    SELECT DISTINCT o.release_id FROM trade.observation o
    WHERE o.dataset = 'mof.timeseries' AND o.reporter = 'JP' AND o.partner = 'WORLD' AND o.flow = 'export'
      AND o.frequency = 'M' AND o.measure = 'value' AND o.unit = 'JPY' AND o.classification = 'total'
      AND o.commodity_code = 'TOTAL' AND substr(o.period, 1, 4)::int BETWEEN $1 AND $2`,
  [years[0]!.year, years[years.length - 1]!.year]) : [];
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
  const claim = await db.query<{ period: unknown; partner: unknown }>(`
    SELECT c.period, c.series ->> 'partner' AS partner FROM metrics.claim c WHERE c.id = 'jp_autos_share_of_us_exports'`);
  const period = str(claim[0]?.period);
  const partner = str(claim[0]?.partner);
  if (!period || !partner) return { period, partnerName: null, lines: [], shares: null, releaseIds: [] };
  // Section headings ("8 TRANSPORT EQUIPMENT") repeat their items' sums; the chart shows items.
  const lines = await db.query<Record<string, unknown>>(`
    WITH l AS (
      SELECT p.*, row_number() OVER (ORDER BY p.value_jpy DESC NULLS LAST) AS n
      FROM metrics.jp_principal_commodity p
      WHERE p.partner = $1 AND p.flow = 'export' AND p.frequency = 'A' AND p.period = $2
        AND p.value_jpy IS NOT NULL AND p.commodity_code !~ '^[0-9]+ '
    )
    SELECT l.commodity_label, l.commodity_code LIKE '(%' AS sub_item, l.group_id, l.partner_name,
           trim_scale(round(l.value_jpy / 1e12, 4))::text AS trn_jpy, round(l.share_pct, 1)::text AS share_pct, l.release_id
    FROM l
    WHERE l.n <= $3 OR l.group_id IS NOT NULL
    ORDER BY l.value_jpy DESC`, [partner, period, MAX_COMMODITY_LINES]);
  const share = await db.query<Record<string, unknown>>(`
    SELECT round(s.autos_share_pct, 1)::text AS mv, round(s.autos_parts_share_pct - s.autos_share_pct, 1)::text AS parts,
           round(s.autos_parts_share_pct, 1)::text AS both, round(100 - s.autos_parts_share_pct, 1)::text AS rest,
           trim_scale(round(s.total_exports_jpy / 1e12, 2))::text AS total, s.release_id
    FROM metrics.jp_auto_export_share s
    WHERE s.partner = $1 AND s.year_kind = 'calendar' AND s.period = $2 AND s.autos_parts_share_pct IS NOT NULL`, [partner, period]);
  const s = share[0];
  return {
    period,
    partnerName: str(lines[0]?.partner_name),
    lines: lines.map((r) => ({
      label: String(r.commodity_label), subItem: r.sub_item === true, groupId: str(r.group_id),
      trnJpy: String(r.trn_jpy), sharePct: str(r.share_pct),
    })),
    shares: s ? { motorVehicles: String(s.mv), parts: String(s.parts), autosAndParts: String(s.both), rest: String(s.rest), totalTrnJpy: String(s.total) } : null,
    releaseIds: ids([...lines as Array<{ release_id: unknown }>, ...share as Array<{ release_id: unknown }>]),
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
  const rows = await db.query<Record<string, unknown>>(`
    WITH pin AS (
      SELECT DISTINCT c.series ->> 'dataset' AS dataset, c.series ->> 'classification' AS classification,
             c.series ->> 'commodity_code' AS commodity_code, c.period
      FROM metrics.claim c WHERE c.id IN ('us_car_imports_mexico', 'us_car_imports_japan')
    ),
    claimed AS (
      SELECT c.series ->> 'partner' AS partner FROM metrics.claim c WHERE c.id IN ('us_car_imports_mexico', 'us_car_imports_japan')
    )
    SELECT v.rank, v.partner_name, trim_scale(round(v.value_usd / 1e9, 3))::text AS bn_usd,
           round(v.share_of_world_pct, 1)::text AS share_pct, coalesce(v.rank_is_certain, false) AS certain,
           v.partner IN (SELECT partner FROM claimed) AS claimed, v.period, v.series,
           trim_scale(round(v.world_value_usd / 1e9, 3))::text AS world_bn, v.release_id
    FROM metrics.us_car_imports_by_country v
    JOIN pin ON v.dataset = pin.dataset AND v.classification = pin.classification
            AND v.commodity_code = pin.commodity_code AND v.period = pin.period
    WHERE v.frequency = 'A' AND v.partner_kind = 'country'
    ORDER BY v.rank, v.partner_name`);
  return {
    period: str(rows[0]?.period),
    series: str(rows[0]?.series),
    worldBnUsd: str(rows[0]?.world_bn),
    rows: rows.map((r) => ({
      rank: Number(r.rank), partnerName: String(r.partner_name), bnUsd: String(r.bn_usd), sharePct: str(r.share_pct),
      rankIsCertain: r.certain === true, claimed: r.claimed === true,
    })),
    releaseIds: ids(rows as Array<{ release_id: unknown }>),
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
  const claim = await db.query<Record<string, unknown>>(`
    SELECT c.article_value::text AS v, c.article_text, c.unit, c.series ->> 'partner' AS partner
    FROM metrics.claim c WHERE c.id = 'us_deficit_with_japan'`);
  const partner = str(claim[0]?.partner);
  if (!partner) return { bars: [], claimedBnUsd: null, claimText: null, releaseIds: [], fxReleaseIds: [] };
  // Calendar years only on both sides: MOF's fiscal-year figures (FY) are a different period.
  const rows = await db.query<Record<string, unknown>>(`
    SELECT b.year, 'US view: Census ' || b.dataset AS view,
           trim_scale(round(-b.balance_usd / 1e9, 3))::text AS bn_usd, NULL::text AS conversion,
           NULL::text AS rate_dataset, b.release_id
    FROM metrics.us_goods_balance_by_partner b
    WHERE b.partner = $1 AND b.balance_usd IS NOT NULL
    UNION ALL
    SELECT a.period::int, 'Japanese view: MOF ' || a.dataset || ', yen in dollars',
           trim_scale(round(a.converted_value / 1e9, 3))::text,
           format('%s trn JPY at %s JPY per USD (%s, %s, %s)', trim_scale(round(a.value / 1e12, 4)),
                  round(1 / a.rate, 2), a.rate_series, a.rate_dataset, a.rate_basis),
           a.rate_dataset, a.release_id
    FROM metrics.annual_converted a
    WHERE a.metric = 'jp_trade_by_partner' AND a.reporter = $1 AND a.partner = 'US'
      AND a.figure = 'balance' AND a.year_kind = 'calendar' AND a.to_currency = 'USD' AND a.converted_value IS NOT NULL
    ORDER BY 1, 2`, [partner]);
  // The daily rates behind each converted year's average.
  const converted = rows.filter((r) => r.rate_dataset);
  const years = [...new Set(converted.map((r) => Number(r.year)))];
  const datasets = [...new Set(converted.flatMap((r) => String(r.rate_dataset).split('+')))];
  const fx = years.length ? await db.query<{ release_id: unknown }>(`
    SELECT DISTINCT u.release_id FROM fx.usd_daily u
    WHERE u.currency = 'JPY' AND extract(year FROM u.date)::int = ANY ($1::int[]) AND u.dataset = ANY ($2::text[])`,
  [years, datasets]) : [];
  return {
    bars: rows.map((r) => ({ year: Number(r.year), view: String(r.view), bnUsd: String(r.bn_usd), conversion: str(r.conversion) })),
    claimedBnUsd: str(claim[0]?.v),
    claimText: str(claim[0]?.article_text),
    releaseIds: ids(rows as Array<{ release_id: unknown }>),
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
  const ref = await db.query<{ d: unknown }>(`
    SELECT min(c.reference_date)::text AS d FROM metrics.claim c WHERE c.series ->> 'from' = 'JPY' OR c.series ->> 'to' = 'JPY'`);
  const referenceDate = str(ref[0]?.d);
  if (!referenceDate) return { referenceDate, days: [], onReference: null, impliedByArticle: null, annualAverage: null, releaseIds: [] };
  const days = await db.query<Record<string, unknown>>(`
    SELECT u.date::text AS date, trim_scale(u.per_usd)::text AS jpy, u.dataset || ' ' || u.series AS source, u.release_id
    FROM fx.usd_daily u
    WHERE u.currency = 'JPY' AND u.date BETWEEN ($1::date - interval '2 months')::date AND ($1::date + interval '1 month')::date
    ORDER BY u.date`, [referenceDate]);
  const on = await db.query<Record<string, unknown>>(`
    SELECT trim_scale(round(l.rate, 4))::text AS rate, l.date_used::text AS date_used, l.series
    FROM fx.lookup('USD', 'JPY', $1::date) l WHERE l.rate IS NOT NULL`, [referenceDate]);
  const implied = await db.query<Record<string, unknown>>(`
    SELECT round(c.input_value / c.article_value, 2)::text AS rate,
           format('%s %s = %s %s in the article', c.input_value, c.input_unit, c.article_value, c.unit) AS text
    FROM metrics.claim c
    WHERE c.id = 'rice_tariff_usd' AND c.series ->> 'from' = 'JPY' AND c.series ->> 'to' = 'USD' AND c.article_value > 0`);
  const avg = await db.query<Record<string, unknown>>(`
    SELECT p.period, round(p.rate, 2)::text AS rate, p.rate_basis || ', ' || p.dataset || ' ' || p.series AS basis
    FROM fx.usd_period p
    WHERE p.currency = 'JPY' AND p.frequency = 'A' AND p.period IN (
      SELECT a.period FROM metrics.annual_converted a
      WHERE a.metric = 'jp_trade_by_partner' AND a.figure = 'balance' AND a.to_currency = 'USD' AND a.year_kind = 'calendar'
        AND a.converted_value IS NOT NULL)
    ORDER BY p.period DESC LIMIT 1`);
  return {
    referenceDate,
    days: days.map((r) => ({ date: String(r.date), jpyPerUsd: String(r.jpy), source: String(r.source) })),
    onReference: on[0] ? { rate: String(on[0].rate), dateUsed: String(on[0].date_used), series: String(on[0].series) } : null,
    impliedByArticle: implied[0] ? { rate: String(implied[0].rate), text: String(implied[0].text) } : null,
    annualAverage: avg[0] ? { year: String(avg[0].period), rate: String(avg[0].rate), basis: String(avg[0].basis) } : null,
    releaseIds: ids(days as Array<{ release_id: unknown }>),
  };
}
