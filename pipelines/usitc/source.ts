import type { SourceDescriptor } from '../../src/core/source.js';
import { lazy } from '../lazy.js';
import { USITC_HTS } from './meta.js';

/** Source `usitc`: the US International Trade Commission's Harmonized Tariff Schedule, one release per revision. */
export const usitcSource: SourceDescriptor = {
  id: 'usitc',
  description: 'US International Trade Commission: the Harmonized Tariff Schedule of the United States (HTS REST API exports)',
  datasets: [lazy(USITC_HTS, async () => (await import('./hts-csv.js')).htsDataset)],
  loadModules: async () => (await import('./index.js')).usitcDatasets,
  hosts: [{ key: 'usitc', env: 'USITC_BASE_URL', default: 'https://hts.usitc.gov' }],
  fixtures: 'usitc',
  // sql/060_tariff.sql creates it; the analyst reads it, doctor checks that, the dictionary documents it.
  schemas: ['tariff'],
};
