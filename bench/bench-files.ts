/**
 * The benchmark's input files: names, sizes, seeds, and the manifest (bench/data/manifest.json)
 * that records what the generator wrote into each, so the runner can compare what the pipeline
 * loaded with what the file holds.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeMofFile } from './mof-hs-country-file.js';
import { writeCensusFile } from './census-api-file.js';

/** bench/data, git-ignored. */
export const BENCH_DATA_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'data');

/** Full-size rows at scale 1, as the issue asks. */
export const MOF_ROWS = 500_000;
export const CENSUS_ROWS = 1_000_000;
const MOF_SEED = 2024_1;
const CENSUS_SEED = 2024_2;
/** Share of observations a revised file changes. */
export const REVISED_SHARE = 0.01;

export type BenchFileKind = 'mof' | 'census';

export interface BenchFile {
  name: string;
  kind: BenchFileKind;
  dataset: 'mof.hs_country' | 'census.api';
  scale: number;
  revised: boolean;
  rows: number;
  seed: number;
}

export interface ManifestEntry extends BenchFile {
  observations: number;
  changedObservations: number;
  bytes: number;
  generatedMs: number;
}

/**
 * The files of one scale: each kind's base file and, when asked, its revised twin (the same
 * rows with REVISED_SHARE of the observations changed). Scale 1 is the full size of the issue;
 * other scales get a `.x<scale>` tag (`.x2` for the memory check, `.x0.1` for a quick run).
 * @example benchFiles(2, { revised: false }).map((f) => f.name) // ['mof-hs9-country-2024-export.x2.csv', 'census-imports-hs10-2024.x2.json']
 */
export function benchFiles(scale: number, opts: { kinds?: readonly BenchFileKind[]; revised?: boolean } = {}): BenchFile[] {
  const tag = scale === 1 ? '' : `.x${scale}`;
  const out: BenchFile[] = [];
  for (const kind of opts.kinds ?? ['mof', 'census']) {
    const stem = kind === 'mof' ? 'mof-hs9-country-2024-export' : 'census-imports-hs10-2024';
    const ext = kind === 'mof' ? 'csv' : 'json';
    const base = {
      kind, dataset: kind === 'mof' ? 'mof.hs_country' as const : 'census.api' as const, scale,
      rows: Math.round((kind === 'mof' ? MOF_ROWS : CENSUS_ROWS) * scale), seed: kind === 'mof' ? MOF_SEED : CENSUS_SEED,
    };
    out.push({ ...base, name: `${stem}${tag}.${ext}`, revised: false });
    if (opts.revised ?? true) out.push({ ...base, name: `${stem}${tag}.revised.${ext}`, revised: true });
  }
  return out;
}

function manifestPath(dir: string): string {
  return path.join(dir, 'manifest.json');
}

/** The manifest of a data directory (empty when none). */
export function readManifest(dir = BENCH_DATA_DIR): Record<string, ManifestEntry> {
  try {
    return JSON.parse(fs.readFileSync(manifestPath(dir), 'utf8')) as Record<string, ManifestEntry>;
  } catch {
    return {};
  }
}

/**
 * Writes one file with the generator and returns its manifest entry.
 * @example generateFile(benchFiles(1)[0], 'bench/data')
 */
export function generateFile(f: BenchFile, dir = BENCH_DATA_DIR): ManifestEntry {
  const started = Date.now();
  const file = path.join(dir, f.name);
  const revise = f.revised ? { share: REVISED_SHARE, seed: f.seed + 1 } : undefined;
  const stats = f.kind === 'mof' ? writeMofFile(file, { rows: f.rows, seed: f.seed, revise }) : writeCensusFile(file, { rows: f.rows, seed: f.seed, revise });
  return { ...f, observations: stats.observations, changedObservations: stats.changedObservations, bytes: stats.bytes, generatedMs: Date.now() - started };
}

/**
 * Generates the files that are missing (or were made with other sizes/seeds), updating the manifest.
 * @example ensureFiles(benchFiles(1), { log: console.log })
 */
export function ensureFiles(files: readonly BenchFile[], opts: { dir?: string; force?: boolean; log?: (s: string) => void } = {}): Record<string, ManifestEntry> {
  const dir = opts.dir ?? BENCH_DATA_DIR;
  fs.mkdirSync(dir, { recursive: true });
  const manifest = readManifest(dir);
  for (const f of files) {
    const have = manifest[f.name];
    const fresh = have && have.rows === f.rows && have.seed === f.seed && have.revised === f.revised
      && fs.existsSync(path.join(dir, f.name)) && fs.statSync(path.join(dir, f.name)).size === have.bytes;
    if (fresh && !opts.force) continue;
    opts.log?.(`generating ${f.name} (${f.rows.toLocaleString('en-US')} rows${f.revised ? `, ${REVISED_SHARE * 100} % of observations changed` : ''})…`);
    const entry = generateFile(f, dir);
    manifest[f.name] = entry;
    fs.writeFileSync(manifestPath(dir), `${JSON.stringify(manifest, null, 2)}\n`);
    opts.log?.(`  ${entry.rows.toLocaleString('en-US')} rows, ${entry.observations.toLocaleString('en-US')} observations` +
      `${f.revised ? ` (${entry.changedObservations.toLocaleString('en-US')} changed)` : ''}, ${(entry.bytes / 1e6).toFixed(1)} MB in ${(entry.generatedMs / 1000).toFixed(1)} s`);
  }
  return manifest;
}
