/**
 * Issue 14, truncation: a file cut short is refused when it ends mid-row (from disk, or over
 * HTTP with a Content-Length that matches the short body), and a whole-series release that would
 * drop more than MAX_SHRINK_SHARE of its scope's current keys is refused unless --allow-shrink.
 * Each refusal: exit 1, a message naming file, line and value, the database as it was.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureServer, fixtureEnv, type FixtureServer } from '../../../src/devtools/fixture-server.js';
import { loadConfig } from '../../../src/core/config.js';
import { backends } from '../../helpers/db.js';
import { fixture, loadEnv, type LoadEnv } from './load-env.js';

const TIMEOUT = 240_000;
const D41MA_CURRENT = `SELECT count(*)::int AS n FROM trade.observation WHERE dataset = 'mof.timeseries' AND scope_key = 'd41ma'`;

describe('MAX_SHRINK_SHARE', () => {
  it('defaults to 0.05, takes a share between 0 and 1, refuses anything else', () => {
    expect(loadConfig({}).maxShrinkShare).toBe(0.05);
    expect(loadConfig({ MAX_SHRINK_SHARE: '0.2' }).maxShrinkShare).toBe(0.2);
    expect(loadConfig({ MAX_SHRINK_SHARE: '0' }).maxShrinkShare).toBe(0);
    expect(() => loadConfig({ MAX_SHRINK_SHARE: '5' })).toThrow(/MAX_SHRINK_SHARE must be a share between 0 and 1/);
    expect(() => loadConfig({ MAX_SHRINK_SHARE: '5%' })).toThrow(/MAX_SHRINK_SHARE/);
  });
});

for (const backend of backends()) {
  describe(`truncated and shrinking releases (${backend})`, () => {
    let e: LoadEnv;
    let server: FixtureServer;
    beforeAll(async () => {
      server = await startFixtureServer();
      e = await loadEnv(backend, fixtureEnv(server.url));
      const r = await e.load(fixture('mof/timeseries/d41ma.csv'), 'mof.timeseries');
      expect(r.code).toBe(0);
    }, TIMEOUT);
    afterAll(async () => { await e?.drop(); await server?.close(); });

    it('head -c 9520 d41ma.csv: ends mid-number in 2002/09 → refused, nothing changes', async () => {
      const before = await e.counts();
      const r = await e.load(fixture('mof/bad/d41ma_cut_9520.csv'), 'mof.timeseries');
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/file:\s+d41ma_cut_9520\.csv/);
      expect(r.stderr).toMatch(/line:\s+289/);
      expect(r.stderr).toMatch(/value:\s+"2002\/09,4449754036 ,339871583"/);
      expect(r.stderr).toMatch(/cut short/);
      expect(await e.counts()).toEqual(before);
    }, TIMEOUT);

    it('over HTTP: a body cut mid-number with a matching Content-Length is refused on refresh', async () => {
      const before = await e.counts();
      const cut = fs.readFileSync(fixture('mof/timeseries/d41ma.csv')).subarray(0, 9520);
      server.fail('/toukei/suii/html/data/d41ma.csv', { body: cut, contentType: 'text/csv' });
      const r = await e.cli(['refresh', '--dataset', 'mof.timeseries']);
      expect(r.code).toBe(1);
      const [rel] = await e.sql<{ status: string; error: string }>(
        `SELECT status, error FROM etl.release WHERE dataset = 'mof.timeseries' AND bytes = 9520 ORDER BY id DESC LIMIT 1`);
      expect(rel!.status).toBe('failed');
      expect(rel!.error).toMatch(/d41ma\.csv \(line 289, column "3"\): found "2002\/09,4449754036 ,339871583".*cut short/);
      const after = await e.counts();
      // d51ma (the other time series) may load on this first refresh; d41ma is as it was.
      expect((await e.sql<{ n: number }>(D41MA_CURRENT))[0]!.n).toBe(1144);
      expect(after.observation_history - before.observation_history).toBe(after.observation_current - before.observation_current);
    }, TIMEOUT);
    it('d41ma cut at a row boundary (1979/01–2002/08): the shrink guard refuses it; --allow-shrink loads it', async () => {
      const before = await e.counts();
      expect((await e.sql<{ n: number }>(D41MA_CURRENT))[0]!.n).toBe(1144);
      const r = await e.load(fixture('mof/bad/d41ma_cut_at_row_2002-08.csv'), 'mof.timeseries');
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/file:\s+d41ma_cut_at_row_2002-08\.csv/);
      expect(r.stderr).toMatch(/576 of the 1144 current observations of scope d41ma missing from this file \(50\.3 %\), e\.g\. JP \/ WORLD \/ export \/ 2002-09/);
      expect(r.stderr).toMatch(/at most 5\.0 % may drop, MAX_SHRINK_SHARE=0\.05.*--allow-shrink/);
      expect(await e.counts()).toEqual(before);
      // The share is configuration: at 50 % it is still refused (50.3 % would drop).
      const half = await e.load(fixture('mof/bad/d41ma_cut_at_row_2002-08.csv'), 'mof.timeseries', [], { MAX_SHRINK_SHARE: '0.5' });
      expect(half.code).toBe(1);
      expect(half.stderr).toMatch(/at most 50\.0 % may drop/);
      expect(await e.counts()).toEqual(before);
      const allowed = await e.load(fixture('mof/bad/d41ma_cut_at_row_2002-08.csv'), 'mof.timeseries', ['--allow-shrink']);
      expect(allowed.code).toBe(0);
      expect(allowed.stdout).toMatch(/568 observations, 0 new, 576 superseded, 568 unchanged/);
      expect((await e.sql<{ n: number }>(D41MA_CURRENT))[0]!.n).toBe(568);
    }, TIMEOUT);
  });
}
