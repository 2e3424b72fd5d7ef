import type { SourceDescriptor } from '../../src/core/source.js';
import { lazy } from '../lazy.js';
import { CENSUS_API, CENSUS_COUNTRY } from '../dataset-meta.js';

/** Source `census`: the US Census Bureau's International Trade API and country.xlsx. */
export const censusSource: SourceDescriptor = {
  id: 'census',
  description: 'US Census Bureau: International Trade API (imports/exports by country) and country.xlsx',
  datasets: [
    lazy(CENSUS_API, async () => (await import('./index.js')).censusApi),
    lazy(CENSUS_COUNTRY, async () => (await import('./index.js')).censusCountry),
  ],
  loadModules: async () => (await import('./index.js')).censusDatasets,
  hosts: [
    { key: 'census', env: 'CENSUS_BASE_URL', default: 'https://api.census.gov' },
    { key: 'censusWww', env: 'CENSUS_WWW_BASE_URL', default: 'https://www.census.gov' },
  ],
  secrets: [{
    env: 'CENSUS_API_KEY',
    whenMissing: 'CENSUS_API_KEY is not set: the Census API answers keyless requests only up to a daily limit per IP; a free key: https://api.census.gov/data/key_signup.html',
  }],
  fixtures: 'census',
  schedule: {
    cron: '35 8 * * 1-5', timezone: 'America/New_York',
    description: 'Census publishes the FT-900 and the International Trade API update at 08:30 US Eastern (EST or EDT, whichever is in force).',
    freshness: { 'census.api': '40d', 'census.country': '40d' },
  },
  // country.xlsx: Census's own annual totals by country, the first series the deficit claim is checked against (metrics.claim).
  report: { usBalance: CENSUS_COUNTRY.id },
};
