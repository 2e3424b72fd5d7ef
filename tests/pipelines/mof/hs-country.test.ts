import fs from 'node:fs';
import path from 'node:path';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { DataError } from '../../../src/core/errors.js';
import type { Observation } from '../../../src/core/vocabulary.js';
import { hsCountryDataset } from '../../../pipelines/mof/hs-country.js';
import { FIXTURES, one, parseError, runParser } from './run-parser.js';

const sum = (xs: string[]): bigint => xs.reduce((a, b) => a + BigInt(b), 0n);

describe('mof.hs_country — HS-9 by country, exports 2024 (constructed)', async () => {
  const { rows, facts } = await runParser(hsCountryDataset, 'hs_country/hs9_country_export_2024_s17.csv');
  const hinted = await runParser(hsCountryDataset, 'hs_country/hs9_country_export_2024_s17.csv', {
    hints: { coverageTo: '2024-12', hsScope: 's17', title: '2024年12月分 品別国別表 (輸出 1-12月：確報)' },
  });

  it('derives the scope and coverage of a local file from its content', () => {
    expect(facts.scopeKey).toBe('export:2024:s17');
    expect(facts.scope).toMatchObject({ months: '2024-01..2024-12', coverageFrom: 'data (last non-zero month)' });
    expect(facts.sourceStage).toMatch(/unknown/);
  });

  it('gives the same scope key with discovery hints, and reads the stage from the listing title', () => {
    expect(hinted.facts).toMatchObject({ scopeKey: 'export:2024:s17', stage: 'preliminary', sourceStage: '輸出 1-12月：確報' });
    expect(hinted.rows.length).toBe(rows.length);
  });

  it('keeps codes as text without quotes and maps partners', () => {
    expect(rows.every((r) => /^\d{9}$/.test(r.commodityCode) && r.classification === 'hs9')).toBe(true);
    expect(rows.some((r) => r.partner === 'US' && r.partnerSourceCode === '304')).toBe(true);
    expect(rows.every((r) => r.flow === 'export' && r.basis === 'FOB' && r.reporter === 'JP')).toBe(true);
  });

  it('US passenger cars (HS 8703) total 1.35 M units and 5,900.4 bn yen in 2024; 32 % of all car units', () => {
    const cars = rows.filter((r) => r.commodityCode.startsWith('8703') && r.frequency === 'M');
    const us = cars.filter((r) => r.partner === 'US');
    expect(sum(us.filter((r) => r.measure === 'quantity2').map((r) => r.value))).toBe(1350000n);
    expect(sum(us.filter((r) => r.measure === 'value').map((r) => r.value))).toBe(5900400000000n);
    const world = sum(cars.filter((r) => r.measure === 'quantity2').map((r) => r.value));
    expect(world).toBe(4200000n);
    expect(Number((1350000n * 1000n) / world) / 10).toBeCloseTo(32.1, 1);
    // Unit2 is NO for cars; Unit1 is blank so no 'quantity' rows exist for them.
    expect(cars.some((r) => r.measure === 'quantity')).toBe(false);
    expect(new Set(cars.filter((r) => r.measure === 'quantity2').map((r) => r.unit))).toEqual(new Set(['NO']));
  });

  it('emits the year column as an A observation equal to the months (full-year file)', () => {
    const m = rows.filter((r) => r.commodityCode === '870323929' && r.partner === 'US' && r.measure === 'value');
    const a = m.filter((r) => r.frequency === 'A');
    expect(a).toHaveLength(1);
    expect(a[0]).toMatchObject({ period: '2024', value: '1900000000000', sourceValue: '1900000000', sourceUnit: 'thousand yen', unit: 'JPY' });
    expect(sum(m.filter((r) => r.frequency === 'M').map((r) => r.value))).toBe(1900000000000n);
    expect(m.filter((r) => r.frequency === 'M').map((r) => r.period)).toEqual(Array.from({ length: 12 }, (_, i) => `2024-${String(i + 1).padStart(2, '0')}`));
  });

  it('reads both units where the file has two (Quantity1 NO, Quantity2 KG)', () => {
    expect(one(rows, { commodityCode: '870790000', period: '2024', measure: 'quantity' })).toMatchObject({ value: '12000', unit: 'NO' });
    expect(one(rows, { commodityCode: '870790000', period: '2024', measure: 'quantity2' })).toMatchObject({ value: '9600000', unit: 'KG' });
  });

  it('keeps a zero in a covered month as a real zero', () => {
    const feb = one(rows, { commodityCode: '870340900', partner: 'NZ', period: '2024-02', measure: 'quantity2' });
    expect(feb.value).toBe('0');
  });
});

describe('mof.hs_country — rows off the common path read the same', async () => {
  // parseRow takes a quick path for rows of plain figures; padded figures, leading zeros and a
  // padded flow go through the full checks. Every third row rewritten so, the file must read the
  // same (values without the zeros; source values as written, trimmed).
  const rel = 'hs_country/hs9_country_export_2024_s17.csv';
  const plain = await runParser(hsCountryDataset, rel);
  const text = iconv.decode(fs.readFileSync(path.join(FIXTURES, rel)), 'cp932');
  const out = text.split('\r\n').map((line, i) => {
    if (i === 0 || line === '' || i % 3 !== 0) return line;
    const f = line.split(',');
    f[0] = ` ${f[0]}`;
    for (let c = 6; c < f.length; c++) f[c] = c % 2 === 0 ? `00${f[c]}` : ` ${f[c]} `;
    return f.join(',');
  }).join('\r\n');
  const facts = {};
  const rows: Observation[] = [];
  for await (const o of hsCountryDataset.parse({ dataset: 'mof.hs_country', fileName: 'padded.csv', bytes: 0, stream: () => [iconv.encode(out, 'cp932')] as unknown as AsyncIterable<Uint8Array> }, facts)) rows.push(o);

  it('gives the same observations; leading zeros stay in the source value only', () => {
    expect(rows.length).toBe(plain.rows.length);
    expect(rows.map(({ sourceValue, ...o }) => o)).toEqual(plain.rows.map(({ sourceValue, ...o }) => o));
    const zeroed = rows.filter((r, i) => r.sourceValue !== plain.rows[i]!.sourceValue);
    expect(zeroed.length).toBeGreaterThan(100);
    expect(zeroed.every((r) => r.sourceValue!.startsWith('00'))).toBe(true);
  });
});

describe('mof.hs_country — world table, Jan–Jul 2026 (real excerpt)', async () => {
  const rel = 'hs_country/estat_000040494506_world_export_2026-07_excerpt.csv';
  const { rows, facts } = await runParser(hsCountryDataset, rel);

  it('covers January–July only; later zeros are not observations, no A row', () => {
    expect(facts.scopeKey).toBe('export:2026:world');
    expect([...new Set(rows.map((r) => r.period))].sort()).toEqual(['2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06', '2026-07']);
    expect(rows.some((r) => r.frequency === 'A')).toBe(false);
    expect(rows.every((r) => r.partner === 'WORLD')).toBe(true);
  });

  it('keeps leading zeros and special codes as text', () => {
    expect(one(rows, { commodityCode: '000000110', period: '2026-03', measure: 'quantity2' })).toMatchObject({ value: '100256', unit: 'GT' });
    expect(rows.some((r) => r.commodityCode === '010121000')).toBe(true);
    expect(rows.some((r) => r.commodityCode === '85XXXXXXA')).toBe(true);
    expect(one(rows, { commodityCode: '870323929', period: '2026-01', measure: 'value' }).value).toBe('312289470000');
  });

  it('with a listing title saying July, uses it; a figure after the titled coverage is refused', async () => {
    const ok = await runParser(hsCountryDataset, rel, { hints: { title: '2026年7月分 統計品別表 (輸出 1-7月：確報)', hsScope: 'world' } });
    expect(ok.rows.length).toBe(rows.length);
    const err = await parseError(hsCountryDataset, rel, { hints: { coverageTo: '2026-05', hsScope: 'world' } });
    expect(err).toBeInstanceOf(DataError);
    expect(err.message).toMatch(/line 3, column "25 \(Quantity2-Jun\)"\): found "\d+"; expected 0: the file covers 2026-01..2026-05/);
  });

  it('accepts the older Apl header spelling', async () => {
    const bytes = fs.readFileSync(path.join(FIXTURES, rel));
    const text = iconv.decode(bytes, 'cp932').replace(/-Apr/g, '-Apl');
    const facts2 = {};
    const out = [];
    for await (const o of hsCountryDataset.parse({ dataset: 'mof.hs_country', fileName: 'apl.csv', bytes: 0, stream: () => [iconv.encode(text, 'cp932')] as unknown as AsyncIterable<Uint8Array> }, facts2)) out.push(o);
    expect(out.length).toBe(rows.length);
  });
});

describe('mof.hs_country — bad files', () => {
  it.each([
    ['bad/wrong-header.csv', /wrong-header\.csv \(line 1, column "9 \(Value-Year\)"\): found "Value-Yr"; expected .*45/],
    ['bad/non-numeric.csv', /non-numeric\.csv \(line 3, column "17 \(Quantity2-Mar\)"\): found "12x45"; expected a non-negative whole number/],
    ['bad/invalid-cp932.csv', /invalid-cp932\.csv \(line 2, column "6"\): found "N.*"; expected valid CP932 text/],
    ['bad/html-page.html', /html-page\.html \(line 1, column "1 \(Exp or Imp\)"\): found "<!DOCTYPE html>"/],
    ['bad/empty.csv', /empty\.csv \(line 1\): found ""; expected .*empty/],
  ])('%s → DataError naming file, line, column and value', async (file, pattern) => {
    const err = await parseError(hsCountryDataset, file);
    expect(err).toBeInstanceOf(DataError);
    expect(err.message).toMatch(pattern);
  });
});
