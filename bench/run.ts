/**
 * `npm run bench [-- options]`: loads the generated full-size files through the real CLI path
 * (`node bin/trade-etl.js load <file> --dataset <id>`, a child process) into fresh databases —
 * the Postgres server of DATABASE_URL (a throw-away database created and dropped here) and
 * PGlite (a fresh DATA_DIR) — and prints, per case: input rows, observations written, wall time,
 * rows/s, the child's peak RSS, and the yardstick measured in the same run: `psql \copy` of the
 * same, already normalized observations into the same table (trade.observation_history with its
 * indexes), exported from the loaded table with `\copy … TO` and loaded back after a TRUNCATE.
 *
 * Options:
 *   --backend pg|pglite|both   (default both)
 *   --only mof|census          one kind of file (default both)
 *   --scale <n>                size of the base files (default 1 = 500,000 MOF rows, 1,000,000 Census rows)
 *   --no-x2                    skip the double-size files (the memory check)
 *   --pglite-scale <n>         size of the files loaded on PGlite (default: a tenth of --scale; PGlite
 *                              loads ~4x slower, and the full size would take over an hour)
 *   --keep                     keep the databases and data directories
 *   --node-options <flags>     NODE_OPTIONS for the CLI children (experiments only, e.g. a heap cap)
 * Results go to stdout and to bench/data/results-<time>.json.
 */
import fs from 'node:fs';
// @ts-expect-error plain JS module of the launcher, without types
import { freshBuild } from '../bin/fresh-build.js';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { BENCH_DATA_DIR, benchFiles, ensureFiles, type BenchFile, type BenchFileKind, type ManifestEntry } from './bench-files.js';
import { measureChild, type Measured } from './child-process-measure.js';
import { loadConfig } from '../src/core/config.js';
import { createLogger } from '../src/core/logger.js';
import { connect } from '../src/db/connect.js';
import { datasetById } from '../src/engine/registry.js';
import { storeFile } from '../src/fetch/raw-store.js';
import { loadRelease } from '../src/engine/load-release.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'bin', 'trade-etl.js');

const { values: opt } = parseArgs({
  options: {
    backend: { type: 'string', default: 'both' },
    only: { type: 'string' },
    scale: { type: 'string', default: '1' },
    'no-x2': { type: 'boolean', default: false },
    'pglite-scale': { type: 'string' },
    keep: { type: 'boolean', default: false },
    'node-options': { type: 'string' },
  },
});
const scale = Number(opt.scale);
const pgliteScale = Number(opt['pglite-scale'] ?? Number(opt.scale) / 10);
const kinds: BenchFileKind[] = opt.only ? [opt.only as BenchFileKind] : ['mof', 'census'];
const backends = opt.backend === 'both' ? ['pg', 'pglite'] as const : [opt.backend as 'pg' | 'pglite'];
if (![scale, pgliteScale].every((n) => Number.isFinite(n) && n > 0) || !kinds.every((k) => k === 'mof' || k === 'census')
  || !backends.every((b) => b === 'pg' || b === 'pglite')) {
  process.stderr.write('usage: npm run bench -- [--backend pg|pglite|both] [--only mof|census] [--scale n] [--pglite-scale n] [--no-x2] [--keep]\n');
  process.exit(2);
}

const SERVER = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const log = (s: string) => process.stdout.write(`${s}\n`);
const fmt = (n: number | null | undefined, digits = 0) => (n === null || n === undefined || !Number.isFinite(n) ? '–' : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));

interface CaseResult {
  kind: BenchFileKind;
  backend: 'pg' | 'pglite';
  case: string;
  file?: string;
  inputRows?: number;
  observations?: number;
  expectedObservations?: number;
  inserted?: number;
  closed?: number;
  expectedChanged?: number;
  wallMs: number;
  peakRssMb?: number | null;
  copyMs?: number;
  note?: string;
}
const results: CaseResult[] = [];
const runStarted = Date.now();

// ---- inputs --------------------------------------------------------------------------------

function wanted(): BenchFile[] {
  const files: BenchFile[] = [];
  const scales = new Set<number>();
  if (backends.includes('pg')) scales.add(scale);
  if (backends.includes('pglite')) scales.add(pgliteScale);
  for (const s of scales) files.push(...benchFiles(s, { kinds, revised: true }));
  if (!opt['no-x2']) for (const s of scales) files.push(...benchFiles(s * 2, { kinds, revised: false }));
  return files.filter((f, i, all) => all.findIndex((g) => g.name === f.name) === i);
}

// ---- databases -----------------------------------------------------------------------------

interface Target {
  backend: 'pg' | 'pglite';
  env: NodeJS.ProcessEnv;
  url?: string;
  dataDir: string;
  drop(): Promise<void>;
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>, url = SERVER): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try { return await fn(c); } finally { await c.end(); }
}

async function freshTarget(backend: 'pg' | 'pglite', label: string): Promise<Target> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `trade-etl-bench-${label}-`));
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
  // Only for experiments (e.g. a heap cap): the figures of record run the CLI as shipped.
  if (opt['node-options']) env.NODE_OPTIONS = opt['node-options'];
  delete env.DATABASE_URL;
  let url: string | undefined;
  let dbName: string | undefined;
  if (backend === 'pg') {
    dbName = `trade_etl_bench_${label.replace(/\W/g, '_')}_${crypto.randomBytes(3).toString('hex')}`;
    await admin((c) => c.query(`CREATE DATABASE ${dbName}`));
    const u = new URL(SERVER);
    u.pathname = `/${dbName}`;
    url = u.toString();
    env.DATABASE_URL = url;
  }
  const m = await measureChild(process.execPath, [CLI, 'migrate'], env, { useGnuTime: false });
  if (m.code !== 0) throw new Error(`migrate failed: ${m.stderr}`);
  return {
    backend, env, url, dataDir,
    async drop() {
      if (opt.keep) { log(`  kept: ${url ?? dataDir}`); return; }
      if (dbName) await admin((c) => c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`));
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A checkpoint before each timed step on the server, so no step pays for the previous one's dirty pages. */
async function checkpoint(t: Target): Promise<void> {
  if (t.url) await admin((c) => c.query('CHECKPOINT'), t.url).catch(() => {});
}

// ---- steps ---------------------------------------------------------------------------------

interface LoadReport { releaseId?: number; parsed?: number; inserted?: number; closed?: number; unchanged?: number; already: boolean }

function loadReport(stdout: string): LoadReport {
  const m = /as release (\d+) .*\): (\d+) observations, (\d+) new, (\d+) superseded, (\d+) unchanged/.exec(stdout);
  if (m) return { releaseId: Number(m[1]), parsed: Number(m[2]), inserted: Number(m[3]), closed: Number(m[4]), unchanged: Number(m[5]), already: false };
  return { already: /already loaded/.test(stdout) };
}

async function cliLoad(t: Target, f: BenchFile): Promise<{ m: Measured; r: LoadReport }> {
  await checkpoint(t);
  const m = await measureChild(process.execPath, [CLI, 'load', path.join(BENCH_DATA_DIR, f.name), '--dataset', f.dataset], t.env);
  if (m.code !== 0) throw new Error(`load of ${f.name} on ${t.backend} failed (exit ${m.code}):\n${m.stdout}${m.stderr}`);
  return { m, r: loadReport(m.stdout) };
}

async function writtenBy(t: Target, releaseId: number | undefined): Promise<number | undefined> {
  if (!t.url || releaseId === undefined) return undefined;
  return admin(async (c) => Number((await c.query('SELECT count(*)::bigint AS n FROM trade.observation_history WHERE valid_from_release = $1', [releaseId])).rows[0].n), t.url);
}

const COLUMNS = ['id', 'dataset', 'scope_key', 'reporter', 'partner', 'partner_source_code', 'flow', 'period', 'frequency', 'classification',
  'commodity_code', 'commodity_label', 'measure', 'value', 'unit', 'source_value', 'source_unit', 'basis', 'valid_from_release', 'valid_to_release'];

function psql(url: string, command: string): { ms: number; out: string } {
  const started = process.hrtime.bigint();
  const r = spawnSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', url, '-c', command], { encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 0) throw new Error(`psql failed: ${command.slice(0, 120)}\n${r.stderr}`);
  return { ms, out: r.stdout };
}

/** The yardstick: `\copy` of the loaded observations back into the emptied table. */
async function copyYardstick(t: Target, file: string): Promise<number> {
  const csv = path.join(t.dataDir, 'observations.csv');
  psql(t.url!, `\\copy (SELECT ${COLUMNS.join(', ')} FROM trade.observation_history ORDER BY id) TO '${csv}' WITH (FORMAT csv)`);
  psql(t.url!, 'TRUNCATE trade.observation_history');
  await checkpoint(t);
  const { ms } = psql(t.url!, `\\copy trade.observation_history (${COLUMNS.join(', ')}) FROM '${csv}' WITH (FORMAT csv)`);
  fs.rmSync(csv, { force: true });
  // Leave the table as the pipeline left it (it analyzes after a big first load); not timed.
  psql(t.url!, 'ANALYZE trade.observation_history');
  log(`    \\copy of the same observations (${file}): ${(ms / 1000).toFixed(1)} s`);
  return ms;
}

async function reloadInProcess(t: Target, f: BenchFile): Promise<number> {
  const config = loadConfig({ DATABASE_URL: t.url, DATA_DIR: t.dataDir, LOG_LEVEL: 'silent' });
  const db = await connect(config);
  try {
    const started = process.hrtime.bigint();
    const raw = await storeFile(config.dataDir, path.join(BENCH_DATA_DIR, f.name));
    const out = await loadRelease({ db, config, logger: createLogger({ logLevel: 'silent' }) }, datasetById(f.dataset), raw, { fileName: f.name });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (out.status !== 'unchanged') throw new Error(`in-process reload of ${f.name}: ${out.status}`);
    return ms;
  } finally {
    await db.close();
  }
}

function manifestOf(f: BenchFile, manifest: Record<string, ManifestEntry>): ManifestEntry {
  const e = manifest[f.name];
  if (!e) throw new Error(`no manifest entry for ${f.name}`);
  return e;
}

async function benchKind(backend: 'pg' | 'pglite', kind: BenchFileKind, s: number, manifest: Record<string, ManifestEntry>): Promise<void> {
  const [base, revised] = benchFiles(s, { kinds: [kind], revised: true }) as [BenchFile, BenchFile];
  const mb = manifestOf(base, manifest);
  const mr = manifestOf(revised, manifest);
  log(`\n== ${kind} on ${backend}: ${base.name} (${fmt(mb.rows)} rows, ${fmt(mb.observations)} observations, ${(mb.bytes / 1e6).toFixed(0)} MB)`);
  const t = await freshTarget(backend, `${kind}_${backend}`);
  try {
    const load = await cliLoad(t, base);
    const written = (await writtenBy(t, load.r.releaseId)) ?? load.r.inserted;
    const first: CaseResult = {
      kind, backend, case: 'load (fresh database)', file: base.name, inputRows: mb.rows, observations: written, expectedObservations: mb.observations,
      inserted: load.r.inserted, wallMs: load.m.wallMs, peakRssMb: load.m.peakRssMb,
    };
    results.push(first);
    log(`    load: ${(load.m.wallMs / 1000).toFixed(1)} s, ${fmt(written)} observations written (generator says ${fmt(mb.observations)}), peak RSS ${fmt(load.m.peakRssMb)} MB`);
    if (backend === 'pg') {
      first.copyMs = await copyYardstick(t, base.name);
      results.push({ kind, backend, case: '\\copy yardstick (same observations, same table)', observations: written, wallMs: first.copyMs });
    }
    const again = await cliLoad(t, base);
    results.push({ kind, backend, case: 'reload (same sha256)', file: base.name, inputRows: mb.rows, observations: 0, wallMs: again.m.wallMs, peakRssMb: again.m.peakRssMb, note: again.r.already ? 'already loaded' : 'NOT detected as loaded' });
    log(`    reload of the same file: ${(again.m.wallMs / 1000).toFixed(2)} s (${again.r.already ? 'already loaded' : 'NOT detected as already loaded'})`);
    if (t.url) {
      // The same reload without the process start-up: raw store (sha256 + copy) and the engine's check.
      const engineMs = await reloadInProcess(t, base);
      results.push({ kind, backend, case: 'reload, engine only (in-process, no CLI start-up)', file: base.name, inputRows: mb.rows, observations: 0, wallMs: engineMs, note: 'storeFile + loadRelease' });
      log(`    reload, engine only: ${(engineMs / 1000).toFixed(2)} s`);
    }
    const rev = await cliLoad(t, revised);
    results.push({
      kind, backend, case: 'revised file (1 % of observations changed)', file: revised.name, inputRows: mr.rows, observations: rev.r.inserted,
      inserted: rev.r.inserted, closed: rev.r.closed, expectedChanged: mr.changedObservations, wallMs: rev.m.wallMs, peakRssMb: rev.m.peakRssMb,
    });
    log(`    revised: ${(rev.m.wallMs / 1000).toFixed(1)} s, ${fmt(rev.r.inserted)} inserted / ${fmt(rev.r.closed)} closed (generator changed ${fmt(mr.changedObservations)} = ${(100 * mr.changedObservations / mr.observations).toFixed(2)} %), peak RSS ${fmt(rev.m.peakRssMb)} MB`);
  } finally {
    await t.drop();
  }
  if (!opt['no-x2']) {
    const [x2] = benchFiles(s * 2, { kinds: [kind], revised: false }) as [BenchFile];
    const m2 = manifestOf(x2, manifest);
    log(`== ${kind} on ${backend}, twice the size: ${x2.name} (${fmt(m2.rows)} rows, ${fmt(m2.observations)} observations)`);
    const t2 = await freshTarget(backend, `${kind}_${backend}_x2`);
    try {
      const load = await cliLoad(t2, x2);
      const written = (await writtenBy(t2, load.r.releaseId)) ?? load.r.inserted;
      results.push({ kind, backend, case: 'load, file twice as large', file: x2.name, inputRows: m2.rows, observations: written, expectedObservations: m2.observations, wallMs: load.m.wallMs, peakRssMb: load.m.peakRssMb });
      log(`    load: ${(load.m.wallMs / 1000).toFixed(1)} s, ${fmt(written)} observations, peak RSS ${fmt(load.m.peakRssMb)} MB`);
    } finally {
      await t2.drop();
    }
  }
}

// ---- report --------------------------------------------------------------------------------

function table(rows: CaseResult[]): string {
  const head = ['source', 'db', 'case', 'input rows', 'observations', 'wall s', 'rows/s', 'obs/s', 'peak RSS MB', '÷ \\copy', 'note'];
  const copyOf = (r: CaseResult) => rows.find((x) => x.kind === r.kind && x.backend === 'pg' && x.copyMs !== undefined)?.copyMs;
  const body = rows.map((r) => {
    const s = r.wallMs / 1000;
    const copy = r.case.startsWith('load (fresh') && r.backend === 'pg' ? copyOf(r) : undefined;
    const note = r.case.startsWith('revised')
      ? `${fmt(r.inserted)} inserted, ${fmt(r.closed)} closed; generator changed ${fmt(r.expectedChanged)}`
      : r.expectedObservations !== undefined
        ? (r.observations === r.expectedObservations ? 'count = generator' : `generator says ${fmt(r.expectedObservations)}`)
        : r.note ?? '';
    return [r.kind, r.backend, r.case, fmt(r.inputRows), fmt(r.observations), s.toFixed(s < 10 ? 2 : 1),
      r.inputRows && !r.case.startsWith('reload') ? fmt(r.inputRows / s) : '–', r.observations && /^(load|\\copy)/.test(r.case) ? fmt(r.observations / s) : '–',
      fmt(r.peakRssMb), copy ? (r.wallMs / copy).toFixed(2) : '–', note];
  });
  const lines = [head, ...body].map((cells) => `| ${cells.join(' | ')} |`);
  lines.splice(1, 0, `|${head.map(() => '---').join('|')}|`);
  return lines.join('\n');
}

async function main(): Promise<void> {
  log(`trade-etl benchmark — ${new Date().toISOString()} — ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GB, node ${process.version}`);
  log(`server: ${SERVER.replace(/:[^:@/]*@/, ':*****@')} (a fresh database per case, dropped afterwards)`);
  log(`file sizes: ×${scale} on Postgres, ×${pgliteScale} on PGlite (--scale, --pglite-scale)`);
  log(freshBuild()
    ? 'CLI: compiled dist/ (up to date with the sources)'
    : 'CLI: TypeScript sources through tsx — dist/ is missing or older than the sources; `npm run build` first for the figures users get');
  const manifest = ensureFiles(wanted(), { log: (s) => log(`  ${s}`) });
  const startup = await measureChild(process.execPath, [CLI, '--help'], process.env);
  log(`CLI start-up (node bin/trade-etl.js --help): ${(startup.wallMs / 1000).toFixed(2)} s, ${fmt(startup.peakRssMb)} MB`);
  for (const backend of backends) {
    for (const kind of kinds) await benchKind(backend, kind, backend === 'pg' ? scale : pgliteScale, manifest);
  }
  const out = table(results);
  log(`\n${out}\n`);
  log(`CLI start-up alone: ${(startup.wallMs / 1000).toFixed(2)} s. Whole run: ${((Date.now() - runStarted) / 60000).toFixed(1)} min.`);
  const file = path.join(BENCH_DATA_DIR, `results-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, `${JSON.stringify({ at: new Date().toISOString(), cores: os.cpus().length, memGb: os.totalmem() / 2 ** 30, node: process.version, startupMs: startup.wallMs, results, table: out }, null, 2)}\n`);
  log(`results: ${path.relative(ROOT, file)}`);
}

await main();
