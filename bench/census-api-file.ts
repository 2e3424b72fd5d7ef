/**
 * Generates a full-size Census International Trade API answer in the real shape of
 * /work/shared/sources/census.md §1: a JSON array of arrays, header row first, every value a
 * string, one row per line, and the filter variables echoed back as extra columns. The request
 * it stands for:
 *
 *   /data/timeseries/intltrade/imports/hs?get=CTY_CODE,CTY_NAME,I_COMMODITY,I_COMMODITY_SDESC,
 *     GEN_VAL_MO,CON_VAL_MO,GEN_QY1_MO,UNIT_QY1&COMM_LVL=HS10&SUMMARY_LVL=DET&time=from 2024-01 to 2024-12
 *
 * i.e. imports at HS10 by country by month (countries only, no groupings). Figures and short
 * descriptions are synthetic (seeded, deterministic), shaped like the real data: long-tailed
 * dollar values, CON_VAL_MO at or a little below GEN_VAL_MO, units per code with `X` (no
 * quantity) for some codes, and a quantity of "0" now and then.
 *
 * The generator counts what the parser must emit per row: GEN_VAL_MO and CON_VAL_MO always,
 * GEN_QY1_MO when its unit is a unit (not X) and the quantity is not "0" (a "0" without a
 * true-zero flag column is "not reported").
 */
import fs from 'node:fs';
import { allCountries } from '../src/ref/countries.js';
import { SeededRandom, shuffled } from './seeded-random.js';

export const CENSUS_HEADER = ['CTY_CODE', 'CTY_NAME', 'I_COMMODITY', 'I_COMMODITY_SDESC', 'GEN_VAL_MO', 'CON_VAL_MO', 'GEN_QY1_MO', 'UNIT_QY1', 'COMM_LVL', 'SUMMARY_LVL', 'time'];

/** One row of the answer, before it is written as strings. */
export interface CensusRow {
  ctyCode: string;
  ctyName: string;
  hs10: string;
  sdesc: string;
  gen: number;
  con: number;
  qty: number;
  unit: string;
  time: string;
}

export interface CensusFileSpec {
  rows: number;
  seed: number;
  year?: number;
  /** Makes the revised file: the same rows, with this share of the observations changed. */
  revise?: { share: number; seed: number };
}

export interface CensusFileStats {
  rows: number;
  observations: number;
  changedObservations: number;
  bytes: number;
}

const UNITS: ReadonlyArray<readonly [string, number]> = [['NO', 30], ['KG', 35], ['X', 15], ['DOZ', 5], ['PRS', 3], ['T', 4], ['L', 4], ['M2', 4]];
const WORDS = ['PARTS', 'MOTOR', 'VEHICLES', 'STEEL', 'ALLOY', 'FRESH', 'FROZEN', 'COTTON', 'KNIT', 'WOMENS', 'MENS', 'ELECTRIC', 'MACHINES', 'PUMPS', 'VALVES', 'OPTICAL', 'INSTRUMENTS', 'PLASTIC', 'RUBBER', 'TIRES', 'GLASS', 'PAPER', 'WOOD', 'FURNITURE', 'TOYS', 'BEARINGS', 'ENGINES', 'SEMICONDUCTOR', 'COPPER', 'ALUMINUM', 'NESOI'];
// The largest US import partners first.
const MAJOR = ['5700', '2010', '1220', '4280', '5880', '5800', '5830', '5520', '5330', '4759', '4120', '4279', '5570', '4190', '4210'];

const pad = (n: number, w: number): string => String(n).padStart(w, '0');

/**
 * The rows of an answer: code by code, partner by partner, month by month. Deterministic for a seed.
 * @example for (const row of censusRows({ rows: 200, seed: 2 })) formatCensusRow(row)
 */
export function* censusRows(spec: CensusFileSpec): Generator<CensusRow> {
  const rng = new SeededRandom(spec.seed);
  const year = spec.year ?? 2024;
  const countries = allCountries().filter((c) => c.censusCode !== null);
  const codes = countries.map((c) => c.censusCode!).sort();
  const nameOf = new Map(countries.map((c) => [c.censusCode!, c.nameEn.toUpperCase()]));
  const partners = [...MAJOR.filter((c) => codes.includes(c)), ...shuffled(codes.filter((c) => !MAJOR.includes(c)), rng)];
  const rankOf = new Map(partners.map((c, r) => [c, r]));
  let made = 0;
  let code = 0;
  const space = 97 * 100_000_000;
  let codesMade = 0;
  while (made < spec.rows) {
    // HS10 codes ascend through chapters 01–97; the step spreads the codes still needed over
    // the code space still free (rows per code so far say how many codes are still needed).
    const perCode = codesMade ? made / codesMade : 150;
    const stillNeeded = Math.max(1, (spec.rows - made) / perCode);
    code += 1 + rng.int(Math.max(1, Math.floor((1.6 * (space - code)) / (stillNeeded + 1))));
    codesMade++;
    const chapter = 1 + Math.floor(code / 100_000_000);
    if (chapter > 97) throw new Error('census generator ran out of HS10 codes: ask for fewer rows');
    const hs10 = `${pad(chapter, 2)}${pad(code % 100_000_000, 8)}`;
    const sdesc = Array.from({ length: 2 + rng.int(4) }, () => WORDS[rng.int(WORDS.length)]).join(' ').slice(0, 50);
    const unit = rng.weighted(UNITS);
    const perUnit = Math.exp(Math.log(40) + 2 * rng.normal());
    const chosen = partners.filter((_, r) => rng.float() < Math.min(1, 6 / (r + 4)));
    for (const cty of chosen.sort()) {
      const rank = rankOf.get(cty)!;
      const activity = Math.min(1, 0.1 + rng.float() * (1.2 - rank / partners.length));
      const base = Math.exp(Math.log(20_000) + 3 * (1 - rank / partners.length) + 2 * rng.normal());
      for (let m = 1; m <= 12; m++) {
        if (made >= spec.rows) return;
        if (rng.float() >= activity) continue;
        const gen = Math.max(1, Math.min(9_000_000_000, Math.round(base * Math.exp(0.5 * rng.normal()))));
        const con = rng.float() < 0.7 ? gen : Math.round(gen * (0.85 + 0.15 * rng.float()));
        const qty = unit === 'X' || rng.float() < 0.03 ? 0 : Math.round(gen / perUnit);
        made++;
        yield { ctyCode: cty, ctyName: nameOf.get(cty)!, hs10, sdesc, gen, con, qty, unit, time: `${year}-${pad(m, 2)}` };
      }
    }
  }
}

/** Observations the parser must emit for a row. */
export function censusRowObservations(row: CensusRow): number {
  return 2 + (row.unit !== 'X' && row.qty !== 0 ? 1 : 0);
}

/**
 * One row as the API writes it: `["5880","JAPAN",…],` (all strings).
 * @example formatCensusRow(row, true)
 */
export function formatCensusRow(row: CensusRow, last: boolean): string {
  const cells = [row.ctyCode, row.ctyName, row.hs10, row.sdesc, String(row.gen), String(row.con), String(row.qty), row.unit, 'HS10', 'DET', row.time];
  return `${JSON.stringify(cells)}${last ? ']' : ','}\n`;
}

/** Changes a row in place as a revision would; returns how many observations changed. */
export function reviseCensusRow(row: CensusRow, rng: SeededRandom, p: number): number {
  let changed = 0;
  const bump = (v: number): number => {
    let n = Math.max(0, Math.round(v * (1 + 0.05 * rng.normal())));
    if (n === v) n = v + 1 + rng.int(99);
    return n;
  };
  if (rng.float() < p) { row.gen = bump(row.gen); changed++; }
  if (rng.float() < p) { row.con = bump(row.con); changed++; }
  // Only a quantity that is an observation is revised, and never to "0" (that would drop it).
  if (censusRowObservations(row) === 3 && rng.float() < p) { row.qty = Math.max(1, bump(row.qty)); changed++; }
  return changed;
}

/**
 * The whole answer as UTF-8 chunks (about 1 MB each), counting rows and observations.
 * @example for (const chunk of censusFileChunks({ rows: 200, seed: 2 }, stats)) out.push(chunk)
 */
export function* censusFileChunks(spec: CensusFileSpec, stats: CensusFileStats): Generator<Buffer> {
  const revRng = spec.revise ? new SeededRandom(spec.revise.seed) : undefined;
  let text = `[${JSON.stringify(CENSUS_HEADER)},\n`;
  let pending: CensusRow | undefined;
  const emit = (row: CensusRow, last: boolean) => {
    if (revRng) stats.changedObservations += reviseCensusRow(row, revRng, spec.revise!.share);
    stats.rows++;
    stats.observations += censusRowObservations(row);
    text += formatCensusRow(row, last);
  };
  for (const row of censusRows(spec)) {
    if (pending) emit(pending, false);
    pending = row;
    if (text.length >= 1 << 20) {
      const buf = Buffer.from(text, 'utf8');
      stats.bytes += buf.length;
      yield buf;
      text = '';
    }
  }
  if (pending) emit(pending, true);
  else text = text.replace(/,\n$/, ']\n');
  const buf = Buffer.from(text, 'utf8');
  stats.bytes += buf.length;
  yield buf;
}

/**
 * Writes the answer (to a temporary name, renamed when complete) and returns what it holds.
 * @example writeCensusFile('bench/data/census.json', { rows: 1_000_000, seed: 2024 })
 */
export function writeCensusFile(file: string, spec: CensusFileSpec): CensusFileStats {
  const stats: CensusFileStats = { rows: 0, observations: 0, changedObservations: 0, bytes: 0 };
  const tmp = `${file}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  try {
    for (const chunk of censusFileChunks(spec, stats)) fs.writeSync(fd, chunk);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  return stats;
}
