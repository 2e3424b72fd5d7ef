import os from 'node:os';
import type { Db } from '../db/connect.js';
import type { Logger } from '../core/logger.js';
import { etlQueries, run } from '../db/etl-schema.js';
import { advisoryLock } from '../db/lock.js';

export type Trigger = 'cron' | 'manual' | 'backfill' | 'schedule' | 'retry';
export type RunStatus = 'succeeded' | 'failed' | 'partial';

/**
 * Advisory-lock key space of run liveness on Postgres: (RUN_LOCK_CLASS, run id). A run holds its
 * lock on a connection of its own from the moment its row exists until it finishes; the lock
 * goes with the connection, so a free lock on a 'running' row means its process is gone.
 */
const RUN_LOCK_CLASS = 7_157_015;

/** Runs this process started and has not finished, and what keeps their liveness lock. */
const held = new Map<number, { db: Db; end: () => Promise<void> }>();

const HOST = os.hostname();

/** etl.release.error_detail of a release whose run was interrupted. */
const INTERRUPTED = JSON.stringify({ interrupted: true });

/** Records the start of a command in etl.run (with this process's pid and host) and returns its id. */
export async function startRun(db: Db, command: string, args: Record<string, unknown>, trigger: Trigger, retryOf?: number): Promise<number> {
  const insert = (await etlQueries()).insertInto('etl.run')
    .values({ command, args: JSON.stringify(args), trigger, retry_of: retryOf ?? null, pid: process.pid, host: HOST })
    .returning('id');
  if (db.kind === 'pg' && db.dedicatedSession) {
    // Row and lock in one transaction: no other process ever sees the row without its lock.
    const s = await db.dedicatedSession();
    try {
      await s.query('BEGIN');
      const [r] = await run(s, insert);
      const id = Number(r!.id);
      await advisoryLock(s, 'lock', { class: RUN_LOCK_CLASS, id });
      await s.query('COMMIT');
      held.set(id, { db, end: () => s.end() });
      return id;
    } catch (err) {
      await s.end();
      throw err;
    }
  }
  const [r] = await run(db, insert);
  const id = Number(r!.id);
  held.set(id, { db, end: async () => {} });
  return id;
}

/** Records how a run ended (and lets go of its liveness lock). */
export async function finishRun(db: Db, id: number, status: RunStatus, stats: object, error?: string): Promise<void> {
  try {
    const q = await etlQueries();
    await run(db, q.updateTable('etl.run')
      .set({ finished_at: q.fn<Date>('now'), status, stats: JSON.stringify(stats), error: error ?? null })
      .where('id', '=', id));
  } finally {
    const h = held.get(id);
    held.delete(id);
    await h?.end();
  }
}

/**
 * Records a run as failed when its command ended by an error, if the database still answers;
 * never throws (the original error is what the caller reports).
 */
export async function failRun(db: Db, id: number | undefined, err: unknown, logger?: Pick<Logger, 'error'>): Promise<void> {
  if (id === undefined || !held.has(id)) return;
  const msg = err instanceof Error ? err.message : String(err);
  await finishRun(db, id, 'failed', {}, msg).catch((finishErr: Error) => {
    // The run stays 'running'; the next command's sweep marks it interrupted (markInterruptedRuns).
    logger?.error({ runId: id, err: finishErr.message, cause: msg }, 'could not record the run as failed');
  });
}

/** Runs of this process on `db` not finished yet: a command ending marks them failed. */
export async function failUnfinishedRuns(db: Db, why: string, logger?: Pick<Logger, 'error'>): Promise<void> {
  for (const [id, h] of [...held]) if (h.db === db) await failRun(db, id, new Error(why), logger);
}

export interface InterruptedRun { id: number; command: string; pid: number | null; host: string | null }

/**
 * Marks runs left 'running' by a process that is gone (killed, its machine or the database
 * restarted) as failed, with their releases left 'loading', so `runs --failed`, `retry` and
 * `doctor` see them. Gone means: on the embedded database, any run not of this process (only one
 * process can open it); on Postgres, a run whose liveness lock is free, or — for rows written
 * before runs recorded their pid — one started more than 6 hours ago.
 * @example const swept = await markInterruptedRuns(db);
 */
export async function markInterruptedRuns(db: Db): Promise<InterruptedRun[]> {
  const q = await etlQueries();
  const { sql } = await import('kysely');
  const running = await run(db, q.selectFrom('etl.run')
    .select(['id', 'command', 'pid', 'host', sql<boolean>`started_at < now() - interval '6 hours'`.as('old')])
    .where('status', '=', 'running').orderBy('id'));
  const gone: InterruptedRun[] = [];
  for (const r of running) {
    const id = Number(r.id);
    if (held.has(id)) continue;
    let dead: boolean;
    if (db.kind === 'pglite') dead = true;
    else if (r.pid === null) dead = r.old;
    else if (r.host === HOST && !processAlive(r.pid)) dead = true;
    else dead = await db.withSession(async (s) => {
      const free = await advisoryLock(s, 'try', { class: RUN_LOCK_CLASS, id });
      if (free) await advisoryLock(s, 'unlock', { class: RUN_LOCK_CLASS, id });
      return free;
    });
    if (dead) gone.push({ id, command: r.command, pid: r.pid, host: r.host });
  }
  for (const g of gone) {
    const who = g.pid === null ? 'its process' : `process ${g.pid} on ${g.host}`;
    const why = `interrupted: ${who} ended without recording an outcome (killed, or the machine or database restarted); nothing of its unfinished release was merged`;
    await run(db, q.updateTable('etl.run')
      .set({ status: 'failed', finished_at: sql<Date>`COALESCE(finished_at, now())`, error: why })
      .where('id', '=', g.id).where('status', '=', 'running'));
    await run(db, q.updateTable('etl.release')
      .set({ status: 'failed', error: why, error_detail: INTERRUPTED })
      .where('run_id', '=', g.id).where('status', '=', 'loading'));
  }
  // On the embedded database nothing else can be loading now: a release left 'loading' without
  // a live run of this process (say, by a hand-made run_id-less load) is as dead as its run.
  if (db.kind === 'pglite') {
    const mine = [...held.keys()];
    await run(db, q.updateTable('etl.release')
      .set({ status: 'failed', error: 'interrupted: its process ended before the release was merged; nothing of it was loaded', error_detail: INTERRUPTED })
      .where('status', '=', 'loading')
      .where((eb) => eb.or([eb('run_id', 'is', null), eb.not(eb('run_id', '=', sql<number>`ANY(${mine}::bigint[])`))])));
  }
  return gone;
}

function processAlive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (err) { return (err as NodeJS.ErrnoException).code === 'EPERM'; }
}
