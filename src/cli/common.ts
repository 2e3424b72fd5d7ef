import { loadConfig, redactSecrets, type Config } from '../core/config.js';
import { createLogger, type Logger } from '../core/logger.js';
import { DataError, EtlError } from '../core/errors.js';
import { connect, type Db } from '../db/connect.js';
import { migrate } from '../db/migrate.js';
import type { EngineContext } from '../engine/context.js';

/** Exit codes: 0 ok, 1 failure, 2 usage. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/** Something went wrong in how the command was called. */
export class UsageError extends Error {}

export interface Opened extends EngineContext { close(): Promise<void> }

/** Opens the configured database (migrating it first unless told not to) for a command. */
export async function open(opts: { migrate?: boolean; logger?: Logger; config?: Config } = {}): Promise<Opened> {
  const config = opts.config ?? loadConfig();
  const logger = opts.logger ?? createLogger(config);
  const db: Db = await connect(config);
  try {
    if (opts.migrate !== false) await migrate(db);
  } catch (err) {
    await db.close();
    throw err;
  }
  return { db, config, logger, close: () => db.close() };
}

/** Prints an error for people on stderr (secrets masked) and returns the exit code. */
export function reportError(err: unknown, config?: Config): number {
  const cfg = config ?? safeConfig();
  if (err instanceof UsageError || (err instanceof EtlError && err.context.usage)) {
    process.stderr.write(`trade-etl: ${redactSecrets((err as Error).message, cfg)}\n`);
    return EXIT.usage;
  }
  if (err instanceof DataError) {
    const d = err.details;
    const lines = [
      `trade-etl: bad input in ${d.dataset}`,
      `  file:     ${d.file}`,
      d.line !== undefined ? `  line:     ${d.line}` : undefined,
      d.row !== undefined ? `  row:      ${d.row}` : undefined,
      d.column !== undefined ? `  column:   ${d.column}` : undefined,
      d.value !== undefined ? `  value:    ${JSON.stringify(d.value)}` : undefined,
      `  expected: ${d.expected}`,
      '  Nothing was loaded from this file; the database is as it was.',
    ].filter(Boolean);
    process.stderr.write(`${redactSecrets(lines.join('\n'), cfg)}\n`);
    return EXIT.failure;
  }
  const msg = err instanceof Error ? err.message : String(err);
  const kind = err instanceof EtlError ? ` (${err.kind})` : '';
  process.stderr.write(`trade-etl: ${redactSecrets(msg, cfg)}${kind}\n`);
  if (process.env.TRADE_ETL_DEBUG && err instanceof Error) process.stderr.write(`${redactSecrets(err.stack ?? '', cfg)}\n`);
  return EXIT.failure;
}

function safeConfig(): Config | undefined {
  try { return loadConfig(); } catch { return undefined; }
}

/** Formats rows as an aligned text table. */
export function table(rows: Array<Record<string, unknown>>, columns?: string[]): string {
  if (!rows.length) return '(none)\n';
  const cols = columns ?? Object.keys(rows[0]!);
  const cell = (v: unknown) => (v === null || v === undefined ? '' : v instanceof Date ? v.toISOString().replace('T', ' ').slice(0, 19) : String(v));
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (vals: string[]) => vals.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(cols), line(widths.map((w) => '-'.repeat(w))), ...rows.map((r) => line(cols.map((c) => cell(r[c]))))].join('\n') + '\n';
}
