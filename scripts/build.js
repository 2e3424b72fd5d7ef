#!/usr/bin/env node
// Compiles src/ and pipelines/ to dist/ (`npm run build`; also run by `npm ci` through
// `prepare`). bin/trade-etl.js runs dist/ only while no source file is newer than the stamp
// written here, and the TypeScript sources through tsx otherwise — so a stale or missing build
// is slower, never wrong. Why compile at all: tsx transforms every module on each start, which
// cost about 0.6 s and 30 MB per command (docs/performance.md). Why bundle the compiled
// output too (dist/bundle/, esbuild, code split at the lazy imports): Node spent about 0.3 s of
// every command resolving, reading and compiling ~400 small ES modules (Kysely alone is 280);
// as a few chunks they load in a fraction of that. The bundle is optional — without it (esbuild
// missing or failing) the launcher runs dist/src/ as before.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { upToDate } from '../bin/fresh-build.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const optional = process.argv.includes('--if-possible');
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');

if (!fs.existsSync(tsc)) {
  // `npm ci --omit=dev` has no compiler: the CLI runs the sources through tsx.
  process.stderr.write('build: typescript is not installed; trade-etl will run its sources through tsx\n');
  process.exit(optional ? 0 : 1);
}
// `prepare` (npm ci, and npm's install of the project into its npx cache) keeps a current build.
if (optional && upToDate()) {
  process.stderr.write('build: dist/ is up to date\n');
  process.exit(0);
}
const started = Date.now();
fs.rmSync(dist, { recursive: true, force: true });
const r = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (r.status !== 0) {
  fs.rmSync(dist, { recursive: true, force: true });
  process.stderr.write(`build: tsc failed; ${optional ? 'trade-etl will run its sources through tsx' : 'no dist/ written'}\n`);
  process.exit(optional ? 0 : 1);
}
await bundle();
await pgliteTemplate();
// The start time, not the end: a source saved during the build counts as newer.
fs.writeFileSync(path.join(dist, 'build-stamp.json'), `${JSON.stringify({ startedAt: started, node: process.version })}\n`);
process.stderr.write(`build: dist/ written in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);

/**
 * dist/src/cli/main.js and everything it imports, as chunks in dist/bundle/. Left out: packages
 * that find files next to themselves at run time (PGlite's WASM and data, pino's worker
 * transports), the optional native pg driver, and the big ones only some commands load lazily
 * (SheetJS, Vega) — they are imported from node_modules as before.
 */
async function bundle() {
  const out = path.join(dist, 'bundle');
  try {
    const { build } = await import('esbuild');
    await build({
      entryPoints: [path.join(dist, 'src', 'cli', 'main.js')], outdir: out,
      bundle: true, splitting: true, format: 'esm', platform: 'node', target: 'node20', chunkNames: 'chunk-[hash]',
      external: ['@electric-sql/pglite', '@electric-sql/pglite/*', '@electric-sql/pglite-socket', 'pg-native', 'pino', 'pino-pretty',
        'xlsx', 'vega', 'vega-lite', 'tsx', 'tsx/*'],
      // Bundled CommonJS packages (pg, commander, iconv-lite) call require for Node's own modules.
      banner: { js: "import { createRequire as __tradeEtlRequire } from 'node:module'; const require = __tradeEtlRequire(import.meta.url);" },
      logLevel: 'error',
    });
  } catch (err) {
    fs.rmSync(out, { recursive: true, force: true });
    process.stderr.write(`build: no bundle (${err instanceof Error ? err.message.split('\n')[0] : err}); trade-etl will run dist/src/ unbundled\n`);
  }
}

/**
 * The template of a new embedded database (src/db/pglite-template.ts): PGlite's initdb run once
 * here rather than in the first command of every new DATA_DIR (3.7 s, ~790 MB RSS there). Kept
 * per PGlite version in node_modules/.cache, so a rebuild does not make it again. Optional: a
 * new DATA_DIR then runs initdb as before.
 */
async function pgliteTemplate() {
  try {
    const { makePgliteTemplate, pgliteTemplatePath } = await import(path.join(dist, 'src', 'db', 'pglite-template.js'));
    const dir = pgliteTemplatePath();
    if (!dir) throw new Error('@electric-sql/pglite not found');
    const t = Date.now();
    if ((await makePgliteTemplate(dir)) === 'made') process.stderr.write(`build: new embedded databases start from ${path.relative(root, dir)} (made in ${((Date.now() - t) / 1000).toFixed(1)} s)\n`);
  } catch (err) {
    process.stderr.write(`build: no template for new embedded databases (${err instanceof Error ? err.message.split('\n')[0] : err}); a new DATA_DIR runs PGlite's initdb\n`);
  }
}
