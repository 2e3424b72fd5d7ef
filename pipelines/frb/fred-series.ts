/**
 * FRED republishes the H.10 rates under its own ids, and the id alone does not say the
 * direction: `DEXJPUS` is yen per dollar but `DEXUSEU` is dollars per euro. This table is the
 * only place that knows; an id not in it is refused (a wrong direction would silently invert
 * every conversion).
 */
import type { FxFrequency } from './period-sequence.js';

export interface FredSeries { base: string; quote: string; frequency: FxFrequency; h10: string }

/** FRED exchange-rate series the pipeline reads, with their direction and H.10 counterpart. */
export const FRED_SERIES: Readonly<Record<string, FredSeries>> = {
  DEXJPUS: { base: 'USD', quote: 'JPY', frequency: 'D', h10: 'RXI_N.B.JA' },
  DEXCHUS: { base: 'USD', quote: 'CNY', frequency: 'D', h10: 'RXI_N.B.CH' },
  DEXCAUS: { base: 'USD', quote: 'CAD', frequency: 'D', h10: 'RXI_N.B.CA' },
  DEXMXUS: { base: 'USD', quote: 'MXN', frequency: 'D', h10: 'RXI_N.B.MX' },
  DEXKOUS: { base: 'USD', quote: 'KRW', frequency: 'D', h10: 'RXI_N.B.KO' },
  DEXINUS: { base: 'USD', quote: 'INR', frequency: 'D', h10: 'RXI_N.B.IN' },
  DEXUSEU: { base: 'EUR', quote: 'USD', frequency: 'D', h10: 'RXI$US_N.B.EU' },
  DEXUSUK: { base: 'GBP', quote: 'USD', frequency: 'D', h10: 'RXI$US_N.B.UK' },
  EXJPUS: { base: 'USD', quote: 'JPY', frequency: 'M', h10: 'RXI_N.M.JA' },
  EXCHUS: { base: 'USD', quote: 'CNY', frequency: 'M', h10: 'RXI_N.M.CH' },
  EXUSEU: { base: 'EUR', quote: 'USD', frequency: 'M', h10: 'RXI$US_N.M.EU' },
  EXUSUK: { base: 'GBP', quote: 'USD', frequency: 'M', h10: 'RXI$US_N.M.UK' },
  AEXJPUS: { base: 'USD', quote: 'JPY', frequency: 'A', h10: 'RXI_N.A.JA' },
  AEXCHUS: { base: 'USD', quote: 'CNY', frequency: 'A', h10: 'RXI_N.A.CH' },
  AEXUSEU: { base: 'EUR', quote: 'USD', frequency: 'A', h10: 'RXI$US_N.A.EU' },
  AEXUSUK: { base: 'GBP', quote: 'USD', frequency: 'A', h10: 'RXI$US_N.A.UK' },
};
