import { describe, expect, it } from 'vitest';
import { DataError } from '../../../src/core/errors.js';
import { timeseriesDataset } from '../../../pipelines/mof/timeseries.js';
import { one, parseError, runParser } from './run-parser.js';

describe('mof.timeseries — d41ma (real, complete)', async () => {
  const { rows, facts } = await runParser(timeseriesDataset, 'timeseries/d41ma.csv');

  it('decodes the CP932 header and keys the file as d41ma', () => {
    expect(facts.scopeKey).toBe('d41ma');
    expect(facts.title).toContain('《世界》  【月別】　（単位：千円）');
    expect(facts.title).toContain('WORLD  Monthly Data  (a thousand yen)');
  });

  it('starts in 1979-01 with exact thousand-yen values turned into yen', () => {
    expect(one(rows, { period: '1979-01', flow: 'export' })).toMatchObject({
      value: '1192541404000', sourceValue: '1192541404', sourceUnit: 'thousand yen', unit: 'JPY',
      classification: 'total', commodityCode: 'TOTAL', partner: 'WORLD', frequency: 'M', basis: 'FOB',
    });
    expect(rows.every((r) => r.frequency === 'M')).toBe(true);
  });

  it('2024 exports sum to 107,087.5 bn yen (+6.2 % on 2023)', () => {
    const year = (y: string): bigint => rows.filter((r) => r.flow === 'export' && r.period.startsWith(`${y}-`)).reduce((a, r) => a + BigInt(r.value), 0n);
    expect(year('2024')).toBe(107087511087000n);
    expect(Number(year('2024') / 100000000n) / 10).toBeCloseTo(107087.5, 1);
    expect(Number(year('2023') / 100000000n) / 10).toBeCloseTo(100873.0, 1);
    expect((Number(year('2024')) / Number(year('2023')) - 1) * 100).toBeCloseTo(6.2, 1);
  });

  it('does not emit the unpublished months (0 in the file)', () => {
    expect(rows.some((r) => r.value === '0')).toBe(false);
    expect(rows.some((r) => r.period === '2026-12')).toBe(false);
    const last = rows.map((r) => r.period).sort().pop();
    expect(last! < '2026-12').toBe(true);
  });
});

describe('mof.timeseries — d51ma (real excerpt)', async () => {
  const { rows, facts } = await runParser(timeseriesDataset, 'timeseries/d51ma_excerpt.csv');

  it('keys the file as d51ma and reads codes as text without quotes', () => {
    expect(facts.scopeKey).toBe('d51ma');
    expect(rows.every((r) => r.classification === 'mof_pc_export' && r.flow === 'export' && r.period === '1988-01')).toBe(true);
    expect(one(rows, { commodityCode: '70503', measure: 'quantity' })).toMatchObject({ value: '501624', unit: 'NO', commodityLabel: '自動車' });
    expect(one(rows, { commodityCode: '70503', measure: 'value' }).value).toBe('474842954000');
    expect(one(rows, { commodityCode: '7050301', measure: 'quantity' }).value).toBe('400867');
    expect(one(rows, { commodityCode: '0～9', measure: 'value' }).value).toBe('2187613965000');
    expect(rows.some((r) => r.commodityCode === '0+1')).toBe(true);
  });

  it("skips '-' quantities (parts of motor vehicles 1988/01) without inventing a zero", () => {
    expect(rows.filter((r) => r.commodityCode === '70505').map((r) => r.measure)).toEqual(['value']);
  });
});

describe('mof.timeseries — bad files', () => {
  it.each([
    ['bad/d41ma-non-numeric.csv', /d41ma-non-numeric\.csv \(line 550, column "2 \(Exp-Total\)"\): found "92O8858036 "; expected a whole number/],
    ['bad/wrong-header.csv', /wrong-header\.csv \(line 2, column "1"\): found "1"; expected the English title of a Customs time series/],
    ['bad/invalid-cp932.csv', /invalid-cp932\.csv \(line 2, column "6"\): .*expected valid CP932 text/],
    ['bad/html-page.html', /html-page\.html \(line 2, column "1"\): found "<html lang=\\"ja\\">.*expected valid CP932 text/],
    ['bad/empty.csv', /empty\.csv \(line 1, column "1"\): found ""; expected a Customs time-series CSV/],
  ])('%s → DataError naming file, line, column and value', async (file, pattern) => {
    const err = await parseError(timeseriesDataset, file);
    expect(err).toBeInstanceOf(DataError);
    expect(err.message).toMatch(pattern);
  });
});
