import type { SourceDescriptor } from '../../src/core/source.js';
import { lazy } from '../lazy.js';
import { MOF_HS_COUNTRY, MOF_PRESS, MOF_TIMESERIES } from '../dataset-meta.js';

/** Source `mof`: Japan Customs / Ministry of Finance trade statistics (and the e-Stat CSVs). */
export const mofSource: SourceDescriptor = {
  id: 'mof',
  description: 'Japan Customs / Ministry of Finance: trade statistics press releases, HS-9 CSVs on e-Stat, time series',
  datasets: [
    lazy(MOF_PRESS, async () => (await import('./press.js')).pressDataset),
    lazy(MOF_HS_COUNTRY, async () => (await import('./hs-country.js')).hsCountryDataset),
    lazy(MOF_TIMESERIES, async () => (await import('./timeseries.js')).timeseriesDataset),
  ],
  loadModules: async () => (await import('./index.js')).mofDatasets,
  hosts: [
    { key: 'mof', env: 'MOF_BASE_URL', default: 'https://www.customs.go.jp' },
    { key: 'estat', env: 'ESTAT_BASE_URL', default: 'https://www.e-stat.go.jp' },
  ],
  fixtures: 'mof',
  schedule: {
    cron: '55 8 * * 1-5', timezone: 'Asia/Tokyo',
    description: 'MOF/Japan Customs publishes trade statistics at 08:50 JST; look five minutes later, on weekdays.',
    freshness: { 'mof.press': '40d', 'mof.timeseries': '40d', 'mof.hs_country': '45d' },
  },
  // d41ma: monthly world totals since 1979, so every complete year back to the article's "since 1979".
  report: { annualExports: MOF_TIMESERIES.id },
};
