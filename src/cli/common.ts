import { loadConfig, redactSecrets, type Config } from '../core/config.js';
import { createLogger, type Logger } from '../core/logger.js';
import { DataError, EtlError, InterruptedError, signalExitCode } from '../core/errors.js';
import { connect, type Db } from '../db/connect.js';
import { migrate } from '../db/migrate.js';
import type { EngineContext } from '../engine/context.js';
import { failUnfinishedRuns, markInterruptedRuns } from '../engine/runs.js';

/** Exit codes: 0 ok, 1 failure, 2 usage. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/** Something went wrong in how the command was called. */
export class UsageError extends Error {}

export interface Opened extends EngineContext { close(): Promise<void> }

/**
 * Opens the configured database (migrating it first unless told not to) for a command, and marks
 * runs whose process is gone as failed (interrupted). With `signal`, a transaction in progress
 * rolls back when it fires (see Db.stopSignal). Closing marks a run of this command that never
 * recorded its outcome as failed.
 */
export async function open(opts: { migrate?: boolean; logger?: Logger; config?: Config; signal?: AbortSignal } = {}): Promise<Opened> {
  const config = opts.config ?? loadConfig();
  const logger = opts.logger ?? createLogger(config);
  const db: Db = await connect(config);
  try {
    if (opts.migrate !== false) await migrate(db);
    const swept = await markInterruptedRuns(db).catch(() => []);
    for (const r of swept) {
      logger.warn({ run: r.id, command: r.command, pid: r.pid, host: r.host }, 'run left running by a process that is gone: recorded as failed (interrupted); `trade-etl retry` re-runs it');
    }
  } catch (err) {
    await db.close();
    throw err;
  }
  db.stopSignal = opts.signal;
  return {
    db, config, logger, signal: opts.signal,
    close: async () => {
      await failUnfinishedRuns(db, 'the command ended before recording how the run went (see its error output)');
      await db.close();
    },
  };
}

/**
 * A text safe to print on a terminal: control characters (ANSI escapes, carriage returns, a
 * file name's embedded newline) are shown escaped, as \x1b or \n, instead of acting on it.
 * @example printable('a\x1b[31mb') // 'a\\x1b[31mb'
 */
export function printable(text: string, keepNewlines = false): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => {
    if (keepNewlines && (c === '\n' || c === '\t')) return c;
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    const code = c.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** Prints an error for people on stderr (secrets masked) and returns the exit code. */
export function reportError(err: unknown, config?: Config): number {
  const cfg = config ?? safeConfig();
  if (err instanceof UsageError || (err instanceof EtlError && err.context.usage)) {
    process.stderr.write(`trade-etl: ${printable(redactSecrets((err as Error).message, cfg))}\n`);
    return EXIT.usage;
  }
  if (err instanceof InterruptedError) {
    process.stderr.write(`trade-etl: ${printable(redactSecrets(err.message, cfg))}\n`);
    return signalExitCode(err.signal);
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
    process.stderr.write(`${printable(redactSecrets(lines.join('\n'), cfg), true)}\n`);
    return EXIT.failure;
  }
  const msg = err instanceof Error ? err.message : String(err);
  const kind = err instanceof EtlError ? ` (${err.kind})` : '';
  process.stderr.write(`trade-etl: ${printable(redactSecrets(msg, cfg), true)}${kind}\n`);
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
  const cell = (v: unknown) => (v === null || v === undefined ? '' : v instanceof Date ? v.toISOString().replace('T', ' ').slice(0, 19) : printable(String(v)));
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (vals: string[]) => vals.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(cols), line(widths.map((w) => '-'.repeat(w))), ...rows.map((r) => line(cols.map((c) => cell(r[c]))))].join('\n') + '\n';
}
