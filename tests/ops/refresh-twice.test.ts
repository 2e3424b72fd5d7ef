/**
 * `trade-etl refresh` twice in a row, through the real CLI against the fixture server: the second
 * run asks conditionally (If-None-Match → 304 for every release) and writes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureServer, type FixtureServer } from '../../src/devtools/fixture-server.js';
import { fixtureRoutes } from '../../src/devtools/fixture-routes.js';
import { backends } from '../helpers/db.js';
import { runCli } from '../helpers/cli.js';
import { cliTarget, dataCounts, integrityProblems, type CliTarget } from '../helpers/db.js';

let server: FixtureServer;
beforeAll(async () => { server = await startFixtureServer(); });
afterAll(async () => { await server?.close(); });

// Every release URL path the fixtures serve (listing pages are fetched unconditionally, by design).
const releasePaths = new Set(fixtureRoutes().filter((r) => !(r as { role?: string }).role).map((r) => r.path));

for (const backend of backends()) {
  describe(`refresh twice (${backend})`, () => {
    let target: CliTarget;
    beforeAll(async () => { target = await cliTarget(backend, server.url); });
    afterAll(async () => { await target?.drop(); });

    it('loads everything, then fetches conditionally, gets 304s and writes nothing', async () => {
      const first = await runCli(['refresh', '--trigger', 'cron'], target.env);
      expect(first.stderr + first.stdout).not.toMatch(/FAILED/);
      expect(first.code).toBe(0);
      expect(first.stdout).toMatch(/dataset\s+seen\s+new\s+unchanged\s+failed\s+rows new/);

      let db = await target.open();
      const before = await dataCounts(db);
      const watermarks = await db.query('SELECT dataset, last_period FROM etl.watermark ORDER BY 1');
      await db.close();
      expect(before.releases_loaded).toBeGreaterThan(5);
      expect(before.observation_history).toBeGreaterThan(1000);

      const mark = server.requests.length;
      const second = await runCli(['refresh', '--trigger', 'cron'], target.env);
      expect(second.code).toBe(0);
      // Every dataset row of the summary: nothing new, nothing failed.
      const rows = second.stdout.split('\n').filter((l) => /^\w+\.\w+\s+\d/.test(l));
      expect(rows.length).toBeGreaterThan(3);
      for (const l of rows) {
        const [, , seen, fresh, unchanged, failed, rowsNew] = /^(\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)/.exec(l)!;
        expect({ line: l, fresh, failed, rowsNew, same: seen === unchanged }).toEqual({ line: l, fresh: '0', failed: '0', rowsNew: '0', same: true });
      }

      const releaseRequests = server.requests.slice(mark).filter((r) => releasePaths.has(r.path.split('?')[0]!));
      expect(releaseRequests.length).toBeGreaterThan(5);
      for (const r of releaseRequests) {
        expect({ path: r.path, conditional: Boolean(r.ifNoneMatch), status: r.status }).toEqual({ path: r.path, conditional: true, status: 304 });
      }

      db = await target.open();
      try {
        expect(await dataCounts(db)).toEqual(before);
        expect(await db.query('SELECT dataset, last_period FROM etl.watermark ORDER BY 1')).toEqual(watermarks);
        expect(await integrityProblems(db)).toEqual([]);
        const runs = await db.query<{ command: string; trigger: string; status: string }>('SELECT command, trigger, status FROM etl.run ORDER BY id');
        expect(runs).toEqual([
          { command: 'refresh', trigger: 'cron', status: 'succeeded' },
          { command: 'refresh', trigger: 'cron', status: 'succeeded' },
        ]);
        // Every run through the one lifecycle records the same stats shape (RunStats).
        const stats = await db.query<{ stats: string }>('SELECT stats::text AS stats FROM etl.run ORDER BY id');
        for (const { stats: text } of stats) {
          const st = JSON.parse(text) as { datasets: Array<{ releases: Array<Record<string, unknown>> }>; notes: unknown; interrupted: boolean };
          expect(Object.keys(st).sort()).toEqual(['datasets', 'interrupted', 'notes']);
          expect(st.interrupted).toBe(false);
          expect(st.datasets.length).toBeGreaterThan(0);
          for (const r of st.datasets.flatMap((d) => d.releases)) expect(r).toMatchObject({ file: expect.any(String), url: expect.any(String), label: expect.any(String), status: expect.any(String) });
        }
      } finally {
        await db.close();
      }
    }, 300_000);
  });
}

if (backends().includes('postgres')) {
  describe('two refreshes at once (postgres)', () => {
    let target: CliTarget;
    beforeAll(async () => { target = await cliTarget('postgres', server.url); });
    afterAll(async () => { await target?.drop(); });

    it('load each release once: the dataset lock serializes them and the second sees it loaded', async () => {
      // Migrated first: two processes migrating one empty database at once is not what this tests.
      expect((await runCli(['migrate'], target.env)).code).toBe(0);
      const [a, b] = await Promise.all([
        runCli(['refresh', '--source', 'census'], target.env),
        runCli(['refresh', '--source', 'census'], target.env),
      ]);
      expect([a.code, b.code], `${a.stdout}${a.stderr}\n---\n${b.stdout}${b.stderr}`).toEqual([0, 0]);
      const db = await target.open();
      try {
        const loaded = await db.query<{ url: string; n: string }>(`SELECT url, count(*) AS n FROM etl.release WHERE status = 'loaded' GROUP BY url`);
        expect(loaded).toHaveLength(5);
        expect(loaded.every((r) => Number(r.n) === 1)).toBe(true);
        expect(await integrityProblems(db)).toEqual([]);
        const runs = await db.query<{ status: string }>('SELECT status FROM etl.run');
        expect(runs.map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
      } finally {
        await db.close();
      }
    }, 180_000);
  });
}
