/**
 * The checks of `trade-etl doctor`: configuration, database, migrations, roles, raw store, and
 * the state the runs left behind. Each check is one line, OK / WARN / FAIL; nothing here
 * changes the database (the embedded one is not even created when it does not exist yet).
 */
import fs from 'node:fs';
import path from 'node:path';
import { redactSecrets, redactUrl, type Config } from '../core/config.js';
import { EtlError } from '../core/errors.js';
import { connect, type Db } from '../db/connect.js';
import { listMigrations, migrationLevel } from '../db/migrate.js';
import { markInterruptedRuns } from '../engine/runs.js';
import { rawDir } from '../fetch/raw-store.js';
import { etlQueries, run, etlBuilder } from '../db/etl-schema.js';
import { SOURCES } from '../../pipelines/sources.js';
import { analystSchemas } from '../engine/registry.js';

export type Level = 'OK' | 'WARN' | 'FAIL';
export interface Check { name: string; level: Level; detail: string }

/** Schemas the analyst role reads; it must not see etl. */
export const ANALYST_SCHEMAS: readonly string[] = analystSchemas();

/** `CENSUS_API_KEY` → 'census api key', the name of its doctor line. */
const secretCheckName = (env: string) => env.toLowerCase().replace(/_/g, ' ');
/** Days back the failed-release check looks. */
const FAILED_WINDOW_DAYS = 7;
/** Every source publishes at least weekly (H.10) or monthly (MOF, Census): a week without a successful check means refresh is not running. */
const FRESH_CHECK_DAYS = 7;

/**
 * Runs every check against a configuration; never throws for a broken environment (that is a FAIL line).
 * @example const checks = await runHealthChecks(loadConfig()); const failed = checks.some((c) => c.level === 'FAIL');
 */
export async function runHealthChecks(config: Config): Promise<Check[]> {
  const checks: Check[] = [];
  const add = (name: string, level: Level, detail: string) => checks.push({ name, level, detail: redactSecrets(detail, config) });

  add('backend', 'OK', config.databaseUrl
    ? `Postgres server ${redactUrl(config.databaseUrl)} (DATABASE_URL)`
    : `embedded PGlite in ${path.join(config.dataDir, 'pglite')} (DATABASE_URL not set)`);
  const dirCheck = checkDataDir(config.dataDir);
  add('data dir', dirCheck.level, dirCheck.detail);
  for (const [name, url] of Object.entries(config.baseUrls)) {
    const c = checkBaseUrl(url);
    add(`base url ${name}`, c.level, c.detail);
  }
  for (const source of SOURCES) {
    for (const s of source.secrets ?? []) {
      if (config.secrets[s.env]) add(secretCheckName(s.env), 'OK', `${s.env} is set (value not shown)`);
      else if (s.whenMissing) add(secretCheckName(s.env), 'WARN', s.whenMissing);
    }
  }

  let db: Db | undefined;
  if (!config.databaseUrl && !embeddedExists(config.dataDir)) {
    add('database', 'WARN', `no embedded database yet in ${path.join(config.dataDir, 'pglite')}; \`trade-etl migrate\` (or \`demo\`) creates it`);
  } else {
    try {
      db = await connect(config);
      const [v] = await db.query<{ v: string }>(`SELECT current_setting('server_version') AS v`);
      add('database', 'OK', `reachable: ${db.describe()} (PostgreSQL ${v?.v})`);
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      // The embedded database is locked while another command (or `serve`) uses it: busy, not broken.
      const busy = err instanceof EtlError && typeof err.context.pid === 'number';
      add('database', busy ? 'WARN' : 'FAIL', busy ? `${msg} — the other checks need it` : msg);
    }
  }
  try {
    if (db) await databaseChecks(db, config, add);
  } finally {
    await db?.close();
  }
  const raw = rawStore(config.dataDir);
  if (!checks.some((c) => c.name === 'raw store')) add('raw store', 'OK', raw.detail);
  return checks;
}

async function databaseChecks(db: Db, config: Config, add: (name: string, level: Level, detail: string) => void): Promise<void> {
  const level = await migrationLevel(db);
  const known = listMigrations();
  const latest = Math.max(0, ...known.map((m) => m.version));
  if (level === 0) {
    add('migrations', 'WARN', `database not migrated (latest migration ${latest}); run \`trade-etl migrate\``);
    return;
  }
  const q = await etlQueries();
  const { sql } = await import('kysely');
  const applied = await run(db, q.selectFrom('etl.schema_migration').select(['version', 'checksum']).orderBy('version'));
  const changed = applied.filter((a) => known.some((m) => m.version === Number(a.version) && m.checksum !== a.checksum)).map((a) => a.version);
  const pending = known.filter((m) => !applied.some((a) => Number(a.version) === m.version)).map((m) => m.file);
  if (changed.length) {
    add('migrations', 'FAIL', `migration(s) ${changed.join(', ')} were edited after being applied here (checksums differ); migrate will refuse — restore the files and add a new numbered migration instead`);
  } else if (level > latest) {
    add('migrations', 'FAIL', `database is at migration ${level} but this trade-etl knows only up to ${latest}: upgrade trade-etl`);
  } else if (pending.length) {
    add('migrations', 'WARN', `level ${level} of ${latest}; pending: ${pending.join(', ')} — run \`trade-etl migrate\` (every loading command also migrates first)`);
  } else {
    add('migrations', 'OK', `level ${level} of ${latest}, up to date`);
  }

  if (db.kind === 'pg') {
    const role = await analystRoleProblems(db);
    add('analyst role', role.level, role.detail);
  }

  const raw = rawStore(config.dataDir);
  const loaded = await run(db, q.selectFrom('etl.release').select('sha256').distinct().where('status', 'in', ['loaded', 'stale']));
  const missing = loaded.filter((r) => !raw.files.has(r.sha256)).length;
  add('raw store', missing ? 'WARN' : 'OK', missing
    ? `${raw.detail}; ${missing} loaded release(s) have no raw file there (reprocessing them needs a re-fetch)`
    : raw.detail);

  // Runs whose process is gone are marked failed (interrupted) here too, as every command does on
  // start; those of the last week are listed so a kill or a crash does not pass for OK.
  if (level >= 40) {
    await markInterruptedRuns(db).catch((err: Error) => add('interrupted runs', 'WARN', `could not mark runs whose process is gone: ${err.message}`));
  }
  const interruptedRuns = level >= 40 ? await run(db, q.selectFrom('etl.run as u').select(['u.id', 'u.command', 'u.error'])
    .where('u.status', '=', 'failed').where('u.error', 'like', 'interrupted%').where('u.started_at', '>', sql<Date>`now() - interval '7 days'`)
    .where((eb) => eb.not(eb.exists(eb.selectFrom('etl.run as r2').select(sql`1`.as('one')).whereRef('r2.retry_of', '=', 'u.id').where('r2.status', '=', 'succeeded'))))
    .orderBy('u.id', 'desc')) : [];
  add('interrupted runs', interruptedRuns.length ? 'WARN' : 'OK', interruptedRuns.length
    ? `${interruptedRuns.length} run(s) of the last 7 days were interrupted (killed, a signal, or the database went away) and not retried successfully: ${interruptedRuns.slice(0, 5).map((r) => `#${r.id} ${r.command}`).join(', ')} — \`trade-etl retry <id>\` re-runs one`
    : 'no interrupted run in the last 7 days');

  // A release stays 'loading' only if its process died between fetch and merge (the merge is one transaction).
  // On the embedded database no other process can be loading now (we hold its lock), so every one is stuck.
  const stuck = await run(db, q.selectFrom('etl.release as r').leftJoin('etl.run as u', 'u.id', 'r.run_id')
    .select(['r.id', 'r.dataset', 'r.file_name', 'r.fetched_at'])
    .where('r.status', '=', 'loading')
    .where((eb) => eb.or([
      eb.lit(db.kind === 'pglite'), eb('u.id', 'is', null), eb('u.status', '<>', 'running'), eb('r.fetched_at', '<', sql<Date>`now() - interval '6 hours'`),
    ]))
    .orderBy('r.id'));
  add('stuck releases', stuck.length ? 'WARN' : 'OK', stuck.length
    ? `${stuck.length} release(s) left in 'loading' by a crashed run (the database is consistent; nothing of them was merged): ${stuck.slice(0, 5).map((s) => `#${s.id} ${s.dataset} ${s.file_name}`).join(', ')}${stuck.length > 5 ? ', …' : ''} — refresh/load again`
    : `no release left in 'loading'`);

  const unfinished = await run(db, q.selectFrom('etl.run').select(['id', 'command'])
    .where('status', '=', 'running')
    .where((eb) => eb.or([eb.lit(db.kind === 'pglite'), eb('started_at', '<', sql<Date>`now() - interval '6 hours'`)]))
    .orderBy('id'));
  add('unfinished runs', unfinished.length ? 'WARN' : 'OK', unfinished.length
    ? `${unfinished.length} run(s) never finished (process killed?): ${unfinished.slice(0, 5).map((r) => `#${r.id} ${r.command}`).join(', ')}`
    : 'no run left running');

  const recentlyFailed = q.selectFrom('etl.release').where('status', '=', 'failed')
    .where('fetched_at', '>', sql<Date>`now() - make_interval(days => ${FAILED_WINDOW_DAYS})`);
  const failed = await run(db, q.selectFrom(sql<{ one: number }>`(SELECT 1)`.as('one'))
    .leftJoinLateral(recentlyFailed.selectAll().orderBy('id', 'desc').limit(1).as('l'), (join) => join.onTrue())
    .select([recentlyFailed.select(sql<number>`count(*)::int`.as('n')).as('n'), 'l.dataset', 'l.file_name', 'l.error', 'l.fetched_at']));
  const f = failed[0]!;
  add(`failed releases ${FAILED_WINDOW_DAYS}d`, f.n ? 'WARN' : 'OK', f.n
    ? `${f.n} failed in the last ${FAILED_WINDOW_DAYS} days; latest: ${f.dataset} ${f.file_name}: ${oneLine(f.error ?? '', 160)} — see \`trade-etl runs\``
    : `none in the last ${FAILED_WINDOW_DAYS} days`);

  const fresh = await freshness(db);
  add('freshness', fresh.level, fresh.detail);
}

/** What is wrong with the analyst role on a server, if anything. */
async function analystRoleProblems(db: Db): Promise<{ level: Level; detail: string }> {
  const [r] = await db.query<{ rolcanlogin: boolean; rolsuper: boolean; rolcreaterole: boolean; rolcreatedb: boolean; rolbypassrls: boolean }>(
    `SELECT rolcanlogin, rolsuper, rolcreaterole, rolcreatedb, rolbypassrls FROM pg_roles WHERE rolname = 'analyst'`);
  if (!r) return { level: 'FAIL', detail: 'role analyst is missing; `trade-etl migrate` creates it (needs CREATEROLE)' };
  if (r.rolsuper || r.rolcreaterole || r.rolcreatedb || r.rolbypassrls) {
    return { level: 'FAIL', detail: 'role analyst has SUPERUSER/CREATEROLE/CREATEDB/BYPASSRLS: it must be a plain read-only login' };
  }
  const [p] = await db.query<{ etl: boolean; missing: string[] | null; unreadable: string[] | null; temp: boolean; lo: string[] | null }>(`
    SELECT has_schema_privilege('analyst', 'etl', 'USAGE') AS etl,
           has_database_privilege('analyst', current_database(), 'TEMPORARY') AS temp,
           (SELECT array_agg(DISTINCT p.proname ORDER BY p.proname) FROM pg_proc p
             WHERE p.pronamespace = 'pg_catalog'::regnamespace AND p.proname IN ('lo_creat', 'lo_create', 'lo_from_bytea', 'lo_put', 'lowrite', 'lo_unlink')
               AND has_function_privilege('analyst', p.oid, 'EXECUTE')) AS lo,
           (SELECT array_agg(s) FROM unnest($1::text[]) s WHERE NOT has_schema_privilege('analyst', s, 'USAGE')) AS missing,
           (SELECT array_agg(n.nspname || '.' || c.relname ORDER BY 1)
              FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = ANY($1) AND c.relkind IN ('r', 'v', 'm', 'p')
               AND NOT has_table_privilege('analyst', c.oid, 'SELECT')) AS unreadable`, [[...ANALYST_SCHEMAS]]);
  if (p?.etl) return { level: 'FAIL', detail: 'role analyst can use schema etl (it must not): re-run `trade-etl migrate` to re-apply sql/grants.sql' };
  const problems = [
    p?.missing?.length ? `no USAGE on ${p.missing.join(', ')}` : '',
    p?.unreadable?.length ? `cannot SELECT ${p.unreadable.slice(0, 5).join(', ')}${p.unreadable.length > 5 ? ', …' : ''}` : '',
    // Revoked from PUBLIC by sql/grants.sql where the migrating role may (owner or superuser).
    p?.temp ? 'can create temporary tables (TEMPORARY on the database)' : '',
    p?.lo?.length ? `can create large objects (${p.lo.join(', ')})` : '',
  ].filter(Boolean);
  if (problems.length) return { level: 'WARN', detail: `role analyst: ${problems.join('; ')} — \`trade-etl migrate\` re-applies the grants` };
  if (!r.rolcanlogin) return { level: 'WARN', detail: 'role analyst exists but cannot LOGIN' };
  return { level: 'OK', detail: `present: LOGIN, reads ${ANALYST_SCHEMAS.join(', ')}, no etl` };
}

/**
 * Freshness against the cadences of config/schedule.json (the same verdict as
 * `status --check-freshness`) when that file and its datasets are there; otherwise per dataset
 * the last successful check or load, WARN when nothing was checked for a week.
 */
async function freshness(db: Db): Promise<{ level: Level; detail: string }> {
  try {
    // Loaded lazily: a broken or missing schedule file must not take the other checks down.
    const { loadScheduleConfig } = await import('../ops/schedule-config.js');
    const { checkFreshness } = await import('../ops/freshness.js');
    const cfg = loadScheduleConfig();
    if (Object.keys(cfg.freshness).length) {
      const { rows, stale } = await checkFreshness(db, cfg.freshness);
      const judged = rows.filter((r) => r.verdict !== 'not checked');
      if (judged.length) {
        const list = judged.map((r) => `${r.dataset} ${r.verdict}${r.age ? ` (${r.age} old, max ${r.max_age})` : ` (max ${r.max_age})`}`).join('; ');
        return stale.length
          ? { level: 'WARN', detail: `${stale.length} dataset(s) stale by ${path.basename(cfg.file)}: ${list}` }
          : { level: 'OK', detail: list };
      }
    }
  } catch { /* no usable schedule: fall back to when we last looked */ }
  const { q, sql } = await etlBuilder();
  const rows = await run(db, q
    .with('seen', (w) => w.selectFrom('etl.release').select(['dataset', 'fetched_at as at']).where('status', 'in', ['loaded', 'stale'])
      .unionAll(w.selectFrom('etl.http_cache').select(['dataset', 'checked_at as at'])))
    .selectFrom('seen as s')
    .select((eb) => [
      's.dataset', eb.fn.max('s.at').as('last_seen'),
      sql<number>`floor(extract(epoch FROM now() - max(s.at)) / 86400)::int`.as('days'),
      eb.selectFrom('etl.release as r').select(sql<string | null>`max(r.published_on)::text`.as('published_on'))
        .whereRef('r.dataset', '=', 's.dataset').where('r.status', '=', 'loaded').as('published_on'),
    ])
    .groupBy('s.dataset').orderBy('s.dataset'));
  if (!rows.length) return { level: 'WARN', detail: 'nothing loaded yet: `trade-etl refresh` (or `demo` for the bundled files)' };
  const list = rows.map((r) => `${r.dataset} newest ${r.published_on ?? '?'}, checked ${r.days}d ago`).join('; ');
  const newest = Math.min(...rows.map((r) => Number(r.days)));
  return newest > FRESH_CHECK_DAYS
    ? { level: 'WARN', detail: `no dataset checked in the last ${FRESH_CHECK_DAYS} days — is the scheduled refresh running? ${list}` }
    : { level: 'OK', detail: list };
}

function checkDataDir(dir: string): { level: Level; detail: string } {
  let existing = dir;
  while (!fs.existsSync(existing) && path.dirname(existing) !== existing) existing = path.dirname(existing);
  try {
    if (!fs.statSync(existing).isDirectory()) return { level: 'FAIL', detail: `${existing} is not a directory (DATA_DIR=${dir})` };
    if (existing === dir) {
      const probe = path.join(dir, `.doctor-${process.pid}`);
      fs.writeFileSync(probe, 'ok');
      fs.rmSync(probe);
      return { level: 'OK', detail: `${dir} is writable` };
    }
    fs.accessSync(existing, fs.constants.W_OK);
    return { level: 'OK', detail: `${dir} does not exist yet; it will be created (${existing} is writable)` };
  } catch (err) {
    return { level: 'FAIL', detail: `${dir} is not writable (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); set DATA_DIR to a writable directory` };
  }
}

function checkBaseUrl(raw: string): { level: Level; detail: string } {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return { level: 'FAIL', detail: `not a URL: ${JSON.stringify(raw)}` };
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return { level: 'FAIL', detail: `${redactUrl(raw)}: only http(s) is fetched` };
  const local = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/.test(u.hostname);
  if (u.protocol === 'http:' && !local) return { level: 'WARN', detail: `${redactUrl(raw)} is plain http (not a local mirror): the official sources are https` };
  return { level: 'OK', detail: `${redactUrl(raw)}${local ? ' (local mirror)' : ''}` };
}

function embeddedExists(dataDir: string): boolean {
  return fs.existsSync(path.join(dataDir, 'pglite', 'PG_VERSION'));
}

function rawStore(dataDir: string): { files: Set<string>; detail: string } {
  const dir = rawDir(dataDir);
  const files = new Set<string>();
  let bytes = 0;
  let partial = 0;
  if (fs.existsSync(dir)) {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (!e.isFile()) continue;
      if (e.name.startsWith('.tmp-')) { partial++; continue; }
      files.add(e.name);
      bytes += fs.statSync(path.join(dir, e.name)).size;
    }
  }
  return {
    files,
    detail: `${dir}: ${files.size} file(s), ${humanBytes(bytes)}${partial ? `, ${partial} partial download(s) left by interrupted fetches (safe to delete)` : ''}`,
  };
}

function humanBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return i === 0 ? `${n} B` : `${v.toFixed(1)} ${units[i]}`;
}

function oneLine(s: string, max: number): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}
