import fs from 'node:fs';
import path from 'node:path';
import * as XLSX from 'xlsx';
import { describe, expect, it } from 'vitest';
import { DataError } from '../../../src/core/errors.js';
import type { Observation } from '../../../src/core/vocabulary.js';
import { readXlsxSheet } from '../../../src/parse/xlsx.js';
import { censusCountry } from '../../../pipelines/census/index.js';
import { COUNTRY_XLSX_COLUMNS } from '../../../pipelines/census/country-xlsx.js';
import { FIX, bytesInput, chunked, errorOf, fixtureInput, parseAll, routes } from './helpers.js';

const input = (rel: string, hints?: Record<string, unknown>) => fixtureInput(rel, { dataset: 'census.country', hints });
const one = (rows: Observation[], q: Partial<Observation>) => {
  const hit = rows.filter((o) => Object.entries(q).every(([k, v]) => (o as unknown as Record<string, unknown>)[k] === v));
  expect(hit).toHaveLength(1);
  return hit[0]!;
};

/** A workbook in the real layout, built in the test (figures illustrative: only the rules matter). */
function book(rows: Array<Record<string, string | number | undefined>>, sheet = 'country'): Buffer {
  const aoa = [COUNTRY_XLSX_COLUMNS, ...rows.map((r) => COUNTRY_XLSX_COLUMNS.map((c) => r[c] ?? 0))];
  const wb = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet(aoa), sheet);
  return XLSX.write(wb, { type: 'buffer', bookType: 'xlsx' }) as Buffer;
}

describe('census.country: the country.xlsx fixture served at the real URL (first release of 2024)', () => {
  const hints = routes().find((r) => r.dataset === 'census.country')!.hints;

  it('gives the published 2024 balance with Japan: exports − imports = −68.5 B', async () => {
    const { rows, facts } = await parseAll(censusCountry, input('www/country.xlsx', hints));
    expect(facts).toMatchObject({ scopeKey: 'country.xlsx', publishedOn: '2025-02-05' });
    expect(facts.scope).toMatchObject({ latestYear: '2024', latestYearPublishedThrough: '2024-12', publishedMonthsRule: 'publishedOn' });
    const ex = one(rows, { partner: 'JP', flow: 'export', frequency: 'A', period: '2024' });
    const im = one(rows, { partner: 'JP', flow: 'import', frequency: 'A', period: '2024' });
    expect(ex).toMatchObject({ value: '79700000000', unit: 'USD', sourceValue: '79700', sourceUnit: '$ millions', basis: 'f.a.s.', partnerSourceCode: '5880', classification: 'total', commodityCode: 'TOTAL' });
    const balance = BigInt(ex.value) - BigInt(im.value);
    // Published: −$68.5 B (rounded to $0.1 B).
    expect(balance >= -68_550_000_000n && balance < -68_450_000_000n).toBe(true);
    const b23 = BigInt(one(rows, { flow: 'export', period: '2023' }).value) - BigInt(one(rows, { flow: 'import', period: '2023' }).value);
    expect(b23).toBe(-71_600_000_000n);
    // Annual-only rows: no monthly observation is made up.
    expect(rows.filter((o) => o.frequency === 'M')).toEqual([]);
    expect(rows).toHaveLength(4);
  });

  it('without a release date, uses the discovery date (asOf); with neither, refuses to guess', async () => {
    const { facts } = await parseAll(censusCountry, input('www/country.xlsx', { asOf: '2026-07-01' }));
    expect(facts.scope).toMatchObject({ publishedMonthsRule: 'asOf', latestYearPublishedThrough: '2024-12' });
    expect(facts.publishedOn).toBeUndefined();
    const e = await errorOf(parseAll(censusCountry, input('www/country.xlsx')));
    expect(e).toBeInstanceOf(DataError);
    expect(e.details).toMatchObject({ file: 'country.xlsx', row: 3, column: 'IYR', value: '148200' });
    expect(e.message).toContain('hints.publishedOn');
  });
});

describe('census.country: a later vintage (c5880 as of 2026-02-19), monthly', () => {
  it('reads every month of 2024 for Japan in dollars, and the year as A', async () => {
    const { rows, facts } = await parseAll(censusCountry, input('vintages/country_vintage_2026-02-19.xlsx'));
    expect(facts.scope).toMatchObject({ publishedMonthsRule: 'data', latestYearPublishedThrough: '2024-12' });
    expect(rows.filter((o) => o.frequency === 'M')).toHaveLength(24);
    expect(one(rows, { flow: 'import', period: '2024-01' })).toMatchObject({ value: '12576200000', sourceValue: '12576.2', frequency: 'M', basis: 'general imports' });
    expect(one(rows, { flow: 'export', period: '2024-03' })).toMatchObject({ value: '6758000000', sourceValue: '6758' });
    const csv = fs.readFileSync(path.join(FIX, 'published/c5880_japan_2024_monthly_vintage_2026-02-19.csv'), 'utf8').trim().split('\n').slice(1);
    for (const line of csv) {
      const [, month, ex, im, bal] = line.split(',');
      const p = `2024-${month!.padStart(2, '0')}`;
      const b = BigInt(one(rows, { flow: 'export', period: p }).value) - BigInt(one(rows, { flow: 'import', period: p }).value);
      // The page's balance is rounded on its own: within $0.1 M of exports − imports.
      const published = BigInt(Math.round(Number(bal) * 10)) * 100_000n;
      expect(b - published <= 100_000n && published - b <= 100_000n, `${p} ${ex} ${im} ${bal}`).toBe(true);
    }
    const yr = BigInt(one(rows, { flow: 'export', frequency: 'A' }).value) - BigInt(one(rows, { flow: 'import', frequency: 'A' }).value);
    expect(yr).toBe(-69_392_200_000n);
  });
});

describe('census.country: unpublished months of the current year', () => {
  // Illustrative: Jan–Mar published, the rest 0 as in the real file before their release.
  const rows = [
    { year: 2024, CTY_CODE: '5880', CTYNAME: 'Japan', IJAN: 1, IDEC: 2, IYR: 3, EJAN: 4, EDEC: 0, EYR: 4 },
    { year: 2025, CTY_CODE: '5880', CTYNAME: 'Japan', IJAN: 10.5, IFEB: 0, IMAR: 12, IYR: 22.5, EJAN: 5, EFEB: 6, EMAR: 7, EYR: 18 },
    { year: 2025, CTY_CODE: '0004', CTYNAME: 'World, Seasonally Adjusted', IJAN: 100, IFEB: 100, IMAR: 100, IYR: 300, EJAN: 50, EFEB: 50, EMAR: 50, EYR: 150 },
  ];

  it('keeps zeros of published months, drops zeros after the latest published month, and reads the year as YTD', async () => {
    const { rows: obs, facts } = await parseAll(censusCountry, bytesInput('country.xlsx', book(rows), undefined, 'census.country'));
    expect(facts.scope).toMatchObject({ latestYear: '2025', latestYearPublishedThrough: '2025-03', publishedMonthsRule: 'data' });
    expect(one(obs, { partner: 'JP', flow: 'import', period: '2025-02' }).value).toBe('0');
    expect(obs.filter((o) => o.period >= '2025-04' && o.frequency === 'M')).toEqual([]);
    expect(one(obs, { partner: 'JP', flow: 'import', frequency: 'YTD' })).toMatchObject({ period: '2025-03', value: '22500000' });
    expect(one(obs, { partner: 'JP', flow: 'export', period: '2024-12' }).value).toBe('0');
    expect(one(obs, { partner: 'JP', flow: 'export', period: '2024', frequency: 'A' }).value).toBe('4000000');
    expect(one(obs, { partnerSourceCode: '0004', flow: 'export', frequency: 'YTD' }).partner).toBe('census:0004');
  });

  it('refuses figures for a month that had not ended by the release date', async () => {
    const e = await errorOf(parseAll(censusCountry, bytesInput('country.xlsx', book(rows), { publishedOn: '2025-03-20' }, 'census.country')));
    expect(e).toBeInstanceOf(DataError);
    expect(e.details.value).toBe('2025-03');
  });
});

describe('census.country / src/parse/xlsx.ts: bad files', () => {
  it.each([
    ['bad/not_a_zip.xlsx', { value: expect.stringContaining('7965') }, /PK/],
    ['bad/no_country_sheet.xlsx', { value: 'Sheet1' }, /sheet named "country"/],
    ['bad/missing_column.xlsx', { row: 1, column: 'EYR' }, /column "EYR"/],
    ['bad/non_numeric_cell.xlsx', { row: 2, column: 'IMAR', value: 'n/a' }, /\$ millions/],
    ['bad/html_page.json', { value: expect.stringContaining('<!DOCTYPE') }, /zip archive/],
    ['bad/empty.json', {}, /empty/],
  ])('%s → DataError', async (rel, details, msg) => {
    const e = await errorOf(parseAll(censusCountry, input(rel)));
    expect(e).toBeInstanceOf(DataError);
    expect(e.details).toMatchObject({ dataset: 'census.country', file: path.basename(rel), ...details });
    expect(e.message).toMatch(msg);
  });

  it('refuses an oversized file before reading it, and while reading when its size was not known', async () => {
    const bytes = fs.readFileSync(path.join(FIX, 'vintages/country_vintage_2026-02-19.xlsx'));
    const e1 = await errorOf(readXlsxSheet(chunked(bytes, 100), { dataset: 'd', fileName: 'big.xlsx', sheet: 'country', maxBytes: 1000, bytes: bytes.length }));
    expect(e1.message).toMatch(/at most 1000 bytes/);
    let read = 0;
    async function* counting() { for await (const c of chunked(bytes, 100)) { read += c.length; yield c; } }
    const e2 = await errorOf(readXlsxSheet(counting(), { dataset: 'd', fileName: 'big.xlsx', sheet: 'country', maxBytes: 1000 }));
    expect(e2.message).toMatch(/at most 1000 bytes/);
    expect(read).toBeLessThanOrEqual(1100);
  });

  it('keeps codes as text: a code cell stored as "0004" or as the number 4 with format 0000 reads 0004', async () => {
    const ws = XLSX.utils.aoa_to_sheet([['year', 'CTY_CODE'], [2024, '0004'], [2024, 15]]);
    ws.B3!.z = '0000';
    const wb = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(wb, ws, 'country');
    const buf = XLSX.write(wb, { type: 'buffer', bookType: 'xlsx' }) as Buffer;
    const t = await readXlsxSheet(chunked(buf, 4096), { dataset: 'd', fileName: 'c.xlsx', sheet: 'country', requiredColumns: ['CTY_CODE'] });
    expect(t.rows.map((r) => r.cells[1])).toEqual(['0004', '0015']);
  });
});
