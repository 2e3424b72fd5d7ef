/**
 * `trade-etl schedule` as a real process: it lists its jobs, fires on its cron, and on SIGTERM
 * in the middle of a load exits 0 with the database whole (nothing left 'loading', the run
 * recorded as stopped). Also `status --check-freshness` against a loaded database.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureServer, type FixtureServer } from '../../src/devtools/fixture-server.js';
import { runCli, startCli } from '../helpers/cli.js';
import { backends, cliTarget, integrityProblems, type CliTarget } from '../helpers/db.js';

let server: FixtureServer;
beforeAll(async () => { server = await startFixtureServer(); });
afterAll(async () => { await server?.close(); });

const HS8703 = '/data/timeseries/intltrade/imports/hs?get=CTY_CODE,CTY_NAME,I_COMMODITY';
const EXPORTS = '/data/timeseries/intltrade/exports/hs';

async function waitFor(what: string, ok: () => boolean, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

for (const backend of backends()) {
  describe(`trade-etl schedule (${backend})`, () => {
    let target: CliTarget;
    let configFile: string;
    beforeAll(async () => {
      target = await cliTarget(backend, server.url);
      configFile = path.join(target.dataDir, 'schedule.json');
      fs.writeFileSync(configFile, JSON.stringify({
        jobs: [{ name: 'census-api', cron: '* * * * * *', timezone: 'Asia/Tokyo', dataset: ['census.api'] }],
        freshness: { 'census.api': '2d', 'mof.press': '40d' },
      }));
    });
    afterAll(async () => { await target?.drop(); });

    it('--list prints each job with its next time in its zone and in UTC', async () => {
      const r = await runCli(['schedule', '--list', '--config', configFile], target.env);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/census-api\s+\* \* \* \* \* \*\s+Asia\/Tokyo\s+census\.api\s+\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} Asia\/Tokyo\s+\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/);
      const bad = await runCli(['schedule', '--config', path.join(target.dataDir, 'missing.json')], target.env);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/cannot read the schedule file .*missing\.json/);
    }, 60_000);

    it('stops on SIGTERM mid-load: exit 0, no new release started, database whole', async () => {
      server.fail(HS8703, { delayMs: 20_000 });
      const mark = server.requests.length;
      const proc = startCli(['schedule', '--config', configFile], target.env);
      await waitFor('the scheduler to reach the second release', () => server.requests.slice(mark).some((r) => r.path.startsWith(HS8703)));
      proc.child.kill('SIGTERM');
      const t0 = Date.now();
      const r = await proc.done(30_000);
      expect(Date.now() - t0).toBeLessThan(15_000);
      expect(r.stdout).toMatch(/scheduler started with 1 job\(s\)/);
      expect(r.stdout).toMatch(/scheduler stopped by SIGTERM: 1 run\(s\), 1 failed/);
      expect(r.code).toBe(0);
      expect(server.requests.slice(mark).some((q) => q.path.startsWith(EXPORTS))).toBe(false);

      const db = await target.open();
      try {
        expect(await integrityProblems(db)).toEqual([]);
        const rel = await db.query<{ url: string; status: string }>('SELECT url, status FROM etl.release ORDER BY id');
        expect(rel.map((x) => [new URL(x.url).pathname, x.status])).toEqual([
          ['/data/timeseries/intltrade/imports/enduse', 'loaded'],
          ['/data/timeseries/intltrade/imports/hs', 'failed'],
        ]);
        const runs = await db.query<{ trigger: string; status: string; error: string }>('SELECT trigger, status, error FROM etl.run');
        expect(runs).toHaveLength(1);
        expect(runs[0]).toMatchObject({ trigger: 'schedule', status: 'partial' });
        expect(runs[0]!.error).toMatch(/stopped \(scheduler stopping \(SIGTERM\)\)/);
      } finally {
        await db.close();
      }
    }, 180_000);

    it('status shows the last run per dataset; --check-freshness exits 1 when a dataset is stale', async () => {
      const st = await runCli(['status'], target.env);
      expect(st.code).toBe(0);
      expect(st.stdout).toMatch(/census\.api\s+1\s+census-api-imports-enduse-30000-2024-12\.json\s+.*\s+1\s+refresh\s+partial/);
      // census.api was fetched today (fresh for 2d); mof.press was never loaded (stale).
      const fr = await runCli(['status', '--check-freshness', '--config', configFile], target.env);
      expect(fr.stdout).toMatch(/census\.api\s+census-api-imports-enduse-30000-2024-12\.json\s+\S+\s+[\d-]+ [\d:]+\s+\S+( \S+)?\s+2d\s+fresh/);
      expect(fr.stdout).toMatch(/mof\.press\s+40d\s+never loaded/);
      expect(fr.stdout).toMatch(/STALE: mof\.press/);
      expect(fr.code).toBe(1);
      const onlyFresh = path.join(target.dataDir, 'fresh.json');
      fs.writeFileSync(onlyFresh, JSON.stringify({ freshness: { 'census.api': '2d' } }));
      const ok = await runCli(['status', '--check-freshness', '--config', onlyFresh], target.env);
      expect(ok.stdout).toMatch(/all checked datasets are fresh/);
      expect(ok.code).toBe(0);
      const tight = path.join(target.dataDir, 'tight.json');
      fs.writeFileSync(tight, JSON.stringify({ freshness: { 'census.api': '30d', 'census.country': '30d' } }));
      const stale = await runCli(['status', '--check-freshness', '--json', '--config', tight], target.env);
      const json = JSON.parse(stale.stdout) as { stale: string[]; freshness: Array<{ dataset: string; verdict: string }> };
      expect(json.stale).toEqual(['census.country']);
      expect(json.freshness.filter((f) => f.verdict !== 'not checked').map((f) => [f.dataset, f.verdict])).toEqual([['census.api', 'fresh'], ['census.country', 'never loaded']]);
      expect(stale.code).toBe(1);
      const badCfg = path.join(target.dataDir, 'bad.json');
      fs.writeFileSync(badCfg, JSON.stringify({ freshness: { 'census.apx': '2d' } }));
      const bad = await runCli(['status', '--check-freshness', '--config', badCfg], target.env);
      expect(bad.stderr).toMatch(/freshness names unknown dataset\(s\) census\.apx/);
      expect(bad.code).toBe(2);
    }, 180_000);
  });
}
