import { loadConfig, redactSecrets, type Config } from '../core/config.js';
import { createLogger, type Logger } from '../core/logger.js';
import { DataError, EtlError, InterruptedError, signalExitCode } from '../core/errors.js';
import { connect, type Db } from '../db/connect.js';
import { migrate, migrationLevel } from '../db/migrate.js';
import { etlQueries } from '../db/etl-schema.js';
import type { EngineContext } from '../engine/context.js';
import { printable } from '../core/text.js';

export { printable, table } from '../core/text.js';
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
export async function open(opts: { migrate?: boolean; logger?: Logger; config?: Config; signal?: AbortSignal; smallData?: boolean } = {}): Promise<Opened> {
  const config = opts.config ?? loadConfig();
  const logger = opts.logger ?? createLogger(config);
  // The query builder is loaded while the database opens: PGlite compiles its WebAssembly on other
  // threads, and this thread would otherwise wait for it, then load Kysely (0.1–0.25 s).
  etlQueries().catch(() => {});
  const db: Db = await connect(config, logger, { smallData: opts.smallData });
  try {
    if (opts.migrate !== false) await migrate(db);
    // A database not migrated yet (`migrate` opens without migrating) has no runs to sweep.
    const migrated = opts.migrate !== false || (await migrationLevel(db)) > 0;
    const swept = !migrated ? [] : await markInterruptedRuns(db).catch((err: Error) => {
      // Sweeping is housekeeping: the command can still run; say why it did not happen.
      logger.warn({ err: err.message }, 'could not check for runs left running by a process that is gone');
      return [];
    });
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
      await failUnfinishedRuns(db, 'the command ended before recording how the run went (see its error output)', logger);
      await db.close();
    },
  };
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
