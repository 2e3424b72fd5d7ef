/**
 * Generates a full-size e-Stat HS-9 × country CSV (品別国別表) in the real layout of
 * /work/shared/sources/mof.md §2: 45 columns, one English header line, HS codes in single
 * quotes, a blank unit written as two spaces, CRLF, CP932 bytes (ASCII content, as in the real
 * files). Every row covers a full calendar year: 12 monthly (Quantity1, Quantity2, Value) trios
 * and the `*-Year` trio that is their sum.
 *
 * The figures are synthetic (seeded, deterministic) and shaped like the real table: a few
 * thousand 9-digit codes per flow, each traded with a long-tailed number of partners (big
 * partners with most codes), log-normal magnitudes, many zero months for small flows, unit
 * pairs that depend on the code (`  `/KG most often, NO/KG, none…). They are not official figures.
 *
 * The generator also counts what the parser must make of the file: every row gives, for the 12
 * months and the year, one `value` plus one `quantity` per non-blank unit.
 */
import fs from 'node:fs';
import iconv from 'iconv-lite';
import { allCountries } from '../src/ref/countries.js';
import { monthChangeProbability, SeededRandom, shuffled } from './seeded-random.js';

export const MOF_MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The 45-column header of the country table. */
export const MOF_HEADER = ['Exp or Imp', 'Year', 'HS', 'Country', 'Unit1', 'Unit2', 'Quantity1-Year', 'Quantity2-Year', 'Value-Year',
  ...MOF_MONTHS.flatMap((m) => [`Quantity1-${m}`, `Quantity2-${m}`, `Value-${m}`])].join(',');

/** One row of the table: a code and a partner, with 12 monthly [Quantity1, Quantity2, Value] trios. */
export interface MofRow {
  flowCode: '1' | '2';
  year: number;
  hs: string;
  country: string;
  /** '' when the unit does not apply (written as two spaces). */
  unit1: string;
  unit2: string;
  months: number[][];
}

export interface MofFileSpec {
  rows: number;
  seed: number;
  year?: number;
  flow?: 'export' | 'import';
  /** Makes the revised file: the same rows, with this share of the observations changed. */
  revise?: { share: number; seed: number };
}

export interface MofFileStats {
  rows: number;
  /** Observations the parser must emit: 13 × (1 + non-blank units) per row. */
  observations: number;
  /** Observations that differ from the unrevised file (0 when not revised). */
  changedObservations: number;
  bytes: number;
}

// Unit pairs (Unit1, Unit2) and how often a code has them.
const UNIT_PAIRS: ReadonlyArray<readonly [readonly [string, string], number]> = [
  [['', 'KG'], 50], [['NO', 'KG'], 12], [['', 'NO'], 8], [['', ''], 15], [['DZ', 'KG'], 3],
  [['', 'MT'], 4], [['PR', 'KG'], 3], [['', 'KL'], 2], [['SM', 'KG'], 1], [['TH', 'KG'], 2],
];

// Japan's largest partners first; the rest of the MOF codes follow in a seeded order.
const MAJOR = ['105', '304', '103', '106', '108', '111', '112', '110', '113', '118', '117', '601', '213', '123', '205', '210', '207', '220', '302', '305'];

// Inclusion probability of the partner of popularity rank r for a code: min(1, A / (r + B)).
const A = 17;
const B = 10;

function partnersByPopularity(rng: SeededRandom): string[] {
  const codes = allCountries().map((c) => c.mofCode).filter((c): c is string => c !== null).sort();
  const rest = shuffled(codes.filter((c) => !MAJOR.includes(c)), rng);
  return [...MAJOR.filter((c) => codes.includes(c)), ...rest];
}

const CHAPTERS = Array.from({ length: 97 }, (_, i) => i + 1).filter((c) => c !== 77);
const two = (n: number): string => String(n).padStart(2, '0');

/**
 * Ascending 9-digit codes, chapter by chapter (HS6 + 3 national digits). `wanted(chaptersLeft)`
 * says how many codes the rest of the file still needs, so the codes spread over every chapter.
 */
function* hsCodes(rng: SeededRandom, wanted: (chaptersLeft: number) => number): Generator<string> {
  for (const [i, ch] of CHAPTERS.entries()) {
    const n = Math.max(1, Math.round((wanted(CHAPTERS.length - i) / (CHAPTERS.length - i)) * (0.5 + rng.float())));
    let made = 0;
    for (let heading = 1; heading <= 99 && made < n; heading += 1 + rng.int(2)) {
      let sub = 0;
      const subs = 1 + rng.int(6);
      for (let s = 0; s < subs && made < n; s++) {
        sub += 1 + rng.int(15);
        if (sub > 99) break;
        const nat = 1 + rng.int(3);
        const suffixes = nat === 1 ? ['000'] : ['100', '200', '900'].slice(0, nat);
        for (const suffix of suffixes) {
          if (made >= n) break;
          yield `${two(ch)}${two(heading)}${two(sub)}${suffix}`;
          made++;
        }
      }
    }
  }
}

/**
 * The rows of a file, in the real order (by code, then partner). Deterministic for a seed; a
 * revised file is the same rows with changes drawn from a second generator.
 * @example for (const row of mofRows({ rows: 200, seed: 1 })) formatMofRow(row)
 */
export function* mofRows(spec: MofFileSpec): Generator<MofRow> {
  const rng = new SeededRandom(spec.seed);
  const year = spec.year ?? 2024;
  const flowCode = spec.flow === 'import' ? '2' : '1';
  const partners = partnersByPopularity(rng);
  const rankOf = new Map(partners.map((c, r) => [c, r]));
  const expectedPerCode = partners.reduce((s, _, r) => s + Math.min(1, A / (r + B)), 0);
  let made = 0;
  // A little more than the expected need, so the last chapter does not run short.
  for (const hs of hsCodes(rng, (left) => ((spec.rows - made) / expectedPerCode) * (1 + 0.5 / left))) {
    const [unit1, unit2] = rng.weighted(UNIT_PAIRS);
    // Price per unit and weight per thousand yen are properties of the code.
    const kgPerK = Math.exp(Math.log(0.5) + 1.5 * rng.normal());
    const kPerUnit = Math.exp(Math.log(5) + 2 * rng.normal());
    const chosen = partners.filter((_, r) => rng.float() < Math.min(1, A / (r + B)));
    for (const country of chosen.sort()) {
      if (made >= spec.rows) return;
      const rank = rankOf.get(country)!;
      // The first row trades every month, so the file visibly covers January–December.
      const activity = made === 0 ? 1 : Math.min(1, 0.08 + rng.float() * (1.25 - rank / partners.length));
      const mu = Math.log(800) + 3 * (1 - rank / partners.length);
      const base = Math.exp(mu + 1.8 * rng.normal());
      const months: number[][] = [];
      for (let m = 0; m < 12; m++) {
        if (rng.float() >= activity) { months.push([0, 0, 0]); continue; }
        const v = Math.max(1, Math.min(900_000_000, Math.round(base * Math.exp(0.4 * rng.normal()))));
        const noQty = rng.float() < 0.02;
        const q = (u: string, perUnit: () => number) => (u === '' || noQty ? 0 : Math.max(0, Math.round(perUnit())));
        months.push([
          q(unit1, () => v / kPerUnit),
          q(unit2, () => (unit2 === 'KG' ? v * kgPerK : v / kPerUnit)),
          v,
        ]);
      }
      if (months.every((t) => t[2] === 0)) months[rng.int(12)] = [unit1 ? 1 : 0, unit2 ? 1 : 0, 1 + rng.int(50)];
      made++;
      yield { flowCode, year, hs, country, unit1, unit2, months };
    }
  }
}

/** Observations the parser must emit for a row of a full-year file. */
export function mofRowObservations(row: MofRow): number {
  return 13 * (1 + (row.unit1 ? 1 : 0) + (row.unit2 ? 1 : 0));
}

/** The year trio: the sum of the 12 months. */
export function mofYear(row: MofRow): number[] {
  const y = [0, 0, 0];
  for (const t of row.months) for (let k = 0; k < 3; k++) y[k]! += t[k]!;
  return y;
}

/**
 * One CSV line (CRLF) of the country table.
 * @example formatMofRow(row) // "1,2024,'010121000',103,  ,NO,0,…\r\n"
 */
export function formatMofRow(row: MofRow): string {
  const cells: Array<string | number> = [row.flowCode, row.year, `'${row.hs}'`, row.country, row.unit1 || '  ', row.unit2 || '  ', ...mofYear(row)];
  for (const t of row.months) cells.push(t[0]!, t[1]!, t[2]!);
  return `${cells.join(',')}\r\n`;
}

/**
 * Changes a row in place as a revision would: each monthly figure of a measure the row has
 * changes with probability p. Returns how many observations (months and year) changed.
 */
export function reviseMofRow(row: MofRow, rng: SeededRandom, p: number): number {
  const before = mofYear(row);
  let changed = 0;
  for (const t of row.months) {
    for (let k = 0; k < 3; k++) {
      if ((k === 0 && !row.unit1) || (k === 1 && !row.unit2)) continue;
      if (rng.float() >= p) continue;
      const old = t[k]!;
      let v = Math.max(0, Math.round(old * (1 + 0.05 * rng.normal())));
      if (v === old) v = old + 1 + rng.int(9);
      t[k] = v;
      changed++;
    }
  }
  const after = mofYear(row);
  for (let k = 0; k < 3; k++) if (after[k] !== before[k]) changed++;
  return changed;
}

/**
 * The whole file as CP932 byte chunks (about 1 MB each), counting rows and observations.
 * @example for (const chunk of mofFileChunks({ rows: 200, seed: 1 }, stats)) out.push(chunk)
 */
export function* mofFileChunks(spec: MofFileSpec, stats: MofFileStats): Generator<Buffer> {
  const revRng = spec.revise ? new SeededRandom(spec.revise.seed) : undefined;
  const p = spec.revise ? monthChangeProbability(spec.revise.share) : 0;
  let text = `${MOF_HEADER}\r\n`;
  for (const row of mofRows(spec)) {
    if (revRng) stats.changedObservations += reviseMofRow(row, revRng, p);
    stats.rows++;
    stats.observations += mofRowObservations(row);
    text += formatMofRow(row);
    if (text.length >= 1 << 20) {
      const buf = iconv.encode(text, 'cp932');
      stats.bytes += buf.length;
      yield buf;
      text = '';
    }
  }
  const buf = iconv.encode(text, 'cp932');
  stats.bytes += buf.length;
  yield buf;
}

/**
 * Writes the file (to a temporary name, renamed when complete) and returns what it holds.
 * @example await writeMofFile('bench/data/mof.csv', { rows: 500_000, seed: 20240 })
 */
export function writeMofFile(file: string, spec: MofFileSpec): MofFileStats {
  const stats: MofFileStats = { rows: 0, observations: 0, changedObservations: 0, bytes: 0 };
  const tmp = `${file}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  try {
    for (const chunk of mofFileChunks(spec, stats)) fs.writeSync(fd, chunk);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  return stats;
}
