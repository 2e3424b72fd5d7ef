/**
 * Fault injection (issue 15), on both back-ends, with the real CLI as a child process: real
 * signals (SIGTERM, SIGINT, SIGKILL), a hostile psql client, a full disk (a real tmpfs of a few
 * kilobytes, mounted for the test — the tests that need one are skipped when mount is not
 * allowed), a file where a directory should be, a held lock, connections terminated by the
 * server, and an API that quotes the key in its error page. Each case checks what the command
 * says, how it exits, what it records in etl.run / etl.release, and that the data is as before.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureServer, type FixtureServer } from '../../src/devtools/fixture-server.js';
import { childEnv, freePort, runCli, startCli, waitFor, type CliProcess } from '../helpers/cli.js';
import { backends, cliTarget, dataCounts, integrityProblems, type CliTarget } from '../helpers/db.js';
import { writeMofFile } from '../../bench/mof-hs-country-file.js';

// A made-up key of the real shape (40 hex digits).
const KEY = '3f9c2a7be41d58c06a9e7d2b1c4f8e0a6d5b3c21';

let server: FixtureServer;
let work: string;
/** An e-Stat HS-9 × country file of ~800,000 observations: its merge takes seconds, long enough to be interrupted. */
let bigFile: string;

beforeAll(async () => {
  server = await startFixtureServer();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'trade-etl-faults-'));
  bigFile = path.join(work, 'hs9_country_export_2024_big.csv');
  writeMofFile(bigFile, { rows: 30_000, seed: 15 });
});
afterAll(async () => {
  await server?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

/** Mounts a tmpfs of `size` at dir (we are root in CI); false where that is not allowed. */
function mountTmpfs(dir: string, size: string): boolean {
  fs.mkdirSync(dir, { recursive: true });
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { encoding: 'utf8' });
  return r.status === 0;
}
function unmount(dir: string): void {
  spawnSync('umount', [dir]);
}
const canMount = (() => {
  const probe = fs.mkdtempSync(path.join(os.tmpdir(), 'trade-etl-mount-probe-'));
  const ok = mountTmpfs(probe, '64k');
  if (ok) unmount(probe);
  fs.rmSync(probe, { recursive: true, force: true });
  return ok;
})();

/** psql as `user`, one -c per statement list; returns exit status and output. */
function psql(args: { host: string; port: number; user: string; db: string }, ...commands: string[]) {
  const r = spawnSync('psql', ['-X', '-h', args.host, '-p', String(args.port), '-U', args.user, '-d', args.db, '-A', '-t',
    ...commands.flatMap((c) => ['-c', c])], {
    env: childEnv({ PGSSLMODE: undefined, PGCONNECT_TIMEOUT: '10', PGPASSWORD: undefined }), encoding: 'utf8', timeout: 30_000,
  });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

/** Starts `load` of the big file and resolves once it is merging (its log line, and a second). */
async function startBigLoad(target: CliTarget): Promise<CliProcess> {
  const run = startCli(['load', '-d', 'mof.hs_country', bigFile], { ...target.env, LOG_LEVEL: 'info' });
  await waitFor(run, (r) => r.stderr.includes('"msg":"stored; merging"'));
  // Past the lock and the release row: inside the merge's transaction (which takes seconds more).
  await new Promise((r) => setTimeout(r, 700));
  return run;
}

interface RunRow { id: number; command: string; status: string; error: string | null; stats: string; pid: number | null; host: string | null }

for (const backend of backends()) {
  describe(`fault injection (${backend})`, () => {
    let target: CliTarget;
    let before: Record<string, number>;

    const runsNow = async (): Promise<RunRow[]> => {
      const db = await target.open();
      try {
        return (await db.query<RunRow>(`SELECT id::int AS id, command, status, error, stats::text AS stats, pid, host FROM etl.run ORDER BY id`));
      } finally {
        await db.close();
      }
    };
    const counts = async () => {
      const db = await target.open();
      try {
        const c = await dataCounts(db);
        expect(await integrityProblems(db)).toEqual([]);
        return { observation_history: c.observation_history!, rate_history: c.rate_history!, releases_loaded: c.releases_loaded! };
      } finally {
        await db.close();
      }
    };

    beforeAll(async () => {
      target = await cliTarget(backend, server.url);
      const r = await runCli(['refresh', '-d', 'mof.timeseries', '-d', 'frb.h10'], target.env);
      expect(r.code, r.stderr).toBe(0);
      before = await counts();
      expect(before.observation_history).toBeGreaterThan(100);
    }, 120_000);
    afterAll(async () => { await target?.drop(); });

    // ---- 7. arguments and configuration -------------------------------------------------------
    it('refuses bad arguments and settings at the edge with exit 2 and a precise message', async () => {
      const fixture = path.join(work, 'd41ma.csv');
      fs.copyFileSync(path.resolve('fixtures/mof/timeseries/d41ma.csv'), fixture);
      const cases: Array<[string[], Record<string, string>, RegExp]> = [
        [['load', '-d', 'mof.timeseries', '--published-on', '2025-02-30', fixture], {}, /--published-on 2025-02-30: 2025-02 has 28 days/],
        [['load', '-d', 'mof.timeseries', '--published-on', '2025-13-01', fixture], {}, /there is no month 13/],
        [['load', '-d', 'mof.timeseries', '--published-on', '13/03/2025', fixture], {}, /--published-on must be a date written YYYY-MM-DD, got "13\/03\/2025"/],
        [['runs', '-n', '-1'], {}, /-n\/--limit must be a whole number from 1 to 100000, got "-1"/],
        [['runs', '-n', 'abc'], {}, /-n\/--limit must be a whole number from 1 to 100000, got "abc"/],
        [['load', '-d', 'mof.timeseries', work], {}, /is a directory; give the release file itself/],
        [['load', '-d', 'mof.timeseries', '/dev/null'], {}, /\/dev\/null is a character device, not a regular file/],
        [['runs'], { HTTP_TIMEOUT_MS: 'abc' }, /HTTP_TIMEOUT_MS must be a number of at least 1, got "abc"/],
        [['runs'], { HTTP_TIMEOUT_MS: '0' }, /HTTP_TIMEOUT_MS must be a number of at least 1, got "0"/],
        [['runs'], { LOG_LEVEL: 'loud' }, /LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "loud"/],
      ];
      const runsBefore = (await runsNow()).length;
      for (const [args, env, message] of cases) {
        const r = await runCli(args, { ...target.env, ...env });
        expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
        expect(r.stderr).toMatch(message);
        expect(r.stderr).not.toMatch(/no such file|\n\s+at /);
      }
      // Nothing was started: no run recorded.
      expect((await runsNow()).length).toBe(runsBefore);
    }, 120_000);

    it('escapes control characters in file names instead of sending them to the terminal', async () => {
      const evil = path.join(work, 'evil\x1b[2J\x1b[31mname\r.csv');
      fs.writeFileSync(evil, 'not,a,time,series\n1,2,3,4\n');
      const r = await runCli(['load', '-d', 'mof.timeseries', evil], target.env);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('evil\\x1b[2J\\x1b[31mname\\r.csv');
      expect(r.stderr + r.stdout).not.toMatch(/[\x1b\r]/);
      const missing = await runCli(['load', '-d', 'mof.timeseries', path.join(work, 'gone\x1b[0m.csv')], target.env);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain('no such file: ');
      expect(missing.stderr).toContain('gone\\x1b[0m.csv');
      expect(missing.stderr).not.toContain('\x1b');
      fs.rmSync(evil);
    }, 60_000);

    // ---- 4. secrets ---------------------------------------------------------------------------
    it('never prints or stores the Census API key, even when the server quotes it in its error page', async () => {
      const quoted = { status: 400, contentType: 'text/plain', body: `error: unknown/invalid key ${KEY} (your request: /data/timeseries/intltrade?key=${KEY})` };
      server.fail('/data/timeseries/intltrade/', ...Array.from({ length: 12 }, () => quoted));
      const r = await runCli(['refresh', '-d', 'census.api'], { ...target.env, CENSUS_API_KEY: KEY, LOG_LEVEL: 'info' });
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('unknown/invalid key *****');
      expect(r.stdout + r.stderr).not.toContain(KEY);
      const db = await target.open();
      try {
        const stored = await db.query<{ t: string }>(`
          SELECT coalesce(error, '') || ' ' || coalesce(error_detail::text, '') || ' ' || coalesce(url, '') AS t FROM etl.release
          UNION ALL SELECT coalesce(error, '') || ' ' || stats::text || ' ' || args::text FROM etl.run
          UNION ALL SELECT url FROM etl.http_cache`);
        expect(stored.some((s) => s.t.includes('unknown/invalid key *****'))).toBe(true);
        for (const s of stored) expect(s.t).not.toContain(KEY);
      } finally {
        await db.close();
      }
    }, 120_000);

    // ---- 2. signals during a long merge -------------------------------------------------------
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      it(`${signal} during a long merge rolls it back, records the run failed (interrupted) and exits ${signal === 'SIGTERM' ? 143 : 130}`, async () => {
        const run = await startBigLoad(target);
        const sentAt = Date.now();
        run.child.kill(signal);
        const r = await run.done(120_000);
        expect(r.code, r.stderr).toBe(signal === 'SIGTERM' ? 143 : 130);
        // Stopped at the next statement or COPY chunk, not at the end of the load.
        expect(Date.now() - sentAt).toBeLessThan(15_000);
        expect(r.stderr).toMatch(new RegExp(`interrupted by ${signal}: the load of hs9_country_export_2024_big\\.csv rolled back \\(release \\d+ and run \\d+ recorded as failed\\); the database is as it was`));
        const last = (await runsNow()).at(-1)!;
        expect(last).toMatchObject({ command: 'load', status: 'failed' });
        expect(last.error).toMatch(new RegExp(`^interrupted by ${signal}`));
        const db = await target.open();
        try {
          const [rel] = await db.query<{ status: string; error: string }>(`SELECT status, error FROM etl.release WHERE run_id = $1`, [last.id]);
          expect(rel).toMatchObject({ status: 'failed' });
          expect(rel!.error).toMatch(/^interrupted by SIG/);
        } finally {
          await db.close();
        }
        expect(await counts()).toEqual(before);
      }, 180_000);
    }

    // ---- 3. a killed process: its run is found and marked on the next start ------------------
    it('kill -9 during a load: the next command marks the run failed (interrupted); runs --failed and doctor show it', async () => {
      const run = await startBigLoad(target);
      const pid = run.child.pid!;
      run.child.kill('SIGKILL');
      const r = await run.done(60_000);
      expect(r.signal).toBe('SIGKILL');
      const failed = await runCli(['runs', '--failed', '--json'], target.env);
      expect(failed.code, failed.stderr).toBe(0);
      const listed = JSON.parse(failed.stdout) as Array<{ id: string; command: string; status: string; error: string }>;
      const mine = listed.find((x) => x.command === 'load' && x.error?.includes(`process ${pid} on ${os.hostname()}`));
      expect(mine, failed.stdout).toMatchObject({ status: 'failed' });
      expect(mine!.error).toMatch(/^interrupted: process \d+ on .* ended without recording an outcome/);
      expect(failed.stderr).toMatch(/recorded as failed \(interrupted\)/);
      const db = await target.open();
      try {
        const rels = await db.query<{ status: string; error: string }>(`SELECT status, error FROM etl.release WHERE run_id = $1`, [Number(mine!.id)]);
        for (const rel of rels) expect(rel).toMatchObject({ status: 'failed', error: expect.stringMatching(/^interrupted/) });
        expect(await db.query(`SELECT id FROM etl.run WHERE status = 'running'`)).toEqual([]);
      } finally {
        await db.close();
      }
      const doctor = await runCli(['doctor'], target.env);
      expect(doctor.stdout).toMatch(new RegExp(`WARN\\s+interrupted runs\\s+.*#${mine!.id} load`));
      expect(await counts()).toEqual(before);
    }, 180_000);

    it('a file where the raw store should be (ENOTDIR): says so, exits 1, records the run failed', async () => {
      const raw = path.join(target.dataDir, 'raw');
      fs.renameSync(raw, `${raw}.moved`);
      fs.writeFileSync(raw, 'not a directory');
      try {
        const r = await runCli(['load', '-d', 'mof.timeseries', path.resolve('fixtures/mof/timeseries/d51ma_excerpt.csv')], target.env);
        expect(r.code).toBe(1);
        expect(r.stderr).toContain(`not a directory (a path component is a file) at ${raw}`);
        const last = (await runsNow()).at(-1)!;
        expect(last).toMatchObject({ command: 'load', status: 'failed' });
        expect(last.error).toContain('not a directory');
      } finally {
        fs.rmSync(raw);
        fs.renameSync(`${raw}.moved`, raw);
      }
      expect(await counts()).toEqual(before);
    }, 60_000);

    // ---- 5. a full raw store: terminal, not retried -------------------------------------------
    it.skipIf(!canMount)('a full raw store (ENOSPC on a 4 kB tmpfs): "disk full at …/raw", one request, no retry', async () => {
      const raw = path.join(target.dataDir, 'raw');
      fs.renameSync(raw, `${raw}.moved`);
      expect(mountTmpfs(raw, '4k')).toBe(true);
      const seen = server.requests.length;
      try {
        const r = await runCli(['refresh', '-d', 'frb.fred'], { ...target.env, HTTP_RETRIES: '4' });
        expect(r.code).toBe(1);
        expect(r.stdout).toMatch(new RegExp(`FAILED frb\\.fred: \\S+: disk full at ${raw.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} \\(ENOSPC\\)`));
        expect(r.stdout + r.stderr).not.toMatch(/network error|gave up after/);
        const fetched = server.requests.slice(seen).filter((q) => q.path.startsWith('/graph/fredgraph.csv'));
        // Each series asked for once: a full disk is not retried.
        expect(fetched.length).toBe(new Set(fetched.map((q) => q.path)).size);
        const last = (await runsNow()).at(-1)!;
        expect(last).toMatchObject({ command: 'refresh', status: 'failed' });
        expect(last.error).toMatch(/disk full at/);
        expect(last.stats).toMatch(/disk full at/);
      } finally {
        unmount(raw);
        fs.rmSync(raw, { recursive: true, force: true });
        fs.renameSync(`${raw}.moved`, raw);
      }
      expect(await counts()).toEqual(before);
    }, 120_000);

    it('SIGTERM during a refresh\'s long merge: rolled back, "stopped by SIGTERM", exit 143, run not succeeded', async () => {
      // The e-Stat file of the fixtures, replaced by the big one at its URL (a new release there).
      const BIG = '/stat-search/file-download?statInfId=000099990087';
      server.replace(BIG, fs.readFileSync(bigFile), 'text/csv');
      const run = startCli(['refresh', '-d', 'mof.hs_country'], { ...target.env, LOG_LEVEL: 'info' });
      const asked = () => server.requests.filter((q) => q.path.startsWith(BIG)).length;
      const seen = asked();
      await waitFor(run, () => asked() > seen);
      await new Promise((r) => setTimeout(r, 2000));
      run.child.kill('SIGTERM');
      const r = await run.done(120_000);
      expect(r.code, r.stderr).toBe(143);
      expect(r.stdout).toMatch(/stopped by SIGTERM before every release was processed; the release in progress \(if any\) rolled back/);
      expect(r.stdout).toMatch(/FAILED mof\.hs_country: \S+: interrupted by SIGTERM: the release being loaded rolled back/);
      const last = (await runsNow()).at(-1)!;
      expect(last.command).toBe('refresh');
      expect(['failed', 'partial']).toContain(last.status);
      expect(last.error).toMatch(/^stopped \(stopped by SIGTERM\) before every release was processed/);
      const db = await target.open();
      try {
        expect(await integrityProblems(db)).toEqual([]);
        const [big] = await db.query<{ status: string }>(`SELECT status FROM etl.release WHERE run_id = $1 AND url LIKE '%000099990087%'`, [last.id]);
        expect(big).toEqual({ status: 'failed' });
      } finally {
        await db.close();
      }
      // The small e-Stat excerpt may have loaded before the signal: the baseline of what follows.
      before = await counts();
    }, 180_000);

    if (backend === 'postgres') {
      // ---- 3. lock time-out: the run is recorded, not left running ----------------------------
      it('a lock time-out records the run as failed with the reason', async () => {
        const holder = new pg.Client({ connectionString: target.env.DATABASE_URL });
        await holder.connect();
        try {
          await holder.query(`SELECT pg_advisory_lock(hashtext('trade-etl:mof.timeseries'))`);
          const r = await runCli(['load', '-d', 'mof.timeseries', path.resolve('fixtures/mof/timeseries/d51ma_excerpt.csv')], { ...target.env, LOCK_WAIT_MS: '600' });
          expect(r.code).toBe(1);
          expect(r.stderr).toMatch(/another run is loading mof\.timeseries; waited 1 s for it \(LOCK_WAIT_MS\)/);
        } finally {
          await holder.end();
        }
        const last = (await runsNow()).at(-1)!;
        expect(last).toMatchObject({ command: 'load', status: 'failed' });
        expect(last.error).toMatch(/another run is loading mof\.timeseries/);
        expect(await counts()).toEqual(before);
      }, 60_000);

      // ---- 5. the server drops the connection (pg_terminate_backend, as in a restart) --------
      it('connections terminated by the server mid-load: "database connection lost (…)", exit 1, run failed, nothing half-loaded', async () => {
        const dbName = new URL(target.env.DATABASE_URL!).pathname.slice(1);
        const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
        await admin.connect();
        try {
          const run = await startBigLoad(target);
          const killed = await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [dbName]);
          expect(killed.rowCount).toBeGreaterThan(0);
          const r = await run.done(120_000);
          expect(r.code).toBe(1);
          // The wording depends on where the cut finds the client: reading (the server's FATAL,
          // "Connection terminated") or writing COPY data (EPIPE, ECONNRESET).
          expect(r.stderr).toMatch(/database connection lost \((terminating connection due to administrator command|Connection terminated[^)]*|[^)]*(ECONNRESET|EPIPE)[^)]*)\) to Postgres at postgres:\/\/postgres@/);
        } finally {
          await admin.end();
        }
        // Recorded by the process itself when the pool reconnected, or by the next start.
        const last = (await runsNow()).at(-1)!;
        expect(last).toMatchObject({ command: 'load', status: 'failed' });
        expect(last.error).toMatch(/database connection lost|interrupted/);
        expect(await counts()).toEqual(before);
      }, 180_000);

      // ---- 1 and 6 on a server: the analyst role cannot leave itself or write anything --------
      it('analyst on the server: RESET ROLE / SET ROLE / SET SESSION AUTHORIZATION / set_config do not escalate; no TEMP, no large objects', async () => {
        const u = new URL(target.env.DATABASE_URL!);
        const conn = { host: u.hostname, port: Number(u.port || 5432), user: 'analyst', db: u.pathname.slice(1) };
        const attacks = [
          'RESET ROLE; BEGIN READ WRITE; DELETE FROM trade.observation_history; COMMIT',
          'SET ROLE postgres',
          'SET SESSION AUTHORIZATION postgres',
          `SELECT set_config('role', 'postgres', false)`,
          'BEGIN READ WRITE; SET LOCAL ROLE postgres; DELETE FROM trade.observation_history; COMMIT',
          `DO $$ BEGIN EXECUTE 'RESET ROLE'; DELETE FROM trade.observation_history; END $$`,
          'BEGIN READ WRITE; CREATE TEMP TABLE scratch (x int); COMMIT',
          `SELECT lo_from_bytea(0, '\\x00'::bytea)`,
          'SELECT lo_create(0)',
        ];
        for (const sql of attacks) {
          const r = psql(conn, sql);
          expect(r.status, `${sql}: ${r.out}`).not.toBe(0);
          expect(r.err, sql).toMatch(/permission denied|must be superuser|not permitted/);
        }
        expect(psql(conn, 'RESET ROLE; SELECT current_user, session_user').out.trim().split('\n').at(-1)).toBe('analyst|analyst');
        expect(await counts()).toEqual(before);
      }, 60_000);
    }

    if (backend === 'pglite') {
      // ---- 1 and 6 on the embedded database: serve gives analysts a copy ----------------------
      it('serve: a hostile psql (RESET ROLE, SET ROLE postgres, SET SESSION AUTHORIZATION, set_config, DO, extended protocol) cannot touch the data', async () => {
        const port = await freePort();
        const runsBefore = (await runsNow()).length;
        const serve = startCli(['serve', '--port', String(port)], target.env);
        try {
          await waitFor(serve, (r) => r.stdout.includes('Press Ctrl-C'));
          expect(serve.out().stdout).toMatch(/Serving a copy of embedded PGlite in .* taken at/);
          // DATA_DIR is not held: a refresh can run while analysts read.
          expect(fs.existsSync(path.join(target.dataDir, 'pglite.lock'))).toBe(false);
          const conn = { host: '127.0.0.1', port, user: 'analyst', db: 'trade' };
          // A plain client is read-only as the analyst role, without TEMP or large objects.
          expect(psql(conn, 'SELECT current_user').out.trim()).toBe('analyst');
          expect(psql(conn, 'DELETE FROM trade.observation_history').err).toMatch(/read-only transaction/);
          expect(psql(conn, 'BEGIN READ WRITE; CREATE TEMP TABLE scratch (x int); COMMIT').err).toMatch(/permission denied to create temporary tables/);
          expect(psql(conn, `BEGIN READ WRITE; SELECT lo_from_bytea(0, '\\x00'::bytea); COMMIT`).err).toMatch(/permission denied for function lo_from_bytea/);
          expect(psql(conn, 'SELECT count(*) FROM etl.run').err).toMatch(/permission denied for schema etl/);
          // The attacks of the issue. PGlite's one session is a superuser's, so they do reach
          // the copy (see docs/operations.md) — never the real database.
          const attacks = [
            'RESET ROLE; BEGIN READ WRITE; DELETE FROM trade.observation_history; COMMIT',
            'SET ROLE postgres; BEGIN READ WRITE; DELETE FROM fx.rate_history; COMMIT',
            'SET SESSION AUTHORIZATION postgres; BEGIN READ WRITE; DROP TABLE trade.observation_fact CASCADE; COMMIT',
            `SELECT set_config('role', 'postgres', false); SET default_transaction_read_only = off; DELETE FROM etl.release`,
            `reset role; /* comment */ begin read write; do $$ begin execute 'truncate etl.run cascade'; end $$; commit`,
          ];
          for (const sql of attacks) psql(conn, sql);
          // They did reach the copy: its fact table is gone, and with it the history view.
          expect(psql(conn, `SELECT coalesce(to_regclass('trade.observation_history')::text, 'dropped')`).out.trim()).toBe('dropped');
          // The extended protocol (Parse/Bind/Execute) as well.
          // (The relay frees the last psql's slot a moment after psql exits.)
          let c = new pg.Client({ host: '127.0.0.1', port, user: 'analyst', database: 'trade' });
          for (let i = 0; ; i++) {
            try {
              await c.connect();
              break;
            } catch (err) {
              if (i > 20) throw err;
              await new Promise((r) => setTimeout(r, 200));
              c = new pg.Client({ host: '127.0.0.1', port, user: 'analyst', database: 'trade' });
            }
          }
          await c.query({ text: 'SELECT set_config($1, $2, false)', values: ['role', 'postgres'] }).catch(() => {});
          await c.query({ text: 'SELECT count(*) FROM etl.schema_migration WHERE version > $1', values: [0] }).catch(() => {});
          await c.end();
          serve.child.kill('SIGTERM');
          const r = await serve.done(60_000);
          expect(r.code).toBe(0);
          expect(r.stdout).toContain('Stopped; the copy is closed and deleted.');
        } finally {
          if (serve.child.exitCode === null) serve.child.kill('SIGKILL');
        }
        expect(fs.readdirSync(target.dataDir).filter((n) => n.startsWith('.serve-snapshot-'))).toEqual([]);
        // Every table as it was, the run history too.
        expect(await counts()).toEqual(before);
        expect((await runsNow()).length).toBe(runsBefore);
      }, 180_000);

      it('serve killed with -9 leaves its copy behind; the next serve removes it', async () => {
        const port = await freePort();
        const first = startCli(['serve', '--port', String(port)], target.env);
        await waitFor(first, (r) => r.stdout.includes('Press Ctrl-C'));
        first.child.kill('SIGKILL');
        await first.done(30_000);
        expect(fs.readdirSync(target.dataDir).filter((n) => n.startsWith('.serve-snapshot-')).length).toBe(1);
        const second = startCli(['serve', '--port', String(port)], target.env);
        await waitFor(second, (r) => r.stdout.includes('Press Ctrl-C'));
        expect(fs.readdirSync(target.dataDir).filter((n) => n.startsWith('.serve-snapshot-'))).toEqual([`.serve-snapshot-${second.child.pid}`]);
        second.child.kill('SIGINT');
        const r = await second.done(60_000);
        expect(r.code, `${r.signal} ${r.stdout} ${r.stderr}`).toBe(0);
        expect(fs.readdirSync(target.dataDir).filter((n) => n.startsWith('.serve-snapshot-'))).toEqual([]);
      }, 120_000);

      // ---- 5. the embedded database's disk fills up ---------------------------------------------
      it.skipIf(!canMount)('disk full under the embedded database: "disk full at DIR", exit 1, the database whole once space is back', async () => {
        const dataDir = path.join(work, 'small-disk');
        expect(mountTmpfs(dataDir, '96m')).toBe(true);
        const env = { ...target.env, DATA_DIR: dataDir };
        try {
          const migrated = await runCli(['refresh', '-d', 'mof.timeseries'], env);
          expect(migrated.code, migrated.stderr).toBe(0);
          // Room for the raw copy of the file and a little more: the merge's rows do not fit.
          const filler = path.join(dataDir, 'filler');
          const st = fs.statfsSync(dataDir);
          const free = st.bavail * st.bsize;
          const fd = fs.openSync(filler, 'w');
          const chunk = Buffer.alloc(1024 * 1024);
          for (let left = free - fs.statSync(bigFile).size - 512 * 1024; left > 0; left -= chunk.length) fs.writeSync(fd, chunk, 0, Math.min(chunk.length, left));
          fs.closeSync(fd);
          const r = await runCli(['load', '-d', 'mof.hs_country', bigFile], env);
          expect(r.code).toBe(1);
          expect(r.stderr).toMatch(new RegExp(`disk full at ${dataDir.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`));
          expect(r.stderr).not.toMatch(/undefined|active portal/);
          fs.rmSync(filler);
          // Space is back: the database opens, the failed load is recorded (by the process, or
          // marked interrupted by this start), and nothing of it was merged.
          const runs = await runCli(['runs', '--failed', '--json'], env);
          expect(runs.code, runs.stderr).toBe(0);
          const failed = JSON.parse(runs.stdout) as Array<{ command: string; status: string; error: string }>;
          expect(failed[0]).toMatchObject({ command: 'load', status: 'failed' });
          expect(failed[0]!.error).toMatch(/disk full at|interrupted/);
          const again = await runCli(['load', '-d', 'mof.timeseries', path.resolve('fixtures/mof/timeseries/d41ma.csv')], env);
          expect(again.code, again.stderr).toBe(0);
          expect(again.stdout).toMatch(/already loaded/);
        } finally {
          unmount(dataDir);
        }
      }, 240_000);
    }
  });
}
