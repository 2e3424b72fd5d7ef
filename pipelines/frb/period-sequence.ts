import { DataError } from '../../src/core/errors.js';

export type FxFrequency = 'D' | 'M' | 'A';

const SHAPES: Record<FxFrequency, { re: RegExp; words: string }> = {
  D: { re: /^(\d{4})-(\d{2})-(\d{2})$/, words: 'a date YYYY-MM-DD' },
  M: { re: /^(\d{4})-(\d{2})$/, words: 'a month YYYY-MM' },
  A: { re: /^(\d{4})$/, words: 'a year YYYY' },
};

/**
 * Checks that a period is well formed for its frequency and a real calendar day/month. A date
 * like `1/2/81` is what a spreadsheet writes after re-saving the file, and is refused with a
 * message saying so.
 * @example checkPeriod('2025-04-21', 'D') === null; checkPeriod('1/2/81', 'D') // → 'a date YYYY-MM-DD …'
 */
export function checkPeriod(period: string, frequency: FxFrequency): string | null {
  const shape = SHAPES[frequency];
  const m = shape.re.exec(period);
  const hint = /^\d{1,2}\/\d{1,2}\/\d{2,4}$/.test(period)
    ? ' (a spreadsheet rewrote the dates when it re-saved the file, with the year last: day and month cannot be told apart — 1/2/19 is January 2 or 1 February; download the CSV again and load it unopened)'
    : '';
  if (!m) return `${shape.words}${hint}`;
  const year = Number(m[1]);
  const month = m[2] ? Number(m[2]) : 1;
  const day = m[3] ? Number(m[3]) : 1;
  const d = new Date(Date.UTC(year, month - 1, day));
  if (year < 1900 || d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) {
    return `${shape.words} that exists in the calendar`;
  }
  return null;
}

/**
 * Tracks the periods of a file's rows: they must increase strictly. A row that repeats the
 * previous period with exactly the same cells is dropped (a harmless double line); one that
 * repeats it with other values, or goes back in time, is a data error — which value is right
 * cannot be known. Also remembers the first and last period (the release's covered range).
 */
export class PeriodSequence {
  first: string | undefined;
  last: string | undefined;
  private lastCells: string[] = [];
  private lastLine = 0;

  constructor(private readonly where: { dataset: string; file: string; column: string }) {}

  /**
   * Returns false when the row is an exact repeat of the previous one (skip it), true when it
   * is new; throws when it is out of order or a conflicting repeat.
   * @example if (!seq.accept('2025-04-21', fields, 9)) continue;
   */
  accept(period: string, cells: string[], line: number): boolean {
    if (this.last !== undefined) {
      if (period === this.last) {
        if (cells.length === this.lastCells.length && cells.every((c, i) => c.trim() === this.lastCells[i]!.trim())) return false;
        throw new DataError({
          ...this.where, line, value: cells.join(','),
          expected: `one row per period: ${period} already appeared on line ${this.lastLine} with other values (${this.lastCells.join(',')}); which one is right cannot be told`,
        });
      }
      if (period < this.last) {
        throw new DataError({
          ...this.where, line, value: period,
          expected: `periods in increasing order: this row comes after ${this.last} (line ${this.lastLine})`,
        });
      }
    }
    this.first ??= period;
    this.last = period;
    this.lastCells = cells;
    this.lastLine = line;
    return true;
  }
}
