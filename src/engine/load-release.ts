import fs from 'node:fs';
import type { Dataset, ReleaseFacts, ReleaseInput, SourcePosition } from '../core/vocabulary.js';
import { DataError, EtlError, PermanentError } from '../core/errors.js';
import { redactUrl } from '../core/config.js';
import { openRaw, type RawFile } from '../fetch/raw-store.js';
import { checkContent } from '../parse/sniff.js';
import { withDatasetLock } from '../db/lock.js';
import type { CopyValue, Session } from '../db/connect.js';
import { etlQueries, run, etlBuilder } from '../db/etl-schema.js';
import { fxTarget, lateMergeSql, mergeSql, tradeTarget, type Target } from './targets.js';
import { rowBatches } from '../core/batches.js';
import { KnownSeries, partitionOf, RestageNeeded, STAGE_COLUMNS, StageEncoder, stageObservation, storeLateSql, storeSql, type RawPlan } from './observation-store.js';
import type { EngineContext } from './context.js';

/** Where a release's bytes came from. */
export interface ReleaseOrigin {
  fileName: string;
  url?: string;
  contentType?: string | null;
  etag?: string | null;
  lastModified?: string | null;
  hints?: Record<string, unknown>;
  /** Came over HTTP (an HTML page is then a transient failure, not a data error). */
  fromHttp?: boolean;
  /** Let a whole-series release drop more of its scope's current keys than config.maxShrinkShare (`--allow-shrink`). */
  allowShrink?: boolean;
}

export type ReleaseStatus = 'loaded' | 'unchanged' | 'failed';

export interface ReleaseOutcome {
  dataset: string;
  fileName: string;
  status: ReleaseStatus;
  releaseId?: number;
  scopeKey?: string;
  stage?: string;
  publishedOn?: string;
  rowsParsed?: number;
  rowsInserted?: number;
  rowsClosed?: number;
  rowsUnchanged?: number;
  /** Published before the newest release of its scope: joined the history, current values kept. */
  late?: boolean;
  /** Series of a revision left out of the staging: their lines matched their stored fingerprint (PGlite). */
  seriesSkipped?: number;
  /** Why the release was staged again in full after series had been left out. */
  restaged?: string;
  /** What the parser normalized or skipped (facts.notices), for the person loading the file. */
  notices?: string[];
  ms?: number;
  error?: EtlError | Error;
}

/**
 * default_statistics_target of a load's transaction (300 × this many rows sampled per ANALYZE):
 * for its temporary tables everywhere, and on PGlite for every table (analyzeKept).
 */
const LOAD_STATISTICS_TARGET = 10;

/**
 * ANALYZE of a table that outlives the load. On a server with the server's own sample size: the
 * planner of analysts' queries and of later loads reads these statistics until autovacuum
 * replaces them. PGlite keeps the load's small sample (it has no autovacuum, and in the wasm
 * build the default sample's sorting was a tenth of a load).
 */
async function analyzeKept(tx: Session, table: string, onServer: boolean): Promise<void> {
  if (!onServer) {
    await tx.query(`ANALYZE ${table}`);
    return;
  }
  await tx.query('SET LOCAL default_statistics_target TO DEFAULT');
  await tx.query(`ANALYZE ${table}`);
  await tx.query(`SET LOCAL default_statistics_target = ${LOAD_STATISTICS_TARGET}`);
}

function targetOf(dataset: Dataset<any>): Target<any> {
  return dataset.store ?? (dataset.target === 'fx' ? fxTarget : tradeTarget);
}

/**
 * Loads one stored release into its history table: content check, parse (streaming) → COPY into
 * a staging table → merge, all in ONE transaction under the dataset's lock. Already-loaded bytes
 * (same sha256) are skipped. A failure leaves the data tables exactly as they were, and the
 * release row records the error.
 * @example const out = await loadRelease(ctx, dataset, raw, { fileName: 'd41ma.csv' });
 */
export async function loadRelease(ctx: EngineContext, dataset: Dataset<any>, raw: RawFile, origin: ReleaseOrigin): Promise<ReleaseOutcome> {
  const { db, config, logger } = ctx;
  const started = Date.now();
  const base = { dataset: dataset.id, fileName: origin.fileName };
  const q = await etlQueries();
  return withDatasetLock(db, dataset.id, config.lockWaitMs, async () => {
    const [already] = await run(db, q.selectFrom('etl.release').select('id')
      .where('dataset', '=', dataset.id).where('sha256', '=', raw.sha256).where('status', '=', 'loaded'));
    if (already) {
      logger.info({ dataset: dataset.id, file: origin.fileName, releaseId: Number(already.id) }, 'release already loaded (same sha256): nothing to do');
      return { ...base, status: 'unchanged', releaseId: Number(already.id), ms: Date.now() - started };
    }
    const [rel] = await run(db, q.insertInto('etl.release').values({
      source: dataset.source, dataset: dataset.id, url: origin.url ? redactUrl(origin.url) : null, file_name: origin.fileName,
      sha256: raw.sha256, bytes: raw.bytes, content_type: origin.contentType ?? null, etag: origin.etag ?? null,
      last_modified: origin.lastModified ?? null, status: 'loading', run_id: ctx.runId ?? null,
    }).returning('id'));
    const releaseId = Number(rel!.id);
    const log = logger.child({ dataset: dataset.id, file: origin.fileName, releaseId });
    try {
      const head = await readHead(raw.path);
      checkContent(head, { dataset: dataset.id, fileName: origin.fileName, kind: dataset.contentKind, bytes: raw.bytes, fromHttp: origin.fromHttp });
      const facts: ReleaseFacts = {};
      // A new dataset's partition is created in a transaction of its own: creating a partition
      // locks the whole fact table, which must not last as long as a load.
      if (targetOf(dataset) === tradeTarget) await db.query(storeSql.datasetId, [dataset.id]);
      const result = await db.transaction((tx) => mergeRelease(tx, dataset, raw, origin, facts, releaseId, { maxShrinkShare: config.maxShrinkShare, onServer: db.kind !== 'pglite' }));
      const out: ReleaseOutcome = { ...base, ...result, releaseId, scopeKey: facts.scopeKey, stage: facts.stage, notices: facts.notices, ms: Date.now() - started };
      for (const n of facts.notices ?? []) log.warn({ notice: n }, `release loaded with a notice: ${n}`);
      log.info({ status: out.status, late: out.late, scopeKey: out.scopeKey, stage: out.stage, publishedOn: out.publishedOn, rowsParsed: out.rowsParsed, rowsInserted: out.rowsInserted, rowsClosed: out.rowsClosed, seriesSkipped: out.seriesSkipped, restaged: out.restaged, ms: out.ms }, out.late ? 'release is older than the newest loaded for its scope: added to the history at its publication date, current values kept' : 'release loaded');
      return out;
    } catch (err) {
      const e = err as Error;
      const detail = err instanceof EtlError ? err.context : {};
      await run(db, q.updateTable('etl.release').set({ status: 'failed', error: e.message, error_detail: JSON.stringify(detail) })
        .where('id', '=', releaseId)).catch((recErr: Error) => {
        // The release row stays 'loading'; the next command's sweep marks it failed (interrupted).
        log.error({ releaseId, err: recErr.message, cause: e.message }, 'could not record the release as failed');
      });
      log.error({ err: e.message, ...(err instanceof EtlError ? err.toLog() : {}) }, 'release failed; database unchanged');
      return { ...base, status: 'failed', releaseId, error: e, ms: Date.now() - started };
    }
  });
}

async function readHead(file: string): Promise<Buffer> {
  const fd = await fs.promises.open(file, 'r');
  try {
    const buf = Buffer.alloc(1024);
    const { bytesRead } = await fd.read(buf, 0, buf.length, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fd.close();
  }
}

async function mergeRelease(tx: Session, dataset: Dataset<any>, raw: RawFile, origin: ReleaseOrigin, facts: ReleaseFacts, releaseId: number,
  { maxShrinkShare, onServer }: { maxShrinkShare: number; onServer: boolean }) {
  const target = targetOf(dataset);
  const sql = mergeSql(target);
  const trade = target === tradeTarget;
  const cols = trade ? STAGE_COLUMNS : [...target.keys, ...target.attrs];
  // The load's ANALYZEs of its temporary tables sample 3,000 rows, not 30,000. They are there
  // for the planner's row counts and rough distinct counts (hash join or nested loop), which a
  // small sample gives as well: in the wasm build the default's sorting of 30,000 sampled values
  // per column was 0.48 of a 5.4 s Census first load (0.08 s now); on a server `_stage` alone
  // was 0.09–0.12 s of a 1.3 s Census revision at 0.1. Tables that outlive the load keep the
  // server's sample (analyzeKept; docs/performance.md).
  await tx.query(`SET LOCAL default_statistics_target = ${LOAD_STATISTICS_TARGET}`);
  // A load's statements over millions of staged rows cost enough for the server to JIT-compile
  // them, which took longer than running them: the raw unpivot of a first load at 0.1 about 1 s;
  // a Census revision's comparison (`_chg`) 0.18 s of compiling for 0.68 s of work.
  if (onServer) await tx.query('SET LOCAL jit = off');
  let rowNo = 0;
  /** Why the release was staged a second time, in full (StageEncoder left out series it should not have). */
  let restaged: string | undefined;
  const input = () => ({ dataset: dataset.id, fileName: origin.fileName, stream: () => openRaw(raw), bytes: raw.bytes, hints: origin.hints });
  async function* rows(): AsyncIterable<CopyValue[]> {
    rowNo = 0;
    for await (const row of dataset.parse(input(), facts)) {
      rowNo++;
      const values = target.toCopy(row);
      // A parser that emits a malformed row is a bug, but it must not reach the tables.
      if (typeof values === 'string') throw malformed(row, values);
      yield values;
    }
  }
  const malformed = (row: unknown, expected: string) =>
    new DataError({ dataset: dataset.id, file: origin.fileName, row: rowNo, value: JSON.stringify(row).slice(0, 200), expected });
  // The lean trade store: COPY text written straight from each observation (StageEncoder), a
  // batch of observations at a time (rowBatches) and sent in pieces of about 16 kB. Nothing is
  // kept from one piece to the next: under --optimize-for-size V8's young generation is small,
  // and what lived across a larger chunk (a 256 kB string of lines) was promoted and collected
  // as old garbage (docs/performance.md, "Start-up and Census batches").
  let encoder = new StageEncoder();
  /** A PGlite revision's stored fingerprints (knownSeries), which its encoder compared series with. */
  let known: KnownSeries | undefined;
  async function* tradeText(): AsyncIterable<string> {
    rowNo = 0;
    let buf = '';
    for await (const batch of rowBatches(dataset, input(), facts)) {
      for (const row of batch) {
        rowNo++;
        const line = encoder.line(row);
        if (line === null) throw malformed(row, encoder.reason(row));
        buf += line;
      }
      if (buf.length >= 16 * 1024) { yield buf; buf = ''; }
    }
    buf += encoder.end();
    if (buf) yield buf;
  }
  /** The trade rows into `_stage` through a new encoder, which leaves out what matches `known` (StageEncoder); their count. */
  const stageTrade = async (known?: KnownSeries) => {
    encoder = new StageEncoder(known);
    await tx.copyInText('_stage', cols, tradeText());
    return encoder.observations;
  };
  // The trade store's dataset id (its partition is created on first use) decides "first load".
  const datasetId = trade ? Number((await tx.query<{ id: number }>(storeSql.datasetId, [dataset.id]))[0]!.id) : undefined;
  const [current] = trade
    ? await tx.query<{ any: boolean }>(storeSql.anyCurrent, [datasetId])
    : await tx.query<{ any: boolean }>(`SELECT EXISTS (SELECT 1 FROM ${target.table} WHERE dataset = $1 AND valid_to_release IS NULL) AS any`, [dataset.id]);
  const firstLoad = !current?.any;
  const direct = firstLoad && !trade ? await loadDirect(tx, dataset, target, origin, facts, releaseId, rows, onServer) : undefined;
  if (direct) return direct;
  for (const statement of trade ? storeSql.createStage : [sql.createStage]) await tx.query(statement);
  let rowsParsed: number;
  let rawPlan: RawPlan | undefined;
  const staged = trade && dataset.stageRaw ? await dataset.stageRaw(input(), facts) : undefined;
  if (staged) {
    // Raw rows into `_raw`, unpivoted by the database (RawStage in observation-store.ts).
    await tx.query(staged.createRaw);
    await tx.copyInText('_raw', staged.columns, staged.chunks);
    rawPlan = staged.plan();
    await tx.query('ANALYZE _raw (rn)');
    await tx.query(rawPlan.definitions);
    rowsParsed = rawPlan.observations;
  } else if (trade) {
    // A revision on PGlite leaves out the series whose lines match their stored fingerprint
    // (StageEncoder's `known`): there the COPY, and every statement over the staged rows, runs on
    // this thread; a server runs them beside the parse, which sets the time there (docs/performance.md).
    known = !onServer && !firstLoad ? await knownSeries(tx, datasetId!) : undefined;
    try {
      await stageTrade(known);
    } catch (err) {
      if (!(err instanceof RestageNeeded)) throw err;
      restaged = err.message;
    }
    rowsParsed = encoder.observations;
  } else {
    rowsParsed = await tx.copyIn('_stage', cols, rows());
  }
  if (!facts.scopeKey) {
    throw new PermanentError(`${dataset.id}: the parser did not determine the scope of ${origin.fileName}; nothing loaded`, { dataset: dataset.id, file: origin.fileName });
  }
  let publishedOn = await recordFacts(tx, releaseId, origin, facts, rowsParsed);
  // A release older than the newest one loaded for its scope (a backfill fetching an old stage
  // after a newer one) joins the history at its own publication date; current values stay.
  const next = await nextOfScope(tx, releaseId);
  // Series left out must be the release's own scope's, and a late release compares everything:
  // otherwise, or when one turned up twice (restaged), the release is staged again in full.
  if (!restaged && encoder.skipped.length) {
    if (next) {
      restaged = 'a late release compares every series';
    } else {
      const scopeId = Number((await tx.query<{ id: number }>(storeSql.scopeId, [datasetId, facts.scopeKey]))[0]!.id);
      const other = encoder.skipped.find((k) => known!.scope[k] !== scopeId);
      if (other !== undefined) restaged = `series ${known!.series[other]} was left out by the fingerprint of another scope`;
    }
  }
  if (restaged) {
    // What the parser found out is found out again (notices not twice).
    for (const key of Object.keys(facts)) delete (facts as Record<string, unknown>)[key];
    await tx.query('TRUNCATE _stage');
    rowsParsed = await stageTrade();
    publishedOn = await recordFacts(tx, releaseId, origin, facts, rowsParsed);
  }
  const seen = encoder.skipped.length;
  // The partitions of the trade store's `_stage` (storeSql.createStage), each on its own: an
  // ANALYZE of the parent would sample all of it once more for the parent's statistics.
  for (const table of trade ? ['_stage_obs (lid)', '_stage_def'] : ['_stage']) await tx.query(`ANALYZE ${table}`);
  if (trade) {
    const shrink = !firstLoad && facts.wholeSeries && !origin.allowShrink ? maxShrinkShare : undefined;
    const merged = await mergeTrade(tx, dataset, origin, facts.scopeKey, releaseId, datasetId!, rowsParsed, firstLoad, next, publishedOn, onServer, shrink, rawPlan, input,
      seen ? encoder.skipped.map((k) => known!.series[k]!) : undefined);
    return { ...merged, seriesSkipped: seen || undefined, restaged };
  }
  // A first load needs no GROUP BY over the whole file: the history table's unique index on
  // current keys refuses a key given twice as the rows go in, and with nothing current there is
  // nothing for a duplicate to mis-close first. (This is the path of a local Census answer's
  // first load: its scope is known only at the end of the file.)
  if (!firstLoad || next) {
    const [dup] = await tx.query<Record<string, string>>(sql.duplicates);
    if (dup) {
      const { n, ...key } = dup;
      throw new DataError({ dataset: dataset.id, file: origin.fileName, value: Object.values(key).join(' / '), expected: `each observation once per release, but this key occurs ${n} times` });
    }
  }
  if (next) {
    const late = lateMergeSql(target);
    await tx.query(late.at, [dataset.id, next.mine]);
    // Closing first keeps one current row per key while the resumed copies go in.
    const rowsClosed = await tx.write(late.close, [releaseId]);
    const inserted = await tx.write(late.insertLate, [dataset.id, facts.scopeKey, releaseId, Number(next.id), next.published_on]);
    const resumed = await tx.write(late.insertResumed, [Number(next.id), next.published_on]);
    return finish(tx, releaseId, { late: true, rowsParsed, rowsInserted: inserted + resumed, rowsClosed, rowsUnchanged: rowsParsed - inserted, publishedOn });
  }
  // Nothing current: nothing to close or re-scope, and three joins of the whole file saved.
  const closedChanged = firstLoad ? 0 : await tx.write(sql.closeChanged, [dataset.id, releaseId]);
  if (!firstLoad && facts.wholeSeries && !origin.allowShrink) await refuseShrink(tx, target, dataset, origin, facts, maxShrinkShare);
  const closedVanished = firstLoad ? 0 : await tx.write(sql.closeVanished, [dataset.id, facts.scopeKey, releaseId]);
  if (!firstLoad) await tx.query(sql.rescope, [dataset.id, facts.scopeKey]);
  const rowsInserted = await tx.write(sql.insert, [dataset.id, facts.scopeKey, releaseId]).catch((err) => { throw asDuplicateKey(err, dataset, origin); });
  const rowsClosed = closedChanged + closedVanished;
  const rowsUnchanged = rowsParsed - rowsInserted;
  // As after a direct first load: fresh statistics once many rows arrived, or the next merge is
  // planned for a nearly empty table (PGlite has no autovacuum to catch up at all).
  if (rowsInserted >= 10_000) await analyzeKept(tx, target.table, onServer);
  return finish(tx, releaseId, { rowsParsed, rowsInserted, rowsClosed, rowsUnchanged, publishedOn });
}

/**
 * The stored fingerprints of a dataset's series, for StageEncoder to compare a revision's series
 * with before it stages them; undefined when the dataset has more than `max` series (then the
 * revision stages everything, as on a server) or none with a fingerprint.
 * @example const known = await knownSeries(tx, datasetId); const encoder = new StageEncoder(known);
 */
export async function knownSeries(tx: Session, datasetId: number, max = KNOWN_SERIES_MAX): Promise<KnownSeries | undefined> {
  // Counted first, up to one more than the most: past it, no text is built in the database at all.
  const [count] = await tx.query<{ n: number }>(storeSql.countSeries, [datasetId, max + 1]);
  if (Number(count?.n) > max) return undefined;
  const [row] = await tx.query<{ known: string | null }>(storeSql.knownFingerprints, [datasetId]);
  if (!row?.known) return undefined;
  const text = row.known;
  const known = new KnownSeries();
  const f: number[] = [0, 0, 0, 0, 0];
  let at = 0;
  while (at < text.length) {
    // series, scope, h1, h2, n: numbers; then the key, up to chr(30) (which no key holds).
    for (let i = 0; i < 5; i++) {
      const comma = text.indexOf(',', at);
      f[i] = Number(text.slice(at, comma));
      at = comma + 1;
    }
    let end = text.indexOf('\x1e', at);
    if (end < 0) end = text.length;
    known.add(text.slice(at, end), f[0]!, f[1]!, f[2]!, f[3]!, f[4]!);
    at = end + 1;
  }
  return known;
}

/**
 * The most series whose stored fingerprints a PGlite revision reads first. Their text and table
 * live in this process, and the database's result in its WebAssembly memory, which never
 * shrinks: the full-size Census file's 407,000 series took a revision from 224 to 474 MB (and
 * saved 5 % of its time); 100,000 cost about 9 MB of table and 8 MB of text.
 */
const KNOWN_SERIES_MAX = 100_000;

interface MergeCounts { late?: boolean; rowsParsed: number; rowsInserted: number; rowsClosed: number; rowsUnchanged: number; publishedOn?: string }

/** Marks the release loaded with its counts. */
async function finish(tx: Session, releaseId: number, c: MergeCounts) {
  const q = await etlQueries();
  await run(tx, q.updateTable('etl.release')
    .set({ status: 'loaded', loaded_at: q.fn<Date>('now'), rows_inserted: c.rowsInserted, rows_closed: c.rowsClosed, rows_unchanged: c.rowsUnchanged })
    .where('id', '=', releaseId));
  return { status: 'loaded' as const, ...c };
}

/**
 * Records what the parser found out about the release (scope, stage, publication date, title,
 * rows) and returns the publication date it used: the file's own, else the discovery's hint; the
 * database falls back to the fetch date.
 */
async function recordFacts(tx: Session, releaseId: number, origin: ReleaseOrigin, facts: ReleaseFacts, rowsParsed: number): Promise<string | undefined> {
  const publishedOn = facts.publishedOn ?? (typeof origin.hints?.publishedOn === 'string' ? origin.hints.publishedOn : undefined);
  const { q, sql } = await etlBuilder();
  await run(tx, q.updateTable('etl.release').set({
    published_on: sql<string>`COALESCE(${publishedOn ?? null}::date, fetched_at::date)`,
    stage: facts.stage ?? null, source_stage: facts.sourceStage ?? null, scope_key: facts.scopeKey ?? null,
    scope: scopeJson(facts), title: facts.title ?? null, rows_parsed: rowsParsed,
  }).where('id', '=', releaseId));
  return publishedOn;
}

/** The release published next after a late one (`published_on`), and the late one's own date (`mine`). */
interface NextRelease { id: string; published_on: string; mine: string }

/**
 * The loaded release of the same dataset and scope published next after this one, if any: a
 * release with one is late (older than the newest of its scope).
 */
async function nextOfScope(tx: Session, releaseId: number): Promise<NextRelease | undefined> {
  const { q, sql } = await etlBuilder();
  const [next] = await run(tx, q.selectFrom(['etl.release as o', 'etl.release as me'])
    .select(['o.id', sql<string>`o.published_on::text`.as('published_on'), sql<string>`me.published_on::text`.as('mine')])
    .where('me.id', '=', releaseId).whereRef('o.dataset', '=', 'me.dataset').whereRef('o.scope_key', '=', 'me.scope_key')
    .where('o.status', '=', 'loaded').whereRef('o.published_on', '>', 'me.published_on')
    .orderBy('o.published_on').orderBy('o.id').limit(1));
  return next && { id: String(next.id), published_on: next.published_on, mine: next.mine };
}

/**
 * The merge into the lean trade store (observation-store.ts), from a filled `_stage`: keys
 * resolved to integers, compared on them, only new and changed observations written. A first
 * load inserts everything in one statement (the partition's unique index on current keys refuses
 * a key given twice); a late release is slotted into the chains at its publication date.
 */
async function mergeTrade(tx: Session, dataset: Dataset<any>, origin: ReleaseOrigin, scopeKey: string, releaseId: number, datasetId: number,
  rowsParsed: number, firstLoad: boolean, next: NextRelease | undefined, publishedOn: string | undefined, onServer: boolean,
  maxShrinkShare: number | undefined, raw: RawPlan | undefined, input: () => ReleaseInput, seen: number[] | undefined) {
  const scopeId = Number((await tx.query<{ id: number }>(storeSql.scopeId, [datasetId, scopeKey]))[0]!.id);
  // Rows go into the dataset's partition itself, not through trade.observation_fact: routing each
  // row through the parent cost 0.3–0.6 s of a 2.3 s insert of 1.35 million rows.
  const part = partitionOf(dataset.id);
  // The merge's hash joins and aggregates over millions of staged rows spill to disk at the
  // default 4 MB (a 4× file's revision: 16 s of joins). On a server that memory is the server's;
  // PGlite's is ours, so it keeps the default.
  if (onServer) await tx.query(`SET LOCAL work_mem = '64MB'`);
  // Many new dimension rows: without fresh statistics the planner takes the table for empty and
  // resolves every staged row by an index probe instead of one hash join.
  const analyzeDimensions = async (newSeries: number, newAttrs: number) => {
    if (newSeries >= 1000) await analyzeKept(tx, 'trade.series', onServer);
    if (newAttrs >= 1000) await analyzeKept(tx, 'trade.attribute_set', onServer);
  };
  const createThenResolve = async () => {
    await analyzeDimensions(await tx.write(storeSql.newSeries(), [datasetId]), await tx.write(storeSql.newAttrs(false, onServer), []));
    await tx.query(storeSql.lids(), [datasetId]);
  };
  if (firstLoad) {
    await createThenResolve();
  } else {
    // Mostly known series: resolve first, then create and resolve only the missing ones.
    await tx.query(storeSql.lids(true), [datasetId]);
    const [missing] = await tx.query<{ series: number; attrs: number; n: number }>(storeSql.missingLids);
    const { series, attrs, n } = missing!;
    if (series > 0.2 * n || attrs > 0.2 * n) {
      // Mostly new (a new scope): as for a first load, which numbers them without an UPDATE.
      await tx.query('DROP TABLE _lid');
      await createThenResolve();
    } else if (series || attrs) {
      await analyzeDimensions(await tx.write(storeSql.newSeries(true), [datasetId]), await tx.write(storeSql.newAttrs(true, onServer), []));
      if (series) await tx.query(storeSql.fillSeries, [datasetId]);
      if (attrs) await tx.query(storeSql.fillAttrs);
    }
  }
  // The raw unpivot joins `_lid` three times per raw row: unanalyzed, the planner guesses
  // billions of rows, picks merge joins and JIT-compiles them (measured: 12 s instead of 3 s).
  // A merge aggregates it (`_diff`) and joins it to the staged rows (`_k`): unanalyzed, the
  // planner took half its rows and hashed all 2.8 million staged observations of a Census
  // revision instead of the 27,000 changed series' local ids (`_k` 1.06 → 0.76 s).
  if (raw || !firstLoad) await tx.query('ANALYZE _lid');
  const analyzeIfBig = async (n: number) => {
    // Fresh statistics once many rows arrived, or the next merge is planned for a nearly empty
    // partition (PGlite has no autovacuum to catch up at all) — when the rows that arrived are a
    // tenth of the partition, so a 1 % revision does not pay for one (0.1 s at 1.35 million rows).
    if (n < 10_000) return;
    const [stats] = await tx.query<{ stale: boolean }>(storeSql.statsStale, [part, n]);
    if (stats?.stale !== false) await analyzeKept(tx, part, onServer);
  };
  if (firstLoad && !next) {
    await tx.query('SAVEPOINT first_insert');
    let rowsInserted: number;
    try {
      if (raw) {
        // One statement on a server (a stop cancels it there); slices on PGlite, where a stop
        // waits for the statement running (the session yields to it before each statement).
        const slice = onServer ? raw.rows : raw.sliceRows;
        rowsInserted = 0;
        for (let from = 0; from < raw.rows; from += slice) {
          rowsInserted += await tx.write(raw.firstInsert(part), [datasetId, scopeId, releaseId, from, from + slice]);
        }
      } else {
        rowsInserted = await tx.write(storeSql.firstInsert(part), [datasetId, scopeId, releaseId]);
      }
    } catch (err) {
      if ((err as { code?: string })?.code !== '23505') throw err;
      // The unique index names integer keys: name the key in words from the staged rows.
      await tx.query('ROLLBACK TO SAVEPOINT first_insert');
      if (raw) await tx.query(raw.observationsSql);
      const [dup] = await tx.query<Record<string, string>>(storeSql.stageDuplicates);
      throw await duplicateKey(dataset, origin, dup, input());
    }
    await tx.query('RELEASE SAVEPOINT first_insert');
    await tx.query(storeSql.saveFirstFingerprints(raw !== undefined), [scopeId]);
    await analyzeIfBig(rowsInserted);
    return finish(tx, releaseId, { rowsParsed, rowsInserted, rowsClosed: 0, rowsUnchanged: 0, publishedOn });
  }
  // Series whose fingerprint is unchanged are left out of the row-by-row comparison (a late
  // release compares everything).
  await tx.query(storeSql.diffSeries(next !== undefined), next ? undefined : [scopeId]);
  await tx.query('ANALYZE _diff');
  // Raw rows are unpivoted straight into `_k`: only the series the merge compares (all of them
  // for a late release).
  await tx.query(raw ? raw.keyedSql(!next) : storeSql.keyed);
  const [dup] = await tx.query<Record<string, string>>(storeSql.duplicates);
  if (dup) throw await duplicateKey(dataset, origin, dup, input());
  if (next) {
    await tx.query(storeLateSql.at, [datasetId, next.mine]);
    // Closing first keeps one current row per key while the resumed copies go in.
    const rowsClosed = await tx.write(storeLateSql.close, [datasetId, releaseId]);
    const inserted = await tx.write(storeLateSql.insertLate(part), [datasetId, scopeId, releaseId, Number(next.id), next.published_on]);
    const resumed = await tx.write(storeLateSql.insertResumed(part), [datasetId, Number(next.id), next.published_on]);
    await tx.query(storeSql.dropStagedFingerprints);
    await analyzeIfBig(inserted + resumed);
    return finish(tx, releaseId, { late: true, rowsParsed, rowsInserted: inserted + resumed, rowsClosed, rowsUnchanged: rowsParsed - inserted, publishedOn });
  }
  await tx.query(storeSql.compared(seen !== undefined), seen ? [datasetId, seen] : [datasetId]);
  await tx.query('ANALYZE _cmp');
  await tx.query(storeSql.changes, [datasetId, scopeId]);
  // Without statistics the planner cannot tell that few of `_chg`'s rows are closes: on PGlite a
  // new scope's 800,000 new rows after a small first release made each of the three UPDATEs
  // below a nested loop over the partition (63–69 s each, measured).
  await tx.query('ANALYZE _chg');
  // Few rows to touch: one index probe each. The planner, costing a random read at four
  // sequential ones, would rather read the whole partition (a Census revision at full size:
  // 28,288 closes, 0.72 s, most of it a scan of 2.8 million rows).
  const [changes] = await tx.query<{ few: boolean }>(storeSql.fewChanges, [part]);
  const few = changes?.few === true;
  const joins = async (on: boolean) => {
    for (const j of ['hashjoin', 'mergejoin']) await tx.query(`SET LOCAL enable_${j} = ${on ? 'on' : 'off'}`);
  };
  if (few) await joins(false);
  const closedChanged = await tx.write(storeSql.closeChanged, [datasetId, releaseId]);
  if (maxShrinkShare !== undefined) await refuseTradeShrink(tx, dataset, origin, scopeKey, datasetId, scopeId, maxShrinkShare);
  // Current rows of this scope that the release no longer carries.
  const closedVanished = await tx.write(storeSql.closeVanished, [datasetId, releaseId]);
  await tx.query(storeSql.rescope, [datasetId, scopeId]);
  if (few) await joins(true);
  const rowsInserted = await tx.write(storeSql.insert(part), [datasetId, scopeId, releaseId]);
  await tx.query(storeSql.dropVanishedFingerprints);
  await tx.query(storeSql.saveFingerprints, [scopeId]);
  await analyzeIfBig(rowsInserted);
  return finish(tx, releaseId, { rowsParsed, rowsInserted, rowsClosed: closedChanged + closedVanished, rowsUnchanged: rowsParsed - rowsInserted, publishedOn });
}

/**
 * A DataError naming a key the release gives twice: a row of a duplicates query (the key in words,
 * `n`, and the key as staged: `_skey`, `_code`), with the lines that give it, found by reading the
 * file again (the database compares integer keys and keeps no line numbers).
 */
async function duplicateKey(dataset: Dataset<any>, origin: ReleaseOrigin, dup: Record<string, string> | undefined, input: ReleaseInput): Promise<DataError> {
  const { n, _skey, _code, ...key } = dup ?? {};
  const where = _skey !== undefined && _code !== undefined ? await locateKey(dataset, input, _skey, String(_code)).catch(() => []) : [];
  const first = where[0];
  const lines = where.every((w) => w.line !== undefined) ? where.map((w) => `${w.line}`) : undefined;
  const rows = where.every((w) => w.row !== undefined) ? where.map((w) => `${w.row}`) : undefined;
  const at = where.length < 2 ? ''
    : lines ? ` (lines ${and(lines)})` : rows ? ` (rows ${and(rows)})` : ` (observations ${and(where.map((w) => `#${w.n}`))} in the order the file gives them)`;
  return new DataError({ dataset: dataset.id, file: origin.fileName, line: first?.line, row: first?.row, value: Object.values(key).join(' / '),
    expected: `each observation once per release, but this key occurs ${n ? `${n} times` : 'more than once'}${at}` });
}

/** "a and b", "a, b and c". */
function and(items: string[]): string {
  return items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/**
 * Where the file gives a staged key (series key text, period code): the parser run again with a
 * position to keep (ReleaseInput.position), the first `max` occurrences in file order. Only on
 * the error path: a second reading of the whole file.
 */
async function locateKey(dataset: Dataset<any>, input: ReleaseInput, skey: string, code: string, max = 3): Promise<Array<SourcePosition & { n: number }>> {
  const position: SourcePosition = {};
  const located = { ...input, position };
  // parse, not parseBatches: batches of a per-observation parser are made after the position moved on.
  const observations = dataset.parse(located, {});
  const found: Array<SourcePosition & { n: number }> = [];
  let n = 0;
  for await (const o of observations) {
    n++;
    const staged = stageObservation(o);
    if (typeof staged === 'string' || staged[0] !== skey || staged[2] !== code) continue;
    found.push({ n, ...position });
    if (found.length >= max) break;
  }
  return found;
}

/**
 * The fast path of a first load: when the dataset has no current rows in its table, nothing can
 * be closed, compared or rescoped, so the rows are COPYed straight into the history table — no
 * staging table, no duplicate GROUP BY, no merge joins: the same server work as a plain `\copy`
 * into that table, while the parser runs alongside in this process. The table's unique index on
 * current keys still finds a key the release carries twice. Called only when the dataset has no
 * current rows. Returns undefined, with the transaction as it was, when the fast path does not
 * apply: the parser names the scope only after its first row, or the release is older than a
 * loaded release of its scope (the late merge works from the staging table); the caller then
 * parses again through the staging table.
 */
async function loadDirect(tx: Session, dataset: Dataset<any>, target: Target<any>, origin: ReleaseOrigin, facts: ReleaseFacts, releaseId: number, rows: () => AsyncIterable<CopyValue[]>, onServer: boolean) {
  const forget = () => { for (const k of Object.keys(facts)) delete (facts as Record<string, unknown>)[k]; };
  const it = rows()[Symbol.asyncIterator]();
  const first = await it.next();
  const scopeKey = facts.scopeKey;
  if (first.done || !scopeKey) {
    await it.return?.();
    forget();
    return undefined;
  }
  const release = String(releaseId);
  async function* vintaged(): AsyncIterable<CopyValue[]> {
    try {
      for (let r = first; !r.done; r = await it.next()) {
        const out: CopyValue[] = [dataset.id, scopeKey!];
        for (const v of r.value) out.push(v);
        out.push(release);
        yield out;
      }
    } finally {
      await it.return?.();
    }
  }
  await tx.query('SAVEPOINT direct_load');
  let rowsParsed: number;
  try {
    rowsParsed = await tx.copyIn(target.table, ['dataset', 'scope_key', ...target.keys, ...target.attrs, 'valid_from_release'], vintaged());
  } catch (err) {
    throw asDuplicateKey(err, dataset, origin);
  }
  // A parser may refine the scope after its first row.
  if (facts.scopeKey && facts.scopeKey !== scopeKey) {
    await tx.query(`UPDATE ${target.table} SET scope_key = $2 WHERE valid_from_release = $1`, [releaseId, facts.scopeKey]);
  }
  const publishedOn = await recordFacts(tx, releaseId, origin, facts, rowsParsed);
  if (await nextOfScope(tx, releaseId)) {
    await tx.query('ROLLBACK TO SAVEPOINT direct_load');
    forget();
    return undefined;
  }
  await tx.query('RELEASE SAVEPOINT direct_load');
  // Many rows appeared at once: without fresh statistics the next merge's planner takes the
  // table for nearly empty and picks nested loops over it (measured: a 267,000-observation
  // revision ran for 14 minutes instead of seconds). Autovacuum would catch up, but later.
  if (rowsParsed >= 10_000) await analyzeKept(tx, target.table, onServer);
  return finish(tx, releaseId, { rowsParsed, rowsInserted: rowsParsed, rowsClosed: 0, rowsUnchanged: 0, publishedOn });
}

/** The release row's scope jsonb: the parser's scope, with its notices when it has any. */
function scopeJson(facts: ReleaseFacts): string {
  return JSON.stringify(facts.notices?.length ? { ...(facts.scope ?? {}), notices: facts.notices } : (facts.scope ?? {}));
}

/**
 * A release whose scope is the whole series (d41ma, country.xlsx) carries every key of it again,
 * so one that would close more than `maxShare` of its scope's current keys is a file cut short or
 * the wrong file far more often than a publisher withdrawing figures: refused, naming an example
 * key, unless the load says `--allow-shrink`. Runs on the staging table, before anything closes.
 */
async function refuseShrink(tx: Session, target: Target<any>, dataset: Dataset<any>, origin: ReleaseOrigin, facts: ReleaseFacts, maxShare: number): Promise<void> {
  const keyEq = target.keys.map((k) => `h.${k} = s.${k}`).join(' AND ');
  // A hash anti-join (the stage has no duplicate keys by now): a NOT EXISTS inside FILTER would
  // be a subplan per current row.
  const missing = `s.${target.keys[0]} IS NULL`;
  const [r] = await tx.query<{ current: string; vanishing: string; example: string | null }>(
    `SELECT count(*) AS current, count(*) FILTER (WHERE ${missing}) AS vanishing,
            min(concat_ws(' / ', ${target.keys.map((k) => `h.${k}`).join(', ')})) FILTER (WHERE ${missing}) AS example
     FROM ${target.table} h LEFT JOIN _stage s ON ${keyEq}
     WHERE h.dataset = $1 AND h.scope_key = $2 AND h.valid_to_release IS NULL`, [dataset.id, facts.scopeKey]);
  shrinkVerdict(dataset, origin, facts.scopeKey!, Number(r?.current ?? 0), Number(r?.vanishing ?? 0), r?.example ?? null, maxShare);
}

/**
 * The shrink guard (see refuseShrink) on the lean trade store: `_chg` already holds, as kind v,
 * the current rows of the scope that the release no longer carries.
 */
async function refuseTradeShrink(tx: Session, dataset: Dataset<any>, origin: ReleaseOrigin, scopeKey: string, datasetId: number, scopeId: number, maxShare: number): Promise<void> {
  const [r] = await tx.query<{ current: string; vanishing: string; example: string | null }>(
    `SELECT (SELECT count(*) FROM trade.observation_fact WHERE dataset_id = $1 AND scope_id = $2 AND valid_to_release IS NULL) AS current,
            (SELECT count(*) FROM _chg WHERE kind = 'v') AS vanishing,
            (SELECT concat_ws(' / ', x.reporter, x.partner, x.flow, trade.period_text(c.period), trade.period_frequency(c.period), x.classification, x.commodity_code, x.measure)
             FROM _chg c JOIN trade.series x ON x.id = c.series_id WHERE c.kind = 'v' ORDER BY c.series_id, c.period LIMIT 1) AS example`,
    [datasetId, scopeId]);
  shrinkVerdict(dataset, origin, scopeKey, Number(r?.current ?? 0), Number(r?.vanishing ?? 0), r?.example ?? null, maxShare);
}

/** Refuses a whole-series release that would drop more than `maxShare` of its scope's current keys. */
function shrinkVerdict(dataset: Dataset<any>, origin: ReleaseOrigin, scopeKey: string, current: number, vanishing: number, example: string | null, maxShare: number): void {
  if (current === 0 || vanishing / current <= maxShare) return;
  throw new DataError({
    dataset: dataset.id, file: origin.fileName, column: 'scope ' + scopeKey,
    value: `${vanishing} of the ${current} current observations of scope ${scopeKey} missing from this file (${(100 * vanishing / current).toFixed(1)} %), e.g. ${example}`,
    expected: `a release of the whole series to carry its current keys again (at most ${(100 * maxShare).toFixed(1)} % may drop, MAX_SHRINK_SHARE=${maxShare}): ` +
      'is the file cut short or the wrong one? If the publisher really dropped them, load it again with --allow-shrink',
  });
}

/** The unique index on current keys refused a row: the release gives one key twice. */
function asDuplicateKey(err: unknown, dataset: Dataset<any>, origin: ReleaseOrigin): unknown {
  const e = err as { code?: string; detail?: string };
  if (e?.code !== '23505') return err;
  // "Key (dataset, reporter, …)=(mof.hs_country, JP, …) already exists."
  const key = /\)=\((.*)\) already exists/.exec(e.detail ?? '')?.[1]?.split(', ').slice(1).join(' / ') ?? e.detail ?? '';
  return new DataError({ dataset: dataset.id, file: origin.fileName, value: key, expected: 'each observation once per release, but this key occurs more than once' });
}

