import type { Dataset } from '../src/core/vocabulary.js';
import { SOURCES } from './sources.js';

export { SOURCES } from './sources.js';

/**
 * Each registered source's datasets (lazy: no parser imported), in the order a full refresh runs
 * them. A pipeline is data, not a framework: see src/core/vocabulary.ts and src/core/source.ts.
 */
export const PIPELINES: Dataset<any>[][] = SOURCES.map((s) => s.datasets);

/** The modules behind the catalog, loaded (for the test that checks each entry loads its own module). */
export async function loadAllDatasetModules(): Promise<Dataset<any>[]> {
  return (await Promise.all(SOURCES.map((s) => s.loadModules()))).flat();
}
