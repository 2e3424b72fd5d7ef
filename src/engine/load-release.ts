import fs from 'node:fs';
import type { Dataset, ReleaseFacts } from '../core/vocabulary.js';
import { DataError, EtlError, PermanentError } from '../core/errors.js';
import { redactUrl } from '../core/config.js';
import { openRaw, type RawFile } from '../fetch/raw-store.js';
import { checkContent } from '../parse/sniff.js';
import { withDatasetLock } from '../db/lock.js';
import type { CopyValue, Session } from '../db/connect.js';
import { fxTarget, lateMergeSql, mergeSql, tradeTarget, type Target } from './targets.js';
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
  /** What the parser normalized or skipped (facts.notices), for the person loading the file. */
  notices?: string[];
  ms?: number;
  error?: EtlError | Error;
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
  return withDatasetLock(db, dataset.id, config.lockWaitMs, async () => {
    const [already] = await db.query<{ id: string }>(
      `SELECT id FROM etl.release WHERE dataset = $1 AND sha256 = $2 AND status = 'loaded'`, [dataset.id, raw.sha256]);
    if (already) {
      logger.info({ dataset: dataset.id, file: origin.fileName, releaseId: Number(already.id) }, 'release already loaded (same sha256): nothing to do');
      return { ...base, status: 'unchanged', releaseId: Number(already.id), ms: Date.now() - started };
    }
    const [rel] = await db.query<{ id: string }>(
      `INSERT INTO etl.release (source, dataset, url, file_name, sha256, bytes, content_type, etag, last_modified, status, run_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'loading', $10) RETURNING id`,
      [dataset.source, dataset.id, origin.url ? redactUrl(origin.url) : null, origin.fileName, raw.sha256, raw.bytes,
        origin.contentType ?? null, origin.etag ?? null, origin.lastModified ?? null, ctx.runId ?? null]);
    const releaseId = Number(rel!.id);
    const log = logger.child({ dataset: dataset.id, file: origin.fileName, releaseId });
    try {
      const head = await readHead(raw.path);
      checkContent(head, { dataset: dataset.id, fileName: origin.fileName, kind: dataset.contentKind, bytes: raw.bytes, fromHttp: origin.fromHttp });
      const facts: ReleaseFacts = {};
      const result = await db.transaction((tx) => mergeRelease(tx, dataset, raw, origin, facts, releaseId, config.maxShrinkShare));
      const out: ReleaseOutcome = { ...base, ...result, releaseId, scopeKey: facts.scopeKey, stage: facts.stage, notices: facts.notices, ms: Date.now() - started };
      for (const n of facts.notices ?? []) log.warn({ notice: n }, `release loaded with a notice: ${n}`);
      log.info({ status: out.status, late: out.late, scopeKey: out.scopeKey, stage: out.stage, publishedOn: out.publishedOn, rowsParsed: out.rowsParsed, rowsInserted: out.rowsInserted, rowsClosed: out.rowsClosed, ms: out.ms }, out.late ? 'release is older than the newest loaded for its scope: added to the history at its publication date, current values kept' : 'release loaded');
      return out;
    } catch (err) {
      const e = err as Error;
      const detail = err instanceof EtlError ? err.context : {};
      await db.query(`UPDATE etl.release SET status = 'failed', error = $2, error_detail = $3 WHERE id = $1`,
        [releaseId, e.message, JSON.stringify(detail)]).catch((recErr: Error) => {
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

async function mergeRelease(tx: Session, dataset: Dataset<any>, raw: RawFile, origin: ReleaseOrigin, facts: ReleaseFacts, releaseId: number, maxShrinkShare: number) {
  const target = targetOf(dataset);
  const sql = mergeSql(target);
  const cols = [...target.keys, ...target.attrs];
  let rowNo = 0;
  async function* rows(): AsyncIterable<CopyValue[]> {
    rowNo = 0;
    const input = { dataset: dataset.id, fileName: origin.fileName, stream: () => openRaw(raw), bytes: raw.bytes, hints: origin.hints };
    for await (const row of dataset.parse(input, facts)) {
      rowNo++;
      const values = target.toCopy(row);
      if (typeof values === 'string') {
        // A parser that emits a malformed row is a bug, but it must not reach the tables.
        throw new DataError({ dataset: dataset.id, file: origin.fileName, row: rowNo, value: JSON.stringify(row).slice(0, 200), expected: values });
      }
      yield values;
    }
  }
  const [current] = await tx.query<{ any: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM ${target.table} WHERE dataset = $1 AND valid_to_release IS NULL) AS any`, [dataset.id]);
  const firstLoad = !current?.any;
  const direct = firstLoad ? await loadDirect(tx, dataset, target, origin, facts, releaseId, rows) : undefined;
  if (direct) return direct;
  await tx.query(sql.createStage);
  const rowsParsed = await tx.copyIn('_stage', cols, rows());
  if (!facts.scopeKey) {
    throw new PermanentError(`${dataset.id}: the parser did not determine the scope of ${origin.fileName}; nothing loaded`, { dataset: dataset.id, file: origin.fileName });
  }
  const publishedOn = facts.publishedOn ?? (typeof origin.hints?.publishedOn === 'string' ? origin.hints.publishedOn : undefined);
  await tx.query(
    `UPDATE etl.release SET published_on = COALESCE($2::date, fetched_at::date), stage = $3, source_stage = $4, scope_key = $5, scope = $6, title = $7, rows_parsed = $8 WHERE id = $1`,
    [releaseId, publishedOn ?? null, facts.stage ?? null, facts.sourceStage ?? null, facts.scopeKey, scopeJson(facts), facts.title ?? null, rowsParsed]);
  await tx.query('ANALYZE _stage');
  // A release older than the newest one loaded for its scope (a backfill fetching an old stage
  // after a newer one) joins the history at its own publication date; current values stay.
  const [next] = await tx.query<{ id: string; published_on: string }>(
    `SELECT o.id, o.published_on::text AS published_on FROM etl.release o, etl.release me
     WHERE me.id = $1 AND o.dataset = me.dataset AND o.scope_key = me.scope_key AND o.status = 'loaded'
       AND o.published_on > me.published_on ORDER BY o.published_on, o.id LIMIT 1`, [releaseId]);
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
    const [me] = await tx.query<{ published_on: string }>(`SELECT published_on::text AS published_on FROM etl.release WHERE id = $1`, [releaseId]);
    const late = lateMergeSql(target);
    await tx.query(late.at, [dataset.id, me!.published_on]);
    // Closing first keeps one current row per key while the resumed copies go in.
    const rowsClosed = await countOf(tx, late.close, [releaseId]);
    const inserted = await countOf(tx, late.insertLate, [dataset.id, facts.scopeKey, releaseId, Number(next.id), next.published_on]);
    const resumed = await countOf(tx, late.insertResumed, [Number(next.id), next.published_on]);
    await tx.query(
      `UPDATE etl.release SET status = 'loaded', loaded_at = now(), rows_inserted = $2, rows_closed = $3, rows_unchanged = $4 WHERE id = $1`,
      [releaseId, inserted + resumed, rowsClosed, rowsParsed - inserted]);
    return { status: 'loaded' as const, late: true, rowsParsed, rowsInserted: inserted + resumed, rowsClosed, rowsUnchanged: rowsParsed - inserted, publishedOn };
  }
  // Nothing current: nothing to close or re-scope, and three joins of the whole file saved.
  const closedChanged = firstLoad ? 0 : await countOf(tx, sql.closeChanged, [dataset.id, releaseId]);
  if (!firstLoad && facts.wholeSeries && !origin.allowShrink) await refuseShrink(tx, target, dataset, origin, facts, maxShrinkShare);
  const closedVanished = firstLoad ? 0 : await countOf(tx, sql.closeVanished, [dataset.id, facts.scopeKey, releaseId]);
  if (!firstLoad) await tx.query(sql.rescope, [dataset.id, facts.scopeKey]);
  const rowsInserted = await countOf(tx, sql.insert, [dataset.id, facts.scopeKey, releaseId]).catch((err) => { throw asDuplicateKey(err, dataset, origin); });
  const rowsClosed = closedChanged + closedVanished;
  const rowsUnchanged = rowsParsed - rowsInserted;
  // As after a direct first load: fresh statistics once many rows arrived, or the next merge is
  // planned for a nearly empty table (PGlite has no autovacuum to catch up at all).
  if (rowsInserted >= 10_000) await tx.query(`ANALYZE ${target.table}`);
  await tx.query(
    `UPDATE etl.release SET status = 'loaded', loaded_at = now(), rows_inserted = $2, rows_closed = $3, rows_unchanged = $4 WHERE id = $1`,
    [releaseId, rowsInserted, rowsClosed, rowsUnchanged]);
  return { status: 'loaded' as const, rowsParsed, rowsInserted, rowsClosed, rowsUnchanged, publishedOn };
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
async function loadDirect(tx: Session, dataset: Dataset<any>, target: Target<any>, origin: ReleaseOrigin, facts: ReleaseFacts, releaseId: number, rows: () => AsyncIterable<CopyValue[]>) {
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
  const publishedOn = facts.publishedOn ?? (typeof origin.hints?.publishedOn === 'string' ? origin.hints.publishedOn : undefined);
  await tx.query(
    `UPDATE etl.release SET published_on = COALESCE($2::date, fetched_at::date), stage = $3, source_stage = $4, scope_key = $5, scope = $6, title = $7, rows_parsed = $8 WHERE id = $1`,
    [releaseId, publishedOn ?? null, facts.stage ?? null, facts.sourceStage ?? null, facts.scopeKey, scopeJson(facts), facts.title ?? null, rowsParsed]);
  const [newer] = await tx.query<{ id: string }>(
    `SELECT o.id FROM etl.release o, etl.release me
     WHERE me.id = $1 AND o.dataset = me.dataset AND o.scope_key = me.scope_key AND o.status = 'loaded'
       AND o.published_on > me.published_on LIMIT 1`, [releaseId]);
  if (newer) {
    await tx.query('ROLLBACK TO SAVEPOINT direct_load');
    forget();
    return undefined;
  }
  await tx.query('RELEASE SAVEPOINT direct_load');
  // Many rows appeared at once: without fresh statistics the next merge's planner takes the
  // table for nearly empty and picks nested loops over it (measured: a 267,000-observation
  // revision ran for 14 minutes instead of seconds). Autovacuum would catch up, but later.
  if (rowsParsed >= 10_000) await tx.query(`ANALYZE ${target.table}`);
  await tx.query(
    `UPDATE etl.release SET status = 'loaded', loaded_at = now(), rows_inserted = $2, rows_closed = 0, rows_unchanged = 0 WHERE id = $1`,
    [releaseId, rowsParsed]);
  return { status: 'loaded' as const, rowsParsed, rowsInserted: rowsParsed, rowsClosed: 0, rowsUnchanged: 0, publishedOn };
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
  const current = Number(r?.current ?? 0);
  const vanishing = Number(r?.vanishing ?? 0);
  if (current === 0 || vanishing / current <= maxShare) return;
  throw new DataError({
    dataset: dataset.id, file: origin.fileName, column: 'scope ' + facts.scopeKey,
    value: `${vanishing} of the ${current} current observations of scope ${facts.scopeKey} missing from this file (${(100 * vanishing / current).toFixed(1)} %), e.g. ${r!.example}`,
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

/** Runs a data-modifying statement and returns how many rows it touched. */
async function countOf(tx: Session, statement: string, params: unknown[]): Promise<number> {
  const rows = await tx.query<{ n: number }>(`WITH x AS (${statement} RETURNING 1) SELECT count(*)::int AS n FROM x`, params);
  return Number(rows[0]?.n ?? 0);
}
