/**
 * Issue 14, Census country.xlsx: the two real vintages (October 2020, May 2022) load through
 * `trade-etl load` with values read by hand — numbers at 15 significant digits, so a writer's
 * float noise never becomes a fractional dollar — and rows with an empty year and all-zero
 * figures are skipped and counted, while an empty year with figures is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../helpers/db.js';
import { fixture, loadEnv, type LoadEnv } from './load-env.js';

const TIMEOUT = 300_000;

async function values(e: LoadEnv, code: string): Promise<Record<string, string>> {
  const rows = await e.sql<{ k: string; value: string }>(
    `SELECT concat_ws(':', flow, period, frequency) AS k, value::text AS value FROM trade.observation
     WHERE dataset = 'census.country' AND partner_source_code = $1`, [code]);
  return Object.fromEntries(rows.map((r) => [r.k, r.value]));
}

for (const backend of backends()) {
  describe(`census country.xlsx real vintages through trade-etl load (${backend})`, () => {
    let e: LoadEnv;
    beforeAll(async () => { e = await loadEnv(backend); }, TIMEOUT);
    afterAll(async () => { await e?.drop(); });

    it('empty-year rows with every figure 0 are skipped and counted in the summary', async () => {
      const r = await e.load(fixture('census/vintages/country_2018-2020_empty_year_zero_rows.xlsx'), 'census.country');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/scope country\.xlsx\): 140 observations, 140 new/);
      expect(r.stdout).toMatch(/note: skipped 3 rows with an empty year and every figure 0 \(first: row 5\)/);
      const [rel] = await e.sql<{ scope: { skippedRows: number } }>(`SELECT scope FROM etl.release WHERE file_name = 'country_2018-2020_empty_year_zero_rows.xlsx'`);
      expect(rel!.scope.skippedRows).toBe(3);
    }, TIMEOUT);

    it('an empty year on a row with figures is refused: which year cannot be told', async () => {
      const before = await e.counts();
      const r = await e.load(fixture('census/bad/empty_year_with_figures.xlsx'), 'census.country');
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/row:\s+5/);
      expect(r.stderr).toMatch(/column:\s+year/);
      expect(r.stderr).toMatch(/IJAN = 45749\.942367/);
      expect(await e.counts()).toEqual(before);
    }, TIMEOUT);

    it('October 2020 vintage (2020 published through August, later months 0): whole dollars from noisy floats', async () => {
      const r = await e.load(fixture('census/real/country_vintage_2020-10.xlsx'), 'census.country');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/200740 observations/);
      const jp = await values(e, '5880');
      // Hand-read ($ millions as stored): IJAN 2020 = 10438.517866; IYR 2020 = 75144.16083899999
      // (year to date through August); EYR 2018 = 75149.28940899999; ISEP 2020 = 0 (not yet published).
      expect(jp['import:2020-01:M']).toBe('10438517866');
      expect(jp['import:2020-08:YTD']).toBe('75144160839');
      expect(jp['export:2018:A']).toBe('75149289409');
      expect(jp['import:2020-09:M']).toBeUndefined();
      expect(jp['import:2020:A']).toBeUndefined();
      // OPEC (0001) 1988 IYR = 22962.200000000004.
      expect((await values(e, '0001'))['import:1988:A']).toBe('22962200000');
      // Fractional dollars remain only where the file has them at 15 digits: the seasonally
      // adjusted World row 0004 (e.g. IJAN 2012 = 191550.695566178).
      const frac = await e.sql<{ code: string; n: number }>(`SELECT partner_source_code AS code, count(*)::int AS n FROM trade.observation
        WHERE dataset = 'census.country' AND value <> trunc(value) GROUP BY 1`);
      expect(frac).toEqual([{ code: '0004', n: 119 }]);
      expect((await values(e, '0004'))['import:2012-01:M']).toBe('191550695566.178');
    }, TIMEOUT);

    it('May 2022 vintage (2022: January only): supersedes the 2020 one, 2020 becomes a full year', async () => {
      const r = await e.load(fixture('census/real/country_vintage_2022-05.xlsx'), 'census.country');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/208482 observations, 17828 new, 10086 superseded, 190654 unchanged/);
      const jp = await values(e, '5880');
      // Hand-read: IJAN 2022 = IYR 2022 = 12055.722175; IYR 2020 = 119499.26335800001; EYR 2021 = 74970.19229600001.
      expect(jp['import:2022-01:M']).toBe('12055722175');
      expect(jp['import:2022-01:YTD']).toBe('12055722175');
      expect(jp['import:2020:A']).toBe('119499263358');
      expect(jp['export:2021:A']).toBe('74970192296');
      expect(jp['import:2020-08:YTD']).toBeUndefined(); // the year to date of the older vintage is closed
      // European Union (0003) 1998 IYR = 180549.80000000002.
      expect((await values(e, '0003'))['import:1998:A']).toBe('180549800000');
    }, TIMEOUT);
  });
}
