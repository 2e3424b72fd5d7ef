import type { Dataset, SourceId } from '../core/vocabulary.js';
import type { ReportDatasets } from '../core/source.js';
import { PermanentError } from '../core/errors.js';
import { PIPELINES, SOURCES } from '../../pipelines/index.js';

/** The schemas the analyst reads that the core's own SQL creates. */
const CORE_ANALYST_SCHEMAS = ['ref', 'trade', 'fx'];

/** Every schema the analyst reads: the core's, each source's own (usitc: tariff), then metrics. */
export function analystSchemas(): string[] {
  return [...CORE_ANALYST_SCHEMAS, ...SOURCES.flatMap((s) => s.schemas ?? []), 'metrics'];
}

/**
 * The dataset a registered source provides a report figure from (SourceDescriptor.report), or
 * undefined when none does.
 * @example reportDataset('annualExports') // 'mof.timeseries'
 */
export function reportDataset(figure: keyof ReportDatasets): string | undefined {
  return SOURCES.find((s) => s.report?.[figure])?.report?.[figure];
}

/** Every dataset the tool knows, by id. */
export function allDatasets(): Dataset<any>[] {
  return PIPELINES.flat();
}

/** One dataset by id, or a usage error listing the known ids. */
export function datasetById(id: string): Dataset<any> {
  const d = allDatasets().find((x) => x.id === id);
  if (!d) {
    throw new PermanentError(`unknown dataset ${JSON.stringify(id)}; known: ${allDatasets().map((x) => x.id).join(', ')}`, { dataset: id, usage: true });
  }
  return d;
}

/** Datasets selected by --source / --dataset (all when neither is given). */
export function selectDatasets(opts: { source?: string[]; dataset?: string[] }): Dataset<any>[] {
  const all = allDatasets();
  const sources = new Set(all.map((d) => d.source));
  for (const s of opts.source ?? []) {
    if (!sources.has(s as SourceId)) throw new PermanentError(`unknown source ${JSON.stringify(s)}; known: ${[...sources].join(', ')}`, { source: s, usage: true });
  }
  const picked = all.filter((d) =>
    (!opts.source?.length || opts.source.includes(d.source)) && (!opts.dataset?.length || opts.dataset.includes(d.id)));
  for (const id of opts.dataset ?? []) datasetById(id);
  return picked;
}
