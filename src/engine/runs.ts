import type { Db } from '../db/connect.js';

export type Trigger = 'cron' | 'manual' | 'backfill' | 'schedule' | 'retry';
export type RunStatus = 'succeeded' | 'failed' | 'partial';

/** Records the start of a command in etl.run and returns its id. */
export async function startRun(db: Db, command: string, args: Record<string, unknown>, trigger: Trigger, retryOf?: number): Promise<number> {
  const [r] = await db.query<{ id: string | number }>(
    'INSERT INTO etl.run (command, args, trigger, retry_of) VALUES ($1, $2, $3, $4) RETURNING id',
    [command, JSON.stringify(args), trigger, retryOf ?? null]);
  return Number(r!.id);
}

/** Records how a run ended. */
export async function finishRun(db: Db, id: number, status: RunStatus, stats: Record<string, unknown>, error?: string): Promise<void> {
  await db.query('UPDATE etl.run SET finished_at = now(), status = $2, stats = $3, error = $4 WHERE id = $1',
    [id, status, JSON.stringify(stats), error ?? null]);
}
