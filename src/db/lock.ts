import type { Db } from './connect.js';
import { PermanentError } from '../core/errors.js';

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
      const [r] = await s.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [key]);
      if (r?.ok) break;
      if (Date.now() >= deadline) throw lockTimeout(dataset, waitMs);
      await new Promise((res) => setTimeout(res, 250));
    }
    try {
      return await fn();
    } finally {
      await s.query('SELECT pg_advisory_unlock(hashtext($1))', [key]).catch(() => {});
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
