import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import type { Db } from './connect.js';
import { PermanentError } from '../core/errors.js';
import { etlQueries, run } from './etl-schema.js';
import { REPO_ROOT } from '../core/paths.js';

export const SQL_DIR = path.join(REPO_ROOT, 'sql');

export interface Migration { version: number; name: string; file: string; sql: string; checksum: string }

/** The numbered migrations in sql/ (NNN_name.sql), in order. */
export function listMigrations(dir = SQL_DIR): Migration[] {
  return fs.readdirSync(dir)
    .filter((f) => /^\d{3}_.+\.sql$/.test(f))
    .sort()
    .map((f) => {
      const sql = fs.readFileSync(path.join(dir, f), 'utf8');
      return {
        version: Number(f.slice(0, 3)),
        name: f.slice(4, -4),
        file: f,
        sql,
        checksum: crypto.createHash('sha256').update(sql).digest('hex'),
      };
    });
}

export interface MigrateResult {
  applied: string[];
  level: number;
  rolesCreated: boolean;
  /** Why sql/grants.sql was not applied, when the backend refused roles (not superuser, or no role support). */
  grantsSkipped?: string;
}

/** Options of migrate(): `upTo` stops after that migration number (to build a database at an older level, e.g. in tests). */
export interface MigrateOptions { upTo?: number }

/**
 * Applies pending migrations, each in its own transaction, then (re)applies the grants of
 * sql/grants.sql, which are idempotent. Running it twice changes nothing.
 * @example const { applied } = await migrate(db);
 */
export async function migrate(db: Db, dir = SQL_DIR, opts: MigrateOptions = {}): Promise<MigrateResult> {
  // Two processes starting on a fresh server (cron and the scheduler) must not both apply a
  // migration: an advisory lock serializes them. PGlite is one process per data directory.
  if (db.kind === 'pglite') return migrateLocked(db, dir, opts);
  return db.withSession(async (s) => {
    await s.query(`SELECT pg_advisory_lock(hashtext('trade-etl:migrate'))`);
    try {
      return await migrateLocked(db, dir, opts);
    } finally {
      await s.query(`SELECT pg_advisory_unlock(hashtext('trade-etl:migrate'))`).catch(() => {});
    }
  });
}

async function migrateLocked(db: Db, dir: string, opts: MigrateOptions): Promise<MigrateResult> {
  await db.query(`CREATE SCHEMA IF NOT EXISTS etl`);
  await db.query(`CREATE TABLE IF NOT EXISTS etl.schema_migration (
    version int PRIMARY KEY, name text NOT NULL, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
  await db.query(`COMMENT ON TABLE etl.schema_migration IS 'Migrations of sql/ applied to this database.'`);
  const done = new Map<number, { name: string; checksum: string }>();
  const q = await etlQueries();
  for (const r of await run(db, q.selectFrom('etl.schema_migration').select(['version', 'name', 'checksum']))) {
    done.set(Number(r.version), r);
  }
  const applied: string[] = [];
  const wanted = listMigrations(dir).filter((m) => opts.upTo === undefined || m.version <= opts.upTo);
  for (const m of wanted) {
    const prev = done.get(m.version);
    if (prev) {
      if (prev.checksum !== m.checksum) {
        throw new PermanentError(
          `migration ${m.file} was changed after it was applied to this database (checksum differs). ` +
          'Add a new numbered migration instead of editing an applied one.', { migration: m.file },
        );
      }
      continue;
    }
    await db.transaction(async (tx) => {
      await tx.exec(m.sql);
      await run(tx, q.insertInto('etl.schema_migration').values({ version: m.version, name: m.name, checksum: m.checksum }));
    });
    applied.push(m.file);
  }
  // grants.sql is written for the latest schema: a database built to an older level (`upTo`) has not all its schemas yet.
  const partial = wanted.length < listMigrations(dir).length;
  const grants = partial ? { applied: false, skipped: 'the database was migrated only up to an older level; grants.sql is for the latest' } : await applyGrants(db, dir);
  const level = Math.max(0, ...[...done.keys()], ...wanted.map((m) => m.version));
  return { applied, level, rolesCreated: grants.applied, grantsSkipped: grants.skipped };
}

/**
 * The analyst role and its read-only grants. Re-run after every migrate so that views added by
 * later migrations are covered. Where the backend refuses roles, the database still works.
 */
async function applyGrants(db: Db, dir: string): Promise<{ applied: boolean; skipped?: string }> {
  const file = path.join(dir, 'grants.sql');
  if (!fs.existsSync(file)) return { applied: false, skipped: `no ${file}` };
  const sql = fs.readFileSync(file, 'utf8');
  for (let attempt = 1; ; attempt++) {
    try {
      await db.transaction((tx) => tx.exec(sql));
      return { applied: true };
    } catch (err) {
      // Only a backend that refuses roles is expected (insufficient privilege, feature not
      // supported); any other failure is a broken grants.sql or database and must be seen.
      const code = (err as { code?: string }).code ?? (err as { cause?: { code?: string } }).cause?.code;
      if (code === '42501' || code === '0A000') return { applied: false, skipped: (err as Error).message };
      // The analyst role is the server's, not the database's: commands starting at the same time
      // (cron beside the scheduler, or on other databases of the server) re-apply its grants
      // concurrently, and Postgres refuses the loser ("tuple concurrently updated", a deadlock,
      // a role created twice). Its grants are the same; applying them again succeeds.
      if (attempt < 5 && concurrentCatalogUpdate(err, code)) {
        await new Promise((r) => setTimeout(r, 50 + Math.random() * 200 * attempt));
        continue;
      }
      throw new PermanentError(`${file} could not be applied: ${(err as Error).message}`, { file, code });
    }
  }
}

/** A catalog row updated by two sessions at once: retrying is safe for idempotent DDL. */
function concurrentCatalogUpdate(err: unknown, code: string | undefined): boolean {
  return code === '40P01' || code === '40001' || code === '23505'
    || (code === 'XX000' && /tuple concurrently (updated|deleted)/.test((err as Error).message));
}

/** Applied migration level, or 0 on an empty database. */
export async function migrationLevel(db: Db): Promise<number> {
  const exists = await db.query<{ ok: boolean }>(`SELECT to_regclass('etl.schema_migration') IS NOT NULL AS ok`);
  if (!exists[0]?.ok) return 0;
  const r = await db.query<{ v: number | null }>('SELECT max(version) AS v FROM etl.schema_migration');
  return Number(r[0]?.v ?? 0);
}
