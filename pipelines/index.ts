import type { Dataset, DiscoverOptions, ReleaseFacts, ReleaseInput } from '../src/core/vocabulary.js';
import { USITC_HTS } from './usitc/meta.js';
import { CENSUS_API, CENSUS_COUNTRY, FRB_FRED, FRB_H10, MOF_HS_COUNTRY, MOF_PRESS, MOF_TIMESERIES, type DatasetMeta } from './dataset-meta.js';

/**
 * A dataset whose module (parser, discovery, and their libraries: SheetJS, saxes, papaparse,
 * iconv-lite) is imported on first use. Every command starts by reading this catalog, and
 * importing all seven parsers up front cost about 0.3 s of each start — most of what
 * re-loading an unchanged file takes (docs/performance.md).
 */
function lazy(meta: DatasetMeta, load: () => Promise<Dataset<any>>): Dataset<any> {
  let loaded: Promise<Dataset<any>> | undefined;
  const impl = () => (loaded ??= load());
  return {
    ...meta,
    async discover(opts: DiscoverOptions) {
      const d = await impl();
      return d.discover ? d.discover(opts) : [];
    },
    parse(input: ReleaseInput, facts: ReleaseFacts): AsyncIterable<any> {
      return {
        [Symbol.asyncIterator]() {
          let it: AsyncIterator<any> | undefined;
          return {
            async next() {
              it ??= (await impl()).parse(input, facts)[Symbol.asyncIterator]();
              return it.next();
            },
            async return(value?: unknown) {
              return it?.return ? it.return(value) : { done: true as const, value };
            },
            async throw(err?: unknown) {
              if (it?.throw) return it.throw(err);
              throw err;
            },
          };
        },
      };
    },
  };
}

/**
 * Each source's datasets, in the order a full refresh runs them. A pipeline is data, not a
 * framework: see src/core/vocabulary.ts. The metadata comes from pipelines/dataset-meta.ts, which
 * the modules spread into their own Dataset.
 */
export const PIPELINES: Dataset<any>[][] = [
  [
    lazy(MOF_PRESS, async () => (await import('./mof/press.js')).pressDataset),
    lazy(MOF_HS_COUNTRY, async () => (await import('./mof/hs-country.js')).hsCountryDataset),
    lazy(MOF_TIMESERIES, async () => (await import('./mof/timeseries.js')).timeseriesDataset),
  ],
  [
    lazy(CENSUS_API, async () => (await import('./census/index.js')).censusApi),
    lazy(CENSUS_COUNTRY, async () => (await import('./census/index.js')).censusCountry),
  ],
  [
    lazy(FRB_H10, async () => (await import('./frb/h10.js')).h10Dataset),
    lazy(FRB_FRED, async () => (await import('./frb/fred.js')).fredDataset),
  ],
  [lazy(USITC_HTS, async () => (await import('./usitc/hts-csv.js')).htsDataset)],
];

/** The modules behind the catalog, loaded (for the test that checks each entry loads its own module). */
export async function loadAllDatasetModules(): Promise<Dataset<any>[]> {
  const [mof, census, frb, usitc] = await Promise.all([import('./mof/index.js'), import('./census/index.js'), import('./frb/index.js'), import('./usitc/index.js')]);
  return [...mof.mofDatasets, ...census.censusDatasets, ...frb.frbDatasets, ...usitc.usitcDatasets];
}
