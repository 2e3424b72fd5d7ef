import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Dataset, Observation, ReleaseFacts, ReleaseInput } from '../../../src/core/vocabulary.js';

export const FIX = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../fixtures/census');

/** A parser input for a fixture file; `chunk` feeds it in pieces of that many bytes. */
export function fixtureInput(rel: string, opts: { dataset?: string; hints?: Record<string, unknown>; chunk?: number; bytes?: Buffer } = {}): ReleaseInput {
  const file = path.join(FIX, rel);
  const bytes = opts.bytes ?? fs.readFileSync(file);
  return {
    dataset: opts.dataset ?? 'census.api',
    fileName: path.basename(rel),
    bytes: bytes.length,
    hints: opts.hints,
    stream: () => (opts.chunk ? chunked(bytes, opts.chunk) : fs.createReadStream(file)),
  };
}

/** Yields the bytes in fixed-size pieces (1 = one byte at a time). */
export async function* chunked(bytes: Buffer | string, size: number): AsyncIterable<Uint8Array> {
  const b = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes);
  for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
}

/** An input made of bytes in memory. */
export function bytesInput(fileName: string, body: Buffer | string, hints?: Record<string, unknown>, dataset = 'census.api', chunk = 65536): ReleaseInput {
  const b = Buffer.isBuffer(body) ? body : Buffer.from(body);
  return { dataset, fileName, bytes: b.length, hints, stream: () => chunked(b, chunk) };
}

/** Runs a dataset's parser to the end. */
export async function parseAll(d: Pick<Dataset, 'parse'>, input: ReleaseInput): Promise<{ rows: Observation[]; facts: ReleaseFacts }> {
  const facts: ReleaseFacts = {};
  const rows: Observation[] = [];
  for await (const o of d.parse(input, facts)) rows.push(o);
  return { rows, facts };
}

/** The first error a promise rejects with (fails the test if it resolves). */
export async function errorOf(p: Promise<unknown>): Promise<any> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

/** The route entries of fixtures/census/routes.json. */
export function routes(): Array<{ dataset: string; file: string; path: string; query?: Record<string, string>; hints?: Record<string, unknown>; label: string }> {
  return JSON.parse(fs.readFileSync(path.join(FIX, 'routes.json'), 'utf8'));
}
