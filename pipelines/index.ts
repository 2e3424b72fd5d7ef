import type { Dataset } from '../src/core/vocabulary.js';

/** Each source's datasets. A pipeline is data, not a framework: see src/core/vocabulary.ts. */
export const PIPELINES: Dataset<any>[][] = [];
