/**
 * The MOF / Japan Customs source: its three datasets.
 * @example import { mofDatasets } from './pipelines/mof/index.js'; mofDatasets.map((d) => d.id) // ['mof.press', 'mof.hs_country', 'mof.timeseries']
 */
import type { Dataset } from '../../src/core/vocabulary.js';
import { pressDataset } from './press.js';
import { hsCountryDataset } from './hs-country.js';
import { timeseriesDataset } from './timeseries.js';

export const mofDatasets: Dataset[] = [pressDataset, hsCountryDataset, timeseriesDataset];

export { pressDataset, hsCountryDataset, timeseriesDataset };
