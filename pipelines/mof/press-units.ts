/**
 * Quantity units of the press-release principal-commodity tables. `tani` is padded to three
 * characters and a leading T/M means thousand/million of the base unit ("TNO" = thousand units),
 * so each code maps to an explicit base unit and a power of ten.
 */

export interface PressUnit {
  /** Unit written into Observation.unit. */
  unit: string;
  /** Power of ten from the published figure to `unit`. */
  power: number;
  /** The unit as MOF wrote it, trimmed, kept as sourceUnit. */
  source: string;
}

const UNITS: Record<string, { unit: string; power: number }> = {
  NO: { unit: 'NO', power: 0 },
  TNO: { unit: 'NO', power: 3 },
  MNO: { unit: 'NO', power: 6 },
  KG: { unit: 'KG', power: 0 },
  MT: { unit: 'MT', power: 0 },
  TMT: { unit: 'MT', power: 3 },
  KL: { unit: 'KL', power: 0 },
  TKL: { unit: 'KL', power: 3 },
  GT: { unit: 'GT', power: 0 },
};

/**
 * Reads a `tani` cell: null for "no quantity" (blank), undefined for a code we do not know.
 * @example pressUnit('TNO') → { unit: 'NO', power: 3, source: 'TNO' }; pressUnit('   ') === null
 */
export function pressUnit(raw: string): PressUnit | null | undefined {
  const t = raw.trim();
  if (t === '') return null;
  const u = UNITS[t];
  return u ? { ...u, source: t } : undefined;
}
