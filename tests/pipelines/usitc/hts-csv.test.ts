/**
 * The HTS CSV parser on the two real revisions and on a malformed file, without a database; the
 * loads through the CLI are in tests/cli/usitc.test.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ReleaseFacts } from '../../../src/core/vocabulary.js';
import { DataError, PermanentError } from '../../../src/core/errors.js';
import { FIXTURES_DIR } from '../../../src/devtools/fixture-routes.js';
import { parseHtsCsv, HTS_SCOPE_KEY } from '../../../pipelines/usitc/index.js';
import type { HtsLine } from '../../../pipelines/usitc/tariff-target.js';
import { additionPct, adValoremPct } from '../../../pipelines/usitc/rate-text.js';
import { effectiveDates } from '../../../pipelines/usitc/effective-date.js';
import { revisionFromFileName, revisionFromReleaseName } from '../../../pipelines/usitc/revision.js';

const file = (name: string) => path.join(FIXTURES_DIR, 'usitc', name);

async function parse(name: string, opts: { hints?: Record<string, unknown>; chunk?: number } = {}) {
  const f = file(name);
  const facts: ReleaseFacts = {};
  const lines: HtsLine[] = [];
  const input = { dataset: 'usitc.hts', fileName: path.basename(f), bytes: fs.statSync(f).size, hints: opts.hints,
    stream: () => fs.createReadStream(f, { highWaterMark: opts.chunk ?? 64 * 1024 }) };
  for await (const l of parseHtsCsv(input, facts)) lines.push(l);
  return { facts, lines, byKey: new Map(lines.map((l) => [l.lineKey, l])) };
}

describe('usitc.hts CSV parser on the real revisions', () => {
  it('reads 2025 Revision 13: every row, hand-read values, the auto tariff', async () => {
    const { facts, lines, byKey } = await parse('hts_2025_revision_13.csv');
    expect(lines).toHaveLength(35940); // rows after the header (python csv agrees)
    expect(facts).toMatchObject({ scopeKey: HTS_SCOPE_KEY, title: '2025 HTS Revision 13', sourceStage: 'Revision 13', scope: { revision: '2025-r13', releaseName: '2025HTSRev13' } });
    expect(byKey.get('8703.23.01')).toMatchObject({
      indent: '2', description: 'Of a cylinder capacity exceeding 1,500 cc but not exceeding 3,000 cc',
      generalRate: '2.5%', generalAdValoremPct: '2.5', column2Rate: '10%', specialRate: 'Free (A+,AU,B,BH,CL,CO,D,E,IL,JO,KR,MA,OM, P,PA,PE,S,SG)',
      generalAdditionalPct: null, unitOfQuantity: null,
    });
    expect(byKey.get('8703.23.01.10')).toMatchObject({ indent: '3', description: 'Motor homes', unitOfQuantity: '["No."]', generalRate: null, parentKey: '8703.23.01' });
    expect(byKey.get('0101.21.00')).toMatchObject({ generalRate: 'Free', generalAdValoremPct: '0', parentKey: '0101+1' });
    expect(byKey.get('0101+1')).toMatchObject({ htsNumber: null, indent: '1', description: 'Horses:', parentKey: '0101' });
    const auto = byKey.get('9903.94.01')!;
    expect(auto.generalRate).toBe('The duty provided in the applicable subheading + 25%');
    expect(auto).toMatchObject({ generalAdditionalPct: '25', generalAdValoremPct: null, effectiveFrom: '2025-04-03', effectiveBefore: null });
    expect(byKey.get('9903.94.05')).toMatchObject({ generalAdditionalPct: '25', effectiveFrom: '2025-05-03' });
    // Not a plain addition: kept as text, no number.
    expect(byKey.get('9903.94.03')).toMatchObject({ generalAdditionalPct: null, effectiveFrom: '2025-04-03' });
    expect(byKey.get('9903.88.09')).toMatchObject({ generalAdditionalPct: '10', effectiveFrom: '2019-05-10', effectiveBefore: '2019-06-15' });
    expect(byKey.get('9903.88.50')).toMatchObject({ effectiveFrom: '2020-06-04', effectiveBefore: '2021-01-01' });
    // A quoted line break inside a field stays in the text.
    expect(byKey.get('0511.99.30.30')!.description).toBe('Antarctic krill (\nEuphausia superba)');
    expect(byKey.has('9903.94.40')).toBe(false);
  });

  it('reads 2026 Revision 4: the Japan headings, and the same result whatever the chunk size', async () => {
    const { facts, lines, byKey } = await parse('hts_2026_revision_4.csv');
    expect(lines).toHaveLength(35733);
    expect(facts.scope).toMatchObject({ revision: '2026-r4' });
    expect(byKey.get('9903.94.01')).toMatchObject({ generalAdditionalPct: '25', effectiveFrom: null });
    expect(byKey.get('9903.94.40')!.description).toMatch(/^Passenger vehicles and light trucks that are products of Japan/);
    expect(byKey.get('9903.94.40')).toMatchObject({ generalRate: 'The duty provided in the applicable subheading', generalAdditionalPct: null });
    expect(byKey.get('9903.94.41')).toMatchObject({ generalRate: '15%', generalAdValoremPct: '15' });
    expect(byKey.get('9903.94.31')).toMatchObject({ effectiveFrom: '2025-06-30', generalAdditionalPct: '7.5' }); // date from the compiler's note
    expect(byKey.get('8703.23.01')).toMatchObject({ generalRate: '2.5%' });
    const small = await parse('hts_2026_revision_4.csv', { chunk: 997 });
    expect(small.lines).toEqual(lines);
  });

  it('refuses a malformed row naming file, physical line, column and value', async () => {
    const err = await parse('bad/hts_2025_revision_13_malformed_indent.csv').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    // Line 5: the row before it spans lines 3-4 (a line break inside its quotes).
    expect((err as DataError).details).toMatchObject({ file: 'hts_2025_revision_13_malformed_indent.csv', line: 5, column: 'Indent', value: 'two' });
    expect((err as Error).message).toMatch(/expected an indent level/);
  });

  it('refuses a file whose revision it cannot tell', async () => {
    const f = file('hts_2025_revision_13.csv');
    const input = { dataset: 'usitc.hts', fileName: 'export.csv', bytes: 1, stream: () => fs.createReadStream(f) };
    const it = parseHtsCsv(input, {})[Symbol.asyncIterator]();
    await expect(it.next()).rejects.toThrow(PermanentError);
    const hinted = await parse('hts_2025_revision_13.csv', { hints: { revision: '2026-r4' } });
    expect(hinted.facts.scope).toMatchObject({ revision: '2026-r4' }); // discovery's word wins over the name
  });
});

describe('usitc.hts text readers', () => {
  it('read only the unambiguous rate shapes', () => {
    expect(adValoremPct('2.5%')).toBe('2.5');
    expect(adValoremPct('Free')).toBe('0');
    expect(adValoremPct('2.6¢/kg + 2%')).toBeNull();
    expect(adValoremPct(null)).toBeNull();
    expect(additionPct('The duty provided in the applicable subheading +25%')).toBe('25');
    expect(additionPct('The duty provided in the applicable subheading + 7.5%.')).toBe('7.5');
    expect(additionPct('The duty provided in the applicable subheading + a duty of 25% upon the value of the non-U.S. content')).toBeNull();
    expect(additionPct('12.4¢/kg + 2%')).toBeNull();
  });

  it('read effective dates and refuse impossible ones', () => {
    expect(effectiveDates('effective with respect to entries on or after April 3, 2025, passenger vehicles')).toEqual({ from: '2025-04-03', before: null });
    expect(effectiveDates('on or after 12:01 a.m. eastern standard time on February 4, 2025, and before March 1, 2025')).toEqual({ from: '2025-02-04', before: '2025-03-01' });
    expect(effectiveDates('no date here')).toEqual({ from: null, before: null });
    expect(() => effectiveDates('entries on or after April 31, 2025')).toThrow(/not a date/);
  });

  it('name revisions the three ways USITC does', () => {
    expect(revisionFromFileName('hts_2025_revision_13_csv.csv')).toMatchObject({ id: '2025-r13', releaseName: '2025HTSRev13' });
    expect(revisionFromFileName('/x/hts_2026_basic_csv.csv')).toMatchObject({ id: '2026-basic', title: '2026 HTS Basic Edition' });
    expect(revisionFromFileName('hts_2025_revision_135.csv')).toMatchObject({ id: '2025-r135' });
    expect(revisionFromFileName('tariff.csv')).toBeUndefined();
    expect(revisionFromReleaseName('2026HTSRev4')).toMatchObject({ id: '2026-r4' });
  });
});

describe('usitc.hts refuses a partial export', () => {
  it('a well-formed file of a few chapters is not taken for the whole schedule', async () => {
    const dir = fs.mkdtempSync(path.join((await import('node:os')).tmpdir(), 'hts-partial-'));
    const real = fs.readFileSync(file('hts_2025_revision_13.csv'), 'utf8').split('\r\n');
    const partial = path.join(dir, 'hts_2025_revision_13_csv.csv');
    fs.writeFileSync(partial, real.filter((l, i) => i === 0 || l.startsWith('"87')).join('\r\n') + '\r\n');
    const facts: ReleaseFacts = {};
    const input = { dataset: 'usitc.hts', fileName: 'hts_2025_revision_13_csv.csv', bytes: fs.statSync(partial).size, stream: () => fs.createReadStream(partial) };
    let err: unknown;
    try { for await (const _ of parseHtsCsv(input, facts)) { /* drain */ } } catch (e) { err = e; }
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).details).toMatchObject({ value: '1 chapter (87..87)' });
    expect((err as Error).message).toMatch(/the whole schedule, chapters 01 to 99/);
  });
});
