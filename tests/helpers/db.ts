/**
 * Database fixtures for tests. Every database test runs on PGlite (one in-memory instance per
 * test file) and, when TEST_DATABASE_URL is set, also on the real server, in a database of its
 * own created for the file and dropped afterwards. CLI tests get a database of either backend
 * with the env that points the CLI at it (`cliTarget`), and checks to look into it afterwards.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll } from 'vitest';
import { connect, pgliteDb, type Db } from '../../src/db/connect.js';
import { migrate } from '../../src/db/migrate.js';
import { loadConfig } from '../../src/core/config.js';
import { fixtureEnv } from '../../src/devtools/fixture-server.js';

export interface TestDb { name: 'pglite' | 'postgres'; db: () => Db; url: () => string }

/** Backends to run database tests on: PGlite always, Postgres when TEST_DATABASE_URL is set. */
export function backends(): Array<'pglite' | 'postgres'> {
  return process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
}

/** A migrated database of the given backend, opened before the file's tests and closed after. */
export function useDb(name: 'pglite' | 'postgres', opts: { migrate?: boolean } = {}): TestDb {
  let db: Db | undefined;
  let url: string | undefined;
  let drop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    if (name === 'pglite') {
      const instance = await PGlite.create();
      db = pgliteDb(instance, 'in-memory PGlite', () => instance.close());
    } else {
      const created = await createServerDatabase();
      url = created.url;
      drop = created.drop;
      db = await connect(loadConfig({ DATABASE_URL: url }));
    }
    if (opts.migrate !== false) await migrate(db);
  });
  afterAll(async () => {
    await db?.close();
    await drop?.();
  });
  return {
    name,
    db: () => { if (!db) throw new Error('database not ready'); return db; },
    url: () => { if (!url) throw new Error('no server URL for PGlite'); return url; },
  };
}

/** Creates a throw-away database on the TEST_DATABASE_URL server. */
export async function createServerDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const base = process.env.TEST_DATABASE_URL;
  if (!base) throw new Error('TEST_DATABASE_URL is not set');
  const dbName = `trade_etl_t_${crypto.randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  await admin.end();
  const u = new URL(base);
  u.pathname = `/${dbName}`;
  return {
    url: u.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** A database for CLI runs: a temp DATA_DIR (PGlite) or a fresh server database, plus its env. */
export interface CliTarget {
  backend: 'pglite' | 'postgres';
  dataDir: string;
  env: Record<string, string>;
  /** Opens the database for inspection (PGlite: only while no CLI process holds it). */
  open(): Promise<Db>;
  drop(): Promise<void>;
}

/** Creates an empty database of the backend and the env that points the CLI (and all sources) at it. */
export async function cliTarget(backend: 'pglite' | 'postgres', fixtureUrl: string): Promise<CliTarget> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'trade-etl-ops-'));
  let databaseUrl: string | undefined;
  let dropDb: (() => Promise<void>) | undefined;
  if (backend === 'postgres') {
    const created = await createServerDatabase();
    databaseUrl = created.url;
    dropDb = created.drop;
  }
  const env: Record<string, string> = {
    ...fixtureEnv(fixtureUrl), DATA_DIR: dataDir, LOG_LEVEL: 'warn', HTTP_RETRIES: '1', HTTP_TIMEOUT_MS: '20000', LOCK_WAIT_MS: '20000',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
  };
  return {
    backend, dataDir, env,
    open: () => connect(loadConfig({ DATA_DIR: dataDir, DATABASE_URL: databaseUrl })),
    drop: async () => { await dropDb?.(); fs.rmSync(dataDir, { recursive: true, force: true }); },
  };
}

/** Row counts of the tables a load writes, for before/after comparisons. */
export async function dataCounts(db: Db): Promise<Record<string, number>> {
  const [r] = await db.query<Record<string, string>>(`SELECT
    (SELECT count(*) FROM trade.observation_history) AS observation_history,
    (SELECT count(*) FROM fx.rate_history) AS rate_history,
    (SELECT count(*) FROM tariff.line_history) AS line_history,
    (SELECT count(*) FROM etl.release WHERE status = 'loaded') AS releases_loaded,
    (SELECT count(*) FROM etl.release) AS releases,
    (SELECT count(*) FROM trade.observation_history WHERE valid_to_release IS NOT NULL) AS closed`);
  return Object.fromEntries(Object.entries(r!).map(([k, v]) => [k, Number(v)]));
}

/** Row count of every table in the etl schema (a dry run must leave all of them as they were). */
export async function etlCounts(db: Db): Promise<Record<string, number>> {
  const tables = await db.query<{ t: string }>(`SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'etl' AND table_type = 'BASE TABLE' ORDER BY 1`);
  const out: Record<string, number> = {};
  for (const { t } of tables) {
    const [r] = await db.query<{ n: string }>(`SELECT count(*) AS n FROM etl."${t}"`);
    out[t] = Number(r!.n);
  }
  return out;
}

/**
 * The database is whole: no release left 'loading', every history row belongs to a loaded
 * release, and each loaded release's inserted rows are all there. Returns the violations.
 */
export async function integrityProblems(db: Db): Promise<string[]> {
  const problems: string[] = [];
  const loading = await db.query<{ id: string }>(`SELECT id FROM etl.release WHERE status = 'loading'`);
  if (loading.length) problems.push(`releases left loading: ${loading.map((r) => r.id).join(', ')}`);
  for (const table of ['trade.observation_history', 'fx.rate_history', 'tariff.line_history']) {
    const orphans = await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table} h JOIN etl.release r ON r.id = h.valid_from_release WHERE r.status <> 'loaded'`);
    if (Number(orphans[0]!.n)) problems.push(`${table}: ${orphans[0]!.n} rows from releases that are not loaded`);
  }
  const mismatched = await db.query<{ id: string; expected: string; got: string }>(`
    SELECT r.id, r.rows_inserted AS expected,
           (SELECT count(*) FROM trade.observation_history h WHERE h.valid_from_release = r.id)
         + (SELECT count(*) FROM fx.rate_history h WHERE h.valid_from_release = r.id)
         + (SELECT count(*) FROM tariff.line_history h WHERE h.valid_from_release = r.id) AS got
    FROM etl.release r WHERE r.status = 'loaded'`);
  for (const m of mismatched) if (Number(m.expected) !== Number(m.got)) problems.push(`release ${m.id}: rows_inserted ${m.expected} but ${m.got} rows in history`);
  return problems;
}
