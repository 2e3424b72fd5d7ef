import { PermanentError } from '../core/errors.js';

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/**
 * Reads a cadence like "40d", "36h", "2w" or "90m" into milliseconds (a bad one is a usage error).
 * @example parseDuration('40d') === 40 * 86_400_000
 */
export function parseDuration(text: string, where = 'duration'): number {
  const m = /^\s*(\d+)\s*([mhdw])\s*$/.exec(String(text));
  if (!m || Number(m[1]) === 0) {
    throw new PermanentError(`${where} must be a positive whole number followed by m, h, d or w (minutes, hours, days, weeks), e.g. "40d"; got ${JSON.stringify(text)}`, { usage: true, value: text });
  }
  return Number(m[1]) * UNIT_MS[m[2]!]!;
}

/**
 * An age in the largest whole unit that reads naturally ("3d 4h", "52m").
 * @example formatAge(90_000_000) === '1d 1h'
 */
export function formatAge(ms: number): string {
  if (ms < 0) return `in ${formatAge(-ms)}`;
  const d = Math.floor(ms / UNIT_MS.d!);
  const h = Math.floor((ms % UNIT_MS.d!) / UNIT_MS.h!);
  const m = Math.floor((ms % UNIT_MS.h!) / UNIT_MS.m!);
  if (d) return h ? `${d}d ${h}h` : `${d}d`;
  if (h) return m ? `${h}h ${m}m` : `${h}h`;
  return `${m}m`;
}
