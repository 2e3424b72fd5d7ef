/**
 * The analyst views (and the claim registry, metrics.claim) the report reads (sql/002, 010, 020, 021), declared for Kysely, so that a
 * report query names columns the compiler knows and gets rows of their types. Views only: the
 * tool's own writes go through etl-schema.ts (bookkeeping) and the merge SQL (observation-store.ts).
 *
 * Types as the drivers return them: numeric as decimal text (exact; a published value never
 * becomes a JavaScript number), bigint as text (pg) or number (PGlite), date as a Date (the report
 * casts dates to text in SQL instead). A view column is nullable to Postgres; here a column is
 * `| null` unless it is part of the row's key (dataset, partner, period…) — the views never leave
 * those empty.
 */
import type { ColumnType } from 'kysely';

/** numeric: decimal text. */
type Numeric = string;
/** bigint: text on pg, a number on PGlite (ids stay far below 2^53). */
type Int8 = string | number;
type DateCol = Date;
/** jsonb, as parsed by the driver. */
type Jsonb = ColumnType<unknown, string, string>;

/** trade.observation (view). */
export interface TradeObservation {
  dataset: string;
  reporter: string;
  partner: string;
  partner_source_code: string | null;
  flow: string;
  period: string;
  frequency: string;
  classification: string;
  commodity_code: string;
  commodity_label: string | null;
  measure: string;
  value: Numeric | null;
  unit: string;
  source_value: string | null;
  source_unit: string | null;
  basis: string;
  scope_key: string;
  release_id: Int8 | null;
  published_on: DateCol | null;
  stage: string | null;
  source_stage: string | null;
  file_name: string | null;
}

/** metrics.claim (table). */
export interface MetricsClaim {
  id: string;
  claim_no: number;
  claim: string;
  attribution: string | null;
  article_text: string;
  article_value: Numeric | null;
  unit: string | null;
  unit_factor: Numeric;
  comparison: string;
  tolerance: Numeric;
  tolerance_note: string;
  secondary_label: string | null;
  secondary_value: Numeric | null;
  secondary_unit: string | null;
  secondary_tolerance: Numeric;
  period: string | null;
  year_kind: string | null;
  vintage_stage: string | null;
  reference_date: DateCol | null;
  input_value: Numeric | null;
  input_unit: string | null;
  metric: string | null;
  series: Jsonb;
  covered: boolean;
  source_note: string;
}

/** metrics.jp_trade_annual (view). */
export interface MetricsJpTradeAnnual {
  dataset: string;
  method: string;
  classification: string;
  reporter: string;
  partner: string;
  flow: string;
  year_kind: string;
  year: number;
  period: string;
  months: number;
  value_jpy: Numeric | null;
  prev_value_jpy: Numeric | null;
  growth_pct: Numeric | null;
  published_growth_pct: Numeric | null;
  release_id: Int8 | null;
  published_on: DateCol | null;
  stage: string | null;
  source_stage: string | null;
  file_name: string | null;
  prev_release_id: Int8 | null;
  prev_published_on: DateCol | null;
  prev_stage: string | null;
}

/** metrics.jp_exports_record (view). */
export interface MetricsJpExportsRecord {
  year: number;
  exports_jpy: Numeric | null;
  dataset: string;
  method: string;
  classification: string;
  first_year: number | null;
  last_year: number | null;
  years: number | null;
  is_record_through_year: boolean | null;
  is_highest_as_of: boolean | null;
  higher_year: number | null;
  higher_exports_jpy: Numeric | null;
  release_id: Int8 | null;
  published_on: DateCol | null;
  stage: string | null;
}

/** metrics.jp_principal_commodity (view). */
export interface MetricsJpPrincipalCommodity {
  dataset: string;
  classification: string;
  reporter: string;
  partner: string;
  partner_name: string | null;
  flow: string;
  frequency: string;
  year_kind: string;
  period: string;
  commodity_code: string;
  commodity_label: string | null;
  group_id: string | null;
  value_jpy: Numeric | null;
  total_value_jpy: Numeric | null;
  share_pct: Numeric | null;
  share_pct_published: Numeric | null;
  value_growth_pct_published: Numeric | null;
  quantity: Numeric | null;
  quantity_unit: string | null;
  release_id: Int8 | null;
  published_on: DateCol | null;
  stage: string | null;
  source_stage: string | null;
  file_name: string | null;
}

/** metrics.jp_auto_export_share (view). */
export interface MetricsJpAutoExportShare {
  dataset: string;
  classification: string;
  partner: string;
  partner_name: string | null;
  year_kind: string;
  year: number;
  period: string;
  motor_vehicles_jpy: Numeric | null;
  passenger_cars_jpy: Numeric | null;
  auto_parts_jpy: Numeric | null;
  total_exports_jpy: Numeric | null;
  autos_share_pct: Numeric | null;
  autos_share_pct_published: Numeric | null;
  autos_parts_share_pct: Numeric | null;
  autos_parts_share_pct_published: Numeric | null;
  release_id: Int8 | null;
  published_on: DateCol | null;
  stage: string | null;
  file_name: string | null;
}

/** metrics.us_car_imports_by_country (view). */
export interface MetricsUsCarImportsByCountry {
  dataset: string;
  classification: string;
  commodity_code: string;
  commodity_label: string | null;
  series: string;
  basis: string;
  frequency: string;
  year: number;
  period: string;
  partner: string;
  partner_source_code: string | null;
  partner_name: string | null;
  partner_kind: string;
  value_usd: Numeric | null;
  rank: number | null;
  rank_is_certain: boolean | null;
  world_value_usd: Numeric | null;
  share_of_world_pct: Numeric | null;
  release_id: Int8 | null;
  published_on: DateCol | null;
  stage: string | null;
  file_name: string | null;
}

/** metrics.us_goods_balance_by_partner (view). */
export interface MetricsUsGoodsBalanceByPartner {
  dataset: string;
  classification: string;
  reporter: string;
  partner: string;
  partner_name: string | null;
  partner_kind: string;
  year: number;
  period: string;
  export_usd: Numeric | null;
  import_usd: Numeric | null;
  balance_usd: Numeric | null;
  export_basis: string | null;
  import_basis: string | null;
  release_id: Int8 | null;
  published_on: DateCol | null;
  stage: string | null;
  file_name: string | null;
}

/** metrics.annual_converted (view). */
export interface MetricsAnnualConverted {
  metric: string;
  dataset: string;
  classification: string;
  reporter: string;
  partner: string;
  figure: string;
  year_kind: string;
  frequency: string;
  period: string;
  value: Numeric | null;
  currency: string;
  to_currency: string;
  converted_value: Numeric | null;
  rate: Numeric | null;
  rate_series: string | null;
  rate_dataset: string | null;
  rate_basis: string | null;
  rate_period: string | null;
  release_id: Int8 | null;
  published_on: DateCol | null;
  stage: string | null;
}

/** fx.usd_daily (view). */
export interface FxUsdDaily {
  currency: string;
  date: DateCol;
  per_usd: Numeric | null;
  rate: Numeric | null;
  inverted: boolean | null;
  series: string;
  dataset: string;
  release_id: Int8 | null;
}

/** fx.usd_period (view). */
export interface FxUsdPeriod {
  currency: string;
  frequency: string;
  period: string;
  rate: Numeric | null;
  inverted: boolean | null;
  series: string;
  dataset: string;
  rate_basis: string | null;
  period_used: string | null;
}

/** The analyst views as Kysely sees them (together with the bookkeeping: `Database` in etl-schema.ts). */
export interface AnalystDatabase {
  'trade.observation': TradeObservation;
  'metrics.claim': MetricsClaim;
  'metrics.jp_trade_annual': MetricsJpTradeAnnual;
  'metrics.jp_exports_record': MetricsJpExportsRecord;
  'metrics.jp_principal_commodity': MetricsJpPrincipalCommodity;
  'metrics.jp_auto_export_share': MetricsJpAutoExportShare;
  'metrics.us_car_imports_by_country': MetricsUsCarImportsByCountry;
  'metrics.us_goods_balance_by_partner': MetricsUsGoodsBalanceByPartner;
  'metrics.annual_converted': MetricsAnnualConverted;
  'fx.usd_daily': FxUsdDaily;
  'fx.usd_period': FxUsdPeriod;
}

/** A row of fx.lookup(base, quote, on_date [, max_days_back]) (sql/010_fx.sql): the rate used and the date it is of. */
export interface FxLookupRow {
  rate: Numeric | null;
  date_used: DateCol | null;
  series: string | null;
  dataset: string | null;
}
