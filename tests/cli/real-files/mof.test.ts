/**
 * Issue 14, Japan Customs / MOF: every real file loads through `trade-etl load` with values read
 * by hand from the file, and each trap of the issue is refused or read exactly.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../helpers/db.js';
import { fixture, loadEnv, tradeValues, type LoadEnv } from './load-env.js';

const TIMEOUT = 240_000;
const WORLD = `dataset = $1 AND partner = 'WORLD' AND classification = 'total'`;

for (const backend of backends()) {
  describe(`MOF real files through trade-etl load (${backend})`, () => {
    let e: LoadEnv;
    beforeAll(async () => { e = await loadEnv(backend); }, TIMEOUT);
    afterAll(async () => { await e?.drop(); });

    it('first-10-days and first-20-days press XML (stage digits 1/2): partial-month periods (MTD) no monthly metric counts', async () => {
      const r10 = await e.load(fixture('mof/press/2024011e.xml'), 'mof.press');
      expect(r10.stderr).toBe('');
      expect(r10.code).toBe(0);
      expect(r10.stdout).toMatch(/scope D10:2024-01, preliminary\): 6 observations/);
      const r20 = await e.load(fixture('mof/press/2024012e.xml'), 'mof.press');
      expect(r20.code).toBe(0);
      expect(r20.stdout).toMatch(/scope D20:2024-01, preliminary\): 6 observations/);
      const v = await tradeValues(e, WORLD, ['mof.press']);
      // Hand-read from the files (million yen; △ = negative): January 1–10, 2024 ...
      expect(v['WORLD:export:TOTAL:value:2024-01-10:MTD']).toBe('1073196000000');      // 1,073,196
      expect(v['WORLD:import:TOTAL:value:2024-01-10:MTD']).toBe('2416516000000');      // 2,416,516
      expect(v['WORLD:balance:TOTAL:value:2024-01-10:MTD']).toBe('-1343320000000');    // △1,343,320
      expect(v['WORLD:import:TOTAL:value_growth_pct:2024-01-10:MTD']).toBe('-8.5');
      // ... and January 1–20, 2024.
      expect(v['WORLD:export:TOTAL:value:2024-01-20:MTD']).toBe('3963304000000');      // 3,963,304
      expect(v['WORLD:balance:TOTAL:value:2024-01-20:MTD']).toBe('-1737477000000');    // △1,737,477
      expect(v['WORLD:export:TOTAL:value_growth_pct:2024-01-20:MTD']).toBe('9.1');
      expect(Object.keys(v).every((k) => k.endsWith(':MTD'))).toBe(true);
      const rel = await e.sql<{ file_name: string; published_on: string; stage: string; source_stage: string }>(
        `SELECT file_name, published_on::text, stage, source_stage FROM etl.release WHERE dataset = 'mof.press' ORDER BY id`);
      expect(rel).toEqual([
        { file_name: '2024011e.xml', published_on: '2024-01-30', stage: 'preliminary', source_stage: 'Provisional' },
        { file_name: '2024012e.xml', published_on: '2024-02-07', stage: 'preliminary', source_stage: 'Provisional' },
      ]);
      // Metrics read months as frequency M: a partial month is never taken for January.
      const [m] = await e.sql<{ monthly: string; yearly: string }>(`SELECT
        (SELECT count(*) FROM trade.observation WHERE dataset = 'mof.press' AND frequency = 'M')::int AS monthly,
        (SELECT count(*) FROM metrics.jp_trade_yearly_at(NULL) WHERE dataset = 'mof.press')::int AS yearly`);
      expect(m).toEqual({ monthly: 0, yearly: 0 });
    }, TIMEOUT);

    it('d61ma excerpt: quantity-then-value pairs, "-" = no quantity, trailing spaces', async () => {
      const r = await e.load(fixture('mof/timeseries/d61ma_excerpt.csv'), 'mof.timeseries');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/scope d61ma, preliminary\): 246 observations/);
      const v = await tradeValues(e, `dataset = 'mof.timeseries' AND flow = 'import'`);
      // Hand-read (thousand yen; the quantity column comes first, its unit in the last header row).
      expect(v["WORLD:import:'0'～'9':value:1988-01:M".replace(/'/g, '')]).toBe('1796164853000'); // total 1796164853
      expect(v['WORLD:import:0+1:value:1988-01:M']).toBe('224815297000');    // 食料品 value; its quantity is '-'
      expect(v['WORLD:import:0+1:quantity:1988-01:M']).toBeUndefined();
      expect(v['WORLD:import:007:quantity:1988-01:M']).toBe('111239');       // 魚介類 (単位：MT)
      expect(v['WORLD:import:007:value:1988-01:M']).toBe('70714044000');
      expect(v['WORLD:import:0～9:value:1988-03:M']).toBe('1963965033000');
      const [unit] = await e.sql<{ unit: string; classification: string; source_value: string }>(
        `SELECT unit, classification, source_value FROM trade.observation WHERE dataset = 'mof.timeseries' AND commodity_code = '007' AND measure = 'quantity' AND period = '1988-01'`);
      expect(unit).toEqual({ unit: 'MT', classification: 'mof_pc_import', source_value: '111239' });
    }, TIMEOUT);
  });

  describe(`MOF press XML read from the XML itself (${backend})`, () => {
    let e: LoadEnv;
    beforeAll(async () => { e = await loadEnv(backend); }, TIMEOUT);
    afterAll(async () => { await e?.drop(); });

    it('D&P title with nested parentheses, saved as press_2024125en.xml: stage D&P, period December 2024', async () => {
      const r = await e.load(fixture('mof/press/press_2024125en.xml'), 'mof.press');
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/scope M:2024-12, preliminary\)/);
      const [rel] = await e.sql(`SELECT stage, source_stage, scope_key, title FROM etl.release WHERE file_name = 'press_2024125en.xml'`);
      expect(rel).toEqual({ stage: 'preliminary', source_stage: 'D&P', scope_key: 'M:2024-12',
        title: 'Value of Exports and Imports December 2024 (Exports:Detailed Data;Imports:Provisional(HS-code Basis))' });
      const v = await tradeValues(e, WORLD, ['mof.press']);
      expect(v['WORLD:export:TOTAL:value:2024-12:M']).toBe('9910603000000');  // 9,910,603 (pg1)
      expect(v['WORLD:balance:TOTAL:value:2024-12:M']).toBe('130936000000');  // 130,936
    }, TIMEOUT);

    it('a real 20-day release under an uninformative name (press_2024012en.xml): period and stage from the XML', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trade-etl-name-'));
      const file = path.join(dir, 'press_2024012en.xml');
      fs.copyFileSync(fixture('mof/press/2024012e.xml'), file);
      const r = await e.load(file, 'mof.press');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/scope D20:2024-01, preliminary\)/);
      const v = await tradeValues(e, WORLD, ['mof.press']);
      expect(v['WORLD:import:TOTAL:value:2024-01-20:MTD']).toBe('5700781000000'); // 5,700,781
      fs.rmSync(dir, { recursive: true, force: true });
    }, TIMEOUT);
  });
}
