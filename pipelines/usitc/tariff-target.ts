/**
 * Where `usitc.hts` rows go: tariff.line_history (sql/060_tariff.sql), through the engine's one
 * vintage-keeping merge (src/engine/targets.ts), keyed by the line's place in the schedule.
 */
import type { Target } from '../../src/engine/targets.js';
import { isDecimal } from '../../src/parse/numbers.js';

/** One line of the schedule: a heading, subheading, tariff or statistical line, or an unnumbered label. */
export interface HtsLine {
  /**
   * The natural key: the HTS number, or for an unnumbered label line (`Horses:`) the number of the
   * numbered line before it plus `+n` (`0101+1`), which sorts where the line stands.
   */
  lineKey: string;
  htsNumber: string | null;
  indent: string;
  /** lineKey of the nearest line above with a smaller indent. */
  parentKey: string | null;
  description: string;
  /** As written: a JSON array of unit names (`["No."]`, `["doz.","kg"]`), null when empty. */
  unitOfQuantity: string | null;
  generalRate: string | null;
  specialRate: string | null;
  column2Rate: string | null;
  quotaQuantity: string | null;
  additionalDuties: string | null;
  /** Parsed from generalRate when it is a plain `N%` or `Free`. */
  generalAdValoremPct: string | null;
  /** Parsed from generalRate when it is `The duty provided in the applicable subheading + N%`. */
  generalAdditionalPct: string | null;
  /** Parsed from the description: first day the line applies to entries, and first day it no longer does. */
  effectiveFrom: string | null;
  effectiveBefore: string | null;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export const tariffTarget: Target<HtsLine> = {
  table: 'tariff.line_history',
  keys: ['line_key'],
  attrs: ['hts_number', 'indent', 'parent_key', 'description', 'unit_of_quantity', 'general_rate', 'special_rate', 'column2_rate',
    'quota_quantity', 'additional_duties', 'general_ad_valorem_pct', 'general_additional_pct', 'effective_from', 'effective_before'],
  // The parsed columns follow from the texts, so the texts decide what is a new vintage.
  changeCols: ['hts_number', 'indent', 'parent_key', 'description', 'unit_of_quantity', 'general_rate', 'special_rate', 'column2_rate', 'quota_quantity', 'additional_duties'],
  types: { indent: 'int', general_ad_valorem_pct: 'numeric', general_additional_pct: 'numeric', effective_from: 'date', effective_before: 'date' },
  toCopy(l) {
    if (!l.lineKey || !/^\d{1,2}$/.test(l.indent) || typeof l.description !== 'string') return 'a line key, an indent 0-99 and a description';
    for (const v of [l.generalAdValoremPct, l.generalAdditionalPct]) if (v !== null && !isDecimal(v)) return `a decimal percent, not ${JSON.stringify(v)}`;
    for (const v of [l.effectiveFrom, l.effectiveBefore]) if (v !== null && !DATE.test(v)) return `an ISO date, not ${JSON.stringify(v)}`;
    return [l.lineKey, l.htsNumber, String(Number(l.indent)), l.parentKey, l.description, l.unitOfQuantity, l.generalRate, l.specialRate, l.column2Rate,
      l.quotaQuantity, l.additionalDuties, l.generalAdValoremPct, l.generalAdditionalPct, l.effectiveFrom, l.effectiveBefore];
  },
};
