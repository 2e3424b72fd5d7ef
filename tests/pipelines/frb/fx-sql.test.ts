/**
 * sql/repeatable/20_fx.sql on a real database (PGlite, and Postgres when TEST_DATABASE_URL is set). The
 * rates are the fixtures parsed by the real parsers and inserted as one release each (the way
 * the engine's merge would leave them for non-overlapping releases), so every figure below
 * comes from the published files.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { backends, useDb } from '../../helpers/db.js';
import type { Db } from '../../../src/db/connect.js';
import type { Dataset, FxObservation } from '../../../src/core/vocabulary.js';
import { h10Dataset, fredDataset } from '../../../pipelines/frb/index.js';
import { MAX_DAYS_BACK } from '../../../src/fx/policy.js';
import { FRB_FIXTURES, fixtureInput, parseAll } from './fixture-input.js';

async function loadFixture(db: Db, ds: Dataset<FxObservation>, rel: string): Promise<number> {
  const { rows, facts } = await parseAll(ds, fixtureInput(ds.id, rel));
  const bytes = fs.readFileSync(path.join(FRB_FIXTURES, rel));
  return db.transaction(async (tx) => {
    const [r] = await tx.query<{ id: string }>(
      `INSERT INTO etl.release (source, dataset, file_name, sha256, bytes, status, scope_key, scope, title, loaded_at)
       VALUES ('frb', $1, $2, $3, $4, 'loaded', $5, $6, $7, now()) RETURNING id`,
      [ds.id, rel, crypto.createHash('sha256').update(bytes).digest('hex'), bytes.length, facts.scopeKey, JSON.stringify(facts.scope ?? {}), facts.title ?? null]);
    const id = String(r!.id);
    async function* copyRows() {
      for (const x of rows) yield [ds.id, facts.scopeKey!, x.series, x.base, x.quote, x.frequency, x.period, x.rate, id] as const;
    }
    await tx.copyIn('fx.rate_history', ['dataset', 'scope_key', 'series', 'base', 'quote', 'frequency', 'period', 'rate', 'valid_from_release'], copyRows());
    return Number(id);
  });
}

/** Trade observations to convert (test rows; the published figures are from CLAIMS.md). */
async function loadTradeRows(db: Db): Promise<void> {
  await db.transaction(async (tx) => {
    const [r] = await tx.query<{ id: string }>(
      `INSERT INTO etl.release (source, dataset, file_name, sha256, bytes, status, scope_key, loaded_at)
       VALUES ('mof', 'test.fx', 'test-rows', 'test', 0, 'loaded', 'test', now()) RETURNING id`);
    const rows: Array<[string, string, string, string, string, string, string]> = [
      // partner, flow, period, frequency, measure, value, unit
      ['WORLD', 'export', '2024', 'A', 'value', '107091300000000', 'JPY'],
      ['US', 'export', 'FY2024', 'FY', 'value', '21294800000000', 'JPY'],
      ['WORLD', 'export', '2024-10', 'M', 'value', '9427000000000', 'JPY'],
      ['WORLD', 'export', '2025-05', 'M', 'value', '8000000000000', 'JPY'],
      ['JP', 'import', '2024', 'A', 'value', '39936000000', 'USD'],
      ['US', 'import', '2025-04-20', 'D', 'value', '341', 'JPY'],
      ['US', 'export', '2024', 'A', 'share_pct', '28.3', 'PCT'],
    ];
    for (const [partner, flow, period, frequency, measure, value, unit] of rows) {
      await tx.query(
        `INSERT INTO trade.observation_history (dataset, scope_key, reporter, partner, partner_source_code, flow, period, frequency,
           classification, commodity_code, measure, value, unit, valid_from_release)
         VALUES ('test.fx', 'test', 'JP', $1, $1, $2, $3, $4, 'total', 'TOTAL', $5, $6, $7, $8)`,
        [partner, flow, period, frequency, measure, value, unit, r!.id]);
    }
  });
}

function near(actual: unknown, expected: number, relTol = 1e-9): void {
  const a = Number(actual);
  expect(Number.isFinite(a), `not a number: ${String(actual)}`).toBe(true);
  expect(Math.abs(a - expected) / Math.abs(expected)).toBeLessThan(relTol);
}

for (const backend of backends()) {
  describe(`fx SQL on ${backend}`, () => {
    const t = useDb(backend);

    beforeAll(async () => {
      const db = t.db();
      await loadFixture(db, h10Dataset, 'h10_monthly_all_2000-2020.csv');
      await loadFixture(db, h10Dataset, 'h10_daily_INR_EUR_JPY_2019-2021.csv');
      await loadFixture(db, h10Dataset, 'h10_daily_JPY_CNY_2024-01-01_2025-05-09_constructed.csv');
      await loadFixture(db, fredDataset, 'fred_DEXJPUS_2015-07_2025-07.csv');
      await loadFixture(db, fredDataset, 'fred_DEXCHUS_2010-01_2025-05.csv');
      await loadFixture(db, fredDataset, 'fred_EXJPUS_monthly_1971_2025-04.csv');
      await loadTradeRows(db);
    });

    it('fx.daily keeps one rate per pair and day, H.10 before FRED, and says which', async () => {
      const rows = await t.db().query<{ date: string; rate: string; series: string; dataset: string }>(
        `SELECT date::text, rate::text, series, dataset FROM fx.daily
         WHERE base = 'USD' AND quote = 'JPY' AND date IN ('2019-01-02', '2024-10-01', '2025-05-12') ORDER BY date`);
      expect(rows).toEqual([
        { date: '2019-01-02', rate: '109.22', series: 'RXI_N.B.JA', dataset: 'frb.h10' }, // H.10 reference value
        { date: '2024-10-01', rate: '143.66', series: 'RXI_N.B.JA', dataset: 'frb.h10' }, // both loaded: H.10 wins
        { date: '2025-05-12', rate: '148.09', series: 'DEXJPUS', dataset: 'frb.fred' },   // after the H.10 file ends
      ]);
      const dup = await t.db().query<{ n: number }>(
        `SELECT count(*)::int AS n FROM (SELECT base, quote, date FROM fx.daily GROUP BY 1, 2, 3 HAVING count(*) > 1) x`);
      expect(dup[0]!.n).toBe(0);
    });

    it('341 JPY on 2025-04-21 is about 2.42 USD (341 / 140.81), from H.10', async () => {
      const [c] = await t.db().query<{ amount: string; rate: string; date_used: string; series: string; dataset: string; note: string }>(
        `SELECT amount::text, rate::text, date_used::text, series, dataset, note FROM fx.convert_detail(341, 'JPY', 'USD', '2025-04-21')`);
      near(c!.amount, 341 / 140.81);
      expect(Number(c!.amount).toFixed(2)).toBe('2.42');
      expect(c).toMatchObject({ date_used: '2025-04-21', series: '1/RXI_N.B.JA', dataset: 'frb.h10', note: 'rate of 2025-04-21' });
      const [plain] = await t.db().query<{ v: string }>(`SELECT fx.convert(341, 'JPY', 'USD', '2025-04-21')::text AS v`);
      expect(plain!.v).toBe(c!.amount);
    });

    it('4,217 JPY on 2025-04-21 is about 218 CNY, through the dollar on that same day', async () => {
      const [c] = await t.db().query<{ amount: string; rate: string; date_used: string; series: string }>(
        `SELECT amount::text, rate::text, date_used::text, series FROM fx.convert_detail(4217, 'JPY', 'CNY', '2025-04-21')`);
      near(c!.amount, (4217 * 7.2914) / 140.81);
      expect(Math.round(Number(c!.amount))).toBe(218);
      expect(c).toMatchObject({ date_used: '2025-04-21', series: 'RXI_N.B.CH / RXI_N.B.JA' });
    });

    it('a weekend date uses the Friday before and says so', async () => {
      for (const day of ['2025-04-19', '2025-04-20']) {
        const [l] = await t.db().query<{ rate: string; date_used: string; series: string }>(
          `SELECT rate::text, date_used::text, series FROM fx.lookup('USD', 'JPY', $1::date)`, [day]);
        expect(l).toEqual({ rate: '142.22', date_used: '2025-04-18', series: 'RXI_N.B.JA' });
        const [c] = await t.db().query<{ note: string }>(`SELECT note FROM fx.convert_detail(341, 'JPY', 'USD', $1::date)`, [day]);
        expect(c!.note).toContain('2025-04-18');
        expect(c!.note).toContain(`none on ${day}`);
      }
    });

    it('both legs of a cross rate come from the same day', async () => {
      // 2025-05-12: the yen has a rate (FRED), the yuan does not (its file ends 2025-05-09).
      const [l] = await t.db().query<{ rate: string; date_used: string; series: string; dataset: string }>(
        `SELECT rate::text, date_used::text, series, dataset FROM fx.lookup('JPY', 'CNY', '2025-05-12')`);
      expect(l!.date_used).toBe('2025-05-09');
      near(l!.rate, 7.2364 / 145.15);
      expect(l!.series).toBe('RXI_N.B.CH / RXI_N.B.JA');
      expect(l!.dataset).toBe('frb.h10');
    });

    it('looks back at most max_days_back days, default 7, and returns nulls beyond', async () => {
      const [a] = await t.db().query<{ date_used: string }>(`SELECT date_used::text FROM fx.lookup('USD', 'CNY', '2025-05-12')`);
      expect(a!.date_used).toBe('2025-05-09');
      const [b] = await t.db().query<{ rate: string | null; date_used: string | null }>(
        `SELECT rate, date_used FROM fx.lookup('USD', 'CNY', '2025-05-12', 2)`);
      expect(b).toEqual({ rate: null, date_used: null });
      const [c] = await t.db().query<{ rate: string | null }>(`SELECT rate FROM fx.lookup('USD', 'CNY', '2025-05-17')`);
      expect(c!.rate).toBeNull(); // eight days after the last yuan rate
      const [n] = await t.db().query<{ note: string; amount: string | null }>(`SELECT amount, note FROM fx.convert_detail(1, 'USD', 'CNY', '2025-05-17')`);
      expect(n!.amount).toBeNull();
      expect(n!.note).toContain('no USD/CNY rate on 2025-05-17 or the 7 days before');
      const [d] = await t.db().query<{ args: string }>(
        `SELECT pg_get_function_arguments(p.oid) AS args FROM pg_proc p WHERE p.pronamespace = 'fx'::regnamespace AND p.proname = 'lookup'`);
      expect(d!.args).toContain(`max_days_back integer DEFAULT ${MAX_DAYS_BACK}`);
    });

    it('inverts and crosses rates published as dollars per euro', async () => {
      const q = async (b: string, qq: string) => (await t.db().query<{ rate: string; series: string }>(
        `SELECT rate::text, series FROM fx.lookup($1, $2, '2019-01-02')`, [b, qq]))[0]!;
      expect(await q('EUR', 'USD')).toEqual({ rate: '1.1357', series: 'RXI$US_N.B.EU' });
      const usdEur = await q('USD', 'EUR');
      near(usdEur.rate, 1 / 1.1357);
      expect(usdEur.series).toBe('1/RXI$US_N.B.EU');
      // yen per euro = yen per dollar × dollars per euro: no division, so exact.
      expect(await q('EUR', 'JPY')).toEqual({ rate: '124.041154', series: 'RXI_N.B.JA / (1/RXI$US_N.B.EU)' });
      expect(await q('JPY', 'JPY')).toEqual({ rate: '1', series: 'identity' });
    });

    it('the 2024 annual average of daily yen rates is 151.4551 (FRED and H.10 alike)', async () => {
      const [a] = await t.db().query<{ rate: string; days: number; complete: boolean; series: string; rate_basis: string }>(
        `SELECT rate::text, days, complete, series, rate_basis FROM fx.rate_annual WHERE base = 'USD' AND quote = 'JPY' AND year = '2024'`);
      expect(Number(a!.rate).toFixed(4)).toBe('151.4551');
      expect(Number(a!.rate).toFixed(2)).toBe('151.46');
      expect(a).toMatchObject({ days: 251, complete: true, series: 'RXI_N.B.JA', rate_basis: 'mean of 251 daily rates' });
      const [f] = await t.db().query<{ v: string }>(
        `SELECT round(avg(rate), 4)::text AS v FROM fx.rate WHERE series = 'DEXJPUS' AND period LIKE '2024-%'`);
      expect(f!.v).toBe('151.4551');
    });

    it('the October 2024 monthly average is 149.8909, as H.10/FRED publish it', async () => {
      const [m] = await t.db().query<Record<string, unknown>>(
        `SELECT round(average_rate, 4)::text AS avg, days, complete, rate_basis, published_rate::text AS published, published_series, published_dataset
         FROM fx.rate_monthly WHERE base = 'USD' AND quote = 'JPY' AND month = '2024-10'`);
      expect(m).toEqual({
        avg: '149.8909', days: 22, complete: true, rate_basis: 'mean of 22 daily rates',
        published: '149.8909', published_series: 'EXJPUS', published_dataset: 'frb.fred',
      });
    });

    it('a month whose days are not all loaded falls back to the published average, else has no rate', async () => {
      // DEXJPUS starts 2015-07-13: July 2015 is partial; EXJPUS publishes it; H.10's monthly package wins over FRED's.
      const [jul] = await t.db().query<Record<string, unknown>>(
        `SELECT complete, rate::text AS rate, rate_basis, series, dataset FROM fx.rate_monthly WHERE base = 'USD' AND quote = 'JPY' AND month = '2015-07'`);
      expect(jul).toEqual({ complete: false, rate: '123.3109', rate_basis: 'published monthly average', series: 'RXI_N.M.JA', dataset: 'frb.h10' });
      // DEXCHUS ends 2025-05-09 and no monthly yuan average is loaded.
      const [may] = await t.db().query<Record<string, unknown>>(
        `SELECT complete, rate, days FROM fx.rate_monthly WHERE base = 'USD' AND quote = 'CNY' AND month = '2025-05'`);
      expect(may).toEqual({ complete: false, rate: null, days: 7 });
    });

    it('converts every monetary trade observation to USD, JPY and CNY with the rate, series and period used', async () => {
      const rows = await t.db().query<Record<string, string | null>>(
        `SELECT period, frequency, from_currency, to_currency, converted_value::text AS converted, rate::text AS rate, rate_series, rate_dataset, rate_basis, rate_period
         FROM fx.observation_converted WHERE dataset = 'test.fx' ORDER BY period, from_currency, to_currency`);
      const get = (period: string, to: string) => rows.find((r) => r.period === period && r.to_currency === to)!;
      expect(rows.filter((r) => r.period === '2024' && r.from_currency === 'PCT')).toEqual([]);
      expect(rows).toHaveLength(6 * 3);

      // Calendar 2024 exports, 107,091.3 bn yen, at the 2024 annual average.
      const annual = get('2024', 'USD');
      near(annual.converted, 107091300000000 / 151.455139, 1e-6);
      expect(annual).toMatchObject({ rate_series: '1/RXI_N.B.JA', rate_period: '2024', rate_basis: 'JPY: mean of 251 daily rates' });
      expect(get('2024', 'JPY')).toMatchObject({ converted: '107091300000000', rate: '1', rate_basis: 'same currency' });

      // Fiscal 2024 (April 2024 – March 2025): mean of its 12 monthly averages, never the calendar year.
      const fy = get('FY2024', 'USD');
      expect(fy).toMatchObject({ rate_period: '2024-04..2025-03', rate_basis: 'JPY: mean of 12 monthly rates' });
      const [fyRate] = await t.db().query<{ v: string }>(
        `SELECT avg(rate)::text AS v FROM fx.rate_monthly WHERE base = 'USD' AND quote = 'JPY' AND month BETWEEN '2024-04' AND '2025-03'`);
      near(fy.converted, 21294800000000 / Number(fyRate!.v), 1e-9);
      expect(Number(fy.rate)).not.toBeCloseTo(Number(annual.rate), 6);

      // A month to CNY: cross through USD with both legs' monthly averages.
      const oct = get('2024-10', 'CNY');
      expect(oct).toMatchObject({ rate_series: 'RXI_N.B.CH / RXI_N.B.JA', rate_period: '2024-10', rate_dataset: 'frb.h10' });
      expect(oct.rate_basis).toBe('CNY: mean of 22 daily rates; JPY: mean of 22 daily rates');

      // May 2025: the yen month is complete (H.10 then FRED), the yuan month is not → no CNY value.
      expect(get('2025-05', 'USD').converted).not.toBeNull();
      expect(get('2025-05', 'USD').rate_dataset).toBe('frb.fred,frb.h10');
      expect(get('2025-05', 'CNY')).toMatchObject({ converted: null, rate: null });

      // Census-style USD value of 2024 into yen and yuan at the annual averages.
      const usdJpy = rows.find((r) => r.period === '2024' && r.from_currency === 'USD' && r.to_currency === 'JPY')!;
      near(usdJpy.converted, 39936000000 * 151.455139, 1e-6);
      expect(usdJpy.rate_series).toBe('RXI_N.B.JA');

      // A dated value on a Sunday: the Friday's rate, and the row says so.
      const day = get('2025-04-20', 'USD');
      near(day.converted, 341 / 142.22);
      expect(day).toMatchObject({ rate_period: '2025-04-18', rate_series: '1/RXI_N.B.JA', rate_basis: 'previous day with a rate (none on 2025-04-20)' });
    });

    it('documents every fx function', async () => {
      const rows = await t.db().query<{ proname: string }>(
        `SELECT p.proname FROM pg_proc p WHERE p.pronamespace = 'fx'::regnamespace AND obj_description(p.oid, 'pg_proc') IS NULL`);
      expect(rows).toEqual([]);
    });
  });
}
