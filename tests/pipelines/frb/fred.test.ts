import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataError } from '../../../src/core/errors.js';
import { fredDataset } from '../../../pipelines/frb/index.js';
import { FRB_FIXTURES, fixtureInput, parseAll, parseError, textInput } from './fixture-input.js';

const input = (rel: string) => fixtureInput('frb.fred', rel);

function nonEmpty(rel: string): number {
  return fs.readFileSync(path.join(FRB_FIXTURES, rel), 'utf8').split(/\r?\n/).slice(1)
    .filter((l) => l && l.split(',')[1] !== '' && l.split(',')[1] !== '.').length;
}

describe('frb.fred parser', () => {
  it('DEXJPUS (observation_date header): yen per dollar, empty days skipped', async () => {
    const rel = 'fred_DEXJPUS_2015-07_2025-07.csv';
    const { rows, facts } = await parseAll(fredDataset, input(rel));
    expect(rows).toHaveLength(nonEmpty(rel));
    expect(rows.find((r) => r.period === '2025-04-21')).toEqual({ series: 'DEXJPUS', base: 'USD', quote: 'JPY', frequency: 'D', period: '2025-04-21', rate: '140.81' });
    expect(rows.find((r) => r.period === '2025-04-22')!.rate).toBe('140.87');
    expect(rows.some((r) => r.period === '2025-07-04')).toBe(false); // empty on Independence Day
    expect(facts.scopeKey).toBe('DEXJPUS:D:2015-07-13..2025-07-11');
    expect(facts.scope).toMatchObject({ h10Equivalent: ['RXI_N.B.JA'] });
  });

  it('the 2024 mean of daily DEXJPUS is 151.4551', async () => {
    const { rows } = await parseAll(fredDataset, input('fred_DEXJPUS_2015-07_2025-07.csv'));
    const y = rows.filter((r) => r.period.startsWith('2024-'));
    const hundredths = y.reduce((s, r) => s + Math.round(Number(r.rate) * 100), 0);
    expect(y).toHaveLength(251);
    expect((hundredths / 100 / y.length).toFixed(4)).toBe('151.4551');
  });

  it('DEXCHUS (older DATE header): yuan per dollar, trailing zeros dropped consistently', async () => {
    const rel = 'fred_DEXCHUS_2010-01_2025-05.csv';
    const { rows, facts } = await parseAll(fredDataset, input(rel));
    expect(rows).toHaveLength(nonEmpty(rel));
    expect(rows.find((r) => r.period === '2025-04-21')).toMatchObject({ base: 'USD', quote: 'CNY', rate: '7.2914' });
    expect(rows.find((r) => r.period === '2010-01-07')!.rate).toBe('6.828');
    expect(facts.scopeKey).toBe('DEXCHUS:D:2010-01-01..2025-05-09');
  });

  it('EXJPUS (monthly, dated the 1st): periods YYYY-MM', async () => {
    const { rows, facts } = await parseAll(fredDataset, input('fred_EXJPUS_monthly_1971_2025-04.csv'));
    expect(rows).toHaveLength(652);
    expect(rows.find((r) => r.period === '2024-10')).toEqual({ series: 'EXJPUS', base: 'USD', quote: 'JPY', frequency: 'M', period: '2024-10', rate: '149.8909' });
    expect(rows[0]).toMatchObject({ period: '1971-01', rate: '358.02' });
    expect(facts.scopeKey).toBe('EXJPUS:M:1971-01..2025-04');
  });

  it('older files write a missing day as "."; dollars-per-unit series keep their direction', async () => {
    const text = 'DATE,DEXUSEU\r\n2019-01-01,.\r\n2019-01-02,1.1357\r\n2019-01-03,1.1399\r\n';
    const { rows } = await parseAll(fredDataset, textInput('frb.fred', 'DEXUSEU.csv', text));
    expect(rows).toEqual([
      { series: 'DEXUSEU', base: 'EUR', quote: 'USD', frequency: 'D', period: '2019-01-02', rate: '1.1357' },
      { series: 'DEXUSEU', base: 'EUR', quote: 'USD', frequency: 'D', period: '2019-01-03', rate: '1.1399' },
    ]);
  });

  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    ['bad/fred_unknown_series.csv', { line: 1, column: '2', value: 'DEXSZUS' }, /direction is known/],
    ['bad/fred_spreadsheet_dates.csv', { line: 2, column: 'observation_date', value: '1/1/2010' }, /YYYY-MM-DD.*spreadsheet/],
  ];
  for (const [rel, where, message] of cases) {
    it(`refuses ${rel}`, async () => {
      const err = await parseError(fredDataset, input(rel));
      expect(err).toBeInstanceOf(DataError);
      expect((err as DataError).details).toMatchObject({ dataset: 'frb.fred', file: rel, ...where });
      expect((err as DataError).message).toMatch(message);
    });
  }

  it('refuses a monthly value not dated on the 1st, a zero, a repeat with another value, another header', async () => {
    const bad = async (text: string) => (await parseError(fredDataset, textInput('frb.fred', 't.csv', text))) as DataError;
    expect((await bad('observation_date,EXJPUS\n2024-10-15,149.8909\n')).details).toMatchObject({ line: 2, value: '2024-10-15' });
    expect((await bad('observation_date,DEXJPUS\n2025-04-21,0\n')).message).toMatch(/positive exchange rate/);
    expect((await bad('observation_date,DEXJPUS\n2025-04-21,140.81\n2025-04-21,141.00\n')).message).toMatch(/already appeared on line 2/);
    expect((await bad('date;DEXJPUS\n2025-04-21;140.81\n')).details).toMatchObject({ line: 1 });
    expect((await bad('observation_date,DEXJPUS\n2025-04-21,1.4081\n')).message).toMatch(/between 60 and 400 JPY per USD/);
  });
});
