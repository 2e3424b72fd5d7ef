/**
 * Errors carry a kind so callers know what to do with them:
 * - `transient`: worth retrying (network blip, 5xx, 429, an HTML page where data was expected).
 * - `permanent`: stop and explain (404, bad API key, lock not obtained, bad configuration).
 * - `data`:      a file that does not match its format; names file, line/row, column, value,
 *                and what was expected, so a person can open the file at that spot.
 */
export type ErrorKind = 'transient' | 'permanent' | 'data';

export class EtlError extends Error {
  readonly kind: ErrorKind;
  readonly context: Record<string, unknown>;
  constructor(kind: ErrorKind, message: string, context: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.kind = kind;
    this.context = context;
  }
  /** Fields for structured logs. */
  toLog(): Record<string, unknown> {
    return { errorKind: this.kind, errorName: this.name, ...this.context };
  }
}

export class TransientError extends EtlError {
  constructor(message: string, context: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super('transient', message, context, options);
  }
}

export class PermanentError extends EtlError {
  constructor(message: string, context: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super('permanent', message, context, options);
  }
}

/** Where in a file a data error sits, and what was wrong there. */
export interface DataErrorDetails {
  dataset: string;
  file: string;
  /** 1-based line (text files) or row (spreadsheets, JSON arrays). */
  line?: number;
  row?: number;
  column?: string;
  value?: string;
  expected: string;
}

/**
 * A file that does not match its format.
 * @example throw new DataError({ dataset: 'frb.h10', file: 'h10.csv', line: 9, column: 'RXI_N.B.JA', value: 'abc', expected: 'a positive decimal or ND' })
 */
export class DataError extends EtlError {
  readonly details: DataErrorDetails;
  constructor(details: DataErrorDetails, options?: { cause?: unknown }) {
    super('data', DataError.format(details), { ...details }, options);
    this.details = details;
  }
  static format(d: DataErrorDetails): string {
    const where = [
      d.line !== undefined ? `line ${d.line}` : undefined,
      d.row !== undefined ? `row ${d.row}` : undefined,
      d.column !== undefined ? `column ${JSON.stringify(d.column)}` : undefined,
    ].filter(Boolean).join(', ');
    const value = d.value !== undefined ? `: found ${JSON.stringify(truncate(d.value, 80))}` : '';
    return `${d.dataset}: ${d.file}${where ? ` (${where})` : ''}${value}; expected ${d.expected}`;
  }
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}

/** Is this error worth another attempt? */
export function isTransient(err: unknown): boolean {
  return err instanceof EtlError && err.kind === 'transient';
}

/**
 * Is this error terminal — another attempt cannot succeed (a full disk, a 404, bad data)?
 * Only errors known to be transient are retried; an unknown error is terminal.
 */
export function isTerminal(err: unknown): boolean {
  return !isTransient(err);
}

/** A wrong setting in the environment (exit 2, like a wrong argument: nothing was done). */
export class ConfigError extends PermanentError {
  constructor(message: string, context: Record<string, unknown> = {}) {
    super(message, { ...context, usage: true });
  }
}

/** The run was stopped by a signal; what was in progress rolled back. */
export class InterruptedError extends PermanentError {
  readonly signal: string;
  constructor(signal: string, what = 'the release being loaded rolled back') {
    super(`interrupted by ${signal}: ${what}`, { signal });
    this.signal = signal;
  }
}

/** Exit code of a process stopped by this signal, as a shell reports it (128 + number). */
export function signalExitCode(signal: string): number {
  return signal === 'SIGINT' ? 130 : signal === 'SIGTERM' ? 143 : signal === 'SIGHUP' ? 129 : 1;
}

/** Error codes of the local file system that no retry can cure. */
const FS_TERMINAL: Record<string, string> = {
  ENOSPC: 'disk full',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOTDIR: 'not a directory (a path component is a file)',
  EISDIR: 'is a directory',
  EMFILE: 'too many open files',
};

/**
 * A local file-system failure (writing the raw store, the embedded database) as a terminal error
 * naming what happened and where: "disk full at /data/raw". Undefined if `err` is not one.
 * @example throw fileSystemError(err, '/data/raw') ?? err
 */
export function fileSystemError(err: unknown, where: string): PermanentError | undefined {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (!code || !(code in FS_TERMINAL)) return undefined;
  const what = FS_TERMINAL[code]!;
  return new PermanentError(`${what} at ${where} (${code})`, { code, path: where }, { cause: err });
}

/** Error codes and messages of a database connection that broke (server restarted, network cut). */
const CONNECTION_LOST = /Connection terminated|ECONNRESET|EPIPE|ECONNREFUSED|terminating connection|server closed the connection|Client has encountered a connection error|Connection is closed/i;

/** Did the database connection break (as opposed to a query error)? */
export function isConnectionLost(err: unknown): boolean {
  const code = String((err as { code?: string })?.code ?? '');
  return code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || code === 'ECONNRESET' || code === 'EPIPE'
    || CONNECTION_LOST.test(String((err as Error)?.message));
}

/**
 * A broken database connection as a transient error that says so:
 * "database connection lost (write ECONNRESET)". Other errors are returned unchanged.
 */
export function asConnectionLost(err: unknown, where: string): unknown {
  if (err instanceof EtlError || !isConnectionLost(err)) return err;
  const e = err as Error & { code?: string };
  return new TransientError(`database connection lost (${e.message || e.code}) to ${where}`, { code: e.code, database: where }, { cause: err });
}
