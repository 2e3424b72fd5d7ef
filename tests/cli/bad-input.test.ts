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

  it('usage errors exit 2: unknown dataset, missing file', async () => {
    expect((await runCli(['load', fx('mof/timeseries/d41ma.csv'), '--dataset', 'nope'], env)).code).toBe(2);
    expect((await runCli(['load', '/no/such/file.csv', '--dataset', 'mof.timeseries'], env)).code).toBe(2);
    expect((await runCli(['frobnicate'], env)).code).toBe(2);
    expect((await runCli(['--help'], env)).code).toBe(0);
  });
});
