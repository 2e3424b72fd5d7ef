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
