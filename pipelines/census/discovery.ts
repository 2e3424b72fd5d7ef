import type { DiscoverOptions, DiscoveredRelease } from '../../src/core/vocabulary.js';
import { PermanentError } from '../../src/core/errors.js';
import { baseUrl } from '../../src/core/source.js';

/**
 * Where Census releases are. The International Trade API is a query service, not a release
 * feed: a "release" of `census.api` is the answer to one request, and the requests are data
 * (CENSUS_API_REQUESTS) — the series the project's metrics need. A later answer to the same
 * request is a later vintage (the June annual revision, the monthly revision of the previous
 * month) and supersedes the earlier one, because both get the same scope key.
 */

/** One International Trade API request, before a time range is attached. */
export interface CensusApiRequestTemplate {
  /** Short id used in file names and labels. */
  id: string;
  flow: 'imports' | 'exports';
  endpoint: 'hs' | 'enduse';
  /** Variables for `get=`, in order (at most 50). */
  get: string[];
  /** Predicates other than time, e.g. [['I_ENDUSE', '30000']]; a repeated name means OR. */
  filters: Array<[string, string]>;
  /**
   * `monthly`: one request per calendar year, `time=from YYYY-01 to YYYY-MM` (monthly and
   * year-to-date variables for each month). `ytd`: `time=YYYY-MM` for the last month of the
   * year in range (a December year-to-date value is the calendar year).
   */
  time: 'monthly' | 'ytd';
  label: string;
}

/** What a request asked for, recovered from its URL or hints; the scope key derives from it. */
export interface CensusApiRequest {
  flow: 'imports' | 'exports';
  endpoint: string;
  get: string[];
  filters: Array<[string, string]>;
  /** First and last month ('YYYY-MM') the time predicate covers. */
  timeFrom: string;
  timeTo: string;
}

/**
 * The requests behind the article's Census figures. Passenger cars come in two series because
 * which one the Department of Commerce ranking used is not documented (CLAIMS.md): end-use
 * 30000 "Passenger cars, new and used" and HS 8703. Both are general imports (GEN_*), the
 * basis of Census's country tables. Country totals carry no commodity variable (all goods).
 */
export const CENSUS_API_REQUESTS: CensusApiRequestTemplate[] = [
  {
    id: 'imports-enduse-30000', flow: 'imports', endpoint: 'enduse',
    get: ['CTY_CODE', 'CTY_NAME', 'I_ENDUSE', 'I_ENDUSE_LDESC', 'GEN_VAL_YR'],
    filters: [['I_ENDUSE', '30000']], time: 'ytd',
    label: 'US general imports of passenger cars (end-use 30000) by country, year to date',
  },
  {
    id: 'imports-hs-8703', flow: 'imports', endpoint: 'hs',
    get: ['CTY_CODE', 'CTY_NAME', 'I_COMMODITY', 'I_COMMODITY_SDESC', 'GEN_VAL_YR'],
    filters: [['I_COMMODITY', '8703'], ['COMM_LVL', 'HS4']], time: 'ytd',
    label: 'US general imports of HS 8703 motor cars by country, year to date',
  },
  {
    id: 'exports-total', flow: 'exports', endpoint: 'hs',
    get: ['CTY_CODE', 'CTY_NAME', 'ALL_VAL_MO', 'ALL_VAL_YR'],
    filters: [], time: 'monthly',
    label: 'US total exports (f.a.s.) by country, monthly and year to date',
  },
  {
    id: 'imports-total', flow: 'imports', endpoint: 'hs',
    get: ['CTY_CODE', 'CTY_NAME', 'GEN_VAL_MO', 'GEN_VAL_YR'],
    filters: [], time: 'monthly',
    label: 'US total general imports by country, monthly and year to date',
  },
];

/**
 * Calendar years refreshed when no range is given. The API has no "what is new" listing; the
 * project exists to check 2024 figures, and every June Census revises the three prior years,
 * so re-asking for 2024 picks up its later vintages. Use --from/--to for other years.
 */
export const CENSUS_DEFAULT_YEARS = [2024];

/** The API's data start. */
export const CENSUS_API_FIRST_MONTH = '2010-01';

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** Encodes a query value the way the API documents it: commas kept, spaces as '+'. */
function q(v: string): string {
  return encodeURIComponent(v).replace(/%2C/gi, ',').replace(/%20/g, '+');
}

/**
 * Builds the request URL; `key` is appended only when given (the engine masks `key=` in logs).
 * @example censusApiUrl('https://api.census.gov', req) === 'https://api.census.gov/data/timeseries/intltrade/imports/enduse?get=…&I_ENDUSE=30000&time=2024-12'
 */
export function censusApiUrl(base: string, req: CensusApiRequest, key?: string): string {
  const parts = [`get=${q(req.get.join(','))}`];
  for (const [k, v] of req.filters) parts.push(`${k}=${q(v)}`);
  parts.push(`time=${q(req.timeFrom === req.timeTo ? req.timeTo : `from ${req.timeFrom} to ${req.timeTo}`)}`);
  if (key) parts.push(`key=${q(key)}`);
  return `${base.replace(/\/+$/, '')}/data/timeseries/intltrade/${req.flow}/${req.endpoint}?${parts.join('&')}`;
}

/**
 * Recovers the request from an API URL (key ignored), or undefined if it is not one.
 * Understands `time=YYYY-MM`, `time=from A to B`, `time=from A`, and `YEAR=` with `MONTH=`.
 * @example describeCensusApiUrl('https://api.census.gov/data/timeseries/intltrade/exports/hs?get=ALL_VAL_MO&time=2024-12')?.timeTo === '2024-12'
 */
export function describeCensusApiUrl(url: string): CensusApiRequest | undefined {
  let u: URL;
  try { u = new URL(url); } catch { return undefined; }
  const m = /\/data\/timeseries\/intltrade\/(imports|exports)\/([a-z]+)\/?$/.exec(u.pathname);
  if (!m) return undefined;
  const get = (u.searchParams.get('get') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const filters: Array<[string, string]> = [];
  let timeFrom: string | undefined;
  let timeTo: string | undefined;
  const years: string[] = [];
  const months: string[] = [];
  for (const [k, v] of u.searchParams) {
    if (k === 'get' || k === 'key') continue;
    if (k === 'time') {
      const t = v.trim();
      const range = /^from\s+(\d{4}-\d{2})(?:\s+to\s+(\d{4}-\d{2}))?$/.exec(t);
      if (range) { timeFrom = range[1]; timeTo = range[2] ?? range[1]; }
      else if (MONTH.test(t)) { timeFrom = t; timeTo = t; }
      continue;
    }
    if (k === 'YEAR') { years.push(v); continue; }
    if (k === 'MONTH') { months.push(v.padStart(2, '0')); continue; }
    filters.push([k, v]);
  }
  if (!timeFrom && years.length === 1) {
    const ms = (months.length ? months : ['01', '12']).sort();
    timeFrom = `${years[0]}-${ms[0]}`;
    timeTo = `${years[0]}-${ms.at(-1)}`;
  }
  if (!timeFrom || !timeTo) return undefined;
  return { flow: m[1] as 'imports' | 'exports', endpoint: m[2]!, get, filters, timeFrom, timeTo };
}

/**
 * The scope of an API answer: what was asked (flow/endpoint, filters, value variables) and the
 * calendar year(s) asked for. The year, not the month range, is the unit so that each month's
 * refresh of a year's request (through a later month) supersedes the previous month's answer.
 * @example censusApiScopeKey({ flow: 'imports', endpoint: 'enduse', get: ['CTY_CODE', 'GEN_VAL_YR'], filters: [['I_ENDUSE', '30000']], timeFrom: '2024-12', timeTo: '2024-12' }) === 'imports/enduse:I_ENDUSE=30000:GEN_VAL_YR:2024'
 */
export function censusApiScopeKey(req: CensusApiRequest): string {
  const filters = [...req.filters].map(([k, v]) => `${k}=${v}`).sort().join('&') || '*';
  const values = req.get.filter(isMeasureVariable).sort().join(',') || '-';
  const y1 = req.timeFrom.slice(0, 4);
  const y2 = req.timeTo.slice(0, 4);
  return `${req.flow}/${req.endpoint}:${filters}:${values}:${y1 === y2 ? y1 : `${y1}..${y2}`}`;
}

/** Is this API variable a figure (value, quantity, weight) rather than a code, label or flag? */
export function isMeasureVariable(name: string): boolean {
  return /^(GEN|CON|ALL|AIR|VES|CNT)_(VAL|QY[12]|WGT)_(MO|YR)$/.test(name) || /^QTY_[12]_(MO|YR)$/.test(name);
}

function monthsOf(opts: DiscoverOptions): { from: string; to: string } {
  const check = (name: string, v: string | undefined) => {
    if (v !== undefined && !MONTH.test(v)) throw new PermanentError(`--${name} must be a month YYYY-MM, got ${JSON.stringify(v)}`, { usage: true });
  };
  check('from', opts.from);
  check('to', opts.to);
  if (!opts.from && !opts.to) {
    return { from: `${CENSUS_DEFAULT_YEARS[0]}-01`, to: `${CENSUS_DEFAULT_YEARS.at(-1)}-12` };
  }
  const from = opts.from ?? `${opts.to!.slice(0, 4)}-01`;
  const to = opts.to ?? `${opts.from!.slice(0, 4)}-12`;
  return { from: from < CENSUS_API_FIRST_MONTH ? CENSUS_API_FIRST_MONTH : from, to };
}

/**
 * The International Trade API requests for a month range: one request per template and calendar
 * year, which keeps each answer to a few thousand rows (the API fails on very large requests).
 * @example await discoverCensusApi({ baseUrls, fetchText }) // → 4 requests for 2024
 */
export async function discoverCensusApi(opts: DiscoverOptions): Promise<DiscoveredRelease[]> {
  const { from, to } = monthsOf(opts);
  const out: DiscoveredRelease[] = [];
  for (let y = Number(from.slice(0, 4)); y <= Number(to.slice(0, 4)); y++) {
    const last = `${y}-12` <= to ? `${y}-12` : to;
    const first = `${y}-01` >= from ? `${y}-01` : from;
    for (const t of CENSUS_API_REQUESTS) {
      const req: CensusApiRequest = {
        flow: t.flow, endpoint: t.endpoint, get: t.get, filters: t.filters,
        // Year-to-date variables always run from January, so a ytd request needs only its last month.
        timeFrom: t.time === 'monthly' ? first : last, timeTo: last,
      };
      out.push({
        url: censusApiUrl(baseUrl(opts, 'census'), req, opts.secrets?.CENSUS_API_KEY),
        fileName: `census-api-${t.id}-${req.timeFrom === req.timeTo ? req.timeTo : `${req.timeFrom}_${req.timeTo}`}.json`,
        hints: censusApiHints(req),
        label: `${t.label}, ${req.timeFrom === req.timeTo ? req.timeTo : `${req.timeFrom} to ${req.timeTo}`}`,
        period: last,
      });
    }
  }
  return out;
}

/**
 * The hints the parser needs: the requested variables (checked against the header) and the
 * request itself, from which the scope key is derived — the same for `demo` and `refresh`.
 * @example censusApiHints(req).requested // ['CTY_CODE', 'CTY_NAME', 'I_ENDUSE', 'I_ENDUSE_LDESC', 'GEN_VAL_YR']
 */
export function censusApiHints(req: CensusApiRequest): Record<string, unknown> {
  return { requested: [...req.get], request: { ...req, get: [...req.get], filters: req.filters.map(([k, v]) => [k, v]) }, scopeKey: censusApiScopeKey(req) };
}

/** The one URL of `census.country`. */
export function countryXlsxUrl(baseWww: string): string {
  return `${baseWww.replace(/\/+$/, '')}/foreign-trade/balance/country.xlsx`;
}

/**
 * country.xlsx holds every year since 1985 in one file, rewritten with each monthly release.
 * @example await discoverCensusCountry({ baseUrls }) // → [{ url: 'https://www.census.gov/foreign-trade/balance/country.xlsx', … }]
 */
export async function discoverCensusCountry(opts: DiscoverOptions): Promise<DiscoveredRelease[]> {
  return [{
    url: countryXlsxUrl(baseUrl(opts, 'censusWww')),
    fileName: 'country.xlsx',
    // The file states no release date; today bounds it (used only for annual-only rows).
    hints: { asOf: new Date().toISOString().slice(0, 10) },
    label: 'US goods trade by country, monthly, all years (country.xlsx)',
  }];
}
