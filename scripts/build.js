#!/usr/bin/env node
// Compiles src/ and pipelines/ to dist/ (`npm run build`; also run by `npm ci` through
// `prepare`). bin/trade-etl.js runs dist/ only while no source file is newer than the stamp
// written here, and the TypeScript sources through tsx otherwise — so a stale or missing build
// is slower, never wrong. Why compile at all: tsx transforms every module on each start, which
// cost about 0.6 s and 30 MB per command (docs/performance.md).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const optional = process.argv.includes('--if-possible');
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');

if (!fs.existsSync(tsc)) {
  // `npm ci --omit=dev` has no compiler: the CLI runs the sources through tsx.
  process.stderr.write('build: typescript is not installed; trade-etl will run its sources through tsx\n');
  process.exit(optional ? 0 : 1);
}
const started = Date.now();
fs.rmSync(dist, { recursive: true, force: true });
const r = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (r.status !== 0) {
  fs.rmSync(dist, { recursive: true, force: true });
  process.stderr.write(`build: tsc failed; ${optional ? 'trade-etl will run its sources through tsx' : 'no dist/ written'}\n`);
  process.exit(optional ? 0 : 1);
}
// The start time, not the end: a source saved during the build counts as newer.
fs.writeFileSync(path.join(dist, 'build-stamp.json'), `${JSON.stringify({ startedAt: started, node: process.version })}\n`);
process.stderr.write(`build: dist/ written in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
