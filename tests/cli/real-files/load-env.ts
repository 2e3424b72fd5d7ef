/**
 * For the real-file tests of issue 14: a fresh database per case (PGlite in a temp DATA_DIR, or
 * a throw-away database on TEST_DATABASE_URL), `trade-etl load` through the real CLI, and SQL
 * afterwards.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connect, type Db } from '../../../src/db/connect.js';
import { loadConfig } from '../../../src/core/config.js';
import { runCli, ROOT, type CliResult } from '../../helpers/cli.js';
import { createServerDatabase } from '../../helpers/db.js';

/** A fixture's absolute path. */
export const fixture = (rel: string): string => path.join(ROOT, 'fixtures', rel);

export interface Counts { observation_history: number; observation_current: number; rate_history: number; rate_current: number; releases_loaded: number }

export interface LoadEnv {
  env: Record<string, string | undefined>;
  /** `trade-etl load <file> --dataset <id> [...extra]`. */
  load(file: string, dataset: string, extra?: string[], env?: Record<string, string>): Promise<CliResult>;
  cli(args: string[]): Promise<CliResult>;
  sql<T = Record<string, string>>(q: string, params?: unknown[]): Promise<T[]>;
  /** Row counts that a refused load must leave as they were. */
  counts(): Promise<Counts>;
  drop(): Promise<void>;
}

/** A fresh, empty database of the backend and a CLI pointed at it. */
export async function loadEnv(backend: 'pglite' | 'postgres', extraEnv: Record<string, string> = {}): Promise<LoadEnv> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'trade-etl-real-'));
  const server = backend === 'postgres' ? await createServerDatabase() : undefined;
  const env = { DATA_DIR: dataDir, DATABASE_URL: server?.url, LOG_LEVEL: 'warn', ...extraEnv };
  const sql = async <T>(q: string, params: unknown[] = []): Promise<T[]> => {
    const db: Db = await connect(loadConfig({ DATA_DIR: dataDir, DATABASE_URL: server?.url }));
    try { return await db.query<T>(q, params); } finally { await db.close(); }
  };
  return {
    env,
    load: (file, dataset, extra = [], more = {}) => runCli(['load', file, '--dataset', dataset, ...extra], { ...env, ...more }),
    cli: (args) => runCli(args, env),
    sql,
    counts: async () => {
      const [r] = await sql<Record<string, string>>(`SELECT
        (SELECT count(*) FROM trade.observation_history) AS observation_history,
        (SELECT count(*) FROM trade.observation_history WHERE valid_to_release IS NULL) AS observation_current,
        (SELECT count(*) FROM fx.rate_history) AS rate_history,
        (SELECT count(*) FROM fx.rate_history WHERE valid_to_release IS NULL) AS rate_current,
        (SELECT count(*) FROM etl.release WHERE status = 'loaded') AS releases_loaded`);
      return Object.fromEntries(Object.entries(r!).map(([k, v]) => [k, Number(v)])) as unknown as Counts;
    },
    drop: async () => { await server?.drop(); fs.rmSync(dataDir, { recursive: true, force: true }); },
  };
}

/** Values of trade.observation (current) keyed `partner:flow:measure:period:frequency` for one dataset. */
export async function tradeValues(e: LoadEnv, where: string, params: unknown[] = []): Promise<Record<string, string>> {
  const rows = await e.sql<{ k: string; value: string }>(
    `SELECT concat_ws(':', partner, flow, commodity_code, measure, period, frequency) AS k, value::text AS value FROM trade.observation WHERE ${where}`, params);
  return Object.fromEntries(rows.map((r) => [r.k, r.value]));
}
