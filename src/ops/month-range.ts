import { PermanentError } from '../core/errors.js';

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

function usage(message: string, context: Record<string, unknown>): PermanentError {
  return new PermanentError(message, { ...context, usage: true });
}

/**
 * Checks a --from/--to month at the edge: exactly YYYY-MM with a real month (usage error otherwise).
 * @example parseMonth('--from', '2024-03') === '2024-03'
 */
export function parseMonth(option: string, value: string | undefined): string {
  if (value === undefined || value === '') throw usage(`${option} is required: a month as YYYY-MM, e.g. ${option} 2024-01`, { option });
  if (!MONTH.test(value)) {
    const hint = /^\d{4}-\d{1}$/.test(value) ? ` (write the month with two digits: ${value.slice(0, 5)}0${value.slice(5)})`
      : /^\d{4}\/\d{2}$/.test(value) ? ` (use a hyphen: ${value.replace('/', '-')})`
        : /^\d{4}-\d{2}-\d{2}$/.test(value) ? ` (a month, not a day: ${value.slice(0, 7)})`
          : /^\d{4}-(00|1[3-9]|[2-9]\d)$/.test(value) ? ' (the month must be 01 to 12)' : '';
    throw usage(`${option} must be a month as YYYY-MM, got ${JSON.stringify(value)}${hint}`, { option, value });
  }
  return value;
}

/**
 * Checks a month range: both months valid and from ≤ to.
 * @example parseRange('2024-01', '2024-12') // { from: '2024-01', to: '2024-12' }
 */
export function parseRange(from: string | undefined, to: string | undefined): { from: string; to: string } {
  const f = parseMonth('--from', from);
  const t = parseMonth('--to', to);
  if (f > t) throw usage(`--from ${f} is after --to ${t}; the range runs from the earlier month to the later one`, { from: f, to: t });
  return { from: f, to: t };
}

/**
 * Checks a count option (e.g. --concurrency) is a positive whole number.
 * @example parsePositiveInt('--concurrency', '4') === 4
 */
export function parsePositiveInt(option: string, value: string | number | undefined, max = 64): number {
  const text = String(value ?? '').trim();
  if (!/^\d+$/.test(text) || Number(text) < 1) throw usage(`${option} must be a positive whole number, got ${JSON.stringify(String(value))}`, { option, value });
  const n = Number(text);
  if (n > max) throw usage(`${option} must be at most ${max} (be gentle with the publishers' servers), got ${n}`, { option, value });
  return n;
}

/**
 * The months a period covers, for checking it against a range: 'YYYY-MM', 'YYYY-MM-DD', 'YYYY',
 * 'FYYYYY' (April–March), 'YYYYH1'/'YYYYH2'; undefined for anything else.
 * @example periodMonths('FY2024') // { first: '2024-04', last: '2025-03' }
 */
export function periodMonths(period: string): { first: string; last: string } | undefined {
  let m: RegExpExecArray | null;
  if ((m = /^(\d{4})-(\d{2})(?:-\d{2})?$/.exec(period))) return { first: `${m[1]}-${m[2]}`, last: `${m[1]}-${m[2]}` };
  if ((m = /^(\d{4})$/.exec(period))) return { first: `${m[1]}-01`, last: `${m[1]}-12` };
  if ((m = /^FY(\d{4})$/.exec(period))) return { first: `${m[1]}-04`, last: `${Number(m[1]) + 1}-03` };
  if ((m = /^(\d{4})H([12])$/.exec(period))) return m[2] === '1' ? { first: `${m[1]}-01`, last: `${m[1]}-06` } : { first: `${m[1]}-07`, last: `${m[1]}-12` };
  return undefined;
}

/**
 * Does the period overlap the month range? Unknown period shapes count as inside (not dropped).
 * @example periodInRange('2024', '2024-06', '2024-08') === true
 */
export function periodInRange(period: string | undefined, from: string, to: string): boolean {
  if (!period) return true;
  const p = periodMonths(period);
  return !p || (p.first <= to && p.last >= from);
}
