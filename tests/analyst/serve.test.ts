import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../src/db/connect.js';
import { migrate } from '../../src/db/migrate.js';
import { loadConfig } from '../../src/core/config.js';
import { seedVintages } from './seed.js';
import { childEnv, freePort, runCli, startCli, waitFor } from '../helpers/cli.js';

describe('trade-etl serve (embedded database over the wire protocol)', () => {
  let dataDir: string;
  let port: number;
  let serve: ReturnType<typeof startCli>;
  let countries: number;
  const client = (): pg.Client => new pg.Client({ host: '127.0.0.1', port, user: 'analyst', database: 'trade', connectionTimeoutMillis: 10_000 });

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'trade-etl-serve-test-'));
    // Prepare DATA_DIR with the real connect/migrate, then let the process go (it releases the lock).
    const db = await connect(loadConfig({ DATA_DIR: dataDir }));
    await migrate(db);
    await seedVintages(db);
    countries = Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM ref.country'))[0]!.n);
    await db.close();
    port = await freePort();
    serve = startCli(['serve', '--port', String(port)], { DATA_DIR: dataDir });
    await waitFor(serve, (r) => r.stdout.includes('Press Ctrl-C'));
  });

  afterAll(async () => {
    if (serve && serve.child.exitCode === null) serve.child.kill('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints how to connect', () => {
    const out = serve.out().stdout;
    expect(out).toContain(`127.0.0.1:${port}`);
    expect(out).toContain(`psql -h 127.0.0.1 -p ${port}`);
    expect(out).toContain('analyst, read-only');
  });

  it('answers the pg client: reference data, the current trade vintage and exchange rates', async () => {
    const c = client();
    await c.connect();
    try {
      const n = await c.query('SELECT count(*)::int AS n FROM ref.country');
      expect(n.rows[0].n).toBe(countries);
      expect(countries).toBeGreaterThan(200);
      const obs = await c.query(`SELECT value::text, stage, published_on::text FROM trade.observation
        WHERE dataset = 'mof.press' AND period = '2024' AND flow = 'export' AND partner = 'WORLD'`);
      expect(obs.rows).toEqual([{ value: '107097900000000', stage: 'revised', published_on: '2025-03-13' }]);
      const asOf = await c.query(`SELECT value::text FROM trade.observation_as_of('2025-02-01') WHERE period = '2024'`);
      expect(asOf.rows).toEqual([{ value: '107091300000000' }]);
      const fx = await c.query(`SELECT rate::text FROM fx.rate WHERE series = 'DEXJPUS' AND date = '2025-04-21'`);
      expect(fx.rows).toEqual([{ rate: '140.81' }]);
      // Every analyst view in metrics answers too (the schema fills up as migrations are added).
      const views = await c.query(`SELECT schemaname || '.' || viewname AS v FROM pg_views WHERE schemaname = 'metrics' ORDER BY 1`);
      for (const { v } of views.rows) await c.query(`SELECT * FROM ${v} LIMIT 1`);
    } finally {
      await c.end();
    }
  });

  it('serves analysts read-only, without the etl schema', async () => {
    const c = client();
    await c.connect();
    try {
      expect((await c.query('SELECT current_user AS u')).rows[0].u).toBe('analyst');
      await expect(c.query('SELECT count(*) FROM etl.release')).rejects.toMatchObject({ code: '42501' });
      await expect(c.query(`DELETE FROM trade.observation_history`)).rejects.toMatchObject({ code: '25006' });
    } finally {
      await c.end();
    }
  });

  it('refuses a second simultaneous client with a clear FATAL (PGlite has one session)', async () => {
    const first = client();
    await first.connect();
    try {
      const second = client();
      const err = await second.connect().then(() => null, (e: unknown) => e as { code?: string; message: string });
      expect(err?.code).toBe('53300');
      expect(err?.message).toMatch(/1 connection at a time/);
      // The first one is unharmed.
      expect((await first.query('SELECT 1 AS one')).rows[0].one).toBe(1);
    } finally {
      await first.end();
    }
    // Once it is gone, the next client gets in.
    const third = client();
    await third.connect();
    expect((await third.query('SELECT 2 AS two')).rows[0].two).toBe(2);
    await third.end();
  });

  it('works with psql, whose default sslmode=prefer first asks for SSL', () => {
    const r = spawnSync('psql', ['-h', '127.0.0.1', '-p', String(port), '-U', 'analyst', '-d', 'trade', '-X', '-A', '-t', '-c',
      `SELECT count(*) FROM ref.country; SELECT to_char(value, 'FM999999999999999') FROM trade.observation WHERE period = '2024'`], {
      env: childEnv({ PGSSLMODE: undefined, PGCONNECT_TIMEOUT: '10', PGPASSWORD: undefined }), encoding: 'utf8', timeout: 30_000,
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual([String(countries), '107097900000000']);
  });

  it('stops on SIGTERM: exit 0, the copy closed and deleted; DATA_DIR was free all along', async () => {
    // Analysts are served a copy (src/analyst/serve-snapshot.ts): DATA_DIR is not held meanwhile.
    expect(fs.existsSync(path.join(dataDir, 'pglite.lock'))).toBe(false);
    expect(fs.readdirSync(dataDir).filter((n) => n.startsWith('.serve-snapshot-'))).toHaveLength(1);
    serve.child.kill('SIGTERM');
    const r = await serve.done();
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Stopped; the copy is closed and deleted.');
    expect(fs.readdirSync(dataDir).filter((n) => n.startsWith('.serve-snapshot-'))).toEqual([]);
    // The directory is usable again by the next command.
    const db = await connect(loadConfig({ DATA_DIR: dataDir }));
    expect((await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM trade.observation`))[0]!.n).toBe(1);
    await db.close();
  });

  it('with DATABASE_URL set there is nothing to serve: exit 2 and says so', async () => {
    const r = await runCli(['serve'], { DATA_DIR: dataDir, DATABASE_URL: 'postgres://someone:Pw1234567@127.0.0.1:1/nothing' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/already reachable/);
    expect(r.stderr).not.toContain('Pw1234567');
  });
});
