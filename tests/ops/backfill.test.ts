/**
 * `trade-etl backfill` and `trade-etl retry` through the real CLI against the fixture server:
 * a range with one broken release loads the others and reports each outcome (exit 1); the
 * watermark does not move; a dry run writes nothing; retry re-runs only the broken release.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureServer, type FixtureServer } from '../../src/devtools/fixture-server.js';
import { migrationLevel } from '../../src/db/migrate.js';
import { backends } from '../helpers/db.js';
import { runCli } from '../helpers/cli.js';
import { cliTarget, dataCounts, etlCounts, integrityProblems, type CliTarget } from '../helpers/db.js';

let server: FixtureServer;
beforeAll(async () => { server = await startFixtureServer(); });
afterAll(async () => { await server?.close(); });

const ENDUSE = '/data/timeseries/intltrade/imports/enduse';
const CENSUS_API = '/data/timeseries/intltrade/';

describe('backfill arguments are checked at the edge (exit 2, precise messages)', () => {
  const env = { DATA_DIR: '/nonexistent/never-opened' };
  const cases: Array<[string[], RegExp]> = [
    [['--source', 'census', '--from', '2024-1', '--to', '2024-12'], /--from must be a month as YYYY-MM, got "2024-1" \(write the month with two digits: 2024-01\)/],
    [['--source', 'census', '--from', '2024-01', '--to', '2024-13'], /--to must be a month as YYYY-MM, got "2024-13" \(the month must be 01 to 12\)/],
    [['--source', 'census', '--from', '2024-06', '--to', '2024-02'], /--from 2024-06 is after --to 2024-02/],
    [['--source', 'nowhere', '--from', '2024-01', '--to', '2024-02'], /unknown source "nowhere"; known: mof, census, frb/],
    [['--source', 'census', '--from', '2024-01', '--to', '2024-02', '--concurrency', '0'], /--concurrency must be a positive whole number, got "0"/],
    [['--source', 'census', '--from', '2024-01', '--to', '2024-02', '--concurrency', 'two'], /--concurrency must be a positive whole number, got "two"/],
    [['--source', 'census', '--from', '2024-01', '--to', '2024-02', '--reprocess', 'some'], /--reprocess must be missing, failed or all/],
    [['--from', '2024-01', '--to', '2024-02'], /backfill needs --source/],
    [['--source', 'census', '--to', '2024-02'], /--from is required/],
  ];
  it.each(cases)('backfill %j', async (args, message) => {
    const r = await runCli(['backfill', ...args], env);
    expect(r.stderr).toMatch(message);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
  }, 60_000);
});

for (const backend of backends()) {
  describe(`backfill and retry (${backend})`, () => {
    let target: CliTarget;
    beforeAll(async () => { target = await cliTarget(backend, server.url); });
    afterAll(async () => { await target?.drop(); });

    it('a dry run on an empty database lists the range and creates nothing', async () => {
      const mark = server.requests.length;
      const r = await runCli(['backfill', '--source', 'mof', '--from', '2024-01', '--to', '2025-12', '--dry-run'], target.env);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/Dry run 2024-01\.\.2025-12 \(reprocess missing\): would fetch \d+ release\(s\)\. Nothing was fetched or written\./);
      expect(r.stdout).toContain('/toukei/shinbun/trade-st_e/2024/2024124e.xml');
      expect(r.stdout).toContain('the database has no schema yet');
      // Only the listing page was read; no release file was fetched.
      expect(server.requests.slice(mark).map((q) => q.path)).toEqual(['/toukei/shinbun/happyou_e.htm']);
      const db = await target.open();
      try {
        expect(await migrationLevel(db)).toBe(0);
      } finally {
        await db.close();
      }
    }, 120_000);

    let runId = 0;
    it('loads a range past one broken release, reports every outcome and exits 1; the watermark stays', async () => {
      server.fail(ENDUSE, { status: 404, body: 'Not Found' });
      const r = await runCli(['backfill', '--source', 'census', '--from', '2024-01', '--to', '2024-12'], target.env);
      expect(r.code).toBe(1);
      runId = Number(/run (\d+):/.exec(r.stdout)?.[1]);
      expect(runId).toBeGreaterThan(0);
      // One line per release, the broken one with its reason.
      expect(r.stdout).toMatch(/FAILED\s+US general imports of passenger cars \(end-use 30000\) by country, year to date, 2024-12 — HTTP 404/);
      expect(r.stdout.match(/^ {2}loaded {7}/gm)?.length).toBe(4);
      expect(r.stdout).toMatch(/loaded\s+US general imports of HS 8703 motor cars/);
      expect(r.stdout).toMatch(/loaded\s+US total exports/);
      expect(r.stdout).toMatch(/loaded\s+US total general imports/);
      expect(r.stdout).toMatch(/loaded\s+US goods trade by country.*country\.xlsx/);
      // country.xlsx has no per-month releases: said, not silently treated as a range.
      expect(r.stdout).toMatch(/note: 1 release\(s\) without a period \(one file holds every period, e\.g\. country\.xlsx\): fetched whole/);
      expect(r.stdout).toContain(`trade-etl retry ${runId}`);
      // Non-TTY progress: one line per release on stderr.
      expect(r.stderr).toMatch(/census\.api \[\d\/4\] failed US general imports of passenger cars/);

      const db = await target.open();
      try {
        const rel = await db.query<{ dataset: string; status: string; url: string }>('SELECT dataset, status, url FROM etl.release WHERE run_id = $1 ORDER BY id', [runId]);
        expect(rel.filter((x) => x.status === 'loaded').length).toBe(4);
        expect(rel.filter((x) => x.status === 'failed').map((x) => new URL(x.url).pathname)).toEqual([ENDUSE]);
        expect(await db.query('SELECT * FROM etl.watermark')).toEqual([]);
        const [run] = await db.query<{ command: string; trigger: string; status: string; args: Record<string, unknown> }>('SELECT command, trigger, status, args FROM etl.run WHERE id = $1', [runId]);
        expect(run).toMatchObject({ command: 'backfill', trigger: 'backfill', status: 'partial', args: { from: '2024-01', to: '2024-12', reprocess: 'missing' } });
        expect(await integrityProblems(db)).toEqual([]);
      } finally {
        await db.close();
      }
    }, 180_000);

    it('a dry run on a loaded database writes no row anywhere in etl.* and skips what is loaded', async () => {
      let db = await target.open();
      const etlBefore = await etlCounts(db);
      const dataBefore = await dataCounts(db);
      await db.close();
      const mark = server.requests.length;
      const r = await runCli(['backfill', '--source', 'census', '--from', '2024-01', '--to', '2024-12', '--dry-run'], target.env);
      expect(r.code).toBe(0);
      // The failed release is the only one a `missing` backfill would fetch again.
      expect(r.stdout).toMatch(/would fetch 1 release\(s\), skip 4 already loaded/);
      expect(r.stdout).toContain(ENDUSE);
      expect(server.requests.slice(mark)).toEqual([]);
      db = await target.open();
      try {
        expect(await etlCounts(db)).toEqual(etlBefore);
        expect(await dataCounts(db)).toEqual(dataBefore);
      } finally {
        await db.close();
      }
    }, 120_000);

    it('says so when discovery has nothing in the range', async () => {
      const r = await runCli(['backfill', '--dataset', 'mof.hs_country', '--from', '2019-01', '--to', '2019-12', '--dry-run'], target.env);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/would fetch 0 release\(s\)/);
      expect(r.stdout).toMatch(/note: mof\.hs_country: discovery found no release for 2019-01\.\.2019-12/);
    }, 60_000);

    it('retry re-runs only the failed release, as a new run with trigger retry', async () => {
      const mark = server.requests.length;
      const r = await runCli(['retry', String(runId)], target.env);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`Retry of run ${runId} \\(backfill\\) recorded as run (\\d+)`));
      const retryId = Number(new RegExp(`recorded as run (\\d+)`).exec(r.stdout)![1]);
      // Only the one failed URL was fetched again (and unconditionally: its last attempt failed).
      const fetched = server.requests.slice(mark).filter((q) => q.path.startsWith(CENSUS_API));
      expect(fetched.map((q) => q.path.split('?')[0])).toEqual([ENDUSE]);
      expect(fetched[0]!.ifNoneMatch).toBeUndefined();
      expect(fetched[0]!.status).toBe(200);

      const db = await target.open();
      try {
        const [run] = await db.query<{ command: string; trigger: string; status: string; retry_of: string }>('SELECT command, trigger, status, retry_of FROM etl.run WHERE id = $1', [retryId]);
        expect({ ...run, retry_of: Number(run!.retry_of) }).toEqual({ command: 'retry', trigger: 'retry', status: 'succeeded', retry_of: runId });
        const rel = await db.query<{ status: string; url: string }>('SELECT status, url FROM etl.release WHERE run_id = $1', [retryId]);
        expect(rel.map((x) => [x.status, new URL(x.url).pathname])).toEqual([['loaded', ENDUSE]]);
        expect(await db.query('SELECT * FROM etl.watermark')).toEqual([]);
        expect(await integrityProblems(db)).toEqual([]);
        // The backfill and its retry went through the one run lifecycle: the same stats shape.
        const stats = await db.query<{ command: string; stats: string }>(`SELECT command, stats::text AS stats FROM etl.run WHERE command IN ('backfill', 'retry') ORDER BY id`);
        expect(stats.map((x) => x.command)).toContain('retry');
        for (const x of stats) expect(Object.keys(JSON.parse(x.stats)).sort()).toEqual(['datasets', 'interrupted', 'notes']);
      } finally {
        await db.close();
      }
      // Nothing is left to retry, and an unknown run is a usage error.
      const again = await runCli(['retry', String(retryId)], target.env);
      expect(again.stdout).toMatch(/has nothing that can be retried/);
      expect(again.code).toBe(0);
      const none = await runCli(['retry', '999999'], target.env);
      expect(none.stderr).toMatch(/there is no run 999999/);
      expect(none.code).toBe(2);
    }, 180_000);
  });
}
