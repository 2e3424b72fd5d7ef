/**
 * Issue 14, exchange rates: every real H.10 / FRED file loads through `trade-etl load` with values
 * read by hand; the unambiguous variants a user produces (spreadsheet re-save with year-first
 * dates, a Time-Period-only header, a lower-cased FRED header) load with a note naming what was
 * normalized; the ambiguous ones are refused with the database unchanged.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../helpers/db.js';
import { fixture, loadEnv, type LoadEnv } from './load-env.js';

const TIMEOUT = 240_000;

async function rates(e: LoadEnv, series: string, periods: string[]): Promise<Record<string, string>> {
  const rows = await e.sql<{ period: string; rate: string; pair: string; frequency: string }>(
    `SELECT period, rate::text AS rate, base || '/' || quote AS pair, frequency FROM fx.rate WHERE series = $1 AND period = ANY($2::text[])`, [series, periods]);
  return Object.fromEntries(rows.map((r) => [r.period, `${r.rate} ${r.pair} ${r.frequency}`]));
}

for (const backend of backends()) {
  describe(`H.10 and FRED real files and their variants (${backend})`, () => {
    let e: LoadEnv;
    beforeAll(async () => { e = await loadEnv(backend); }, TIMEOUT);
    afterAll(async () => { await e?.drop(); });

    it('FRED DEXJPUS 1971–2023: header DATE, missing days written "."', async () => {
      const r = await e.load(fixture('frb/fred_DEXJPUS_daily_1971-2023_dot_missing.csv'), 'frb.fred');
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      // 13,750 rows, 537 of them "." → 13,213 rates.
      expect(r.stdout).toMatch(/scope DEXJPUS:D:1971-01-04\.\.2023-09-15\): 13213 observations, 13213 new/);
      expect(await rates(e, 'DEXJPUS', ['1971-01-04', '1971-02-12', '2008-09-15', '2023-09-15'])).toEqual({
        '1971-01-04': '357.73 USD/JPY D', '2008-09-15': '105.67 USD/JPY D', '2023-09-15': '147.83 USD/JPY D', // 1971-02-12 is "."
      });
    }, TIMEOUT);

    it('FRED header lower-cased (date,dexjpus): accepted, with a note', async () => {
      const r = await e.load(fixture('frb/normalized/fred_lowercase_header.csv'), 'frb.fred');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/scope DEXJPUS:D:1971-01-04\.\.1971-02-26\): 38 observations, 0 new, 0 superseded, 38 unchanged/);
      expect(r.stdout).toMatch(/note: header "date,dexjpus" read as DATE,DEXJPUS/);
    }, TIMEOUT);

    it('H.10 daily CNY + HKD 2005–2015: quoted header, CRLF, no final newline, ND', async () => {
      const r = await e.load(fixture('frb/h10_daily_CNY_HKD_2005-2015.csv'), 'frb.h10');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/scope RXI_N\.B\.CH,RXI_N\.B\.HK:D:2005-10-27\.\.2015-08-21\): 4936 observations, 4936 new/);
      expect(r.stdout).not.toMatch(/note:/);
      expect(await rates(e, 'RXI_N.B.CH', ['2005-10-27', '2005-11-11', '2015-08-21'])).toEqual({ '2005-10-27': '8.0862 USD/CNY D', '2015-08-21': '6.3887 USD/CNY D' });
      expect(await rates(e, 'RXI_N.B.HK', ['2005-10-28', '2015-08-21'])).toEqual({ '2005-10-28': '7.7529 USD/HKD D', '2015-08-21': '7.7508 USD/HKD D' });
    }, TIMEOUT);

    it('H.10 annual euro: bare-year periods, dollars per euro', async () => {
      const r = await e.load(fixture('frb/h10_annual_EUR_2008-2022.csv'), 'frb.h10');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/scope RXI\$US_N\.A\.EU:A:2008\.\.2022\): 15 observations, 15 new/);
      expect(await rates(e, 'RXI$US_N.A.EU', ['2008', '2020', '2022'])).toEqual({ 2008: '1.4726 EUR/USD A', 2020: '1.141 EUR/USD A', 2022: '1.0534 EUR/USD A' });
    }, TIMEOUT);

    it('H.10 re-saved by a spreadsheet (quotes dropped, dates 2005/10/27, trailing spaces): loads, notes each normalization, same rates', async () => {
      const r = await e.load(fixture('frb/normalized/h10_spreadsheet_resave_year_first.csv'), 'frb.h10');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/scope RXI_N\.B\.CH,RXI_N\.B\.HK:D:2005-10-27\.\.2005-11-23\): 38 observations, 0 new, 0 superseded, 38 unchanged/);
      expect(r.stdout).toMatch(/note: normalized: header lines without their quotes/);
      expect(r.stdout).toMatch(/note: normalized: dates written year first with slashes \(2005\/10\/27\) read as ISO dates \(2005-10-27\)/);
      expect(r.stdout).toMatch(/note: normalized: spaces around cells trimmed/);
      expect(await rates(e, 'RXI_N.B.CH', ['2005-10-28'])).toEqual({ '2005-10-28': '8.084 USD/CNY D' }); // "8.084 " = 8.0840
    }, TIMEOUT);

    it('H.10 with only the line "Time Period,RXI_N.B.CH": the id gives yuan per dollar, with a note', async () => {
      const r = await e.load(fixture('frb/normalized/h10_time_period_line_only_CNY.csv'), 'frb.h10');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/19 observations, 0 new, 0 superseded, 19 unchanged/);
      expect(r.stdout).toMatch(/note: normalized: header lines Series Description, Unit:, Multiplier:, Currency:, Unique Identifier: missing: direction and currency taken from the series ids \(RXI_N\.B\.CH = CNY per USD\)/);
      const [rel] = await e.sql<{ scope: { notices: string[] } }>(`SELECT scope FROM etl.release WHERE file_name = 'h10_time_period_line_only_CNY.csv'`);
      expect(rel!.scope.notices).toEqual([expect.stringMatching(/without their quotes/), expect.stringMatching(/header lines Series Description.*missing/)]);
    }, TIMEOUT);

    const refused: Array<[string, string, RegExp[]]> = [
      ['frb/bad/h10_dates_year_last.csv', 'frb.h10', [/line:\s+7/, /column:\s+Time Period/, /value:\s+"10\/27\/2005"/, /day and month cannot be told apart/]],
      ['frb/bad/h10_thousands_separator.csv', 'frb.h10', [/line:\s+8/, /column:\s+RXI_N\.M\.KO/, /value:\s+"1,129\.7455"/, /without thousands separators/]],
      ['frb/bad/h10_unknown_series_time_period_only.csv', 'frb.h10', [/line:\s+1/, /value:\s+"RXI_N\.B\.ZZ"/, /not a known H\.10 country code/]],
      ['frb/bad/h10_cut_mid_number.csv', 'frb.h10', [/line:\s+2568/, /column:\s+RXI_N\.B\.HK/, /value:\s+"7\.75"/, /cut short/]],
    ];
    for (const [file, dataset, patterns] of refused) {
      it(`refuses ${file}: exit 1, says where and what, database unchanged`, async () => {
        const before = await e.counts();
        const r = await e.load(fixture(file), dataset);
        expect(r.code).toBe(1);
        for (const p of patterns) expect(r.stderr).toMatch(p);
        expect(await e.counts()).toEqual(before);
      }, TIMEOUT);
    }
  });

  describe(`FRED: an aggregated download never replaces daily rates (${backend})`, () => {
    let e: LoadEnv;
    beforeAll(async () => { e = await loadEnv(backend); }, TIMEOUT);
    afterAll(async () => { await e?.drop(); });

    it('DEXJPUS aggregated to monthly (dates on the 1st) is detected from its dates and refused', async () => {
      expect((await e.load(fixture('frb/fred_DEXJPUS_2015-07_2025-07.csv'), 'frb.fred')).code).toBe(0);
      const before = await e.counts();
      const daily = await rates(e, 'DEXJPUS', ['2024-10-01', '2024-11-01', '2025-04-21']);
      expect(daily).toEqual({ '2024-10-01': '143.66 USD/JPY D', '2024-11-01': '152.94 USD/JPY D', '2025-04-21': '140.81 USD/JPY D' });
      const r = await e.load(fixture('frb/bad/fred_DEXJPUS_aggregated_monthly.csv'), 'frb.fred');
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/line:\s+3/);
      expect(r.stderr).toMatch(/value:\s+"2015-08-01 then 2015-09-01"/);
      expect(r.stderr).toMatch(/aggregated to monthly/);
      expect(await e.counts()).toEqual(before);
      expect(await rates(e, 'DEXJPUS', ['2024-10-01', '2024-11-01', '2025-04-21'])).toEqual(daily);
      expect((await e.sql<{ n: number }>(`SELECT count(*)::int AS n FROM fx.rate WHERE series = 'DEXJPUS' AND frequency <> 'D'`))[0]!.n).toBe(0);
    }, TIMEOUT);
  });
}
