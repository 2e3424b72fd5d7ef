import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataError } from '../../../src/core/errors.js';
import { JsonRowsTokenizer, readJsonRowBatches, readJsonRows } from '../../../pipelines/census/json-rows.js';
import { FIX, chunked, errorOf } from './helpers.js';

const opts = { dataset: 'census.api', fileName: 't.json' };

async function collect(body: string | Buffer, chunk: number, allowEmpty = false) {
  const out: Array<Array<string | null>> = [];
  for await (const r of readJsonRows(chunked(body, chunk), { ...opts, allowEmpty })) out.push(r.cells);
  return out;
}

describe('readJsonRows (streaming array-of-arrays tokenizer)', () => {
  const files = ['api/imports_enduse_30000_2024.json', 'api/imports_hs_8703_2024.json', 'api/exports_total_by_country_2024.json', 'api/imports_total_by_country_2024.json'];

  it('gives a large body in one chunk as batches of the rows of each 16 kB, the same rows as JSON.parse', async () => {
    const rows = [['CTY_CODE', 'I_COMMODITY_SDESC', 'GEN_VAL_MO'],
      ...Array.from({ length: 3000 }, (_, i) => [String(1000 + i), `LABEL \u00e9 "${i}" ${'X'.repeat(i % 17)}`, String(i * 7)])];
    const body = JSON.stringify(rows);
    expect(body.length).toBeGreaterThan(64 * 1024);
    const batches: Array<Array<Array<string | null>>> = [];
    for await (const b of readJsonRowBatches(chunked(body, body.length), opts)) batches.push(b.map((r) => r.cells));
    expect(batches.flat()).toEqual(rows);
    // One batch per 16 kB of text: none holds the whole body.
    expect(batches.length).toBeGreaterThanOrEqual(Math.floor(body.length / (16 * 1024)));
    expect(Math.max(...batches.map((b) => b.length))).toBeLessThan(rows.length / 3);
    expect(await collect(body, 7)).toEqual(rows);
  });

  it.each(files)('reads %s one byte at a time exactly as JSON.parse does', async (rel) => {
    const body = fs.readFileSync(path.join(FIX, rel));
    const expected = JSON.parse(body.toString('utf8'));
    expect(await collect(body, 1)).toEqual(expected);
    expect(await collect(body, 7)).toEqual(expected);
  });

  it('reads the real API answer (7,294 rows, nulls) identically at odd chunk sizes', async () => {
    const body = fs.readFileSync(path.join(FIX, 'real/census_api_porths_imports_hs87_2024-12.json'));
    const expected = JSON.parse(body.toString('utf8'));
    expect(expected).toHaveLength(7294);
    const got = await collect(body, 1013);
    expect(got).toEqual(expected);
    expect(got.filter((r) => r.includes(null))).toHaveLength(51);
  });

  it('does not depend on newlines, and splits escapes and multi-byte characters at any byte', async () => {
    const doc = '[ ["A" , "B\\"q\\\\", "\\u00e9\\u3042\\ud83d\\ude97"] ,["é ü 自動車 🚗", null],[] ]';
    const expected = JSON.parse(doc);
    for (const size of [1, 2, 3, 5]) expect(await collect(doc, size)).toEqual(expected);
    expect(expected[1][0]).toBe('é ü 自動車 🚗');
    expect(await collect('\uFEFF[["A"]]', 1)).toEqual([['A']]);
  });

  it('reports row and line numbers (header = row 1)', async () => {
    const rows: Array<{ row: number; line: number }> = [];
    for await (const r of readJsonRows(chunked('[["A"],\n["1"],\n["2"]]', 1), opts)) rows.push({ row: r.row, line: r.line });
    expect(rows).toEqual([{ row: 1, line: 1 }, { row: 2, line: 2 }, { row: 3, line: 3 }]);
  });

  it('treats an empty body as an error unless allowed', async () => {
    const e = await errorOf(collect('', 1));
    expect(e).toBeInstanceOf(DataError);
    expect(e.message).toMatch(/body is empty/);
    expect(await collect('  \n', 1, true)).toEqual([]);
  });

  it.each([
    ['{"a":1}', 1, undefined, 'array of arrays'],
    ['[{"CTY_CODE":"5880"}]', 1, undefined, 'header row'],
    ['[["A","B"],["1",2]]', 2, '2', 'quotes every value'],
    ['[["A"],["1"]] x', undefined, undefined, 'nothing after'],
    ['[["A"],["1"', 2, undefined, 'truncated'],
    ['[["A"],["1"]', 3, undefined, 'truncated'],
    // Cut inside a cell: that column is named, also where the cell repeats the row above's.
    ['[["A","B"],["1","x', 2, '2', 'truncated'],
    ['[["A","B"],["1","SAME"],["2","SAM', 3, '2', 'truncated'],
    ['[["A","B"],["1","SAME"],["2","SAME', 3, '2', 'truncated'],
    ['[["A"],["x\ny"]]', 2, '1', 'control characters'],
    ['[["A"],["\\x"]]', 2, '1', 'escape'],
    ['[["A"],["1"],]', 3, undefined, 'another row'],
    ['[["A"] ["1"]]', 2, undefined, '"," or "]" after a row'],
  ])('refuses %j with a DataError at row %s', async (doc, row, column, expected) => {
    for (const size of [1, 1000]) {
      const e = await errorOf(collect(doc, size));
      expect(e).toBeInstanceOf(DataError);
      expect(e.details.row).toBe(row);
      expect(e.details.column).toBe(column);
      expect(e.details.file).toBe('t.json');
      expect(e.message).toContain(expected);
    }
  });

  it('refuses bytes that are not UTF-8', async () => {
    const e = await errorOf(collect(Buffer.from([0x5b, 0x5b, 0x22, 0xff, 0x22, 0x5d, 0x5d]), 1));
    expect(e).toBeInstanceOf(DataError);
    expect(e.message).toMatch(/UTF-8/);
  });

  it('counts rows as it goes (the tokenizer is usable on its own)', () => {
    const t = new JsonRowsTokenizer(opts);
    expect(t.push('[["A"],["1"')).toHaveLength(1);
    expect(t.push('],["2"]]')).toHaveLength(2);
    t.end();
    expect(t.rows).toBe(3);
  });
});
