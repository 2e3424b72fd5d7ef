/**
 * The HTS JSON export: the same rows as the CSV give the same lines, and a malformed or truncated
 * JSON is refused naming the row. The JSON files are built from the real CSV exports
 * (tests/helpers/hts-json.ts); fixtures/usitc/README.md says so.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ReleaseFacts } from '../../../src/core/vocabulary.js';
import { DataError } from '../../../src/core/errors.js';
import { FIXTURES_DIR } from '../../../src/devtools/fixture-routes.js';
import { parseHts, parseHtsCsv } from '../../../pipelines/usitc/index.js';
import type { HtsLine } from '../../../pipelines/usitc/tariff-target.js';
import { htsCsvToJsonRows, writeHtsJson, type HtsJsonRow } from '../../helpers/hts-json.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hts-json-'));
const csv = (name: string) => path.join(FIXTURES_DIR, 'usitc', name);

async function parse(file: string, fn = parseHts, chunk = 64 * 1024) {
  const facts: ReleaseFacts = {};
  const lines: HtsLine[] = [];
  const input = { dataset: 'usitc.hts', fileName: path.basename(file), bytes: fs.statSync(file).size, stream: () => fs.createReadStream(file, { highWaterMark: chunk }) };
  for await (const l of fn(input, facts)) lines.push(l);
  return { facts, lines };
}

async function refusal(file: string): Promise<DataError> {
  const err = await parse(file).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(DataError);
  return err as DataError;
}

describe('usitc.hts JSON export', () => {
  let r13: HtsJsonRow[];
  beforeAll(() => { r13 = htsCsvToJsonRows(csv('hts_2025_revision_13.csv')); });

  it('2025 Revision 13 as JSON gives exactly the lines of its CSV', async () => {
    const json = await parse(writeHtsJson(path.join(dir, 'hts_2025_revision_13_json.json'), r13));
    const fromCsv = await parse(csv('hts_2025_revision_13.csv'), parseHtsCsv);
    expect(json.lines).toHaveLength(35940);
    expect(json.lines).toEqual(fromCsv.lines);
    expect(json.facts).toEqual(fromCsv.facts);
    expect(json.lines.find((l) => l.lineKey === '9903.94.01')).toMatchObject({ generalAdditionalPct: '25', effectiveFrom: '2025-04-03' });
    expect(json.lines.find((l) => l.lineKey === '8703.23.01.10')).toMatchObject({ unitOfQuantity: '["No."]' });
  });

  it('2026 Revision 4 too, one element per line, in small chunks (split inside strings and escapes)', async () => {
    const file = writeHtsJson(path.join(dir, 'hts_2026_revision_4_json.json'), htsCsvToJsonRows(csv('hts_2026_revision_4.csv')), { pretty: true });
    const json = await parse(file, parseHts, 997);
    expect(json.lines).toEqual((await parse(csv('hts_2026_revision_4.csv'), parseHtsCsv)).lines);
    expect(json.lines.find((l) => l.lineKey === '9903.94.41')).toMatchObject({ generalRate: '15%', generalAdValoremPct: '15' });
  });

  it('reads USITC\'s misspelt addiitionalDuties, an indent written as a number, and null texts', async () => {
    const rows = r13.map((r) => ({ ...r }));
    const i = rows.findIndex((r) => r.htsno === '0101.21.00');
    rows[i] = { ...rows[i], indent: 2, additionalDuties: null, addiitionalDuties: 'See 9903.01.01', special: null };
    const { lines } = await parse(writeHtsJson(path.join(dir, 'hts_2025_revision_13_json.json'), rows));
    expect(lines.find((l) => l.lineKey === '0101.21.00')).toMatchObject({ indent: '2', additionalDuties: 'See 9903.01.01', specialRate: null });
  });

  it('refuses a bad row naming its line, row, field and value', async () => {
    const rows = r13.slice();
    rows[4] = { ...rows[4], indent: 'two' };
    const err = await refusal(writeHtsJson(path.join(dir, 'hts_2025_revision_13_json.json'), rows, { pretty: true }));
    expect(err.details).toMatchObject({ file: 'hts_2025_revision_13_json.json', line: 6, row: 5, column: 'indent', value: 'two' });
    expect(err.message).toMatch(/line 6, row 5, column "indent"\): found "two"; expected an indent level/);
  });

  it('refuses two different additional duties, a number where text belongs, a missing field', async () => {
    const at = (patch: HtsJsonRow, drop?: string) => {
      const rows = r13.slice();
      const row: HtsJsonRow = { ...rows[2], ...patch };
      if (drop) delete row[drop];
      rows[2] = row;
      return writeHtsJson(path.join(dir, 'hts_2025_revision_13_json.json'), rows);
    };
    expect((await refusal(at({ additionalDuties: '25%', addiitionalDuties: '10%' }))).details).toMatchObject({ row: 3, column: 'addiitionalDuties', value: '10%' });
    expect((await refusal(at({ general: 2.5 }))).details).toMatchObject({ row: 3, column: 'general', value: '2.5', expected: 'a text or null' });
    expect((await refusal(at({}, 'htsno'))).details).toMatchObject({ row: 3, column: 'htsno' });
  });

  it('refuses a truncated download, a broken element, and anything but an array', async () => {
    const whole = JSON.stringify(r13);
    const cut = path.join(dir, 'hts_2025_revision_13_json.json');
    fs.writeFileSync(cut, whole.slice(0, Math.floor(whole.length / 2)));
    const t = await refusal(cut);
    expect(t.message).toMatch(/closing "\]": the file ends inside the array/);
    fs.writeFileSync(cut, whole.slice(0, whole.lastIndexOf('}') + 1)); // every element, no closing bracket
    expect((await refusal(cut)).details).toMatchObject({ value: '35940 elements' });
    fs.writeFileSync(cut, whole.replace('"htsno":"0101.21.00"', '"htsno":0101.21.00'));
    expect((await refusal(cut)).details).toMatchObject({ row: 3, expected: expect.stringMatching(/^one JSON value/) });
    fs.writeFileSync(cut, '[1,2]');
    expect((await refusal(cut)).details).toMatchObject({ row: 1, expected: 'an object ({…}) for each element of the array' });
  });

  it('refuses a partial JSON export like a partial CSV', async () => {
    const err = await refusal(writeHtsJson(path.join(dir, 'hts_2025_revision_13_json.json'), r13.filter((r) => String(r.htsno).startsWith('87'))));
    expect(err.details).toMatchObject({ value: '1 chapter (87..87)' });
  });
});
