/**
 * Source `usitc`: the US International Trade Commission's Harmonized Tariff Schedule (HTSUS),
 * dataset `usitc.hts`, loaded into tariff.line_history (sql/060_tariff.sql) with one vintage per
 * revision. See docs/adding-a-source.md for how this source was added.
 */
import type { Dataset } from '../../src/core/vocabulary.js';
import { htsDataset } from './hts-csv.js';
import type { HtsLine } from './tariff-target.js';

export { htsDataset, parseHts, parseHtsCsv, HTS_COLUMNS, HTS_SCOPE_KEY } from './hts-csv.js';
export { parseHtsJson } from './hts-json.js';
export { discoverHts, exportListUrl } from './discovery.js';

/** The usitc datasets. */
export const usitcDatasets: Dataset<HtsLine>[] = [htsDataset];
