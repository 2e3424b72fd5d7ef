import type { Dataset } from '../../src/core/vocabulary.js';
import { parseCensusApi } from './api.js';
import { parseCensusCountry } from './country-xlsx.js';
import { discoverCensusApi, discoverCensusCountry } from './discovery.js';

/** International Trade API answers (JSON array of arrays), one release per request. */
export const censusApi: Dataset = {
  id: 'census.api',
  source: 'census',
  description: 'US Census International Trade API (imports/exports by country; hs and enduse endpoints), dollars',
  target: 'trade',
  contentKind: 'json',
  discover: discoverCensusApi,
  parse: parseCensusApi,
};

/** country.xlsx: goods trade by country, monthly, $ millions, all years since 1985. */
export const censusCountry: Dataset = {
  id: 'census.country',
  source: 'census',
  description: 'US Census country.xlsx: goods exports and general imports by country, monthly and annual, $ millions',
  target: 'trade',
  contentKind: 'xlsx',
  discover: discoverCensusCountry,
  parse: parseCensusCountry,
};

/** The Census source's datasets. */
export const censusDatasets: Dataset[] = [censusApi, censusCountry];
