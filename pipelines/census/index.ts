import type { Dataset } from '../../src/core/vocabulary.js';
import { CENSUS_API, CENSUS_COUNTRY } from '../dataset-meta.js';
import { parseCensusApi, parseCensusApiBatches } from './api.js';
import { parseCensusCountry } from './country-xlsx.js';
import { discoverCensusApi, discoverCensusCountry } from './discovery.js';

/** International Trade API answers (JSON array of arrays), one release per request. */
export const censusApi: Dataset = {
  ...CENSUS_API,
  discover: discoverCensusApi,
  parse: parseCensusApi,
  parseBatches: parseCensusApiBatches,
};

/** country.xlsx: goods trade by country, monthly, $ millions, all years since 1985. */
export const censusCountry: Dataset = {
  ...CENSUS_COUNTRY,
  discover: discoverCensusCountry,
  parse: parseCensusCountry,
};

/** The Census source's datasets. */
export const censusDatasets: Dataset[] = [censusApi, censusCountry];
