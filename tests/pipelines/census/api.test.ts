import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataError } from '../../../src/core/errors.js';
import type { Observation } from '../../../src/core/vocabulary.js';
import { censusApi } from '../../../pipelines/census/index.js';
import { bytesInput, errorOf, FIX, fixtureInput, parseAll, routes } from './helpers.js';

const hintsOf = (file: string) => routes().find((r) => r.file === file)!.hints!;
const find = (rows: Observation[], q: Partial<Observation>) => rows.filter((o) => Object.entries(q).every(([k, v]) => (o as unknown as Record<string, unknown>)[k] === v));

describe('census.api: passenger cars, end-use 30000, 2024', () => {
  const file = 'api/imports_enduse_30000_2024.json';

  it('gives the published values in dollars, Mexico first and Japan second', async () => {
    const { rows, facts } = await parseAll(censusApi, fixtureInput(file, { hints: hintsOf(file) }));
    expect(facts.scopeKey).toBe('imports/enduse:I_ENDUSE=30000:GEN_VAL_YR:2024');
    expect(rows).toHaveLength(11);
    const mx = find(rows, { partner: 'MX' });
    expect(mx).toEqual([{
      reporter: 'US', partner: 'MX', partnerSourceCode: '2010', flow: 'import', period: '2024', frequency: 'A',
      classification: 'census_enduse', commodityCode: '30000', commodityLabel: 'Passenger cars, new and used',
      measure: 'value', value: '49743000000', unit: 'USD', sourceValue: '49743000000', sourceUnit: 'dollars', basis: 'general imports',
    }]);
    const countries = rows.filter((o) => o.partner !== 'WORLD').sort((a, b) => Number(BigInt(b.value) - BigInt(a.value)));
    expect(countries[1]!.partnerSourceCode).toBe('5880');
    expect(countries[1]!.value).toBe('39936000000');
    expect(find(rows, { partner: 'WORLD' })[0]!.value).toBe('216806000000');
    expect(find(rows, { partnerSourceCode: '5800' })[0]!.value).toBe('37386000000');
    expect(find(rows, { partnerSourceCode: '1220' })[0]!.value).toBe('28262000000');
    expect(find(rows, { partnerSourceCode: '4280' })[0]!.value).toBe('25326000000');
    expect(find(rows, { partnerSourceCode: '4120' })[0]!.value).toBe('9715000000');
    // Every country's partner is an ISO code or a census:<code>, never a raw number.
    for (const o of rows) expect(o.partner).toMatch(/^([A-Z]{2}|WORLD|census:\w{4})$/);
  });

  it('gets the same scope key from the URL alone as from the discovery hints', async () => {
    const route = routes().find((r) => r.file === file)!;
    const url = `https://api.census.gov${route.path}?get=${route.query!.get}&I_ENDUSE=30000&time=2024-12&key=SECRET`;
    const { facts } = await parseAll(censusApi, fixtureInput(file, { hints: { url } }));
    expect(facts.scopeKey).toBe('imports/enduse:I_ENDUSE=30000:GEN_VAL_YR:2024');
    expect(JSON.stringify(facts)).not.toContain('SECRET');
  });
});

describe('census.api: HS 8703, 2024', () => {
  it('keeps the HS series apart from the end-use series (Japan $41.6 B, hs4)', async () => {
    const file = 'api/imports_hs_8703_2024.json';
    const { rows, facts } = await parseAll(censusApi, fixtureInput(file, { hints: hintsOf(file) }));
    expect(facts.scopeKey).toBe('imports/hs:COMM_LVL=HS4&I_COMMODITY=8703:GEN_VAL_YR:2024');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      partner: 'JP', partnerSourceCode: '5880', classification: 'hs4', commodityCode: '8703', commodityLabel: 'MOTOR CARS & VEHICLES FOR TRANSPO',
      period: '2024', frequency: 'A', value: '41600000000', unit: 'USD', basis: 'general imports',
    });
  });
});

describe('census.api: total trade with Japan by month, 2024', () => {
  it('reads exports monthly (M), year to date (YTD) and December year to date as the year (A)', async () => {
    const file = 'api/exports_total_by_country_2024.json';
    const { rows, facts } = await parseAll(censusApi, fixtureInput(file, { hints: hintsOf(file) }));
    expect(facts.scopeKey).toBe('exports/hs:*:ALL_VAL_MO,ALL_VAL_YR:2024');
    expect(find(rows, { frequency: 'M' })).toHaveLength(12);
    expect(find(rows, { frequency: 'YTD' })).toHaveLength(11);
    expect(find(rows, { frequency: 'YTD', period: '2024-11' })[0]!.value).toBe('72516000000');
    expect(find(rows, { frequency: 'M', period: '2024-01' })[0]).toMatchObject({ value: '5638800000', flow: 'export', basis: 'f.a.s.', classification: 'total', commodityCode: 'TOTAL', partner: 'JP' });
    expect(find(rows, { frequency: 'A' })).toEqual([expect.objectContaining({ period: '2024', value: '78978400000' })]);
  });

  it('gives a 2024 balance equal to the sum of the c5880 monthly balances (−69,392.2 $M, vintage 2026-02-19)', async () => {
    const ex = await parseAll(censusApi, fixtureInput('api/exports_total_by_country_2024.json', { hints: hintsOf('api/exports_total_by_country_2024.json') }));
    const im = await parseAll(censusApi, fixtureInput('api/imports_total_by_country_2024.json', { hints: hintsOf('api/imports_total_by_country_2024.json') }));
    expect(im.facts.scopeKey).toBe('imports/hs:*:GEN_VAL_MO,GEN_VAL_YR:2024');
    const a = (rows: Observation[]) => BigInt(find(rows, { frequency: 'A' })[0]!.value);
    expect(a(ex.rows) - a(im.rows)).toBe(-69392200000n);
    const months = find(im.rows, { frequency: 'M' });
    expect(months.every((o) => o.basis === 'general imports' && o.flow === 'import')).toBe(true);
  });
});

describe('census.api: rules not in the fixtures the engine loads', () => {
  const header = ['CTY_CODE', 'CTY_NAME', 'I_COMMODITY', 'GEN_VAL_MO', 'CON_VAL_MO', 'GEN_QY1_MO', 'GEN_QY1_MO_FLAG', 'CON_QY1_MO', 'CON_QY1_MO_FLAG', 'UNIT_QY1', 'COMM_LVL', 'time'];
  // Illustrative numbers: only the shape matters here.
  const body = JSON.stringify([header,
    ['5880', 'JAPAN', '8703230190', '100', '90', '0', '1', '0', '', 'NO', 'HS10', '2024-03'],
    ['-', 'TOTAL FOR ALL COUNTRIES', '8703230190', '500', '480', '7', '', '6', '', 'NO', 'HS10', '2024-03'],
    ['0003', 'EUROPEAN UNION', '8703230190', '0', '0', '0', '', '0', '', 'NO', 'HS10', '2024-03'],
  ]);

  it('keeps general imports and imports for consumption apart, and quantities only when meaningful', async () => {
    const { rows, facts } = await parseAll(censusApi, bytesInput('gen-con.json', body));
    expect(facts.scopeKey).toBe('file:imports/hs:I_COMMODITY=8703230190:CON_QY1_MO,CON_VAL_MO,GEN_QY1_MO,GEN_VAL_MO:2024');
    const jp = find(rows, { partner: 'JP' });
    expect(jp.map((o) => [o.classification, o.measure, o.value, o.unit, o.basis])).toEqual([
      ['hs10', 'value', '100', 'USD', 'general imports'],
      ['hs10:con', 'value', '90', 'USD', 'imports for consumption'],
      // "0" with the true-zero flag set is an observation; without it (CON) it is not.
      ['hs10', 'quantity', '0', 'NO', 'general imports'],
    ]);
    expect(find(rows, { partner: 'WORLD', measure: 'quantity' }).map((o) => [o.classification, o.value])).toEqual([['hs10', '7'], ['hs10:con', '6']]);
    // An aggregate is never a country: partner census:<code>, values (true zeros) kept.
    expect(find(rows, { partnerSourceCode: '0003' }).map((o) => [o.partner, o.measure, o.value])).toEqual([['census:0003', 'value', '0'], ['census:0003', 'value', '0']]);
    expect(facts.scope).toMatchObject({ quantityNotReported: 3 });
  });

  it('reads YEAR/MONTH instead of time, and a YTD month before December as YTD', async () => {
    const doc = JSON.stringify([['CTY_CODE', 'ALL_VAL_YR', 'E_ENDUSE', 'YEAR', 'MONTH'], ['5880', '123', '30000', '2025', '6']]);
    const { rows } = await parseAll(censusApi, bytesInput('x.json', doc, { url: 'https://api.census.gov/data/timeseries/intltrade/exports/enduse?get=CTY_CODE,ALL_VAL_YR&E_ENDUSE=30000&YEAR=2025&MONTH=06' }));
    expect(rows).toEqual([expect.objectContaining({ flow: 'export', frequency: 'YTD', period: '2025-06', classification: 'census_enduse', basis: 'f.a.s.' })]);
  });

  it('accepts an empty body only when told the answer was HTTP 204', async () => {
    const hints = { ...hintsOf('api/imports_hs_8703_2024.json'), noData: true };
    const { rows, facts } = await parseAll(censusApi, bytesInput('empty.json', '', hints));
    expect(rows).toEqual([]);
    expect(facts.scopeKey).toBe('imports/hs:COMM_LVL=HS4&I_COMMODITY=8703:GEN_VAL_YR:2024');
  });
});

describe('census.api: the real answer from shared/data (port level, HS 87, 2024 year to date)', () => {
  const hints = {
    requested: ['AIR_VAL_YR', 'AIR_WGT_YR', 'CNT_VAL_YR', 'CNT_WGT_YR', 'CTY_CODE', 'CTY_NAME', 'PORT', 'PORT_NAME', 'I_COMMODITY'],
    url: 'https://api.census.gov/data/timeseries/intltrade/imports/porths?get=AIR_VAL_YR,AIR_WGT_YR,CNT_VAL_YR,CNT_WGT_YR,CTY_CODE,CTY_NAME,PORT,PORT_NAME,I_COMMODITY&YEAR=2024&COMM_LVL=HS2&I_COMMODITY=87&time=2024-12',
  };

  it('keeps the all-ports rows, by header name, as transport-mode series', async () => {
    const { rows, facts } = await parseAll(censusApi, fixtureInput('real/census_api_porths_imports_hs87_2024-12.json', { hints }));
    expect(facts.scopeKey).toBe('imports/porths:COMM_LVL=HS2&I_COMMODITY=87:AIR_VAL_YR,AIR_WGT_YR,CNT_VAL_YR,CNT_WGT_YR:2024');
    expect(facts.scope).toMatchObject({ rows: 7293, breakdownRowsSkipped: 7293 - 188 });
    expect(rows).toHaveLength(188 * 4);
    const jp = find(rows, { partnerSourceCode: '5880' });
    expect(jp.map((o) => [o.classification, o.measure, o.unit, o.basis])).toEqual([
      ['hs2:air', 'value', 'USD', 'general imports, air'],
      ['hs2:air', 'quantity', 'KG', 'general imports, air'],
      ['hs2:containerized', 'value', 'USD', 'general imports, containerized vessel'],
      ['hs2:containerized', 'quantity', 'KG', 'general imports, containerized vessel'],
    ]);
    expect(jp.every((o) => o.period === '2024' && o.frequency === 'A' && o.commodityCode === '87')).toBe(true);
    // Aggregates of the real file stay out of the countries.
    expect(new Set(rows.filter((o) => /X/.test(o.partnerSourceCode)).map((o) => o.partner))).toContain('census:5XXX');
  });

  it('refuses a figure that is not a number in a port row it leaves out, too', async () => {
    // Line 5 is Syracuse's OECD row: a port breakdown, left out of the observations. Its
    // AIR_VAL_YR re-saved in exponent notation still means the file is not a clean answer.
    const real = fs.readFileSync(path.join(FIX, 'real/census_api_porths_imports_hs87_2024-12.json'), 'utf8').split('\n');
    expect(real[4]).toMatch(/^\["0","0","0","0","0022","OECD","0906",/);
    real[4] = real[4]!.replace(/^\["0",/, '["1.5E+06",');
    const e = await errorOf(parseAll(censusApi, bytesInput('porths-exponent.json', real.join('\n'), hints)));
    expect(e).toBeInstanceOf(DataError);
    expect(e.details).toMatchObject({ file: 'porths-exponent.json', line: 5, row: 5, column: 'AIR_VAL_YR', value: '1.5E+06' });
    expect(e.message).toContain('a whole number of dollars as a string of digits');
  });
});

describe('census.api: bad files are DataErrors naming file, row, column and value', () => {
  const enduseHints = () => hintsOf('api/imports_enduse_30000_2024.json');

  it('refuses JSON that is not an array of arrays', async () => {
    const e = await errorOf(parseAll(censusApi, fixtureInput('bad/not_array_of_arrays.json', { hints: enduseHints() })));
    expect(e).toBeInstanceOf(DataError);
    expect(e.details).toMatchObject({ file: 'not_array_of_arrays.json', row: 1, value: '{' });
  });

  it('refuses a header row without a requested variable', async () => {
    const e = await errorOf(parseAll(censusApi, fixtureInput('bad/missing_requested_variable.json', { hints: enduseHints() })));
    expect(e.details).toMatchObject({ file: 'missing_requested_variable.json', row: 1, column: 'GEN_VAL_YR' });
    expect(e.message).toContain('requested variable GEN_VAL_YR');
  });

  it('refuses a non-numeric value, naming row and column', async () => {
    const e = await errorOf(parseAll(censusApi, fixtureInput('bad/non_numeric_value.json', { hints: enduseHints() })));
    expect(e.details).toMatchObject({ file: 'non_numeric_value.json', row: 3, line: 3, column: 'GEN_VAL_YR', value: '39,936' });
  });

  it('refuses a row of the wrong width', async () => {
    const e = await errorOf(parseAll(censusApi, fixtureInput('bad/wrong_width.json', { hints: enduseHints() })));
    expect(e.details).toMatchObject({ file: 'wrong_width.json', row: 3 });
    expect(e.message).toContain('6 cells, like the header row (found 5)');
  });

  it.each([
    ['bad/html_page.json', /array of arrays/],
    ['bad/error_400.txt', /array of arrays/],
    ['bad/empty.json', /body is empty/],
    ['bad/truncated.json', /truncated/],
  ])('refuses %s', async (rel, msg) => {
    const e = await errorOf(parseAll(censusApi, fixtureInput(rel, { hints: enduseHints(), chunk: 1 })));
    expect(e).toBeInstanceOf(DataError);
    expect(e.details.file).toBe(rel.split('/')[1]);
    expect(e.message).toMatch(msg);
  });

  it('refuses a value variable of the other flow, and an unusable period', async () => {
    const wrongFlow = JSON.stringify([['CTY_CODE', 'ALL_VAL_MO', 'time'], ['5880', '1', '2024-01']]);
    const e1 = await errorOf(parseAll(censusApi, bytesInput('x.json', wrongFlow, enduseHints())));
    expect(e1.message).toMatch(/requested variable|import variables only/);
    const badTime = JSON.stringify([['CTY_CODE', 'GEN_VAL_MO', 'time'], ['5880', '1', '2024']]);
    const e2 = await errorOf(parseAll(censusApi, bytesInput('y.json', badTime)));
    expect(e2.details).toMatchObject({ row: 2, column: 'time', value: '2024' });
  });
});
