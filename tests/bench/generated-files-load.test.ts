/**
 * The benchmark's generators, at 200 rows, through the real engine: the observation count the
 * generator says it wrote is what the engine loads, figures round-trip exactly, a revised file
 * (1 % of the observations changed) inserts and closes exactly the changed observations, and a
 * first load (the engine's direct-COPY fast path) still refuses a key given twice.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { backends, useDb } from '../helpers/db.js';
import { loadConfig } from '../../src/core/config.js';
import { createLogger } from '../../src/core/logger.js';
import { datasetById } from '../../src/engine/registry.js';
import { storeStream } from '../../src/fetch/raw-store.js';
import { loadRelease } from '../../src/engine/load-release.js';
import { partnerFromCensusCode, partnerFromMofCode } from '../../src/ref/countries.js';
import type { EngineContext } from '../../src/engine/context.js';
import { formatMofRow, MOF_HEADER, mofFileChunks, mofRows, mofYear, type MofFileStats } from '../../bench/mof-hs-country-file.js';
import { censusFileChunks, censusRows, formatCensusRow, type CensusFileStats } from '../../bench/census-api-file.js';
import iconv from 'iconv-lite';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'trade-etl-bench-test-'));
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));
const ROWS = 200;
const MOF = { rows: ROWS, seed: 11 };
const CENSUS = { rows: ROWS, seed: 12 };

function mofFile(revise?: { share: number; seed: number }): { bytes: Buffer; stats: MofFileStats } {
  const stats: MofFileStats = { rows: 0, observations: 0, changedObservations: 0, bytes: 0 };
  return { bytes: Buffer.concat([...mofFileChunks({ ...MOF, revise }, stats)]), stats };
}

function censusFile(revise?: { share: number; seed: number }): { bytes: Buffer; stats: CensusFileStats } {
  const stats: CensusFileStats = { rows: 0, observations: 0, changedObservations: 0, bytes: 0 };
  return { bytes: Buffer.concat([...censusFileChunks({ ...CENSUS, revise }, stats)]), stats };
}

for (const backend of backends()) {
  describe(`benchmark files through the engine on ${backend}`, () => {
    const t = useDb(backend);
    const ctx = (): EngineContext => ({ db: t.db(), config: loadConfig({ DATA_DIR: dataDir, LOCK_WAIT_MS: '20000' }), logger: createLogger({ logLevel: 'silent' }) });
    const load = async (bytes: Buffer, dataset: string, fileName: string) =>
      loadRelease(ctx(), datasetById(dataset), await storeStream(dataDir, Readable.from([bytes])), { fileName });

    it('e-Stat HS-9 × country CSV: every observation the generator wrote is loaded, figures exact', async () => {
      const { bytes, stats } = mofFile();
      expect(stats.rows).toBe(ROWS);
      // CP932 bytes, CRLF, quoted codes and two-space blank units, as in the real files.
      expect(bytes.subarray(0, 40).toString('latin1')).toBe(MOF_HEADER.slice(0, 40));
      expect(bytes.toString('latin1')).toMatch(/\r\n1,2024,'\d{9}',\d{3},( {2}|[A-Z]{2}),( {2}|[A-Z]{2}),/);
      const out = await load(bytes, 'mof.hs_country', 'bench-mof.csv');
      expect(out.error).toBeUndefined();
      expect(out.status).toBe('loaded');
      expect(out.rowsParsed).toBe(stats.observations);
      expect(out.rowsInserted).toBe(stats.observations);
      const [{ n }] = await t.db().query<{ n: number }>(`SELECT count(*)::int AS n FROM trade.observation_history WHERE valid_from_release = $1`, [out.releaseId]) as [{ n: number }];
      expect(n).toBe(stats.observations);

      const rows = [...mofRows(MOF)];
      for (const i of [0, 77, ROWS - 1]) {
        const row = rows[i]!;
        const q = `SELECT value::text AS v, source_value AS sv, unit FROM trade.observation_history
                   WHERE dataset = 'mof.hs_country' AND valid_to_release IS NULL AND partner = $1 AND commodity_code = $2 AND period = $3 AND measure = $4`;
        const [march] = await t.db().query<{ v: string; sv: string; unit: string }>(q, [partnerFromMofCode(row.country), row.hs, '2024-03', 'value']);
        expect(march).toEqual({ v: row.months[2]![2] === 0 ? '0' : `${row.months[2]![2]}000`, sv: String(row.months[2]![2]), unit: 'JPY' });
        const [year] = await t.db().query<{ v: string }>(q, [partnerFromMofCode(row.country), row.hs, '2024', 'value']);
        expect(year!.v).toBe(mofYear(row)[2] === 0 ? '0' : `${mofYear(row)[2]}000`);
        if (row.unit2) {
          const [dec] = await t.db().query<{ v: string; unit: string }>(q, [partnerFromMofCode(row.country), row.hs, '2024-12', 'quantity2']);
          expect(dec).toMatchObject({ v: String(row.months[11]![1]), unit: row.unit2 });
        }
      }
    });

    it('a revised e-Stat file with 1 % of the observations changed writes exactly those as new vintages', async () => {
      const { bytes, stats } = mofFile({ share: 0.01, seed: 99 });
      expect(stats.changedObservations).toBeGreaterThan(0);
      expect(stats.changedObservations / stats.observations).toBeGreaterThan(0.002);
      expect(stats.changedObservations / stats.observations).toBeLessThan(0.03);
      const out = await load(bytes, 'mof.hs_country', 'bench-mof.revised.csv');
      expect(out.status).toBe('loaded');
      expect(out.rowsParsed).toBe(stats.observations);
      expect(out.rowsInserted).toBe(stats.changedObservations);
      expect(out.rowsClosed).toBe(stats.changedObservations);
    });

    it('Census API JSON: every observation the generator wrote is loaded, figures exact', async () => {
      const { bytes, stats } = censusFile();
      expect(bytes.toString('utf8', 0, 60)).toMatch(/^\[\["CTY_CODE","CTY_NAME","I_COMMODITY",/);
      const out = await load(bytes, 'census.api', 'bench-census.json');
      expect(out.error).toBeUndefined();
      expect(out.status).toBe('loaded');
      expect(out.rowsParsed).toBe(stats.observations);
      expect(out.rowsInserted).toBe(stats.observations);
      const rows = [...censusRows(CENSUS)];
      for (const i of [0, 101, ROWS - 1]) {
        const row = rows[i]!;
        const got = await t.db().query<{ classification: string; measure: string; v: string; unit: string }>(
          `SELECT classification, measure, value::text AS v, unit FROM trade.observation_history
           WHERE dataset = 'census.api' AND valid_to_release IS NULL AND partner = $1 AND commodity_code = $2 AND period = $3 ORDER BY classification, measure`,
          [partnerFromCensusCode(row.ctyCode), row.hs10, row.time]);
        const want = [
          ...(row.unit !== 'X' && row.qty !== 0 ? [{ classification: 'hs10', measure: 'quantity', v: String(row.qty), unit: row.unit }] : []),
          { classification: 'hs10', measure: 'value', v: String(row.gen), unit: 'USD' },
          { classification: 'hs10:con', measure: 'value', v: String(row.con), unit: 'USD' },
        ];
        expect(got).toEqual(want);
      }
    });

    it('a revised Census answer writes exactly the changed observations', async () => {
      const { bytes, stats } = censusFile({ share: 0.05, seed: 98 });
      expect(stats.changedObservations).toBeGreaterThan(0);
      const out = await load(bytes, 'census.api', 'bench-census.revised.json');
      expect(out.status).toBe('loaded');
      expect(out.rowsInserted).toBe(stats.changedObservations);
      expect(out.rowsClosed).toBe(stats.changedObservations);
    });

    it('a first load still refuses a key given twice, and leaves nothing behind', async () => {
      // With no current rows of the dataset the engine COPYs straight into the history table;
      // the file's second row repeats the first.
      const [row] = [...mofRows({ rows: 1, seed: 5, flow: 'import', year: 2023 })];
      const text = `${MOF_HEADER}\r\n${formatMofRow(row!)}${formatMofRow(row!)}`;
      await t.db().query(`DELETE FROM trade.observation_history WHERE dataset = 'mof.hs_country'`);
      const before = await t.db().query<{ n: number }>(`SELECT count(*)::int AS n FROM trade.observation_history`);
      const out = await load(iconv.encode(text, 'cp932'), 'mof.hs_country', 'twice.csv');
      expect(out.status).toBe('failed');
      expect(out.error?.message).toMatch(/occurs more than once/);
      expect(out.error?.message).toContain(row!.hs);
      expect(await t.db().query(`SELECT count(*)::int AS n FROM trade.observation_history`)).toEqual(before);
    });

    it('a first load through the staging table (scope known only at the end) refuses a key given twice too', async () => {
      // A local Census answer names its scope from its content, after the last row, so its
      // first load takes the staging path, which skips the GROUP BY check when nothing is current
      // and leaves the refusal to the unique index.
      const rows = [...censusRows({ rows: 1, seed: 6 })];
      const bytes = Buffer.concat([...censusFileChunks({ rows: 1, seed: 6 }, { rows: 0, observations: 0, changedObservations: 0, bytes: 0 })]);
      const text = bytes.toString('utf8');
      const lastRow = formatCensusRow(rows[0]!, true);
      const twice = text.replace(lastRow, `${formatCensusRow(rows[0]!, false)}${lastRow}`);
      expect(twice.length).toBeGreaterThan(text.length);
      await t.db().query(`DELETE FROM trade.observation_history WHERE dataset = 'census.api'`);
      const before = await t.db().query<{ n: number }>(`SELECT count(*)::int AS n FROM trade.observation_history`);
      const out = await load(Buffer.from(twice), 'census.api', 'twice.json');
      expect(out.status).toBe('failed');
      expect(out.error?.message).toMatch(/occurs more than once/);
      expect(await t.db().query(`SELECT count(*)::int AS n FROM trade.observation_history`)).toEqual(before);
    });
  });
}
