/**
 * What each dataset is, without its parser: id, source, target table, content kind and
 * description. The one place these are written. The dataset modules spread them into their
 * Dataset, and the catalog (pipelines/index.ts) lists them without importing the parsers and
 * their libraries, which would cost every command's start-up about 0.3 s.
 */
import type { Dataset } from '../src/core/vocabulary.js';

/** A dataset's description, parser aside. */
export type DatasetMeta = Pick<Dataset, 'id' | 'source' | 'description' | 'target' | 'contentKind'>;

export const MOF_PRESS = {
  id: 'mof.press', source: 'mof', target: 'trade', contentKind: 'xml',
  description: 'Japan Customs/MOF press-release XML: totals, by area/country, principal commodities (monthly, 10/20-day, calendar/fiscal/half-year releases)',
} as const satisfies DatasetMeta;

export const MOF_HS_COUNTRY = {
  id: 'mof.hs_country', source: 'mof', target: 'trade', contentKind: 'csv',
  description: 'e-Stat HS-9 trade CSV by country (品別国別表) and world totals (統計品別表): monthly quantity and value, thousand yen',
} as const satisfies DatasetMeta;

export const MOF_TIMESERIES = {
  id: 'mof.timeseries', source: 'mof', target: 'trade', contentKind: 'csv',
  description: 'Japan Customs time series: d41ma world monthly totals since 1979, d51ma/d61ma principal commodities (thousand yen)',
} as const satisfies DatasetMeta;

export const CENSUS_API = {
  id: 'census.api', source: 'census', target: 'trade', contentKind: 'json',
  description: 'US Census International Trade API (imports/exports by country; hs and enduse endpoints), dollars',
} as const satisfies DatasetMeta;

export const CENSUS_COUNTRY = {
  id: 'census.country', source: 'census', target: 'trade', contentKind: 'xlsx',
  description: 'US Census country.xlsx: goods exports and general imports by country, monthly and annual, $ millions',
} as const satisfies DatasetMeta;

export const FRB_H10 = {
  id: 'frb.h10', source: 'frb', target: 'fx', contentKind: 'csv',
  description: 'Federal Reserve H.10 exchange rates (noon buying rates in New York), Data Download Program CSV: daily, monthly or annual.',
} as const satisfies DatasetMeta;

export const FRB_FRED = {
  id: 'frb.fred', source: 'frb', target: 'fx', contentKind: 'csv',
  description: 'FRED (St. Louis Fed) republication of the H.10 exchange rates: daily DEX*, monthly EX*, annual AEX* series, fredgraph.csv.',
} as const satisfies DatasetMeta;
