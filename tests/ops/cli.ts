/**
 * Helpers for the operations tests: run the real CLI (`node bin/trade-etl.js …`) as a child
 * process against a database of the chosen backend, and look into that database afterwards.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect, type Db } from '../../src/db/connect.js';
import { loadConfig } from '../../src/core/config.js';
import { fixtureEnv } from '../../src/devtools/fixture-server.js';
import { createServerDatabase } from '../helpers/db.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(ROOT, 'bin', 'trade-etl.js');

export interface CliResult { code: number | null; stdout: string; stderr: string }

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

/** Runs `trade-etl <args>` to completion. */
export function runCli(args: string[], env: Record<string, string>, opts: { timeoutMs?: number } = {}): Promise<CliResult> {
  const child = startCli(args, env);
  return child.done(opts.timeoutMs ?? 120_000);
}

/** Starts `trade-etl <args>` and returns the process with its output so far and a way to wait for it. */
export function startCli(args: string[], env: Record<string, string>) {
  const base = { ...process.env };
  // The parent's database settings must not leak into the child.
  delete base.DATABASE_URL;
  delete base.DATA_DIR;
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (b: Buffer) => { out.stdout += b.toString(); });
  child.stderr.on('data', (b: Buffer) => { out.stderr += b.toString(); });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return {
    child,
    out,
    async done(timeoutMs = 120_000): Promise<CliResult> {
      let timer: NodeJS.Timeout | undefined;
      const code = await Promise.race([exited, new Promise<never>((_, reject) => {
        timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`trade-etl ${args.join(' ')} did not finish in ${timeoutMs} ms\n${out.stdout}\n${out.stderr}`)); }, timeoutMs);
      })]);
      clearTimeout(timer);
      return { code, ...out };
    },
  };
}

/** Row counts of the tables a load writes, for before/after comparisons. */
export async function dataCounts(db: Db): Promise<Record<string, number>> {
  const [r] = await db.query<Record<string, string>>(`SELECT
    (SELECT count(*) FROM trade.observation_history) AS observation_history,
    (SELECT count(*) FROM fx.rate_history) AS rate_history,
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
  for (const table of ['trade.observation_history', 'fx.rate_history']) {
    const orphans = await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table} h JOIN etl.release r ON r.id = h.valid_from_release WHERE r.status <> 'loaded'`);
    if (Number(orphans[0]!.n)) problems.push(`${table}: ${orphans[0]!.n} rows from releases that are not loaded`);
  }
  const mismatched = await db.query<{ id: string; expected: string; got: string }>(`
    SELECT r.id, r.rows_inserted AS expected,
           (SELECT count(*) FROM trade.observation_history h WHERE h.valid_from_release = r.id)
         + (SELECT count(*) FROM fx.rate_history h WHERE h.valid_from_release = r.id) AS got
    FROM etl.release r WHERE r.status = 'loaded'`);
  for (const m of mismatched) if (Number(m.expected) !== Number(m.got)) problems.push(`release ${m.id}: rows_inserted ${m.expected} but ${m.got} rows in history`);
  return problems;
}
