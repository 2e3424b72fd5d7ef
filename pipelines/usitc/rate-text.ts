/**
 * Reading numbers out of HTS rate texts. The texts stay verbatim in the database; these readers
 * only pick out the shapes that are unambiguous and answer null for every other text
 * (`2.5¢/kg + 3%`, `The duty provided in the applicable subheading + a duty of 25% upon the value
 * of the non-U.S. content`, `See additional U.S. note 3`…). Numbers stay decimal strings.
 */

const PLAIN_PCT = /^(\d{1,4}(?:\.\d{1,4})?)%$/;
/** Chapter 99's ad-valorem addition to the rate of the classified subheading. */
const ADDITION = /^The duty provided in the applicable subheading ?\+ ?(\d{1,4}(?:\.\d{1,4})?)%\.?$/;

/**
 * The ad-valorem rate of a plain rate text, in percent: `2.5%` → '2.5', `Free` → '0'; otherwise null.
 * @example adValoremPct('2.5%') // '2.5'
 */
export function adValoremPct(text: string | null): string | null {
  if (text === null) return null;
  const t = text.trim();
  if (t === 'Free') return '0';
  return PLAIN_PCT.exec(t)?.[1] ?? null;
}

/**
 * The ad-valorem addition of a chapter-99 rate text, in percent: `The duty provided in the
 * applicable subheading + 25%` → '25'; otherwise null.
 * @example additionPct('The duty provided in the applicable subheading +25%') // '25'
 */
export function additionPct(text: string | null): string | null {
  if (text === null) return null;
  return ADDITION.exec(text.trim())?.[1] ?? null;
}
