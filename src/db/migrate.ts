import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import type { Db, Session } from './connect.js';
import { PermanentError } from '../core/errors.js';
import { etlQueries, run } from './etl-schema.js';
import { advisoryLock } from './lock.js';
import { REPO_ROOT } from '../core/paths.js';
import { DATASET_PREFERENCE } from '../fx/policy.js';

export const SQL_DIR = path.join(REPO_ROOT, 'sql');

/** The folder of repeatable SQL inside a migrations folder (docs/migrations.md). */
export const REPEATABLE_SUBDIR = 'repeatable';

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
  /** Files of sql/repeatable/ applied in this run: all of them when anything changed, else none. */
  repeatable: string[];
  level: number;
  rolesCreated: boolean;
  /** Why sql/grants.sql was not applied, when the backend refused roles (not superuser, or no role support). */
  grantsSkipped?: string;
}

/**
 * Options of migrate(): `upTo` stops after that migration number (to build a database at an older
 * level, e.g. in tests); `grants: 'always'` re-applies sql/grants.sql even when it is current
 * (`trade-etl migrate`).
 */
export interface MigrateOptions { upTo?: number; grants?: 'always' }

const MIGRATE_LOCK = { text: 'trade-etl:migrate' };

/**
 * Applies pending migrations, each in its own transaction, then the repeatable SQL of
 * sql/repeatable/ (views and functions, re-applied when they or the migrations changed: see
 * applyRepeatable), then the grants of sql/grants.sql, which are idempotent, when this changed the
 * schema or they are not current (see applyGrants). Running it twice changes nothing.
 * @example const { applied } = await migrate(db);
 */
export async function migrate(db: Db, dir = SQL_DIR, opts: MigrateOptions = {}): Promise<MigrateResult> {
  // Two processes starting on a fresh server (cron and the scheduler) must not both apply a
  // migration: an advisory lock serializes them. PGlite is one process per data directory.
  if (db.kind === 'pglite') return migrateLocked(db, dir, opts);
  return db.withSession(async (s) => {
    await advisoryLock(s, 'lock', MIGRATE_LOCK);
    try {
      return await migrateLocked(db, dir, opts);
    } finally {
      await advisoryLock(s, 'unlock', MIGRATE_LOCK).catch(() => {});
    }
  });
}

async function migrateLocked(db: Db, dir: string, opts: MigrateOptions): Promise<MigrateResult> {
  // Every command runs this check: on a migrated database it writes nothing (the CREATE … IF NOT
  // EXISTS and the COMMENT were three statements and a catalog write per command).
  const [book] = await db.query<{ ok: boolean }>(`SELECT to_regclass('etl.schema_migration') IS NOT NULL AS ok`);
  if (!book?.ok) {
    await db.transaction((tx) => tx.exec(`
      CREATE SCHEMA IF NOT EXISTS etl;
      CREATE TABLE IF NOT EXISTS etl.schema_migration (
        version int PRIMARY KEY, name text NOT NULL, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now());
      COMMENT ON TABLE etl.schema_migration IS 'Migrations of sql/ applied to this database.';`));
  }
  const done = new Map<number, { name: string; checksum: string }>();
  const q = await etlQueries();
  for (const r of await run(db, q.selectFrom('etl.schema_migration').select(['version', 'name', 'checksum']))) {
    done.set(Number(r.version), r);
  }
  const applied: string[] = [];
  const all = listMigrations(dir);
  const wanted = all.filter((m) => opts.upTo === undefined || m.version <= opts.upTo);
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
  // The repeatable SQL and grants.sql are written for the latest schema: a database built to an
  // older level (`upTo`) has not all its tables yet.
  const partial = wanted.length < all.length;
  // What etl.schema_migration now holds: the rows read above and those just added (checked equal
  // to the files), in version order.
  const recorded = new Map([...done].map(([v, r]) => [v, r.checksum] as const));
  for (const m of wanted) recorded.set(m.version, m.checksum);
  const repeatable = partial ? [] : await applyRepeatable(db, dir, [...recorded].sort((a, b) => a[0] - b[0]));
  const schemaChanged = applied.length > 0 || repeatable.length > 0;
  const grants = partial ? { applied: false, skipped: 'the database was migrated only up to an older level; grants.sql is for the latest' }
    : await applyGrants(db, dir, opts.grants === 'always' || schemaChanged);
  const level = Math.max(0, ...[...done.keys()], ...wanted.map((m) => m.version));
  return { applied, repeatable, level, rolesCreated: grants.applied, grantsSkipped: grants.skipped };
}

/** A view or function that a file of sql/repeatable/ creates, schema-qualified. */
export interface ManagedObject { kind: 'view' | 'function'; schema: string; name: string }

export interface RepeatableFile { file: string; sql: string; checksum: string; objects: ManagedObject[] }

// A statement at the start of a line: the files are written one statement per line start, and
// every object they create is named with its schema (so no search_path decides where it lands).
const CREATE_RE = /^[ \t]*CREATE\s+(?:OR\s+REPLACE\s+)?(?:(?:TEMP|TEMPORARY|RECURSIVE|MATERIALIZED|UNLOGGED)\s+)*(VIEW|FUNCTION|TABLE|INDEX|UNIQUE\s+INDEX|SEQUENCE|TYPE|TRIGGER|SCHEMA|PROCEDURE|AGGREGATE|DOMAIN|ROLE)\b\s*(?:IF\s+NOT\s+EXISTS\s+)?([^\s(]*)/gim;

/**
 * The views and functions a repeatable file creates. Anything else (a table, an index, a type)
 * holds data or outlives a re-apply, so it belongs in a numbered migration.
 * @example managedObjects('CREATE VIEW fx.daily AS SELECT 1;', 'x.sql') // [{ kind: 'view', schema: 'fx', name: 'daily' }]
 */
export function managedObjects(sql: string, file: string): ManagedObject[] {
  const out: ManagedObject[] = [];
  for (const m of sql.matchAll(CREATE_RE)) {
    const kind = m[1]!.toUpperCase();
    const qualified = /^([a-z_][a-z0-9_]*)\.([a-z_][a-z0-9_]*)$/.exec(m[2]!);
    if ((kind !== 'VIEW' && kind !== 'FUNCTION') || m[0].toUpperCase().includes('MATERIALIZED')) {
      throw new PermanentError(`${file}: CREATE ${kind} ${m[2]} does not belong in repeatable SQL (views and functions only; tables, indexes and types go in a numbered migration)`, { file });
    }
    if (!qualified) {
      throw new PermanentError(`${file}: CREATE ${kind} ${m[2]}: name the schema, in lower case (e.g. metrics.${m[2]})`, { file });
    }
    out.push({ kind: kind === 'VIEW' ? 'view' : 'function', schema: qualified[1]!, name: qualified[2]! });
  }
  return out;
}

/** The files of sql/repeatable/ in name order, or null when the folder does not exist. */
export function listRepeatable(dir = SQL_DIR): RepeatableFile[] | null {
  const folder = path.join(dir, REPEATABLE_SUBDIR);
  if (!fs.existsSync(folder)) return null;
  return fs.readdirSync(folder).filter((f) => f.endsWith('.sql')).sort().map((f) => {
    const sql = fs.readFileSync(path.join(folder, f), 'utf8');
    return { file: f, sql, checksum: crypto.createHash('sha256').update(sql).digest('hex'), objects: managedObjects(sql, f) };
  });
}

/**
 * Rows migrate writes from TypeScript lists before the repeatable SQL runs, so that the code and
 * the SQL read one list: the FX dataset preference of src/fx/policy.ts.
 */
export const SYNCED_ROWS: ReadonlyArray<{ table: string; columns: readonly string[]; rows: ReadonlyArray<readonly unknown[]> }> = [
  { table: 'fx.dataset_preference', columns: ['dataset', 'preference'], rows: DATASET_PREFERENCE.map((d, i) => [d, i]) },
];

const objectKey = (o: ManagedObject) => `${o.kind} ${o.schema}.${o.name}`;

/**
 * Re-applies sql/repeatable/ when a file changed, a file was added or removed, a numbered
 * migration was applied since last time, or a synced list changed; otherwise does nothing. In one
 * transaction: the managed views and functions (those the files create now, and those they
 * created last time) are dropped without CASCADE, then every file runs in name order. An object
 * of someone else's that depends on a managed one stops it with an error naming that object,
 * and the database stays as it was.
 */
async function applyRepeatable(db: Db, dir: string, migrations: Array<readonly [number, string]>): Promise<string[]> {
  const files = listRepeatable(dir);
  if (files === null) return [];
  // Created here, like etl.schema_migration: migrate's own bookkeeping, needed before any file runs.
  const [exists] = await db.query<{ ok: boolean }>(`SELECT to_regclass('etl.schema_repeatable') IS NOT NULL AS ok`);
  if (!exists?.ok) {
    await db.transaction((tx) => tx.exec(`
      CREATE TABLE IF NOT EXISTS etl.schema_repeatable (
        file text PRIMARY KEY, checksum text NOT NULL, objects text[] NOT NULL, inputs text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now());
      COMMENT ON TABLE etl.schema_repeatable IS 'Files of sql/repeatable/ as last applied to this database (docs/migrations.md).';
      COMMENT ON COLUMN etl.schema_repeatable.file IS 'File name in sql/repeatable/.';
      COMMENT ON COLUMN etl.schema_repeatable.checksum IS 'sha256 of the file as applied.';
      COMMENT ON COLUMN etl.schema_repeatable.objects IS 'Views and functions the file created (kind schema.name); dropped before the next re-apply.';
      COMMENT ON COLUMN etl.schema_repeatable.inputs IS 'sha256 of what else the files were applied against: the numbered migrations applied and the lists migrate writes (src/fx/policy.ts DATASET_PREFERENCE).';
      COMMENT ON COLUMN etl.schema_repeatable.applied_at IS 'When it was applied.';`));
  }
  const q = await etlQueries();
  const inputs = crypto.createHash('sha256').update(JSON.stringify({ migrations, synced: SYNCED_ROWS })).digest('hex');
  const prev = await run(db, q.selectFrom('etl.schema_repeatable').select(['file', 'checksum', 'objects', 'inputs']).orderBy('file'));
  const same = prev.length === files.length && prev.every((p, i) =>
    p.file === files[i]!.file && p.checksum === files[i]!.checksum && p.inputs === inputs);
  if (same) return [];

  // Drop order: what the files create now, last first, then what only the previous files created.
  const current = files.flatMap((f) => f.objects);
  const toDrop = new Map<string, ManagedObject>();
  for (const o of [...current].reverse()) toDrop.set(objectKey(o), o);
  for (const p of prev) {
    for (const k of p.objects) {
      const m = /^(view|function) ([a-z_][a-z0-9_]*)\.([a-z_][a-z0-9_]*)$/.exec(k);
      if (m && !toDrop.has(k)) toDrop.set(k, { kind: m[1] as ManagedObject['kind'], schema: m[2]!, name: m[3]! });
    }
  }
  await db.transaction(async (tx) => {
    await dropManaged(tx, [...toDrop.values()]);
    for (const s of SYNCED_ROWS) {
      // Before its migration, a database has no such table; then no file reads it either.
      const [t] = await tx.query<{ ok: boolean }>('SELECT to_regclass($1) IS NOT NULL AS ok', [s.table]);
      if (!t?.ok) continue;
      await tx.query(`DELETE FROM ${s.table}`);
      for (const row of s.rows) {
        await tx.query(`INSERT INTO ${s.table} (${s.columns.join(', ')}) VALUES (${s.columns.map((_, i) => `$${i + 1}`).join(', ')})`, [...row]);
      }
    }
    for (const f of files) {
      try {
        await tx.exec(f.sql);
      } catch (err) {
        throw new PermanentError(`sql/${REPEATABLE_SUBDIR}/${f.file} could not be applied: ${(err as Error).message}`, { file: f.file }, { cause: err });
      }
    }
    await run(tx, q.deleteFrom('etl.schema_repeatable'));
    if (files.length > 0) {
      await run(tx, q.insertInto('etl.schema_repeatable')
        .values(files.map((f) => ({ file: f.file, checksum: f.checksum, objects: f.objects.map(objectKey), inputs }))));
    }
  });
  return files.map((f) => f.file);
}

/**
 * Drops the managed objects that exist, without CASCADE. Dependencies among them can differ from
 * the order of the files (an older definition read other objects), so an object still needed by
 * another managed one is retried after the others; what is left at the end is needed by an object
 * that is not ours.
 */
async function dropManaged(tx: Session, objects: ManagedObject[]): Promise<void> {
  type Drop = { what: string; stmt: string; oid: string };
  let pending: Drop[] = [];
  for (const o of objects) {
    if (o.kind === 'view') {
      const [r] = await tx.query<{ kind: string; oid: string }>(
        `SELECT c.relkind::text AS kind, c.oid::text AS oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2`, [o.schema, o.name]);
      if (!r) continue;
      if (r.kind !== 'v') {
        throw new PermanentError(`sql/${REPEATABLE_SUBDIR}/ creates the view ${o.schema}.${o.name}, but the database has a ${r.kind === 'r' || r.kind === 'p' ? 'table' : `relation of kind ${r.kind}`} of that name: a numbered migration must drop or rename it first`, { object: `${o.schema}.${o.name}` });
      }
      pending.push({ what: `view ${o.schema}.${o.name}`, stmt: `DROP VIEW ${o.schema}.${o.name}`, oid: r.oid });
    } else {
      // Every overload: a changed signature must not leave the old one behind.
      const fns = await tx.query<{ sig: string; oid: string }>(
        `SELECT p.oid::regprocedure::text AS sig, p.oid::text AS oid FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = $1 AND p.proname = $2`, [o.schema, o.name]);
      for (const f of fns) pending.push({ what: `function ${f.sig}`, stmt: `DROP FUNCTION ${f.sig}`, oid: f.oid });
    }
  }
  const managed = new Set(pending.map((p) => p.oid));
  while (pending.length > 0) {
    const blocked: Array<Drop & { detail: string }> = [];
    for (const p of pending) {
      await tx.query('SAVEPOINT repeatable_drop');
      try {
        await tx.query(p.stmt);
        await tx.query('RELEASE SAVEPOINT repeatable_drop');
      } catch (err) {
        await tx.query('ROLLBACK TO SAVEPOINT repeatable_drop');
        if (pgCode(err) !== '2BP01') throw err;
        blocked.push({ ...p, detail: pgDetail(err) ?? (err as Error).message });
      }
    }
    if (blocked.length === pending.length) throw await dependentsError(tx, blocked, managed);
    pending = blocked;
  }
}

/**
 * The error for managed objects that objects outside sql/repeatable/ depend on: it names those
 * objects with their schema (Postgres's own message leaves out schemas on the search_path).
 */
async function dependentsError(tx: Session, blocked: Array<{ what: string; oid: string; detail: string }>, managed: Set<string>): Promise<PermanentError> {
  // Views (their rewrite rules) are what usually depends on a view or function; anything else
  // (a column default, an index) is named by Postgres's detail below.
  const deps = await tx.query<{ dependent: string; ref: string }>(`
    SELECT DISTINCT quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS dependent, d.refobjid::text AS ref
    FROM pg_depend d
    JOIN pg_rewrite rw ON d.classid = 'pg_rewrite'::regclass AND rw.oid = d.objid
    JOIN pg_class c ON c.oid = rw.ev_class
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE d.refobjid::text = ANY($1) AND c.oid::text <> ALL($2) AND c.oid <> d.refobjid`,
  [blocked.map((b) => b.oid), [...managed]]);
  const outside = blocked.flatMap((b) => deps.filter((d) => d.ref === b.oid).map((d) => `view ${d.dependent} depends on ${b.what}`));
  const why = outside.length > 0 ? outside.join('; ') : blocked.map((b) => b.detail).join('; ');
  return new PermanentError(
    `sql/${REPEATABLE_SUBDIR}/ could not be re-applied: objects that are not part of it depend on its views or functions (${why}). ` +
    'Nothing was changed. Save their definitions, drop them, run migrate, then create them again (docs/migrations.md).',
    { blocked: blocked.map((b) => b.what) });
}

function pgCode(err: unknown): string | undefined {
  return (err as { code?: string }).code ?? (err as { cause?: { code?: string } }).cause?.code;
}

function pgDetail(err: unknown): string | undefined {
  return (err as { detail?: string }).detail ?? (err as { cause?: { detail?: string } }).cause?.detail;
}

/**
 * The analyst role and its read-only grants. Applied when this migrate changed the schema (`force`),
 * when grants.sql is not the one etl.schema_grants records, or when the role is gone (a server's
 * roles are the server's: someone may drop it). Otherwise it is current, and the command saves a
 * re-apply (0.12 s on PGlite) and its catalog writes, which race other processes' loads. Where the
 * backend refuses roles, the database still works (and nothing is recorded, so it is tried again).
 */
async function applyGrants(db: Db, dir: string, force: boolean): Promise<{ applied: boolean; skipped?: string }> {
  const file = path.join(dir, 'grants.sql');
  if (!fs.existsSync(file)) return { applied: false, skipped: `no ${file}` };
  const sql = fs.readFileSync(file, 'utf8');
  const checksum = crypto.createHash('sha256').update(sql).digest('hex');
  // A migrations folder without sql/094_schema_grants.sql (tests build some) records nothing.
  const [state] = await db.query<{ recorded: boolean; role: boolean }>(`SELECT to_regclass('etl.schema_grants') IS NOT NULL AS recorded,
    EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'analyst') AS role`);
  const recorded = state?.recorded === true;
  if (!force && recorded && state?.role) {
    const [r] = await db.query<{ current: boolean }>('SELECT EXISTS (SELECT 1 FROM etl.schema_grants WHERE checksum = $1) AS current', [checksum]);
    if (r?.current) return { applied: true };
  }
  for (let attempt = 1; ; attempt++) {
    try {
      await db.transaction(async (tx) => {
        await tx.exec(sql);
        if (recorded) {
          await tx.query(`INSERT INTO etl.schema_grants (checksum) VALUES ($1)
            ON CONFLICT (one) DO UPDATE SET checksum = EXCLUDED.checksum, applied_at = now()`, [checksum]);
        }
      });
      return { applied: true };
    } catch (err) {
      // Only a backend that refuses roles is expected (insufficient privilege, feature not
      // supported); any other failure is a broken grants.sql or database and must be seen.
      const code = pgCode(err);
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
