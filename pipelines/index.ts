import type { Dataset, DiscoverOptions, ReleaseFacts, ReleaseInput } from '../src/core/vocabulary.js';

/** What the catalog knows of a dataset without loading its parser. */
export type DatasetMeta = Pick<Dataset, 'id' | 'source' | 'description' | 'target' | 'contentKind'>;

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
 * framework: see src/core/vocabulary.ts. The metadata here must equal the modules' own (a test
 * loads every module and compares).
 */
export const PIPELINES: Dataset<any>[][] = [
  [
    lazy({ id: 'mof.press', source: 'mof', target: 'trade', contentKind: 'xml',
      description: 'Japan Customs/MOF press-release XML: totals, by area/country, principal commodities (monthly, 10/20-day, calendar/fiscal/half-year releases)' },
    async () => (await import('./mof/press.js')).pressDataset),
    lazy({ id: 'mof.hs_country', source: 'mof', target: 'trade', contentKind: 'csv',
      description: 'e-Stat HS-9 trade CSV by country (品別国別表) and world totals (統計品別表): monthly quantity and value, thousand yen' },
    async () => (await import('./mof/hs-country.js')).hsCountryDataset),
    lazy({ id: 'mof.timeseries', source: 'mof', target: 'trade', contentKind: 'csv',
      description: 'Japan Customs time series: d41ma world monthly totals since 1979, d51ma/d61ma principal commodities (thousand yen)' },
    async () => (await import('./mof/timeseries.js')).timeseriesDataset),
  ],
  [
    lazy({ id: 'census.api', source: 'census', target: 'trade', contentKind: 'json',
      description: 'US Census International Trade API (imports/exports by country; hs and enduse endpoints), dollars' },
    async () => (await import('./census/index.js')).censusApi),
    lazy({ id: 'census.country', source: 'census', target: 'trade', contentKind: 'xlsx',
      description: 'US Census country.xlsx: goods exports and general imports by country, monthly and annual, $ millions' },
    async () => (await import('./census/index.js')).censusCountry),
  ],
  [
    lazy({ id: 'frb.h10', source: 'frb', target: 'fx', contentKind: 'csv',
      description: 'Federal Reserve H.10 exchange rates (noon buying rates in New York), Data Download Program CSV: daily, monthly or annual.' },
    async () => (await import('./frb/h10.js')).h10Dataset),
    lazy({ id: 'frb.fred', source: 'frb', target: 'fx', contentKind: 'csv',
      description: 'FRED (St. Louis Fed) republication of the H.10 exchange rates: daily DEX*, monthly EX*, annual AEX* series, fredgraph.csv.' },
    async () => (await import('./frb/fred.js')).fredDataset),
  ],
];

/** The modules behind the catalog, loaded (for the test that keeps the two in step). */
export async function loadAllDatasetModules(): Promise<Dataset<any>[]> {
  const [mof, census, frb] = await Promise.all([import('./mof/index.js'), import('./census/index.js'), import('./frb/index.js')]);
  return [...mof.mofDatasets, ...census.censusDatasets, ...frb.frbDatasets];
}
