import type { Db, Session } from './connect.js';
import { PermanentError } from '../core/errors.js';
import { run, etlBuilder } from './etl-schema.js';

/** An advisory lock's key: a text (hashed, as datasets' keys are) or a (class, id) pair (runs' liveness). */
export type AdvisoryKey = { text: string } | { class: number; id: number };

/**
 * Takes (`lock`: waits; `try`: does not wait) or lets go of (`unlock`) a session advisory lock on
 * Postgres. Returns whether the lock is held (`try`) or was held (`unlock`); `lock` returns true.
 * @example if (await advisoryLock(s, 'try', { text: 'trade-etl:mof.press' })) …
 */
export async function advisoryLock(s: Pick<Session, 'query'>, mode: 'lock' | 'try' | 'unlock', key: AdvisoryKey): Promise<boolean> {
  const { q, sql } = await etlBuilder();
  const fn = { lock: 'pg_advisory_lock', try: 'pg_try_advisory_lock', unlock: 'pg_advisory_unlock' }[mode];
  // A run id is a bigint; the two-key form takes ints, so it is folded into 31 bits first.
  const args = 'text' in key ? sql`hashtext(${key.text})` : sql`${key.class}, ${key.id % 2 ** 31}::bigint::int`;
  const [r] = await run(s, q.selectNoFrom(sql<boolean>`${sql.raw(fn)}(${args})`.as('ok')));
  return mode === 'lock' || r?.ok === true;
}

const inProcess = new Map<string, Promise<void>>();

/**
 * Runs fn while holding the dataset's lock, so two runs never load the same dataset at once.
 * On Postgres: a session advisory lock (works across processes and machines), polled until
 * `waitMs` has passed. On PGlite (one process per data directory, enforced by a lock file): an
 * in-process queue with the same bounded wait. Either way a run that cannot get the lock in
 * time fails with a message naming the dataset — it never loads anyway.
 * @example await withDatasetLock(db, 'mof.press', 30_000, () => loadIt());
 */
export async function withDatasetLock<T>(db: Db, dataset: string, waitMs: number, fn: () => Promise<T>): Promise<T> {
  const key = `trade-etl:${dataset}`;
  if (db.kind === 'pglite') return withInProcessLock(key, dataset, waitMs, fn);
  return db.withSession(async (s) => {
    const deadline = Date.now() + waitMs;
    for (;;) {
      if (await advisoryLock(s, 'try', { text: key })) break;
      if (Date.now() >= deadline) throw lockTimeout(dataset, waitMs);
      await new Promise((res) => setTimeout(res, 250));
    }
    try {
      return await fn();
    } finally {
      // A failed unlock means the connection is gone, and the lock went with it.
      await advisoryLock(s, 'unlock', { text: key }).catch(() => {});
    }
  });
}

async function withInProcessLock<T>(key: string, dataset: string, waitMs: number, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + waitMs;
  while (inProcess.has(key)) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw lockTimeout(dataset, waitMs);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([inProcess.get(key), new Promise((r) => { timer = setTimeout(r, remaining); })]);
    clearTimeout(timer);
  }
  let done!: () => void;
  inProcess.set(key, new Promise<void>((r) => { done = r; }));
  try {
    return await fn();
  } finally {
    inProcess.delete(key);
    done();
  }
}

function lockTimeout(dataset: string, waitMs: number): PermanentError {
  return new PermanentError(
    `another run is loading ${dataset}; waited ${Math.round(waitMs / 1000)} s for it (LOCK_WAIT_MS). Try again when it has finished (trade-etl runs shows it).`,
    { dataset, waitMs },
  );
}
