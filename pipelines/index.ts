import type { Dataset } from '../src/core/vocabulary.js';
import { mofDatasets } from './mof/index.js';
import { censusDatasets } from './census/index.js';
import { frbDatasets } from './frb/index.js';

/** Each source's datasets. A pipeline is data, not a framework: see src/core/vocabulary.ts. */
export const PIPELINES: Dataset<any>[][] = [mofDatasets, censusDatasets, frbDatasets];
