/**
 * Effective dates written in chapter-99 descriptions: "effective with respect to entries on or
 * after April 3, 2025", "…on or after May 10, 2019, and before June 15, 2019", "…on or after
 * June 4, 2020, and through December 31, 2020", "…on or after 12:01 a.m. eastern standard time on
 * February 4, 2025". Where the text has a blank (`on or after [ ]`), the compiler's note gives the
 * date ("This heading is effective on or after June 30, 2025") and is read instead.
 */

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const DATE = '([A-Z][a-z]+) (\\d{1,2}), (\\d{4})';
const FROM = new RegExp(`on or after (?:12:01 a\\.m\\. eastern (?:standard|daylight) time on )?${DATE}`);
const UNTIL = new RegExp(`^,? and (before|through) ${DATE}`);

/** A date phrase that names no real day ("April 31, 2025"): the caller reports it with its place. */
export class BadDatePhrase extends Error {
  constructor(readonly phrase: string) { super(`not a date: ${phrase}`); }
}

function iso(month: string, day: string, year: string, phrase: string): string | undefined {
  const m = MONTHS.indexOf(month.toLowerCase());
  if (m < 0) return undefined; // "on or after Entry 3, …" is not a date phrase
  const d = new Date(Date.UTC(Number(year), m, Number(day)));
  if (d.getUTCMonth() !== m || d.getUTCDate() !== Number(day)) throw new BadDatePhrase(phrase);
  return d.toISOString().slice(0, 10);
}

function nextDay(isoDate: string): string {
  const d = new Date(`${isoDate}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/**
 * The first effective date of a description and, when the same phrase gives one, the first day
 * it no longer applies (`before X` → X, `through X` → the day after X). Throws BadDatePhrase
 * for an impossible date.
 * @example effectiveDates('…effective with respect to entries on or after April 3, 2025, passenger vehicles…') // { from: '2025-04-03', before: null }
 */
export function effectiveDates(description: string): { from: string | null; before: string | null } {
  const m = FROM.exec(description);
  if (!m) return { from: null, before: null };
  const from = iso(m[1]!, m[2]!, m[3]!, m[0]);
  if (!from) return { from: null, before: null };
  const u = UNTIL.exec(description.slice(m.index + m[0].length));
  if (!u) return { from, before: null };
  const end = iso(u[2]!, u[3]!, u[4]!, u[0]);
  if (!end) return { from, before: null };
  return { from, before: u[1] === 'through' ? nextDay(end) : end };
}
