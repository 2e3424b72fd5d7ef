/**
 * What `usitc.hts` is, without its parser (the catalog, pipelines/index.ts, lists it without
 * importing papaparse). Kept in the source's folder rather than pipelines/dataset-meta.ts, so that
 * adding this source touched one line of the catalog and not a shared file (docs/adding-a-source.md).
 */
import type { Dataset } from '../../src/core/vocabulary.js';
import type { DatasetMeta } from '../dataset-meta.js';
import { tariffTarget, type HtsLine } from './tariff-target.js';

export const USITC_HTS = {
  id: 'usitc.hts', source: 'usitc', target: 'tariff', contentKind: 'csv', store: tariffTarget,
  description: 'USITC Harmonized Tariff Schedule of the United States, CSV or JSON export: every heading and line with its rate texts, one release per revision',
} as const satisfies DatasetMeta & Pick<Dataset<HtsLine>, 'store'>;
