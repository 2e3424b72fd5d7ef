/**
 * Test inputs for the frb parsers: a fixture file as a ReleaseInput (streamed from disk), or a
 * text cut into small chunks so chunk boundaries fall inside lines, quotes and CRLF pairs.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Dataset, FxObservation, ReleaseFacts, ReleaseInput } from '../../../src/core/vocabulary.js';

export const FRB_FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../fixtures/frb');

/** A fixture under fixtures/frb as a parser input. */
export function fixtureInput(dataset: string, rel: string): ReleaseInput {
  const file = path.join(FRB_FIXTURES, rel);
  return { dataset, fileName: rel, bytes: fs.statSync(file).size, stream: () => fs.createReadStream(file) };
}

/** A text as a parser input delivered in chunks of `chunk` bytes. */
export function textInput(dataset: string, fileName: string, text: string, chunk = 7): ReleaseInput {
  const bytes = Buffer.from(text, 'utf8');
  return {
    dataset, fileName, bytes: bytes.length,
    stream: async function* () {
      for (let i = 0; i < bytes.length; i += chunk) yield new Uint8Array(bytes.subarray(i, i + chunk));
    },
  };
}

/** Runs a dataset's parser to the end. */
export async function parseAll(ds: Pick<Dataset<FxObservation>, 'parse'>, input: ReleaseInput): Promise<{ rows: FxObservation[]; facts: ReleaseFacts }> {
  const facts: ReleaseFacts = {};
  const rows: FxObservation[] = [];
  for await (const r of ds.parse(input, facts)) rows.push(r);
  return { rows, facts };
}

/** Runs a parser expecting it to fail; returns the error. */
export async function parseError(ds: Pick<Dataset<FxObservation>, 'parse'>, input: ReleaseInput): Promise<unknown> {
  try {
    await parseAll(ds, input);
  } catch (err) {
    return err;
  }
  throw new Error(`${input.fileName}: expected a DataError, but it parsed`);
}
