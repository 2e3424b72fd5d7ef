import type { Flow, Measure, Observation, ReleaseFacts, ReleaseInput } from '../../src/core/vocabulary.js';
import { CENSUS_API } from '../dataset-meta.js';
import { DataError } from '../../src/core/errors.js';
import { isDecimal, readNumber } from '../../src/parse/numbers.js';
import { partnerFromCensusCode } from '../../src/ref/countries.js';
import { readJsonRowBatches, type JsonRow } from './json-rows.js';
import { flatten } from '../../src/core/batches.js';
import { censusApiScopeKey, describeCensusApiUrl, isMeasureVariable, type CensusApiRequest } from './discovery.js';

/**
 * Parser for International Trade API answers (`census.api`). Columns are found by header name,
 * never by position, because the API appends every filter variable and `time` to the `get=`
 * list. Rules that are not obvious from the format:
 *
 * - Imports for consumption (CON_*) are a different series from general imports (GEN_*) with
 *   the same partner, period and commodity, and `basis` is not part of the natural key. So the
 *   CON series gets its classification suffixed `:con` (`hs4:con`, `census_enduse:con`,
 *   `total:con`); GEN and exports (ALL_*, f.a.s.) keep the plain classification. Transport-mode
 *   subsets are kept apart the same way: `:air`, `:vessel`, `:containerized`.
 * - `*_MO` is the month (M, 'YYYY-MM'). `*_YR` is year to date through the row's month: frequency
 *   YTD with the through-month as period ('2024-11'), except that a December year to date is
 *   the calendar year itself (A, '2024').
 * - Quantities: the API's `*_FLAG` companions are documented as "True Zero Flag". A quantity of
 *   "0" is an observation only when its flag is non-blank (a true zero); "0" with a blank flag,
 *   or with no flag column, is "not reported", not zero, and is not emitted. A quantity needs
 *   its unit (UNIT_QY1/UNIT_QY2); units '-', 'X' or blank mean there is no unit of quantity at
 *   this level and no quantity is emitted. Shipping weights (AIR_WGT…) are kilograms.
 * - Rows broken down by PORT, DISTRICT, STATE or DF are kept only for the all-of-them total
 *   ('-'): the natural key has no place for a port; the skipped count goes into facts.scope.
 *   Their figures are still checked: one that is not a number refuses the file.
 * - Aggregates (`-` total, `0003` EU, `5XXX` Asia…) become `WORLD` / `census:<code>` through
 *   partnerFromCensusCode, so they never sum together with countries.
 */

const DATASET = CENSUS_API.id;

type Prefix = 'GEN' | 'CON' | 'ALL' | 'QTY' | 'AIR' | 'VES' | 'CNT';

interface MeasureColumn {
  name: string;
  idx: number;
  prefix: Prefix;
  kind: 'value' | 'quantity' | 'weight';
  qty?: 1 | 2;
  ytd: boolean;
  unitIdx?: number;
  flagIdx?: number;
  /** basisOf(flow, prefix), once per column. */
  basis: string;
}

const SUFFIX: Record<Prefix, string> = { GEN: '', ALL: '', QTY: '', CON: ':con', AIR: ':air', VES: ':vessel', CNT: ':containerized' };
const MODE: Partial<Record<Prefix, string>> = { AIR: 'air', VES: 'vessel', CNT: 'containerized vessel' };
const NO_UNIT = new Set(['', '-', 'X']);
/** A figure of the API is never "not available": every cell is read as a number. */
const NO_MISSING = { missing: [] as string[] };
const BREAKDOWNS = ['PORT', 'DISTRICT', 'STATE', 'DF'] as const;
const UNSUPPORTED_COMMODITY = /^(I_|E_)?(NAICS|SITC|HITECH|USDA)/;

/**
 * Reads one API answer and yields observations; sets facts.scopeKey from the request.
 * @example for await (const o of parseCensusApi({ dataset: 'census.api', fileName, stream, bytes, hints }, facts)) { … }
 */
export function parseCensusApi(input: ReleaseInput, facts: ReleaseFacts): AsyncIterable<Observation> {
  return flatten(parseCensusApiBatches(input, facts));
}

/**
 * parseCensusApi's observations in batches, those of a few hundred rows at a time (the loader
 * reads these: Dataset.parseBatches).
 * @example for await (const batch of parseCensusApiBatches(input, facts)) for (const o of batch) { … }
 */
export async function* parseCensusApiBatches(input: ReleaseInput, facts: ReleaseFacts): AsyncIterable<Observation[]> {
  const file = input.fileName;
  const hints = input.hints ?? {};
  const request = requestFromHints(hints) ?? describeCensusApiUrl(typeof hints.url === 'string' ? hints.url : file);
  const requested = Array.isArray(hints.requested) ? hints.requested.map(String) : request?.get ?? [];
  if (typeof hints.scopeKey === 'string') facts.scopeKey = hints.scopeKey;
  else if (request) facts.scopeKey = censusApiScopeKey(request);

  const stats = { rows: 0, observations: 0, breakdownRowsSkipped: 0, quantityNotReported: 0 };
  const seen = { minYear: '9999', maxYear: '0000', code: undefined as string | undefined, codes: 0 };
  // Consecutive rows mostly repeat the commodity, the partner and often the month: a reading of
  // the same cell text as the row before is reused, not re-checked. The observations then share
  // the very strings of their keys, which StageEncoder compares by pointer first.
  let last: { time?: string | null; year?: string | null; month?: string | null; period?: { period: string; month: number; year: string };
    cty?: string | null; partnerCode?: string; partner?: string;
    code?: string | null; label?: string | null; level?: string | null; commodity?: Commodity } = {};
  /** A measure's cell as a decimal, or a DataError naming it. */
  const figure = (row: JsonRow, m: MeasureColumn): string => {
    const raw = row.cells[m.idx];
    if (raw === null || raw === undefined) fail(file, row, m.name, 'null', 'a number as a string (the API never omits a figure)');
    const value = readNumber(raw, NO_MISSING);
    // readNumber gives back the cell itself only when it is already a plain decimal.
    if (typeof value !== 'string' || (value !== raw && !isDecimal(raw.trim()))) {
      fail(file, row, m.name, raw, m.kind === 'value' ? 'a whole number of dollars as a string of digits' : 'a quantity as a string of digits');
    }
    return value;
  };
  const observe = (row: JsonRow, layout: Layout, out: Observation[]) => {
    stats.rows++;
    const cells = row.cells;
    if (cells.length !== layout.width) {
      fail(file, row, undefined, JSON.stringify(cells).slice(0, 80), `${layout.width} cells, like the header row (found ${cells.length})`);
    }
    for (const b of layout.breakdowns) {
      if (cells[b.idx] !== '-') {
        // Left out, but not unread: a figure that is not a number means the file is not a clean
        // answer (a re-saved export with 1.5E+06, a damaged download), whichever row it is in.
        for (const m of layout.measures) figure(row, m);
        stats.breakdownRowsSkipped++;
        return;
      }
    }
    const timeCell = layout.timeIdx === undefined ? undefined : cells[layout.timeIdx];
    const yearCell = layout.yearIdx === undefined ? undefined : cells[layout.yearIdx];
    const monthCell = layout.monthIdx === undefined ? undefined : cells[layout.monthIdx];
    if (last.period === undefined || timeCell !== last.time || yearCell !== last.year || monthCell !== last.month) {
      last.period = readPeriod(row, layout, file);
      last.time = timeCell; last.year = yearCell; last.month = monthCell;
    }
    const { period, month, year } = last.period;
    if (year < seen.minYear) seen.minYear = year;
    if (year > seen.maxYear) seen.maxYear = year;
    const ctyCell = layout.ctyIdx === undefined ? undefined : cells[layout.ctyIdx];
    if (last.partner === undefined || ctyCell !== last.cty) {
      last.partnerCode = layout.ctyIdx === undefined ? '-' : text(row, layout.ctyIdx, 'CTY_CODE', file, 'a Census country code');
      last.partner = partnerFromCensusCode(last.partnerCode);
      last.cty = ctyCell;
    }
    const partnerCode = last.partnerCode!;
    const partner = last.partner;
    const codeCell = layout.commodityIdx === undefined ? undefined : cells[layout.commodityIdx];
    const labelCell = layout.labelIdx === undefined ? undefined : cells[layout.labelIdx];
    const levelCell = layout.levelIdx === undefined ? undefined : cells[layout.levelIdx];
    if (last.commodity === undefined || codeCell !== last.code || labelCell !== last.label || levelCell !== last.level) {
      last.commodity = readCommodity(row, layout, file);
      last.code = codeCell; last.label = labelCell; last.level = levelCell;
    }
    const commodity = last.commodity;
    if (seen.code === undefined) { seen.code = commodity.code; seen.codes = 1; }
    else if (seen.code !== commodity.code) seen.codes = 2;

    for (const m of layout.measures) {
      const raw = cells[m.idx]!;
      const value = figure(row, m);
      let unit = 'USD';
      let sourceUnit = 'dollars';
      let measure: Measure = 'value';
      if (m.kind === 'weight') {
        unit = 'KG'; sourceUnit = 'kilograms'; measure = 'quantity';
      } else if (m.kind === 'quantity') {
        const u = (cells[m.unitIdx!] ?? '').trim();
        if (NO_UNIT.has(u)) { stats.quantityNotReported++; continue; }
        const flag = m.flagIdx === undefined ? '' : (cells[m.flagIdx] ?? '').trim();
        if (!/[1-9]/.test(value) && (flag === '' || flag === '-')) { stats.quantityNotReported++; continue; }
        unit = u; sourceUnit = u; measure = m.qty === 2 ? 'quantity2' : 'quantity';
      }
      const ytdYear = m.ytd && month === 12;
      stats.observations++;
      out.push({
        reporter: 'US', partner, partnerSourceCode: partnerCode, flow: layout.flow,
        period: ytdYear ? year : period, frequency: ytdYear ? 'A' : m.ytd ? 'YTD' : 'M',
        classification: classificationOf(commodity, m.prefix), commodityCode: commodity.code, commodityLabel: commodity.label,
        measure, value, unit, sourceValue: raw, sourceUnit, basis: m.basis,
      });
    }
  };
  // The first row is the header; the rows after it are read by its layout.
  let layout: Layout | undefined;
  const position = input.position;
  for await (const rows of readJsonRowBatches(input.stream(), { dataset: DATASET, fileName: file, allowEmpty: hints.noData === true })) {
    let out: Observation[] = [];
    for (const row of rows) {
      if (layout) {
        observe(row, layout, out);
        // The loader locating a key given twice: one row's observations at a time, where they are.
        if (position && out.length) {
          position.line = row.line;
          position.row = row.row;
          yield out;
          out = [];
        }
      } else {
        layout = readHeader(row, { file, requested, request });
        facts.title = `Census International Trade API, ${layout.flow === 'import' ? 'imports' : 'exports'}/${request?.endpoint ?? layout.endpoint}`;
      }
    }
    if (out.length) yield out;
  }
  if (!layout) {
    // An HTTP 204 the engine told us about: a valid answer with nothing in it.
    facts.scope = { ...(facts.scope ?? {}), noData: true };
    if (!facts.scopeKey) throw new DataError({ dataset: DATASET, file, expected: 'a request (URL or hints) to scope an empty answer' });
    return;
  }
  if (stats.rows > 0 && stats.observations === 0 && stats.breakdownRowsSkipped === stats.rows) {
    throw new DataError({ dataset: DATASET, file, row: 2, column: layout.breakdowns.map((b) => b.name).join('/'),
      expected: `rows for the total of all ${layout.breakdowns.map((b) => b.name).join('/')} ('-'); this answer has only the breakdown, which the natural key cannot hold` });
  }
  if (!facts.scopeKey) {
    // A local file with no request to go by: describe it from its own content.
    const codePart = layout.commodityVar ? `${layout.commodityVar}=${seen.codes === 1 ? seen.code : '*'}` : '*';
    const years = seen.minYear === seen.maxYear ? seen.minYear : `${seen.minYear}..${seen.maxYear}`;
    facts.scopeKey = `file:${layout.flow === 'import' ? 'imports' : 'exports'}/${layout.endpoint}:${codePart}:${layout.measures.map((m) => m.name).sort().join(',')}:${years}`;
  }
  facts.scope = { ...(facts.scope ?? {}), ...(request ? { request } : {}), ...stats, ignoredVariables: layout.ignored };
}

interface Layout {
  width: number;
  flow: Flow;
  endpoint: string;
  ctyIdx?: number;
  timeIdx?: number;
  yearIdx?: number;
  monthIdx?: number;
  commodityVar?: string;
  commodityIdx?: number;
  labelIdx?: number;
  levelIdx?: number;
  classification?: 'census_enduse' | 'hs';
  breakdowns: Array<{ name: string; idx: number }>;
  measures: MeasureColumn[];
  ignored: string[];
}

function readHeader(header: JsonRow, ctx: { file: string; requested: string[]; request?: CensusApiRequest }): Layout {
  const { file } = ctx;
  const names = header.cells.map((c, i) => {
    if (typeof c !== 'string' || c.trim() === '') fail(file, header, String(i + 1), String(c), 'a variable name in the header row');
    return c.trim();
  });
  const index = new Map<string, number>();
  names.forEach((n, i) => { if (!index.has(n)) index.set(n, i); });
  for (const v of ctx.requested) {
    if (!index.has(v)) fail(file, header, v, names.join(','), `the header row to include the requested variable ${v}`);
  }
  for (const n of names) {
    if (UNSUPPORTED_COMMODITY.test(n)) fail(file, header, n, n, 'an hs or enduse answer (NAICS, SITC, HITECH and USDA classifications are not supported)');
  }

  const commodityVar = ['I_ENDUSE', 'E_ENDUSE', 'I_COMMODITY', 'E_COMMODITY'].find((v) => index.has(v));
  let flow: Flow | undefined = ctx.request ? (ctx.request.flow === 'imports' ? 'import' : 'export') : undefined;
  const inferred: Flow | undefined = commodityVar ? (commodityVar.startsWith('I_') ? 'import' : 'export')
    : names.some((n) => /^(GEN|CON)_/.test(n)) ? 'import' : names.some((n) => /^(ALL_|QTY_)/.test(n)) ? 'export' : undefined;
  if (flow && inferred && flow !== inferred) fail(file, header, commodityVar ?? '', names.join(','), `variables of ${flow}s, as requested`);
  flow ??= inferred;
  if (!flow) fail(file, header, undefined, names.join(','), 'a request URL or import/export variables (GEN_*, CON_*, ALL_*, I_*/E_*) to tell the flow');

  const measures: MeasureColumn[] = [];
  const ignored: string[] = [];
  for (const [i, n] of names.entries()) {
    if (index.get(n) !== i) continue;
    const m = /^(GEN|CON|ALL|AIR|VES|CNT)_(VAL|QY1|QY2|WGT)_(MO|YR)$/.exec(n) ?? /^(QTY)_([12])_(MO|YR)$/.exec(n);
    if (!m || !isMeasureVariable(n)) {
      if (/_(MO|YR)$/.test(n)) ignored.push(n);
      continue;
    }
    const prefix = m[1] as Prefix;
    if (flow === 'export' && (prefix === 'GEN' || prefix === 'CON')) fail(file, header, n, n, 'export variables only (GEN_*/CON_* are imports)');
    if (flow === 'import' && (prefix === 'ALL' || prefix === 'QTY')) fail(file, header, n, n, 'import variables only (ALL_*/QTY_* are exports)');
    const what = m[2]!;
    const kind = what === 'VAL' ? 'value' : what === 'WGT' ? 'weight' : 'quantity';
    const col: MeasureColumn = { name: n, idx: i, prefix, kind, ytd: m[3] === 'YR', basis: basisOf(flow, prefix) };
    if (kind === 'quantity') {
      col.qty = what === 'QY2' || what === '2' ? 2 : 1;
      const unitVar = `UNIT_QY${col.qty}`;
      const unitIdx = index.get(unitVar);
      if (unitIdx === undefined) fail(file, header, unitVar, names.join(','), `${unitVar} in the header, to give ${n} its unit`);
      col.unitIdx = unitIdx;
      col.flagIdx = index.get(`${n}_FLAG`);
    }
    measures.push(col);
  }
  if (!measures.length) {
    fail(file, header, undefined, names.join(','), 'at least one value or quantity variable (GEN_VAL_MO, CON_VAL_YR, ALL_VAL_MO, GEN_QY1_MO, AIR_VAL_YR…)');
  }

  const timeIdx = index.get('time');
  const yearIdx = index.get('YEAR');
  const monthIdx = index.get('MONTH');
  if (timeIdx === undefined && (yearIdx === undefined || monthIdx === undefined)) {
    fail(file, header, 'time', names.join(','), 'a time column (or YEAR and MONTH) to date the rows');
  }
  const layout: Layout = {
    width: names.length, flow, endpoint: ctx.request?.endpoint ?? (commodityVar?.endsWith('ENDUSE') ? 'enduse' : 'hs'),
    ctyIdx: index.get('CTY_CODE'), timeIdx, yearIdx, monthIdx, measures, ignored,
    breakdowns: BREAKDOWNS.filter((b) => index.has(b)).map((b) => ({ name: b, idx: index.get(b)! })),
  };
  if (commodityVar) {
    layout.commodityVar = commodityVar;
    layout.commodityIdx = index.get(commodityVar);
    layout.labelIdx = index.get(`${commodityVar}_LDESC`) ?? index.get(`${commodityVar}_SDESC`);
    layout.levelIdx = index.get('COMM_LVL');
    layout.classification = commodityVar.endsWith('ENDUSE') ? 'census_enduse' : 'hs';
  }
  return layout;
}

function readPeriod(row: JsonRow, layout: Layout, file: string): { period: string; month: number; year: string } {
  let period: string;
  if (layout.timeIdx !== undefined) {
    period = text(row, layout.timeIdx, 'time', file, 'a month YYYY-MM');
  } else {
    const y = text(row, layout.yearIdx!, 'YEAR', file, 'a year YYYY');
    const m = text(row, layout.monthIdx!, 'MONTH', file, 'a month 01–12');
    period = `${y}-${m.padStart(2, '0')}`;
  }
  const ok = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(period);
  if (!ok) fail(file, row, layout.timeIdx !== undefined ? 'time' : 'YEAR/MONTH', period, 'a month YYYY-MM (the API answers by month)');
  return { period, month: Number(ok[2]), year: ok[1]! };
}

interface Commodity {
  classification: string;
  code: string;
  label: string | null;
  /** The classification per measure prefix (CON's ':con' suffix…), made once per commodity. */
  byPrefix?: Partial<Record<Prefix, string>>;
}

function classificationOf(c: Commodity, prefix: Prefix): string {
  const by = (c.byPrefix ??= {});
  return by[prefix] ??= c.classification + SUFFIX[prefix];
}

function readCommodity(row: JsonRow, layout: Layout, file: string): Commodity {
  if (layout.commodityIdx === undefined) return { classification: 'total', code: 'TOTAL', label: null };
  const name = layout.commodityVar!;
  const code = text(row, layout.commodityIdx, name, file, 'a commodity code');
  const label = layout.labelIdx === undefined ? null : (row.cells[layout.labelIdx] ?? '').trim() || null;
  if (code === '-') return { classification: 'total', code: 'TOTAL', label };
  if (layout.classification === 'census_enduse') {
    if (!/^\d{1,5}$/.test(code)) fail(file, row, name, code, 'an end-use code of 1 to 5 digits');
    return { classification: 'census_enduse', code, label };
  }
  const level = layout.levelIdx === undefined ? undefined : (row.cells[layout.levelIdx] ?? '').trim().toUpperCase();
  const digits = level ? Number(/^HS(2|4|6|10)$/.exec(level)?.[1] ?? NaN) : code.length;
  if (![2, 4, 6, 10].includes(digits)) fail(file, row, level ? 'COMM_LVL' : name, level ?? code, 'an HS level HS2, HS4, HS6 or HS10');
  if (code.length !== digits || !/^\d+$/.test(code)) fail(file, row, name, code, `an HS code of ${digits} digits (COMM_LVL says HS${digits})`);
  return { classification: `hs${digits}`, code, label };
}

function basisOf(flow: Flow, prefix: Prefix): string {
  const base = flow === 'export' ? 'f.a.s.' : prefix === 'CON' ? 'imports for consumption' : 'general imports';
  const mode = MODE[prefix];
  return mode ? `${base}, ${mode}` : base;
}

function text(row: JsonRow, idx: number, column: string, file: string, expected: string): string {
  const v = row.cells[idx];
  if (v === null || v === undefined || v.trim() === '') fail(file, row, column, String(v), expected);
  return v.trim();
}

function requestFromHints(hints: Record<string, unknown>): CensusApiRequest | undefined {
  const r = hints.request as Partial<CensusApiRequest> | undefined;
  if (!r || typeof r !== 'object' || (r.flow !== 'imports' && r.flow !== 'exports') || typeof r.endpoint !== 'string'
    || !Array.isArray(r.get) || !Array.isArray(r.filters) || typeof r.timeFrom !== 'string' || typeof r.timeTo !== 'string') return undefined;
  return { flow: r.flow, endpoint: r.endpoint, get: r.get.map(String), filters: r.filters.map((f) => [String(f[0]), String(f[1])] as [string, string]), timeFrom: r.timeFrom, timeTo: r.timeTo };
}

function fail(file: string, row: JsonRow, column: string | undefined, value: string, expected: string): never {
  throw new DataError({ dataset: DATASET, file, line: row.line, row: row.row, column, value, expected });
}
