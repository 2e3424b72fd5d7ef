import type { Dataset, ReleaseFacts, ReleaseInput } from './vocabulary.js';

/**
 * The rows of an async iterable in arrays of up to `size`.
 * @example for await (const batch of inBatches(dataset.parse(input, facts), 1000)) { … }
 */
export async function* inBatches<T>(rows: AsyncIterable<T>, size = 1000): AsyncIterable<T[]> {
  let batch: T[] = [];
  for await (const row of rows) {
    batch.push(row);
    if (batch.length >= size) { yield batch; batch = []; }
  }
  if (batch.length) yield batch;
}

/**
 * A dataset's rows of one release in batches: its own parseBatches when it has one, else its
 * parse's rows gathered into arrays.
 * @example for await (const batch of rowBatches(dataset, input, facts)) for (const row of batch) { … }
 */
export function rowBatches<Row>(dataset: Pick<Dataset<Row>, 'parse' | 'parseBatches'>, input: ReleaseInput, facts: ReleaseFacts): AsyncIterable<Row[]> {
  return dataset.parseBatches ? dataset.parseBatches(input, facts) : inBatches(dataset.parse(input, facts));
}

/**
 * The rows of batches one by one (a parser written in batches gives its parse this way).
 * @example parse: (input, facts) => flatten(parseBatches(input, facts))
 */
export async function* flatten<T>(batches: AsyncIterable<T[]>): AsyncIterable<T> {
  for await (const batch of batches) yield* batch;
}
