/**
 * Database fixtures for tests. Every database test runs on PGlite (one in-memory instance per
 * test file) and, when TEST_DATABASE_URL is set, also on the real server, in a database of its
 * own created for the file and dropped afterwards.
 */
import crypto from 'node:crypto';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll } from 'vitest';
import { connect, pgliteDb, type Db } from '../../src/db/connect.js';
import { migrate } from '../../src/db/migrate.js';
import { loadConfig } from '../../src/core/config.js';

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
