import type { Dataset, DiscoverOptions, ReleaseFacts, ReleaseInput } from '../src/core/vocabulary.js';
import type { DatasetMeta } from './dataset-meta.js';
import { rowBatches } from '../src/core/batches.js';

/**
 * A dataset whose module (parser, discovery, and their libraries: SheetJS, saxes, papaparse,
 * iconv-lite) is imported on first use. Every command starts by reading this catalog, and
 * importing all seven parsers up front cost about 0.3 s of each start — most of what
 * re-loading an unchanged file takes (docs/performance.md).
 */
export function lazy(meta: DatasetMeta, load: () => Promise<Dataset<any>>): Dataset<any> {
  let loaded: Promise<Dataset<any>> | undefined;
  const impl = () => (loaded ??= load());
  return {
    ...meta,
    async discover(opts: DiscoverOptions) {
      const d = await impl();
      return d.discover ? d.discover(opts) : [];
    },
    async stageRaw(input: ReleaseInput, facts: ReleaseFacts) {
      const d = await impl();
      return d.stageRaw ? d.stageRaw(input, facts) : undefined;
    },
    parse(input: ReleaseInput, facts: ReleaseFacts): AsyncIterable<any> {
      return opened(async () => (await impl()).parse(input, facts));
    },
    parseBatches(input: ReleaseInput, facts: ReleaseFacts): AsyncIterable<any[]> {
      return opened(async () => rowBatches(await impl(), input, facts));
    },
  };
}

/** An async iterable that is made (`open`) on its first step, not before. */
function opened<T>(open: () => Promise<AsyncIterable<T>>): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator]() {
      let it: AsyncIterator<T> | undefined;
      return {
        async next() {
          it ??= (await open())[Symbol.asyncIterator]();
          return it.next();
        },
        async return(value?: unknown) {
          return it?.return ? it.return(value) : { done: true as const, value: value as T };
        },
        async throw(err?: unknown) {
          if (it?.throw) return it.throw(err);
          throw err;
        },
      };
    },
  };
}
