import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataError } from '../../../src/core/errors.js';
import { h10Dataset } from '../../../pipelines/frb/index.js';
import { FRB_FIXTURES, fixtureInput, parseAll, parseError, textInput } from './fixture-input.js';

const input = (rel: string) => fixtureInput('frb.h10', rel);

/** Values in a DDP file counted the plain way (split lines and commas), to check the parser against. */
function countValues(rel: string): { rows: number; values: number } {
  const lines = fs.readFileSync(path.join(FRB_FIXTURES, rel), 'utf8').split(/\r?\n/).filter((l) => /^\d/.test(l));
  const values = lines.flatMap((l) => l.split(',').slice(1)).filter((v) => v !== 'ND' && v !== '').length;
  return { rows: lines.length, values };
}

describe('frb.h10 parser on the real daily file (INR, EUR, JPY 2019–2021)', () => {
  it('reads every value with the direction of its series and the H.10 reference value', async () => {
    const { rows, facts } = await parseAll(h10Dataset, input('h10_daily_INR_EUR_JPY_2019-2021.csv'));
    expect(rows).toHaveLength(countValues('h10_daily_INR_EUR_JPY_2019-2021.csv').values);
    const on = (series: string, period: string) => rows.find((r) => r.series === series && r.period === period);
    expect(on('RXI_N.B.JA', '2019-01-02')).toEqual({ series: 'RXI_N.B.JA', base: 'USD', quote: 'JPY', frequency: 'D', period: '2019-01-02', rate: '109.22' });
    // Dollars per euro: base EUR, quote USD, as written (not inverted).
    expect(on('RXI$US_N.B.EU', '2019-01-02')).toEqual({ series: 'RXI$US_N.B.EU', base: 'EUR', quote: 'USD', frequency: 'D', period: '2019-01-02', rate: '1.1357' });
    expect(on('RXI_N.B.IN', '2019-01-02')!.quote).toBe('INR');
    // ND days (New Year, MLK day…) give no row at all.
    expect(rows.filter((r) => r.period === '2019-01-01' || r.period === '2019-01-21')).toEqual([]);
    // The last row has no newline after it and is still read.
    expect(on('RXI_N.B.JA', '2021-09-17')!.rate).toBe('109.94');
    expect(facts.scopeKey).toBe('RXI$US_N.B.EU,RXI_N.B.IN,RXI_N.B.JA:D:2019-01-01..2021-09-17');
    expect(facts.scope).toMatchObject({ frequency: 'D', from: '2019-01-01', to: '2021-09-17', pairs: ['USD/INR', 'EUR/USD', 'USD/JPY'] });
  });
});

describe('frb.h10 parser on the real monthly package (23 currencies, CRLF)', () => {
  it('reads YYYY-MM periods, never applies the GBP multiplier, keeps every currency', async () => {
    const { rows, facts } = await parseAll(h10Dataset, input('h10_monthly_all_2000-2020.csv'));
    const counted = countValues('h10_monthly_all_2000-2020.csv');
    expect(counted).toEqual({ rows: 245, values: 245 * 23 });
    expect(rows).toHaveLength(counted.values);
    const gbp = rows.find((r) => r.series === 'RXI$US_N.M.UK' && r.period === '2000-01')!;
    expect(gbp).toEqual({ series: 'RXI$US_N.M.UK', base: 'GBP', quote: 'USD', frequency: 'M', period: '2000-01', rate: '1.6404' });
    const jpy = rows.find((r) => r.series === 'RXI_N.M.JA' && r.period === '2015-07')!;
    expect(jpy).toMatchObject({ base: 'USD', quote: 'JPY', rate: '123.3109' });
    expect(new Set(rows.map((r) => r.frequency))).toEqual(new Set(['M']));
    expect(facts.scopeKey).toMatch(/^RXI\$US_N\.M\.AL,.*,RXI_N\.M\.VE:M:2000-01\.\.2020-05$/);
  });

  it('accepts empty fields before a series starts (monthly files) and emits nothing for them', async () => {
    const text = fs.readFileSync(path.join(FRB_FIXTURES, 'h10_monthly_all_2000-2020.csv'), 'utf8').split('\r\n').slice(0, 9);
    text[6] = text[6]!.replace(/,0\.6528$/, ',');   // VEB empty in 2000-01
    text[7] = text[7]!.replace(/^2000-02,0\.6278,/, '2000-02,,'); // AUD empty in 2000-02
    const { rows } = await parseAll(h10Dataset, textInput('frb.h10', 'monthly-gaps.csv', text.join('\r\n')));
    expect(rows).toHaveLength(3 * 23 - 2);
    expect(rows.find((r) => r.series === 'RXI_N.M.VE' && r.period === '2000-01')).toBeUndefined();
  });
});

describe('frb.h10 parser on the constructed JPY/CNY file (2024-01..2025-05)', () => {
  it('reads the yen and yuan per dollar, ND holidays, CRLF without final newline', async () => {
    const rel = 'h10_daily_JPY_CNY_2024-01-01_2025-05-09_constructed.csv';
    const { rows, facts } = await parseAll(h10Dataset, input(rel));
    expect(rows).toHaveLength((355 - 14) * 2);
    expect(rows.filter((r) => r.period === '2025-04-21')).toEqual([
      { series: 'RXI_N.B.JA', base: 'USD', quote: 'JPY', frequency: 'D', period: '2025-04-21', rate: '140.81' },
      { series: 'RXI_N.B.CH', base: 'USD', quote: 'CNY', frequency: 'D', period: '2025-04-21', rate: '7.2914' },
    ]);
    expect(rows.some((r) => r.period === '2024-12-25')).toBe(false);
    expect(rows.at(-1)).toMatchObject({ series: 'RXI_N.B.CH', period: '2025-05-09', rate: '7.2364' });
    expect(facts.scopeKey).toBe('RXI_N.B.CH,RXI_N.B.JA:D:2024-01-01..2025-05-09');
    expect(facts.title).toContain('daily');
  });

  it('gives the same rows whatever the chunking (chunk edges inside CRLF, quotes, numbers)', async () => {
    const rel = 'h10_daily_JPY_CNY_2024-01-01_2025-05-09_constructed.csv';
    const whole = await parseAll(h10Dataset, input(rel));
    const text = fs.readFileSync(path.join(FRB_FIXTURES, rel), 'utf8');
    for (const chunk of [1, 3, 13]) {
      const cut = await parseAll(h10Dataset, textInput('frb.h10', rel, text, chunk));
      expect(cut.rows).toEqual(whole.rows);
      expect(cut.facts.scopeKey).toBe(whole.facts.scopeKey);
    }
  });

  it('the October 2024 yen values average to the published 149.8909', async () => {
    const { rows } = await parseAll(h10Dataset, input('h10_daily_JPY_CNY_2024-01-01_2025-05-09_constructed.csv'));
    const oct = rows.filter((r) => r.series === 'RXI_N.B.JA' && r.period.startsWith('2024-10-'));
    // Sum in hundredths (integers), so the check does not depend on float rounding.
    const hundredths = oct.reduce((s, r) => s + Math.round(Number(r.rate) * 100), 0);
    expect(oct).toHaveLength(22);
    expect((hundredths / 100 / oct.length).toFixed(4)).toBe('149.8909');
  });
});

describe('frb.h10 parser on the newer label style', () => {
  it('finds the header by trimmed labels and takes the direction from the series prefix', async () => {
    const { rows, facts } = await parseAll(h10Dataset, input('h10_daily_EUR_JPY_2019-01_newer_labels_constructed.csv'));
    expect(rows.filter((r) => r.period === '2019-01-02')).toEqual([
      { series: 'RXI$US_N.B.EU', base: 'EUR', quote: 'USD', frequency: 'D', period: '2019-01-02', rate: '1.1357' },
      { series: 'RXI_N.B.JA', base: 'USD', quote: 'JPY', frequency: 'D', period: '2019-01-02', rate: '109.22' },
    ]);
    expect(facts.scopeKey).toBe('RXI$US_N.B.EU,RXI_N.B.JA:D:2019-01-01..2019-01-14');
  });
});

describe('frb.h10 parser: things it tolerates', () => {
  const header = [
    '"Series Description","JAPAN -- SPOT EXCHANGE RATE, YEN/US$ "',
    '"Unit:","Currency:_Per_USD"',
    '"Multiplier:","1"',
    '"Currency:","JPY"',
    '"Unique Identifier: ","H10/H10/RXI_N.B.JA"',
    '"Time Period","RXI_N.B.JA"',
  ];
  it('drops an exact repeat of a row, and a BOM', async () => {
    const text = `\uFEFF${[...header, '2025-04-18,142.2200', '2025-04-18,142.2200', '2025-04-21,140.8100', ''].join('\n')}`;
    const { rows } = await parseAll(h10Dataset, textInput('frb.h10', 'dup.csv', text));
    expect(rows.map((r) => r.period)).toEqual(['2025-04-18', '2025-04-21']);
  });
  it('Unit: and Multiplier: lines deleted: the ids give the direction (normalized/missing_header_lines.csv), with a notice', async () => {
    const { rows, facts } = await parseAll(h10Dataset, fixtureInput('frb.h10', 'normalized/missing_header_lines.csv'));
    // Hand-read: 2019-01-02 RXI_N.B.IN 70.0200, RXI$US_N.B.EU 1.1357 (dollars per euro), RXI_N.B.JA 109.2200.
    expect(rows.filter((r) => r.period === '2019-01-02')).toEqual([
      { series: 'RXI_N.B.IN', base: 'USD', quote: 'INR', frequency: 'D', period: '2019-01-02', rate: '70.02' },
      { series: 'RXI$US_N.B.EU', base: 'EUR', quote: 'USD', frequency: 'D', period: '2019-01-02', rate: '1.1357' },
      { series: 'RXI_N.B.JA', base: 'USD', quote: 'JPY', frequency: 'D', period: '2019-01-02', rate: '109.22' },
    ]);
    expect(facts.notices?.join('\n')).toMatch(/header lines Unit:, Multiplier: missing: direction and currency taken from the series ids/);
  });
  it('annual files: .A. series and YYYY periods', async () => {
    const text = header.map((l) => l.replace(/\.B\./g, '.A.')).concat(['2023,140.4913', '2024,151.4551']).join('\n');
    const { rows, facts } = await parseAll(h10Dataset, textInput('frb.h10', 'annual.csv', text));
    expect(rows).toEqual([
      { series: 'RXI_N.A.JA', base: 'USD', quote: 'JPY', frequency: 'A', period: '2023', rate: '140.4913' },
      { series: 'RXI_N.A.JA', base: 'USD', quote: 'JPY', frequency: 'A', period: '2024', rate: '151.4551' },
    ]);
    expect(facts.scopeKey).toBe('RXI_N.A.JA:A:2023..2024');
  });
});

describe('frb.h10 parser refuses bad files with a DataError naming the spot', () => {
  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    // Quotes dropped alone would be normalized; its dates with the year last cannot be read.
    ['bad/spreadsheet_resave.csv', { line: 7, column: 'Time Period', value: '1/1/19' }, /year last: day and month cannot be told apart/],
    ['bad/spreadsheet_dates.csv', { line: 7, column: 'Time Period', value: '1/1/19' }, /YYYY-MM-DD.*spreadsheet/],
    ['bad/zero_rate.csv', { line: 9, column: 'RXI_N.B.JA', value: '0.0000' }, /positive exchange rate/],
    ['bad/negative_rate.csv', { line: 9, column: 'RXI_N.B.JA', value: '-108.0700' }, /positive exchange rate/],
    ['bad/unknown_direction.csv', { line: 2, column: 'RXI_N.B.JA' }, /direction of the rate.*Index:_January_2006_100/],
    ['bad/contradictory_direction.csv', { line: 2, column: 'RXI$US_N.B.EU' }, /contradicts the RXI\$US_ prefix/],
    ['bad/out_of_order_date.csv', { line: 10, column: 'Time Period', value: '2019-01-03' }, /increasing order.*after 2019-01-04/],
    ['bad/repeated_date.csv', { line: 10, column: 'Time Period' }, /2019-01-03 already appeared on line 9 with other values/],
    ['bad/multiplier_applied.csv', { line: 7, column: 'RXI$US_N.M.UK', value: '0.016404' }, /plausible USD per GBP rate, between 1 and 3\.33/],
  ];
  for (const [rel, where, message] of cases) {
    it(rel, async () => {
      const err = await parseError(h10Dataset, input(rel));
      expect(err).toBeInstanceOf(DataError);
      const e = err as DataError;
      expect(e.details).toMatchObject({ dataset: 'frb.h10', file: rel, ...where });
      expect(e.message).toMatch(message);
      expect(e.kind).toBe('data');
    });
  }

  it('an index series (no currency direction) is refused', async () => {
    const text = [
      '"Series Description","Nominal Broad U.S. Dollar Index"', '"Unit:","Index:_January_2006_100"', '"Multiplier:","1"',
      '"Currency:","NA"', '"Unique Identifier: ","H10/H10/JRXWTFB_N.B"', '"Time Period","JRXWTFB_N.B"', '2025-04-21,120.0000',
    ].join('\n');
    const err = await parseError(h10Dataset, textInput('frb.h10', 'index.csv', text)) as DataError;
    expect(err.details).toMatchObject({ line: 6, value: 'JRXWTFB_N.B' });
    expect(err.message).toMatch(/direction of any other series is unknown/);
  });

  it('a yen rate 100 times too small is refused by the magnitude check', async () => {
    const text = fs.readFileSync(path.join(FRB_FIXTURES, 'h10_daily_EUR_JPY_2019-01_newer_labels_constructed.csv'), 'utf8')
      .replace('109.2200', '1.0922');
    const err = await parseError(h10Dataset, textInput('frb.h10', 'scaled.csv', text)) as DataError;
    expect(err.details).toMatchObject({ line: 8, column: 'RXI_N.B.JA', value: '1.0922' });
    expect(err.message).toMatch(/between 60 and 400 JPY per USD/);
  });

  it('a file with only a header, or nothing at all, is refused', async () => {
    const head = fs.readFileSync(path.join(FRB_FIXTURES, 'h10_daily_EUR_JPY_2019-01_newer_labels_constructed.csv'), 'utf8').split('\n').slice(0, 6).join('\n');
    expect(((await parseError(h10Dataset, textInput('frb.h10', 'head.csv', head))) as DataError).message).toMatch(/no periods/);
    expect(((await parseError(h10Dataset, textInput('frb.h10', 'empty.csv', ''))) as DataError).message).toMatch(/missing: Series Description, Unit:/);
  });
});
