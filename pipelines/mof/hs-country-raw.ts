/**
 * The unpivot of an e-Stat HS-9 CSV in SQL, for the loader's raw staging (RawStage in
 * src/engine/observation-store.ts; the rows come from stageHsCountryRaw in hs-country.ts, which
 * validates every field first). The rules are parseHsCountry's, written once more as SQL:
 * - per row, up to three series: 'quantity' (Unit1) and 'quantity2' (Unit2) only when their unit
 *   is not blank, 'value' always (unit JPY, source unit 'thousand yen', figure × 1000);
 * - per series, months 1..coverage, then the year when the file covers all twelve;
 * - series key JP / partner / flow / hs9 / code / measure; attributes partner source code, no
 *   label, unit, source unit, basis (FOB for exports, CIF for imports);
 * - source_value the figure as written (trimmed), value the number it spells.
 * tests/engine/raw-stage.test.ts loads files both ways and compares the databases.
 *
 * `_raw` row `rn` holds the local ids rn·3+1 (quantity), +2 (quantity2), +3 (value): the same
 * file order as the per-observation path, so new series are numbered alike.
 */
import type { Flow } from '../../src/core/vocabulary.js';
import { FACT_COLUMNS, periodCode, type RawPlan } from '../../src/engine/observation-store.js';

/** The 39 figures of a row: Q1, Q2, Value of the year block (c0–c2), then of months 1–12 (c3m … c3m+2). */
const FIGURES = Array.from({ length: 39 }, (_, i) => `c${i}`);
export const RAW_COLUMNS = ['rn', 'partner', 'psc', 'hs', 'u1', 'u2', ...FIGURES] as const;
export const RAW_TABLE = `CREATE TEMP TABLE _raw (rn integer, partner text, psc text, hs text, u1 text, u2 text, ${FIGURES.map((c) => `${c} text`).join(', ')}) ON COMMIT DROP`;

interface Measure { k: 0 | 1 | 2; name: string; unit: string; sourceUnit: string; lid: string; scale: string }
const MEASURES: Measure[] = [
  { k: 0, name: 'quantity', unit: 'r.u1', sourceUnit: 'r.u1', lid: `CASE WHEN r.u1 <> '' THEN r.rn * 3 + 1 END`, scale: '' },
  { k: 1, name: 'quantity2', unit: 'r.u2', sourceUnit: 'r.u2', lid: `CASE WHEN r.u2 <> '' THEN r.rn * 3 + 2 END`, scale: '' },
  { k: 2, name: 'value', unit: `'JPY'`, sourceUnit: `'thousand yen'`, lid: 'r.rn * 3 + 3', scale: ' * 1000' },
];

/**
 * The SQL of one release: `year` and `flow` of its rows, `coverage` its last covered month
 * (validated numbers and words, so written into the statements as literals).
 */
export function rawPlan({ year, flow, coverage, observations, rows }: { year: string; flow: Flow; coverage: number; observations: number; rows: number }): RawPlan {
  if (!/^\d{4}$/.test(year) || !(coverage >= 1 && coverage <= 12) || (flow !== 'export' && flow !== 'import')) {
    throw new Error(`rawPlan: unexpected year ${year}, coverage ${coverage} or flow ${flow}`);
  }
  const basis = flow === 'export' ? 'FOB' : 'CIF';
  // Blocks in the parser's order: months 1..coverage, then the year (block 0) for a full year.
  const blocks = Array.from({ length: coverage }, (_, i) => i + 1);
  if (coverage === 12) blocks.push(0);
  const period = (b: number) => (b === 0 ? periodCode('A', year) : periodCode('M', `${year}-${String(b).padStart(2, '0')}`));
  const fig = (b: number, m: Measure) => `r.c${b * 3 + m.k}`;

  // Per series: the covered figures as written and the unit, hashed (64 bits, split in two
  // 32-bit halves as etl.series_fingerprint stores them). A figure re-written with other leading
  // zeros only costs a row-by-row comparison.
  const definitions = `INSERT INTO _stage (lid, skey, akey, fp1, fp2, fpn)
    SELECT d.lid, concat_ws(chr(31), 'JP', r.partner, '${flow}', 'hs9', r.hs, d.measure),
           concat_ws(chr(31), r.psc, chr(30), d.unit, d.source_unit, '${basis}'),
           d.h & 4294967295, (d.h >> 32) & 4294967295, ${blocks.length}
    FROM _raw r CROSS JOIN LATERAL (VALUES ${MEASURES.map((m) =>
      `(${m.lid}, '${m.name}', ${m.unit}, ${m.sourceUnit}, hashtextextended(concat_ws(',', ${m.unit}, ${blocks.map((b) => fig(b, m)).join(', ')}), 0))`).join(',\n      ')}
    ) d(lid, measure, unit, source_unit, h)
    WHERE d.lid IS NOT NULL`;

  const cells = (lid: (m: Measure) => string, extra: (m: Measure) => string = () => '') => blocks.flatMap((b) => MEASURES.map((m) =>
    `(${lid(m)}${extra(m)}, ${period(b)}, ${fig(b, m)}, ${fig(b, m)}::numeric${m.scale})`)).join(',\n      ');

  const unpivot = (from: string, lid: (m: Measure) => string) => `SELECT x.lid, x.period, x.source_value, x.value
    FROM ${from}
    CROSS JOIN LATERAL (VALUES ${cells(lid)}) x(lid, period, source_value, value)
    WHERE x.lid IS NOT NULL`;
  const observationsSql = `INSERT INTO _stage (lid, period, source_value, value) ${unpivot('_raw r', (m) => m.lid)}`;
  // A revision: only the series in `_diff` (c.k0–k2 say which of the row's three), so an
  // unchanged series is never unpivoted; straight into `_k`, keyed through `_lid`.
  const keyedSql = (changedOnly: boolean) => `CREATE TEMP TABLE _k ON COMMIT DROP AS
    SELECT l.series_id, o.period, l.attr_id, l.unit, o.value, o.source_value
    FROM (${changedOnly
    ? unpivot(`(SELECT (l.lid - 1) / 3 AS rn, bool_or(l.lid % 3 = 1) AS k0, bool_or(l.lid % 3 = 2) AS k1, bool_or(l.lid % 3 = 0) AS k2
          FROM _lid l WHERE EXISTS (SELECT 1 FROM _diff d WHERE d.series_id = l.series_id) GROUP BY 1) c
    JOIN _raw r ON r.rn = c.rn`, (m) => `CASE WHEN c.k${m.k} THEN r.rn * 3 + ${m.k + 1} END`)
    : unpivot('_raw r', (m) => m.lid)}) o
    JOIN _lid l ON l.lid = o.lid`;

  // Each row's three series resolved once (three joins per row, not one per observation).
  const firstInsert = (part: string) => `INSERT INTO ${part} (${FACT_COLUMNS})
    SELECT x.series_id, x.period, x.attr_id, $2, $3, NULL, $1, x.value, x.source_value
    FROM _raw r
    LEFT JOIN _lid l0 ON l0.lid = r.rn * 3 + 1
    LEFT JOIN _lid l1 ON l1.lid = r.rn * 3 + 2
    JOIN _lid l2 ON l2.lid = r.rn * 3 + 3
    CROSS JOIN LATERAL (VALUES ${cells((m) => `l${m.k}.series_id`, (m) => `, l${m.k}.attr_id`)}) x(series_id, attr_id, period, source_value, value)
    WHERE r.rn >= $4 AND r.rn < $5 AND x.series_id IS NOT NULL`;

  // A row holds up to 39 figures, about 25 non-blank on average: 4,000 rows ≈ 100,000 observations.
  return { observations, rows, definitions, observationsSql, keyedSql, firstInsert, sliceRows: 4000 };
}
