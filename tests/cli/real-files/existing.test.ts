/**
 * Issue 14: the real files that were already in fixtures/ (tested by their parsers) also load
 * through `trade-etl load`, with a few values read by hand from each file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../helpers/db.js';
import { fixture, loadEnv, tradeValues, type LoadEnv } from './load-env.js';

const TIMEOUT = 240_000;

for (const backend of backends()) {
  describe(`real files already in fixtures, through trade-etl load (${backend})`, () => {
    let e: LoadEnv;
    beforeAll(async () => { e = await loadEnv(backend); }, TIMEOUT);
    afterAll(async () => { await e?.drop(); });

    const load = async (file: string, dataset: string, summary: RegExp) => {
      const r = await e.load(fixture(file), dataset);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(summary);
    };

    it('MOF: December 2024 press XML (complete), October 2025 excerpt, d41ma, d51ma excerpt, e-Stat world table excerpt', async () => {
      await load('mof/press/2024124e.xml', 'mof.press', /scope M:2024-12, preliminary\): 4381 observations/);
      await load('mof/press/2025104e_excerpt.xml', 'mof.press', /scope M:2025-10, preliminary\): 297 observations/);
      await load('mof/timeseries/d41ma.csv', 'mof.timeseries', /scope d41ma, preliminary\): 1144 observations/);
      await load('mof/timeseries/d51ma_excerpt.csv', 'mof.timeseries', /scope d51ma, preliminary\): 81 observations/);
      await load('mof/hs_country/estat_000040494506_world_export_2026-07_excerpt.csv', 'mof.hs_country', /scope export:2026:world, preliminary\): 588 observations/);
      const press = await tradeValues(e, `dataset = 'mof.press' AND partner = 'WORLD' AND classification = 'total'`);
      expect(press['WORLD:export:TOTAL:value:2024-12:M']).toBe('9910603000000');   // 9,910,603 million yen
      expect(press['WORLD:import:TOTAL:value:2024-12:M']).toBe('9779667000000');   // 9,779,667
      expect(press['WORLD:export:TOTAL:value:2025-10:M']).toBe('9766316000000');   // 9,766,316
      expect(press['WORLD:balance:TOTAL:value:2025-10:M']).toBe('-231774000000');  // △231,774
      const ts = await tradeValues(e, `dataset = 'mof.timeseries'`);
      expect(ts['WORLD:export:TOTAL:value:1979-01:M']).toBe('1192541404000');      // "1192541404 " thousand yen
      expect(ts['WORLD:export:0～9:value:1988-01:M']).toBe('2187613965000');       // d51ma total column
      expect(ts['WORLD:export:0+1:value:1988-01:M']).toBe('14091115000');          // '0'+'1', quantity '-'
      const hs = await tradeValues(e, `dataset = 'mof.hs_country' AND commodity_code = '000000110'`);
      expect(hs['WORLD:export:000000110:value:2026-02:M']).toBe('2490547000');     // Value-Feb 2490547
      expect(hs['WORLD:export:000000110:quantity2:2026-02:M']).toBe('10549');      // Quantity2-Feb (GT)
    }, TIMEOUT);

    it('Census: the real API answer (imports by port, HS 87, 2024 year to date)', async () => {
      await load('census/real/census_api_porths_imports_hs87_2024-12.json', 'census.api', /752 observations/);
      // Line 6090: ["232764078","9409827","10617695387","950869164","5880","JAPAN","-","TOTAL FOR ALL PORTS","87",…,"2024-12"]
      const rows = await e.sql<{ k: string; value: string }>(`SELECT classification || ' ' || measure AS k, value::text AS value FROM trade.observation
        WHERE dataset = 'census.api' AND partner = 'JP' AND period = '2024' AND frequency = 'A'`);
      expect(Object.fromEntries(rows.map((r) => [r.k, r.value]))).toEqual({
        'hs2:air value': '232764078', 'hs2:air quantity': '9409827', 'hs2:containerized value': '10617695387', 'hs2:containerized quantity': '950869164',
      });
    }, TIMEOUT);

    it('FRB: H.10 daily INR/EUR/JPY, H.10 monthly package, FRED DEXCHUS and EXJPUS', async () => {
      await load('frb/h10_daily_INR_EUR_JPY_2019-2021.csv', 'frb.h10', /2034 observations/);
      await load('frb/h10_monthly_all_2000-2020.csv', 'frb.h10', /:M:2000-01\.\.2020-05\): 5635 observations/);
      await load('frb/fred_DEXCHUS_2010-01_2025-05.csv', 'frb.fred', /scope DEXCHUS:D:2010-01-01\.\.2025-05-09\): 3841 observations/);
      await load('frb/fred_EXJPUS_monthly_1971_2025-04.csv', 'frb.fred', /scope EXJPUS:M:1971-01\.\.2025-04\): 652 observations/);
      const rows = await e.sql<{ k: string; rate: string }>(`SELECT series || ' ' || period AS k, rate::text AS rate FROM fx.rate
        WHERE (series, period) IN (('RXI_N.B.JA', '2019-01-02'), ('RXI$US_N.B.EU', '2019-01-02'), ('RXI_N.M.JA', '2000-01'), ('RXI$US_N.M.UK', '2000-01'),
                                   ('DEXCHUS', '2025-04-21'), ('EXJPUS', '1971-01'), ('EXJPUS', '2024-10'))`);
      expect(Object.fromEntries(rows.map((r) => [r.k, r.rate]))).toEqual({
        'RXI_N.B.JA 2019-01-02': '109.22', 'RXI$US_N.B.EU 2019-01-02': '1.1357', 'RXI_N.M.JA 2000-01': '105.296',
        'RXI$US_N.M.UK 2000-01': '1.6404', 'DEXCHUS 2025-04-21': '7.2914', 'EXJPUS 1971-01': '358.02', 'EXJPUS 2024-10': '149.8909',
      });
    }, TIMEOUT);
  });
}
