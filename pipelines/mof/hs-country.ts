/**
 * `mof.hs_country` — e-Stat HS-9 CSVs: the country table (品別国別表, 45 columns) and the
 * world-total table (統計品別表, 44 columns), CP932, one English header line.
 *
 * Emitted per row and covered month (frequency 'M', period 'YYYY-MM'): 'quantity' (Unit1),
 * 'quantity2' (Unit2) — each only when its unit is not blank — and 'value' (thousand yen → 'JPY').
 * Classification 'hs9', code without its quotes; partner via partnerFromMofCode, world table →
 * 'WORLD'. The *-Year columns become frequency 'A' observations only when the file covers
 * January–December.
 *
 * Coverage (which months are real): e-Stat files are cumulative from January; the month they
 * run to is in the listing title ("2024年12月分"), passed by discovery as hints.coverageTo or
 * hints.title. A local file without hints gets a first streaming pass in parseHsCountry (the
 * loader's stageHsCountryRaw learns it in its one pass, the unpivot waiting for it): the covered months are
 * January through the last month with any non-zero figure anywhere in the file. Zeros after the
 * coverage are not observations; zeros within it are real zeros. A non-zero figure after a
 * hinted coverage is refused (the hint would be wrong).
 *
 * scopeKey: `<flow>:<year>:<scope>` — scope 'world' for the world table; for the country table
 * the HS section the file covers (`s17` = chapters 86–89, as e-Stat splits them by section),
 * from hints.hsScope or derived from the chapters present (`hs<first>-<last>` when they span
 * more than one section).
 */
import type { Dataset, Flow, Observation, ReleaseFacts, ReleaseInput, Stage } from '../../src/core/vocabulary.js';
import { MOF_HS_COUNTRY } from '../dataset-meta.js';
import { DataError } from '../../src/core/errors.js';
import { csvRowsOf, cutShort, readCsvPieces, type CsvRow } from '../../src/parse/csv.js';
import { partnerFromMofCode } from '../../src/ref/countries.js';
import { discoverHsCountry } from './discovery.js';
import { RAW_COLUMNS, RAW_TABLE, rawPlan } from './hs-country-raw.js';
import type { RawStage } from '../../src/engine/observation-store.js';
import { csvField } from '../../src/db/connect.js';

const DATASET = MOF_HS_COUNTRY.id;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The known header of a table; `Apl` is accepted for `Apr` (older files). */
function expectedHeader(country: boolean): string[] {
  const h = ['Exp or Imp', 'Year', 'HS', ...(country ? ['Country'] : []), 'Unit1', 'Unit2', 'Quantity1-Year', 'Quantity2-Year', 'Value-Year'];
  for (const m of MONTHS) h.push(`Quantity1-${m}`, `Quantity2-${m}`, `Value-${m}`);
  return h;
}
const COUNTRY_HEADER = expectedHeader(true);
const WORLD_HEADER = expectedHeader(false);

interface Layout {
  country: boolean;
  /** Index of Unit1; the year block starts two columns later. */
  unit1: number;
  width: number;
}

function checkHeader(fields: string[], fileName: string): Layout {
  const cells = fields.map((f) => f.trim().replace(/-Apl$/, '-Apr'));
  const country = cells[3] === 'Country';
  const want = country ? COUNTRY_HEADER : WORLD_HEADER;
  for (let i = 0; i < Math.max(want.length, cells.length); i++) {
    if (cells[i] !== want[i]) {
      throw new DataError({
        dataset: DATASET, file: fileName, line: 1, column: `${i + 1}${want[i] ? ` (${want[i]})` : ''}`, value: fields[i] ?? '(missing)',
        expected: `the e-Stat ${country ? 'HS-9 by country (45' : 'HS-9 world-total (44'}-column) header: column ${i + 1} should be ${want[i] ? JSON.stringify(want[i]) : 'absent'}`,
      });
    }
  }
  return { country, unit1: country ? 4 : 3, width: want.length };
}

/** HS section of a chapter (HS 2022 nomenclature), for scope keys. */
function hsSection(chapter: number): number {
  const starts = [1, 6, 15, 16, 25, 28, 39, 41, 44, 47, 50, 64, 68, 71, 72, 84, 86, 90, 93, 94, 97];
  let s = 0;
  for (let i = 0; i < starts.length; i++) if (chapter >= starts[i]!) s = i + 1;
  return s;
}

interface Parsed {
  flow: Flow;
  flowCode: string;
  year: string;
  hs: string;
  country: string;
  unit1: string;
  unit2: string;
  /** Q1, Q2, Value of the year block (indexes 0–2) then of months 1–12 (3m … 3m+2), leading zeros dropped. */
  values: string[];
  /** The same figures as written in the file (trimmed). */
  sources: string[];
}

/** Does block b (0 = year, 1–12 = months) hold a non-zero figure? */
function nonZero(p: Parsed, b: number): boolean {
  return p.values[b * 3] !== '0' || p.values[b * 3 + 1] !== '0' || p.values[b * 3 + 2] !== '0';
}

const DIGITS = /^\d+$/;

/** Is s one or more ASCII digits, without a leading zero unless it is "0"? */
function plainFigure(s: string): boolean {
  const n = s.length;
  if (n === 0 || (n > 1 && s.charCodeAt(0) === 48)) return false;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

const UNIT = /^[A-Z0-9]{0,4}$/;

/** The fields of a row before its figures, for the common row (quickRow, quickLine). */
type Head = Omit<Parsed, 'values' | 'sources'>;

/**
 * parseRow for the common row, without its per-field trims, regular expressions and two arrays
 * (at 500,000 rows they were most of the parse's garbage): every figure plain digits, written
 * without leading zeros, so `values` and `sources` are one array. Any other row — padding, a
 * leading zero, anything parseRow would refuse — answers undefined and goes through parseRow,
 * which alone decides what is accepted and how a refusal reads.
 */
function quickRow(f: string[], layout: Layout): Parsed | undefined {
  if (f.length !== layout.width) return undefined;
  const head = quickHead(f, layout);
  if (!head) return undefined;
  const start = layout.unit1 + 2;
  const values = f.slice(start, start + 39);
  for (let i = 0; i < 39; i++) if (!plainFigure(values[i]!)) return undefined;
  return { ...head, values, sources: values };
}

/** quickRow's checks of the fields before the figures. */
function quickHead(f: string[], layout: Layout): Head | undefined {
  const flowCode = f[0]!;
  if (flowCode !== '1' && flowCode !== '2') return undefined;
  const year = f[1]!;
  const hsq = f[2]!;
  if (year.length !== 4 || !plainFigure(year) || !(year.startsWith('19') || year.startsWith('20'))) return undefined;
  if (hsq.length !== 11 || hsq.charCodeAt(0) !== 39 || hsq.charCodeAt(10) !== 39) return undefined;
  const hs = hsq.slice(1, 10);
  for (let i = 0; i < 9; i++) {
    const c = hs.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 90))) return undefined;
  }
  let country = '';
  if (layout.country) {
    country = f[3]!;
    if (country.length !== 3 || !/^\d{3}$/.test(country)) return undefined;
  }
  const unit1 = f[layout.unit1]!.trim();
  const unit2 = f[layout.unit1 + 1]!.trim();
  if (!UNIT.test(unit1) || !UNIT.test(unit2)) return undefined;
  return { flow: flowCode === '1' ? 'export' : 'import', flowCode, year, hs, country, unit1, unit2 };
}

/** A row as the raw staging sends it: the head, the 39 figures as written, and maskOf them. */
interface RawRow extends Head { figures: string; mask: number }

/** Bit b set when block b (0 = year, 1–12 = months) holds a non-zero figure. */
function maskOf(values: string[]): number {
  let mask = 0;
  for (let b = 0; b < 13; b++) if (values[b * 3] !== '0' || values[b * 3 + 1] !== '0' || values[b * 3 + 2] !== '0') mask |= 1 << b;
  return mask;
}

/**
 * quickRow on a line of text, without splitting the 39 figures into strings (the raw staging
 * sends them on as written): the same rows accepted, the same fields read. A line of a piece
 * without double quotes is what papaparse would split at its commas (csvRowsOf); any other line
 * answers undefined and is split and read by parseRow.
 */
function quickLine(s: string, layout: Layout): RawRow | undefined {
  const lead = layout.unit1 + 2;
  const f: string[] = new Array(lead);
  let pos = 0;
  for (let i = 0; i < lead; i++) {
    const c = s.indexOf(',', pos);
    if (c < 0) return undefined;
    f[i] = s.slice(pos, c);
    pos = c + 1;
  }
  const head = quickHead(f, layout);
  if (!head) return undefined;
  let mask = 0;
  let k = 0;
  let start = pos;
  let nonZero = false;
  for (let i = pos; i <= s.length; i++) {
    const c = i < s.length ? s.charCodeAt(i) : 44;
    if (c === 44) {
      const len = i - start;
      if (len === 0 || (len > 1 && s.charCodeAt(start) === 48) || k === 39) return undefined;
      if (nonZero) mask |= 1 << ((k / 3) | 0);
      k++;
      start = i + 1;
      nonZero = false;
    } else if (c < 48 || c > 57) {
      return undefined;
    } else if (c !== 48) {
      nonZero = true;
    }
  }
  if (k !== 39) return undefined;
  return { ...head, figures: s.slice(pos), mask };
}

function parseRow(row: CsvRow, layout: Layout, fileName: string, header: string[]): Parsed {
  const f = row.fields;
  const quick = quickRow(f, layout);
  if (quick) return quick;
  const bad = (col: number, expected: string): never => {
    throw new DataError({ dataset: DATASET, file: fileName, line: row.line, column: `${col + 1} (${header[col] ?? '?'})`, value: f[col] ?? '(missing)', expected });
  };
  if (f.length !== layout.width) {
    throw new DataError({ dataset: DATASET, file: fileName, line: row.line, value: `${f.length} fields`, expected: `${layout.width} fields as in the header` });
  }
  const flowCode = f[0]!.trim();
  if (flowCode !== '1' && flowCode !== '2') bad(0, '1 (export) or 2 (import)');
  const year = f[1]!.trim();
  if (!/^(19|20)\d{2}$/.test(year)) bad(1, 'a four-digit year');
  const hsm = /^'([0-9A-Z]{9})'$/.exec(f[2]!.trim());
  if (!hsm) bad(2, "a 9-character statistical code in single quotes, e.g. '870323929'");
  let country = '';
  if (layout.country) {
    country = f[3]!.trim();
    if (!/^\d{3}$/.test(country)) bad(3, 'a 3-digit MOF country code');
  }
  const unit1 = f[layout.unit1]!.trim();
  const unit2 = f[layout.unit1 + 1]!.trim();
  if (!UNIT.test(unit1)) bad(layout.unit1, 'a unit code (e.g. NO, KG) or blank');
  if (!UNIT.test(unit2)) bad(layout.unit1 + 1, 'a unit code (e.g. NO, KG) or blank');
  const values: string[] = new Array(39);
  const sources: string[] = new Array(39);
  const start = layout.unit1 + 2;
  for (let i = 0; i < 39; i++) {
    const c = start + i;
    const v = f[c]!.trim();
    if (!DIGITS.test(v)) bad(c, 'a non-negative whole number');
    sources[i] = v;
    values[i] = v.length > 1 && v.charCodeAt(0) === 48 ? v.replace(/^0+(?=\d)/, '') : v;
  }
  return { flow: flowCode === '1' ? 'export' : 'import', flowCode, year, hs: hsm![1]!, country, unit1, unit2, values, sources };
}

/** Stage words of an e-Stat listing title; the least advanced stage of the title wins. */
function estatStage(title: string): { stage: Stage; sourceStage: string } | undefined {
  const words = title.match(/確定|確々報|9桁速報|確報|速報/g);
  if (!words) return undefined;
  const rank = (w: string): number => (w === '確定' ? 2 : w === '確々報' ? 1 : 0);
  const min = Math.min(...words.map(rank));
  const stage: Stage = min === 2 ? 'final' : min === 1 ? 'revised' : 'preliminary';
  return { stage, sourceStage: /\(([^)]*)\)/.exec(title)?.[1] ?? words.join('/') };
}

/** Reads the rows of the file after its header. */
async function* rowsOf(input: ReleaseInput): AsyncIterable<{ row: CsvRow; layout: Layout; header: string[] }> {
  for await (const block of rowBlocksOf(input)) {
    const { layout, header } = block;
    if ('rows' in block) {
      for (const row of block.rows) yield { row, layout, header };
    } else {
      let line = block.line;
      for (const text of block.lines) {
        const at = line++;
        if (text !== '') yield { row: { line: at, fields: text.split(',') }, layout, header };
      }
    }
  }
}

/**
 * The data rows in blocks (a piece of readCsvPieces each): parsed (`rows`), or — a piece after
 * the header without double quotes, undecodable text or a cut-short end — its lines as text
 * numbered from `line` (blank ones included), which split at commas are what papaparse gives.
 * One await per block: the raw staging's pass does little per row. A cut-short last row throws
 * after the rows before it.
 */
async function* rowBlocksOf(input: ReleaseInput): AsyncIterable<{ layout: Layout; header: string[] } & ({ rows: CsvRow[] } | { lines: string[]; line: number })> {
  let layout: Layout | undefined;
  let header: string[] = [];
  let line = 1;
  const opts = { dataset: DATASET, fileName: input.fileName, encoding: 'cp932' as const };
  for await (const piece of readCsvPieces(input.stream(), opts)) {
    if (layout && !piece.unterminated && !piece.text.includes('"') && !piece.text.includes('\uFFFD')) {
      const lines = piece.text.split(piece.newline);
      yield { layout, header, lines, line };
      line += lines.length;
      continue;
    }
    const { rows: all, error } = csvRowsOf(piece, line, opts);
    line += all.length;
    const rows: CsvRow[] = [];
    for (const row of all) {
      if (!layout) {
        layout = checkHeader(row.fields, input.fileName);
        header = row.fields.map((h) => h.trim());
        continue;
      }
      if (row.fields.length === 1 && row.fields[0] === '') continue;
      if (row.unterminated) {
        if (rows.length > 0) yield { rows, layout, header };
        throw cutShort({ dataset: DATASET, fileName: input.fileName }, row, 'e-Stat CSV downloads end every row, the last one too, with a line ending');
      }
      rows.push(row);
    }
    if (layout && rows.length > 0) yield { rows, layout, header };
    if (error) throw error;
  }
  if (!layout) throw new DataError({ dataset: DATASET, file: input.fileName, line: 1, value: '', expected: 'an e-Stat CSV with a header line (the file is empty)' });
}

interface Survey { lastMonth: number; chapters: Set<number>; table?: 'country' | 'world' }

/** What a row says of the coverage and scope of a file without hints (survey, stageHsCountryRaw). */
function noteRow(s: Survey, hs: string, mask: number, layout: Layout): void {
  s.table = layout.country ? 'country' : 'world';
  const ch = Number(hs.slice(0, 2));
  if (Number.isFinite(ch) && ch > 0) s.chapters.add(ch);
  for (let m = 12; m > s.lastMonth; m--) {
    if ((mask >> m) & 1) { s.lastMonth = m; break; }
  }
}

/** The scope key part a survey gives: `world` for the world table, else from the chapters. */
function scopeOf(s: Survey): string {
  return s.table === 'world' ? 'world' : scopeOfChapters(s.chapters);
}

/** First pass for files without hints: coverage and chapters, bounded memory. */
async function survey(input: ReleaseInput): Promise<Survey> {
  const s: Survey = { lastMonth: 0, chapters: new Set() };
  for await (const { row, layout, header } of rowsOf(input)) {
    const p = parseRow(row, layout, input.fileName, header);
    noteRow(s, p.hs, maskOf(p.values), layout);
  }
  return s;
}

function scopeOfChapters(chapters: Set<number>): string {
  const list = [...chapters].sort((a, b) => a - b);
  if (list.length === 0) return 'hs00';
  const secs = new Set(list.map(hsSection));
  if (secs.size === 1) return `s${[...secs][0]}`;
  const two = (n: number): string => String(n).padStart(2, '0');
  return `hs${two(list[0]!)}-${two(list[list.length - 1]!)}`;
}

/** What the hints say before the first row; sets the release facts the hints decide. */
interface Setup { coverage?: number; coverageFromHint: boolean; scope?: string }

function setUp(input: ReleaseInput, facts: ReleaseFacts): Setup {
  const hints = input.hints ?? {};
  const hintTitle = typeof hints.title === 'string' ? hints.title : undefined;
  let coverage: number | undefined;
  let coverageFromHint = false;
  if (typeof hints.coverageTo === 'string' && /^\d{4}-\d{2}$/.test(hints.coverageTo)) {
    coverage = Number(hints.coverageTo.slice(5));
    coverageFromHint = true;
  } else if (hintTitle) {
    const m = /(\d{4})年(\d{1,2})月分/.exec(hintTitle);
    if (m) { coverage = Number(m[2]); coverageFromHint = true; }
  }
  const scope = typeof hints.hsScope === 'string' ? hints.hsScope : undefined;
  const stage = hintTitle ? estatStage(hintTitle) : undefined;
  facts.stage = (typeof hints.stage === 'string' ? hints.stage as Stage : undefined) ?? stage?.stage ?? 'preliminary';
  facts.sourceStage = stage?.sourceStage ?? (typeof hints.sourceStage === 'string' ? hints.sourceStage : 'unknown (no e-Stat listing title)');
  if (hintTitle) facts.title = hintTitle;
  if (typeof hints.publishedOn === 'string') facts.publishedOn = hints.publishedOn;
  return { coverage, coverageFromHint, scope };
}

/** The release's scope facts, from its first row. */
function setScope(facts: ReleaseFacts, p: Pick<Parsed, 'flow' | 'year'>, layout: Layout, scope: string, coverage: number, coverageFromHint: boolean): void {
  const sc = layout.country ? scope : 'world';
  facts.scopeKey = `${p.flow}:${p.year}:${sc}`;
  facts.scope = { table: layout.country ? 'country' : 'world', flow: p.flow, year: p.year, months: `${p.year}-01..${p.year}-${String(coverage).padStart(2, '0')}`, hsScope: sc, coverageFrom: coverageFromHint ? 'listing title' : 'data (last non-zero month)' };
}

/** Every row of a release has the flow and year of its first row. */
function checkSameRelease(p: Parsed, first: Pick<Parsed, 'flowCode' | 'year'>, row: CsvRow, header: string[], fileName: string): void {
  if (p.flowCode !== first.flowCode || p.year !== first.year) {
    const col = p.flowCode !== first.flowCode ? 0 : 1;
    throw new DataError({ dataset: DATASET, file: fileName, line: row.line, column: `${col + 1} (${header[col]})`, value: row.fields[col]!, expected: `the same flow and year on every row (${first.flowCode}, ${first.year}): one release covers one flow and one year` });
  }
}

/** Months after the hinted coverage must be zero. */
function checkCoverage(p: Parsed, coverage: number, row: CsvRow, layout: Layout, header: string[], fileName: string): void {
  for (let m = coverage + 1; m <= 12; m++) {
    if (nonZero(p, m)) {
      const k = p.values[m * 3] !== '0' ? 0 : p.values[m * 3 + 1] !== '0' ? 1 : 2;
      const c = layout.unit1 + 2 + m * 3 + k;
      throw new DataError({ dataset: DATASET, file: fileName, line: row.line, column: `${c + 1} (${header[c]})`, value: row.fields[c]!, expected: `0: the file covers ${p.year}-01..${p.year}-${String(coverage).padStart(2, '0')} only (listing title), so later months must be empty` });
    }
  }
}

const noRows = (fileName: string) => new DataError({ dataset: DATASET, file: fileName, line: 2, value: '', expected: 'at least one data row after the header' });
const allZero = (fileName: string) => new DataError({ dataset: DATASET, file: fileName, line: 2, value: '', expected: 'at least one covered month with figures (every month is 0)' });

/**
 * Parses one e-Stat HS-9 CSV (country or world table) into monthly (and, for a full year,
 * annual) observations. Streaming; a second pass only when discovery gave no coverage hints.
 * (The loader stages the same release through stageHsCountryRaw: one pass, unpivoted in the
 * database.)
 * @example for await (const o of parseHsCountry(input, facts)) rows.push(o)
 */
export async function* parseHsCountry(input: ReleaseInput, facts: ReleaseFacts): AsyncIterable<Observation> {
  let { coverage, coverageFromHint, scope } = setUp(input, facts);
  if (coverage === undefined || scope === undefined) {
    const s = await survey(input);
    coverage ??= s.lastMonth;
    scope ??= scopeOf(s);
  }

  let first: Parsed | undefined;
  let count = 0;
  // Period strings of the months, made once: every row of a release has the same year.
  const periods: string[] = [];
  const position = input.position;
  for await (const { row, layout, header } of rowsOf(input)) {
    const p = parseRow(row, layout, input.fileName, header);
    if (position) position.line = row.line;
    if (!first) {
      first = p;
      setScope(facts, p, layout, scope!, coverage!, coverageFromHint);
    } else checkSameRelease(p, first, row, header, input.fileName);
    const partner = layout.country ? partnerFromMofCode(p.country) : 'WORLD';
    const partnerSourceCode = layout.country ? p.country : 'WORLD';
    const basis = p.flow === 'export' ? 'FOB' : 'CIF';
    checkCoverage(p, coverage!, row, layout, header, input.fileName);
    // The blocks in order: months 1..coverage, then the year when the file covers all twelve.
    // Plain object literals in a flat loop, no generator or closure per row or block: in Node 20
    // a spread followed by more properties takes a slow path (about 20 µs per object, measured
    // by bench/), and a 13-million-observation file makes every allocation per observation count.
    const last = coverage === 12 ? 13 : coverage!;
    for (let i = 1; i <= last; i++) {
      const b = i === 13 ? 0 : i;
      const period = b === 0 ? p.year : (periods[b] ??= `${p.year}-${String(b).padStart(2, '0')}`);
      const frequency = b === 0 ? 'A' : 'M';
      if (p.unit1 !== '') {
        count++;
        yield { reporter: 'JP', partner, partnerSourceCode, flow: p.flow, period, frequency, classification: 'hs9', commodityCode: p.hs, commodityLabel: null,
          measure: 'quantity', value: p.values[b * 3]!, unit: p.unit1, sourceValue: p.sources[b * 3]!, sourceUnit: p.unit1, basis };
      }
      if (p.unit2 !== '') {
        count++;
        yield { reporter: 'JP', partner, partnerSourceCode, flow: p.flow, period, frequency, classification: 'hs9', commodityCode: p.hs, commodityLabel: null,
          measure: 'quantity2', value: p.values[b * 3 + 1]!, unit: p.unit2, sourceValue: p.sources[b * 3 + 1]!, sourceUnit: p.unit2, basis };
      }
      const v = p.values[b * 3 + 2]!;
      count++;
      yield { reporter: 'JP', partner, partnerSourceCode, flow: p.flow, period, frequency, classification: 'hs9', commodityCode: p.hs, commodityLabel: null,
        measure: 'value', value: v === '0' ? '0' : `${v}000`, unit: 'JPY', sourceValue: p.sources[b * 3 + 2]!, sourceUnit: 'thousand yen', basis };
    }
  }
  if (!first) throw noRows(input.fileName);
  if (count === 0) throw allZero(input.fileName);
}

/**
 * The same release as parseHsCountry, for the loader's raw staging (RawStage in
 * src/engine/observation-store.ts): ONE pass that validates every row exactly as parseHsCountry
 * does (same DataErrors: file, line, column, value, expected) and sends the row's fields as
 * they are written to `_raw`; the coverage and scope of a file without hints are learnt in the
 * same pass (no survey), and the unpivot into observations is SQL (hs-country-raw.ts).
 */
export function stageHsCountryRaw(input: ReleaseInput, facts: ReleaseFacts): RawStage {
  const setup = setUp(input, facts);
  let first: RawRow | undefined;
  let firstLayout: Layout | undefined;
  let rows = 0;
  let measures = 0;
  // Without hints, coverage and scope are learnt in this pass (parseHsCountry's survey).
  const surveyed: Survey | undefined = setup.coverage === undefined || setup.scope === undefined ? { lastMonth: 0, chapters: new Set() } : undefined;
  const { coverage } = setup;
  let ended = false;
  /** A quick row that passes the release's checks as it stands (else parseRow and the checks decide). */
  const fits = (q: RawRow) => (!first || (q.flowCode === first.flowCode && q.year === first.year)) && (coverage === undefined || q.mask >> (coverage + 1) === 0);
  /** A row through the parser of record and the release's checks, which throw its DataError. */
  const read = (row: CsvRow, layout: Layout, header: string[]): RawRow => {
    const p = parseRow(row, layout, input.fileName, header);
    if (first) checkSameRelease(p, first, row, header, input.fileName);
    if (coverage !== undefined) checkCoverage(p, coverage, row, layout, header, input.fileName);
    return { ...p, figures: p.sources.join(','), mask: maskOf(p.values) };
  };
  async function* chunks(): AsyncIterable<string> {
    let buf = '';
    for await (const block of rowBlocksOf(input)) {
      const { layout, header } = block;
      const take = (r: RawRow) => {
        if (!first) { first = r; firstLayout = layout; }
        if (surveyed) noteRow(surveyed, r.hs, r.mask, layout);
        const partner = layout.country ? partnerFromMofCode(r.country) : 'WORLD';
        measures += 1 + (r.unit1 !== '' ? 1 : 0) + (r.unit2 !== '' ? 1 : 0);
        buf += `${rows++},${csvField(partner)},${layout.country ? r.country : 'WORLD'},${r.hs},${csvField(r.unit1)},${csvField(r.unit2)},${r.figures}\n`;
      };
      if ('rows' in block) {
        for (const row of block.rows) take(read(row, layout, header));
      } else {
        let line = block.line;
        for (const text of block.lines) {
          const at = line++;
          if (text === '') continue;
          const q = quickLine(text, layout);
          take(q && fits(q) ? q : read({ line: at, fields: text.split(',') }, layout, header));
        }
      }
      // Sent piece by piece (about 16 kB): lines kept longer, until a bigger chunk was full,
      // outlived the young generation (0.87 → 0.74 s for 50,000 rows with --optimize-for-size).
      if (buf) { yield buf; buf = ''; }
    }
    ended = true;
  }
  return {
    createRaw: RAW_TABLE,
    columns: RAW_COLUMNS,
    chunks: chunks(),
    plan() {
      if (!ended) throw new Error('stageHsCountryRaw: plan() before the rows were read');
      if (!first) throw noRows(input.fileName);
      const coverage = setup.coverage ?? surveyed!.lastMonth;
      const scope = setup.scope ?? scopeOf(surveyed!);
      setScope(facts, first, firstLayout!, scope, coverage, setup.coverageFromHint);
      const blocks = coverage === 12 ? 13 : coverage;
      if (blocks * measures === 0) throw allZero(input.fileName);
      return rawPlan({ year: first.year, flow: first.flow, coverage, observations: blocks * measures, rows });
    },
  };
}

export const hsCountryDataset: Dataset = {
  ...MOF_HS_COUNTRY,
  discover: discoverHsCountry,
  parse: parseHsCountry,
  stageRaw: async (input, facts) => stageHsCountryRaw(input, facts),
};
