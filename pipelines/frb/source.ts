import type { SourceDescriptor } from '../../src/core/source.js';
import { lazy } from '../lazy.js';
import { FRB_FRED, FRB_H10 } from '../dataset-meta.js';

/** Source `frb`: Federal Reserve H.10 exchange rates, and their FRED republication. */
export const frbSource: SourceDescriptor = {
  id: 'frb',
  description: 'Federal Reserve: H.10 exchange rates (Data Download Program) and their FRED republication',
  datasets: [
    lazy(FRB_H10, async () => (await import('./h10.js')).h10Dataset),
    lazy(FRB_FRED, async () => (await import('./fred.js')).fredDataset),
  ],
  loadModules: async () => (await import('./index.js')).frbDatasets,
  hosts: [
    { key: 'frb', env: 'FRB_BASE_URL', default: 'https://www.federalreserve.gov' },
    { key: 'fred', env: 'FRED_BASE_URL', default: 'https://fred.stlouisfed.org' },
  ],
  fixtures: 'frb',
  schedule: {
    cron: '20 16 * * 1-2', timezone: 'America/New_York',
    description: 'The Federal Reserve publishes H.10 on Mondays at 16:15 ET; after a Monday holiday it comes on Tuesday, so Tuesday is checked too (an unchanged file costs one 304).',
    freshness: { 'frb.h10': '9d', 'frb.fred': '9d' },
  },
};
