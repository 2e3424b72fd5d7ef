import { UsageError } from './common.js';

/**
 * A calendar date given as YYYY-MM-DD, checked against the calendar (2025-02-30 is refused here,
 * not by the database later).
 * @example calendarDate('--published-on', '2025-03-13') // '2025-03-13'
 */
export function calendarDate(option: string, raw: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(raw);
  if (!m) throw new UsageError(`${option} must be a date written YYYY-MM-DD, got ${JSON.stringify(raw)}`);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12) throw new UsageError(`${option} ${raw}: there is no month ${m[2]}`);
  const days = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  if (d < 1 || d > days) throw new UsageError(`${option} ${raw}: ${y}-${m[2]} has ${days} days`);
  return raw;
}

/**
 * A whole number of at least `min` (and at most `max`) for an option such as `-n`.
 * @example wholeNumber('-n', '20', 1, 10_000) // 20
 */
export function wholeNumber(option: string, raw: string, min: number, max: number): number {
  if (!/^\d+$/.test(raw.trim())) throw new UsageError(`${option} must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  const n = Number(raw.trim());
  if (n < min || n > max) throw new UsageError(`${option} must be a whole number from ${min} to ${max}, got ${raw}`);
  return n;
}
