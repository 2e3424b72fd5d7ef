/**
 * Test helper: runs a dataset's real parser over a fixture file from disk.
 * @example const { rows, facts } = await runParser(pressDataset, 'press/2024124e.xml')
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Dataset, Observation, ReleaseFacts } from '../../../src/core/vocabulary.js';

export const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../fixtures/mof');

/** Parses a fixture (path relative to fixtures/mof) and collects rows and facts. */
export async function runParser(dataset: Dataset, rel: string, opts: { fileName?: string; hints?: Record<string, unknown> } = {}): Promise<{ rows: Observation[]; facts: ReleaseFacts }> {
  const file = path.join(FIXTURES, rel);
  const facts: ReleaseFacts = {};
  const rows: Observation[] = [];
  const input = {
    dataset: dataset.id,
    fileName: opts.fileName ?? path.basename(rel),
    stream: () => fs.createReadStream(file, { highWaterMark: 16 * 1024 }),
    bytes: fs.statSync(file).size,
    hints: opts.hints,
  };
  for await (const o of dataset.parse(input, facts)) rows.push(o);
  return { rows, facts };
}

/** Runs a parser expecting it to fail; returns the error. */
export async function parseError(dataset: Dataset, rel: string, opts: { fileName?: string; hints?: Record<string, unknown> } = {}): Promise<Error> {
  try {
    await runParser(dataset, rel, opts);
  } catch (err) {
    return err as Error;
  }
  throw new Error(`expected ${rel} to be refused by ${dataset.id}`);
}

/** Finds exactly one row matching all given fields. */
export function one(rows: Observation[], match: Partial<Observation>): Observation {
  const found = rows.filter((r) => Object.entries(match).every(([k, v]) => r[k as keyof Observation] === v));
  if (found.length !== 1) throw new Error(`expected one row for ${JSON.stringify(match)}, found ${found.length}`);
  return found[0]!;
}
