/**
 * Source `frb`: exchange rates from the Federal Reserve's H.10 release, directly (Data
 * Download Program, `frb.h10`) and as republished by FRED (`frb.fred`). Both load into
 * fx.rate_history; the fx views prefer H.10 where both have a day (DATASET_PREFERENCE, src/fx/policy.ts).
 */
import type { Dataset, FxObservation } from '../../src/core/vocabulary.js';
import { h10Dataset } from './h10.js';
import { fredDataset } from './fred.js';

export { h10Dataset, parseH10 } from './h10.js';
export { fredDataset, parseFred } from './fred.js';

/** The frb datasets, in the order a full load runs them. */
export const frbDatasets: Dataset<FxObservation>[] = [h10Dataset, fredDataset];
