/**
 * Exact decimal handling. Official figures are integers or short decimals; JavaScript floats
 * would silently round a thousand-yen total of 107,091,300,000,000 yen, so values stay strings
 * end to end and Postgres `numeric` does any arithmetic.
 */

const DECIMAL = /^-?\d+(\.\d+)?$/;
/** What readNumber gives back unchanged: a whole number or decimal without leading zeros, trailing fraction zeros or "-0". */
const CANONICAL = /^(?:0|-?[1-9]\d*)(?:\.\d*[1-9])?$|^-?0\.\d*[1-9]$/;

/** Is this a canonical decimal string (no commas, no exponent)? */
export function isDecimal(s: string): boolean {
  return DECIMAL.test(s);
}

/**
 * Multiplies a decimal string by 10^power, exactly.
 * @example scaleDecimal('1754030', 6) === '1754030000000'; scaleDecimal('12.5', 3) === '12500'
 */
export function scaleDecimal(s: string, power: number): string {
  if (!DECIMAL.test(s)) throw new Error(`not a decimal: ${s}`);
  const neg = s.startsWith('-');
  const body = neg ? s.slice(1) : s;
  let [int, frac = ''] = body.split('.') as [string, string?] as [string, string];
  if (power >= 0) {
    const moved = frac.slice(0, power).padEnd(power, '0');
    int = int + moved;
    frac = frac.slice(power);
  } else {
    const p = -power;
    const padded = int.padStart(p + 1, '0');
    frac = padded.slice(padded.length - p) + frac;
    int = padded.slice(0, padded.length - p);
  }
  int = int.replace(/^0+(?=\d)/, '');
  frac = frac.replace(/0+$/, '');
  const out = frac ? `${int}.${frac}` : int;
  return neg && /[1-9]/.test(out) ? `-${out}` : out;
}

/**
 * Reads a published number into a canonical decimal string, or returns null when the cell
 * means "not available". Handles thousands commas, surrounding spaces, `△`/`▲` negatives
 * (MOF), and a leading minus. Anything else returns undefined so the caller can raise a
 * DataError naming the cell.
 * @example readNumber('△231,774') === '-231774'; readNumber('-') === null; readNumber('x') === undefined
 */
export function readNumber(raw: string, opts: { missing?: readonly string[] } = {}): string | null | undefined {
  // Most published figures are already canonical (the hot path of a million-row file).
  if (CANONICAL.test(raw) && !opts.missing?.includes(raw)) return raw;
  const t = raw.trim();
  const missing = opts.missing ?? ['-', ''];
  if (missing.includes(t)) return null;
  let s = t.replace(/,/g, '');
  let neg = false;
  if (s.startsWith('△') || s.startsWith('▲')) { neg = true; s = s.slice(1).trim(); }
  if (s.startsWith('-')) { neg = !neg; s = s.slice(1); }
  if (s.startsWith('+')) s = s.slice(1);
  if (!/^\d+(\.\d+)?$/.test(s) && !/^\.\d+$/.test(s)) return undefined;
  if (s.startsWith('.')) s = `0${s}`;
  s = s.replace(/^0+(?=\d)/, '');
  if (s.includes('.')) s = s.replace(/\.?0+$/, '');
  return neg && /[1-9]/.test(s) ? `-${s}` : s;
}
