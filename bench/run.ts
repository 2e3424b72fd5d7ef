/**
 * `npm run bench [-- options]`: loads the generated full-size files through the real CLI path
 * (`node bin/trade-etl.js load <file> --dataset <id>`, a child process) into fresh databases —
 * the Postgres server of DATABASE_URL (a throw-away database created and dropped here) and
 * PGlite (a fresh DATA_DIR) — and prints, per case: input rows, observations written, wall time,
 * rows/s, the child's peak RSS, and two yardsticks measured in the same run on Postgres:
 * - the in-database ELT (issue 16; MOF files): `psql \copy` of the raw CSV rows into an UNLOGGED
 *   table, then one INSERT … SELECT that unpivots them with LATERAL VALUES into a narrow table
 *   keyed by (commodity, partner, period, measure) — the fastest load the database itself does;
 * - `psql \copy` of the same, already normalized rows into the same store (the dataset's
 *   partition of trade.observation_fact with its index), exported with `\copy … TO` and loaded
 *   back after a TRUNCATE.
 * It also reports bytes per observation (pg_total_relation_size of the dataset's partition,
 * indexes included, and with the dimension tables and etl.series_fingerprint), and the ratios
 * the targets are stated in.
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
 *   --repeat <n>               run every case n times, each round in fresh databases, and report the
 *                              ratios of each round and their median (this machine's speed varies by
 *                              a third within minutes; a ratio is only taken within one round)
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
import { FACT_COLUMNS, partitionOf } from '../src/engine/observation-store.js';

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
    repeat: { type: 'string', default: '1' },
    baseline: { type: 'string' },
  },
});
const scale = Number(opt.scale);
const rounds = Number(opt.repeat);
const pgliteScale = Number(opt['pglite-scale'] ?? Number(opt.scale) / 10);
const kinds: BenchFileKind[] = opt.only ? [opt.only as BenchFileKind] : ['mof', 'census'];
const backends = opt.backend === 'both' ? ['pg', 'pglite'] as const : [opt.backend as 'pg' | 'pglite'];
if (![scale, pgliteScale].every((n) => Number.isFinite(n) && n > 0) || !(Number.isInteger(rounds) && rounds >= 1) || !kinds.every((k) => k === 'mof' || k === 'census')
  || !backends.every((b) => b === 'pg' || b === 'pglite')) {
  process.stderr.write('usage: npm run bench -- [--backend pg|pglite|both] [--only mof|census] [--scale n] [--pglite-scale n] [--no-x2] [--keep] [--repeat n] [--baseline DIR]\n');
  process.exit(2);
}
/**
 * `--baseline DIR`: another checkout of trade-etl, installed (`npm ci` there), e.g. the code before
 * a change (`git worktree add ../before <ref>`). Its CLI loads the same files into a fresh
 * database of its own right after this code's, in every round, so the two are measured side by
 * side on the same machine minutes apart; the table gives this code's speed-up over it.
 */
const BASELINE_CLI = opt.baseline ? path.resolve(opt.baseline, 'bin', 'trade-etl.js') : undefined;
if (BASELINE_CLI && !fs.existsSync(BASELINE_CLI)) {
  process.stderr.write(`--baseline: no bin/trade-etl.js in ${opt.baseline} (a checkout of trade-etl, installed with npm ci)\n`);
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
  eltMs?: number;
  bytesPerObs?: number;
  bytesPerObsWithDims?: number;
  note?: string;
  /** Round of --repeat (1 …). */
  round?: number;
  /** A case loaded by the --baseline checkout's CLI: this code's wall time of the same case, same round. */
  oursMs?: number;
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

async function freshTarget(backend: 'pg' | 'pglite', label: string, cli = CLI): Promise<Target> {
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
  const m = await measureChild(process.execPath, [cli, 'migrate'], env, { useGnuTime: false });
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

/**
 * Before the reload and the revision (untimed, on the server): `VACUUM (ANALYZE)` of the bench's
 * database — the monthly steady state, in which autovacuum finished with the last load long ago.
 * A first load of millions of rows, and the yardstick's truncate and \copy of the partition, each
 * leave autovacuum a vacuum of the whole partition; it started during the revision or not, by
 * chance, and shared this machine's two cores with it (a full-size Census revision: 12.1 s after
 * a VACUUM, 14.4–15.2 s in the bench without). PGlite has no autovacuum.
 */
async function settle(t: Target): Promise<void> {
  if (t.url) await admin((c) => c.query('VACUUM (ANALYZE)'), t.url);
}

// ---- steps ---------------------------------------------------------------------------------

interface LoadReport { releaseId?: number; parsed?: number; inserted?: number; closed?: number; unchanged?: number; already: boolean }

function loadReport(stdout: string): LoadReport {
  const m = /as release (\d+) .*\): (\d+) observations, (\d+) new, (\d+) superseded, (\d+) unchanged/.exec(stdout);
  if (m) return { releaseId: Number(m[1]), parsed: Number(m[2]), inserted: Number(m[3]), closed: Number(m[4]), unchanged: Number(m[5]), already: false };
  return { already: /already loaded/.test(stdout) };
}

async function cliLoad(t: Target, f: BenchFile, cli = CLI): Promise<{ m: Measured; r: LoadReport }> {
  await checkpoint(t);
  const m = await measureChild(process.execPath, [cli, 'load', path.join(BENCH_DATA_DIR, f.name), '--dataset', f.dataset], t.env);
  if (m.code !== 0) throw new Error(`load of ${f.name} on ${t.backend} failed (exit ${m.code}):\n${m.stdout}${m.stderr}`);
  return { m, r: loadReport(m.stdout) };
}

async function writtenBy(t: Target, releaseId: number | undefined): Promise<number | undefined> {
  if (!t.url || releaseId === undefined) return undefined;
  return admin(async (c) => Number((await c.query('SELECT count(*)::bigint AS n FROM trade.observation_fact WHERE valid_from_release = $1', [releaseId])).rows[0].n), t.url);
}

/** Bytes per observation of the dataset's partition (heap, TOAST, index), alone and with the dimension tables (and the series fingerprints). */
async function storageOf(t: Target, dataset: string): Promise<{ bytes: number; withDims: number; rows: number; perObs: number; perObsWithDims: number }> {
  return admin(async (c) => {
    const part = partitionOf(dataset);
    const r = (await c.query(`SELECT pg_total_relation_size($1::regclass)::bigint AS bytes,
        (pg_total_relation_size('trade.series') + pg_total_relation_size('trade.attribute_set') + pg_total_relation_size('trade.scope')
         + pg_total_relation_size('trade.dataset') + pg_total_relation_size('etl.series_fingerprint'))::bigint AS dims,
        (SELECT count(*) FROM ${part})::bigint AS rows`, [part])).rows[0];
    const bytes = Number(r.bytes);
    const rows = Number(r.rows);
    return { bytes, withDims: bytes + Number(r.dims), rows, perObs: bytes / rows, perObsWithDims: (bytes + Number(r.dims)) / rows };
  }, t.url);
}


function psql(url: string, ...commands: string[]): { ms: number; out: string } {
  const started = process.hrtime.bigint();
  const r = spawnSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', url, ...commands.flatMap((c) => ['-c', c])], { encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 0) throw new Error(`psql failed: ${commands.join('; ').slice(0, 160)}\n${r.stderr}`);
  return { ms, out: r.stdout };
}

/** The `\copy` yardstick: the loaded rows of the dataset's partition back into the emptied partition. */
async function copyYardstick(t: Target, file: string, dataset: string): Promise<number> {
  const csv = path.join(t.dataDir, 'observations.csv');
  const part = partitionOf(dataset);
  psql(t.url!, `\\copy (SELECT ${FACT_COLUMNS} FROM ${part}) TO '${csv}' WITH (FORMAT csv)`);
  psql(t.url!, `TRUNCATE ${part}`);
  await checkpoint(t);
  const { ms } = psql(t.url!, `\\copy ${part} (${FACT_COLUMNS}) FROM '${csv}' WITH (FORMAT csv)`);
  fs.rmSync(csv, { force: true });
  // Leave the table as the pipeline left it (it analyzes after a big first load); not timed.
  psql(t.url!, `ANALYZE ${part}`);
  log(`    \\copy of the same rows into the partition (${file}): ${(ms / 1000).toFixed(1)} s`);
  return ms;
}

const MOF_RAW_COLUMNS = ['flow', 'year', 'hs', 'country', 'unit1', 'unit2', 'q1_0', 'q2_0', 'v_0',
  ...Array.from({ length: 12 }, (_, i) => [`q1_${i + 1}`, `q2_${i + 1}`, `v_${i + 1}`]).flat()];

/**
 * The in-database ELT yardstick of issue 16 on a MOF file: `\copy` the raw rows into an UNLOGGED
 * table, then unpivot them with LATERAL VALUES into a narrow table keyed by (commodity, partner,
 * flow, period, measure) — a value per month and year, a quantity per non-blank unit, as the
 * parser emits them. Timed: both steps, in one psql session. Returns the time, the rows made
 * and the narrow table's bytes per row (primary key included).
 */
function eltYardstick(t: Target, file: string): { ms: number; rows: number; bytesPerRow: number } {
  const lateral = Array.from({ length: 13 }, (_, m) => [
    `(${m}::smallint, 0::smallint, r.v_${m})`,
    `(${m}::smallint, 1::smallint, CASE WHEN btrim(r.unit1) <> '' THEN r.q1_${m} END)`,
    `(${m}::smallint, 2::smallint, CASE WHEN btrim(r.unit2) <> '' THEN r.q2_${m} END)`]).flat().join(', ');
  psql(t.url!, 'DROP TABLE IF EXISTS public.elt_raw, public.elt_obs',
    `CREATE UNLOGGED TABLE public.elt_raw (${MOF_RAW_COLUMNS.map((c) => `${c} text`).join(', ')})`,
    `CREATE TABLE public.elt_obs (flow smallint, commodity text, partner text, period smallint, measure smallint, value numeric NOT NULL,
       PRIMARY KEY (commodity, partner, flow, period, measure))`);
  const { ms } = psql(t.url!,
    `\\copy public.elt_raw FROM '${path.join(BENCH_DATA_DIR, file)}' WITH (FORMAT csv, HEADER true, ENCODING 'SJIS')`,
    `INSERT INTO public.elt_obs SELECT r.flow::smallint, btrim(r.hs, ''''), r.country, x.period, x.measure, x.value::numeric
     FROM public.elt_raw r CROSS JOIN LATERAL (VALUES ${lateral}) AS x(period, measure, value) WHERE x.value IS NOT NULL`);
  const out = psql(t.url!, `SELECT count(*) || ' ' || pg_total_relation_size('public.elt_obs') FROM public.elt_obs`).out;
  const [rows, bytes] = (/(\d+) (\d+)/.exec(out) ?? []).slice(1).map(Number) as [number, number];
  psql(t.url!, 'DROP TABLE public.elt_raw, public.elt_obs');
  log(`    in-database ELT (\\copy raw rows into an UNLOGGED table, unpivot with LATERAL VALUES): ${(ms / 1000).toFixed(1)} s, ${fmt(rows)} rows, ${(bytes / rows).toFixed(0)} bytes per row`);
  return { ms, rows, bytesPerRow: bytes / rows };
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

async function benchKind(backend: 'pg' | 'pglite', kind: BenchFileKind, s: number, manifest: Record<string, ManifestEntry>, round: number): Promise<void> {
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
      const st = await storageOf(t, base.dataset);
      first.bytesPerObs = st.perObs;
      first.bytesPerObsWithDims = st.perObsWithDims;
      log(`    storage: ${(st.bytes / 1e6).toFixed(1)} MB partition incl. index = ${st.perObs.toFixed(1)} bytes per observation; with the dimension tables ${st.perObsWithDims.toFixed(1)}`);
      if (kind === 'mof') {
        await checkpoint(t);
        const elt = eltYardstick(t, base.name);
        first.eltMs = elt.ms;
        results.push({ kind, backend, case: 'in-database ELT yardstick (raw \\copy + LATERAL VALUES unpivot)', observations: elt.rows, wallMs: elt.ms,
          bytesPerObs: elt.bytesPerRow, note: elt.rows === mb.observations ? 'rows = generator' : `generator says ${fmt(mb.observations)}` });
      }
      first.copyMs = await copyYardstick(t, base.name, base.dataset);
      results.push({ kind, backend, case: '\\copy yardstick (same rows, same partition)', observations: written, wallMs: first.copyMs });
    }
    await settle(t);
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
  if (BASELINE_CLI) await baselineKind(backend, kind, base, revised, mb, mr);
  if (!opt['no-x2'] && round === 1) {
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

/** The same first load, reload and revision by the --baseline checkout's CLI, each paired with this code's result. */
async function baselineKind(backend: 'pg' | 'pglite', kind: BenchFileKind, base: BenchFile, revised: BenchFile, mb: ManifestEntry, mr: ManifestEntry): Promise<void> {
  const ours = (c: string) => results.filter((r) => r.kind === kind && r.backend === backend && r.case === c).at(-1);
  const t = await freshTarget(backend, `${kind}_${backend}_baseline`, BASELINE_CLI);
  try {
    const load = await cliLoad(t, base, BASELINE_CLI);
    await settle(t);
    const again = await cliLoad(t, base, BASELINE_CLI);
    const rev = await cliLoad(t, revised, BASELINE_CLI);
    const pairs: Array<[string, Measured, number | undefined, LoadReport]> = [
      ['load (fresh database)', load.m, mb.rows, load.r], ['reload (same sha256)', again.m, mb.rows, again.r],
      ['revised file (1 % of observations changed)', rev.m, mr.rows, rev.r]];
    for (const [c, m, rows, r] of pairs) {
      const mine = ours(c);
      results.push({ kind, backend, case: `baseline: ${c}`, file: c.startsWith('revised') ? revised.name : base.name, inputRows: rows,
        observations: r.already ? 0 : r.inserted, wallMs: m.wallMs, peakRssMb: m.peakRssMb, oursMs: mine?.wallMs,
        note: mine ? `this code ${(m.wallMs / mine.wallMs).toFixed(2)} × as fast` : '' });
    }
    log(`    baseline (${opt.baseline}): load ${(load.m.wallMs / 1000).toFixed(1)} s, reload ${(again.m.wallMs / 1000).toFixed(2)} s, revised ${(rev.m.wallMs / 1000).toFixed(1)} s`);
  } finally {
    await t.drop();
  }
}

// ---- report --------------------------------------------------------------------------------

function table(rows: CaseResult[]): string {
  const head = ['source', 'db', 'case', 'input rows', 'observations', 'wall s', 'rows/s', 'obs/s', 'peak RSS MB', 'bytes/obs', '÷ ELT', '÷ \\copy', '÷ first load', 'note'];
  const firstOf = (r: CaseResult) => rows.find((x) => x.kind === r.kind && x.backend === r.backend && x.round === r.round && x.case.startsWith('load (fresh'));
  const body = rows.map((r) => {
    const s = r.wallMs / 1000;
    const first = firstOf(r);
    const isFirst = r === first;
    const note = r.case.startsWith('revised')
      ? `${fmt(r.inserted)} inserted, ${fmt(r.closed)} closed; generator changed ${fmt(r.expectedChanged)}`
      : r.expectedObservations !== undefined
        ? (r.observations === r.expectedObservations ? 'count = generator' : `generator says ${fmt(r.expectedObservations)}`)
        : r.note ?? '';
    const bytes = r.bytesPerObs === undefined ? '–'
      : r.bytesPerObsWithDims === undefined ? r.bytesPerObs.toFixed(0) : `${r.bytesPerObs.toFixed(0)} (${r.bytesPerObsWithDims.toFixed(0)} with dims)`;
    const c = r.case.replace(/^baseline: /, '');
    return [r.kind, rounds > 1 ? `${r.backend} #${r.round}` : r.backend, r.case, fmt(r.inputRows), fmt(r.observations), s.toFixed(s < 10 ? 2 : 1),
      r.inputRows && !c.startsWith('reload') ? fmt(r.inputRows / s) : '–',
      r.observations && /^(load|\\copy|in-database)/.test(c) ? fmt(r.observations / s) : '–',
      fmt(r.peakRssMb), bytes,
      isFirst && r.eltMs ? (r.wallMs / r.eltMs).toFixed(2) : '–',
      isFirst && r.copyMs ? (r.wallMs / r.copyMs).toFixed(2) : '–',
      first && !isFirst && /^(revised|reload)/.test(r.case) ? (r.wallMs / first.wallMs).toFixed(3) : '–',
      note];
  });
  const lines = [head, ...body].map((cells) => `| ${cells.join(' | ')} |`);
  lines.splice(1, 0, `|${head.map(() => '---').join('|')}|`);
  return lines.join('\n');
}

/** Per kind and back-end: the targets' ratios of each round (measured within the round) and their median. */
function roundSummary(rows: CaseResult[]): string {
  const median = (xs: number[]) => { const a = [...xs].sort((x, y) => x - y); return a.length % 2 ? a[(a.length - 1) / 2]! : (a[a.length / 2 - 1]! + a[a.length / 2]!) / 2; };
  const out: string[] = [];
  for (const backend of backends) {
    for (const kind of kinds) {
      const firsts = rows.filter((r) => r.kind === kind && r.backend === backend && r.case.startsWith('load (fresh'));
      if (firsts.length === 0) continue;
      const revOf = (f: CaseResult) => rows.find((r) => r.kind === kind && r.backend === backend && r.round === f.round && r.case.startsWith('revised'));
      const line = (name: string, xs: number[], d = 2) => xs.length ? `  ${name}: ${xs.map((x) => x.toFixed(d)).join(', ')} (median ${median(xs).toFixed(d)})` : '';
      out.push(`${kind} on ${backend}, ${firsts.length} rounds:`,
        line('first load s', firsts.map((f) => f.wallMs / 1000)),
        line('first load ÷ ELT', firsts.filter((f) => f.eltMs).map((f) => f.wallMs / f.eltMs!)),
        line('revision s', firsts.map((f) => revOf(f)?.wallMs).filter((x): x is number => x !== undefined).map((x) => x / 1000)),
        line('revision ÷ first load', firsts.filter((f) => revOf(f)).map((f) => revOf(f)!.wallMs / f.wallMs), 3));
      for (const c of ['load (fresh database)', 'revised file (1 % of observations changed)']) {
        const pairs = rows.filter((r) => r.kind === kind && r.backend === backend && r.case === `baseline: ${c}` && r.oursMs);
        out.push(line(`${c.split(' (')[0]}: baseline ÷ this code`, pairs.map((r) => r.wallMs / r.oursMs!)));
      }
    }
  }
  return out.filter(Boolean).join('\n');
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
  for (let round = 1; round <= rounds; round++) {
    if (rounds > 1) log(`\n=== round ${round} of ${rounds}`);
    for (const backend of backends) {
      for (const kind of kinds) {
        const mark = results.length;
        await benchKind(backend, kind, backend === 'pg' ? scale : pgliteScale, manifest, round);
        for (const r of results.slice(mark)) r.round = round;
      }
    }
  }
  const out = table(results);
  log(`\n${out}\n`);
  if (rounds > 1 || BASELINE_CLI) log(`${roundSummary(results)}\n`);
  log(`CLI start-up alone: ${(startup.wallMs / 1000).toFixed(2)} s. Whole run: ${((Date.now() - runStarted) / 60000).toFixed(1)} min.`);
  const file = path.join(BENCH_DATA_DIR, `results-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, `${JSON.stringify({ at: new Date().toISOString(), cores: os.cpus().length, memGb: os.totalmem() / 2 ** 30, node: process.version, startupMs: startup.wallMs, baseline: opt.baseline, results, table: out }, null, 2)}\n`);
  log(`results: ${path.relative(ROOT, file)}`);
}

await main();
