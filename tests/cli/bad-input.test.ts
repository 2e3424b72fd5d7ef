/**
 * Bad input through the real CLI: a clear message naming file, line/row, column and value,
 * exit code 1, and the database exactly as before.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../src/db/connect.js';
import { loadConfig } from '../../src/core/config.js';
import { runCli, ROOT } from '../helpers/cli.js';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'trade-etl-bad-'));
const env = { DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
const fx = (p: string) => path.join(ROOT, 'fixtures', p);

async function tables() {
  const db = await connect(loadConfig(env));
  try {
    return await db.query(`SELECT (SELECT count(*) FROM trade.observation_history)::int AS obs, (SELECT count(*) FROM fx.rate_history)::int AS rates,
      (SELECT count(*) FROM etl.release WHERE status = 'loaded')::int AS loaded`);
  } finally { await db.close(); }
}

describe('bad input through `trade-etl load`', () => {
  beforeAll(async () => {
    const r = await runCli(['load', fx('mof/timeseries/d41ma.csv'), '--dataset', 'mof.timeseries'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/loaded d41ma\.csv as release \d+/);
  });

  // One bad file per format family through the CLI; every bad fixture is also parsed in the
  // pipelines' own tests (tests/pipelines/*), which check each message in detail.
  const cases: Array<[string, string, RegExp[]]> = [
    ['mof/bad/truncated.xml', 'mof.press', [/truncated\.xml/, /line:\s+\d+/]],
    ['mof/bad/non-numeric.csv', 'mof.hs_country', [/non-numeric\.csv/, /line:\s+\d+/, /column:/, /value:/]],
    ['mof/bad/html-page.html', 'mof.timeseries', [/html-page\.html/, /HTML page/]],
    ['census/bad/non_numeric_value.json', 'census.api', [/non_numeric_value\.json/, /row:\s+\d+/, /column:/, /value:/]],
    ['frb/bad/zero_rate.csv', 'frb.h10', [/zero_rate\.csv/, /line:\s+\d+/, /value:\s+"0/]],
  ];
  for (const [file, dataset, patterns] of cases) {
    it(`${file} (${dataset}): exit 1, says where and what, changes nothing`, async () => {
      const before = await tables();
      const r = await runCli(['load', fx(file), '--dataset', dataset], env);
      expect(r.code).toBe(1);
      for (const p of patterns) expect(r.stderr).toMatch(p);
      expect(r.stderr).toMatch(/database is as it was|Nothing was loaded|expected/);
      expect(await tables()).toEqual(before);
    });
  }

  it('a key given twice names both lines, in a first load and in a revision; nothing written', async () => {
    // A real answer with its 2024-02 row for Japan given again, with another figure, before the
    // closing line: the database finds the key twice and the file is read again for its lines.
    const real = fs.readFileSync(fx('census/api/exports_total_by_country_2024.json'), 'utf8').split('\n');
    const last = real.length - (real[real.length - 1] === '' ? 2 : 1);
    expect(real[2]).toMatch(/^\["5880","JAPAN","\d+","\d+","2024-02"\],$/);
    const twice = [...real.slice(0, last), real[2]!.replace(/"JAPAN","\d+"/, '"JAPAN","1234"'), ...real.slice(last)];
    const file = path.join(dataDir, 'twice.json');
    fs.writeFileSync(file, twice.join('\n'));
    const says = (stderr: string) => {
      expect(stderr).toMatch(/file:\s+twice\.json\n\s+line:\s+3\n\s+row:\s+3\n/);
      expect(stderr).toMatch(/value:\s+"US \/ JP \/ export \/ 2024-02 \/ M \/ total \/ TOTAL \/ value"/);
      expect(stderr).toMatch(new RegExp(`expected: each observation once per release, but this key occurs (2 times|more than once) \\(lines 3 and ${last + 1}\\)`));
    };
    const before = await tables();
    const first = await runCli(['load', file, '--dataset', 'census.api'], env);
    expect(first.code).toBe(1);
    says(first.stderr);
    expect(await tables()).toEqual(before);
    const loaded = await runCli(['load', fx('census/api/exports_total_by_country_2024.json'), '--dataset', 'census.api'], env);
    expect(loaded.code).toBe(0);
    const after = await tables();
    const revision = await runCli(['load', file, '--dataset', 'census.api'], env);
    expect(revision.code).toBe(1);
    says(revision.stderr);
    expect(await tables()).toEqual(after);
  });

  it('a key given twice in a CSV read row by row (d41ma) names both lines', async () => {
    // The parser yields one observation at a time; read in batches, the position had moved on.
    const lines = fs.readFileSync(fx('mof/timeseries/d41ma.csv')).toString('latin1').split('\r\n');
    expect(lines[5]).toMatch(/^1979\/02,/);
    const file = path.join(dataDir, 'd41ma-twice.csv');
    fs.writeFileSync(file, Buffer.from([...lines.slice(0, 20), lines[5], ...lines.slice(20)].join('\r\n'), 'latin1'));
    const before = await tables();
    const r = await runCli(['load', file, '--dataset', 'mof.timeseries'], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/line:\s+6\n[^]*value:\s+"JP \/ WORLD \/ export \/ 1979-02 \/ M \/ total \/ TOTAL \/ value"[^]*\(lines 6 and 21\)/);
    expect(await tables()).toEqual(before);
  });

  it('usage errors exit 2: unknown dataset, missing file', async () => {
    expect((await runCli(['load', fx('mof/timeseries/d41ma.csv'), '--dataset', 'nope'], env)).code).toBe(2);
    expect((await runCli(['load', '/no/such/file.csv', '--dataset', 'mof.timeseries'], env)).code).toBe(2);
    expect((await runCli(['frobnicate'], env)).code).toBe(2);
    expect((await runCli(['--help'], env)).code).toBe(0);
  });
});
