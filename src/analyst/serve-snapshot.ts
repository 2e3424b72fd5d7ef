/**
 * The copy of the embedded database that `trade-etl serve` gives analysts.
 *
 * PGlite has ONE session, and it is a superuser's: `SET ROLE analyst` only changes the current
 * user, and anything the client sends can change it back (RESET ROLE, SET SESSION AUTHORIZATION,
 * set_config('role', …), a DO block, the same in an extended-protocol Parse). No filter on
 * statement text closes all of those. So analysts are never connected to the real data at all:
 * they get a copy of DATA_DIR/pglite taken when serve starts (DATA_DIR/.serve-snapshot-<pid>),
 * removed when it stops. Whatever a client manages to do there, the real database — and the
 * data of the next serve — stays as it was.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import type { Config } from '../core/config.js';
import { fileSystemError } from '../core/errors.js';
import { pgliteStartParams, type Db } from '../db/connect.js';

export interface Snapshot {
  pglite: PGlite;
  /** Where the copy lives. */
  dir: string;
  takenAt: Date;
  /** Closes the copy and deletes it. */
  close(): Promise<void>;
}

const PREFIX = '.serve-snapshot-';

/**
 * Copies the open embedded database `db` (the caller holds DATA_DIR, so nothing writes during the
 * copy) and opens the copy. A checkpoint first puts every change into the data files, so the
 * copy is what a clean shutdown would leave. Copies left by a killed serve are removed first.
 * @example const snap = await snapshotEmbedded(ctx.db, config); await ctx.close(); serve(snap.pglite)
 */
export async function snapshotEmbedded(db: Db, config: Pick<Config, 'dataDir' | 'pgliteSharedBuffersMb'>): Promise<Snapshot> {
  removeStaleSnapshots(config.dataDir);
  const dir = path.join(config.dataDir, `${PREFIX}${process.pid}`);
  const target = path.join(dir, 'pglite');
  fs.rmSync(dir, { recursive: true, force: true });
  await db.query('CHECKPOINT');
  try {
    // A reflink where the file system has them (instant, no space), a plain copy elsewhere.
    await fs.promises.cp(path.join(config.dataDir, 'pglite'), target, { recursive: true, mode: fs.constants.COPYFILE_FICLONE });
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw fileSystemError(err, dir) ?? err;
  }
  const { PGlite } = await import('@electric-sql/pglite');
  let pglite: PGlite;
  try {
    pglite = await PGlite.create(target, { startParams: pgliteStartParams(PGlite.defaultStartParams, config) });
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    pglite, dir, takenAt: new Date(),
    async close() {
      // Closing PGlite resets process.exitCode (see connect.ts).
      const code = process.exitCode;
      try {
        await pglite.close();
      } finally {
        process.exitCode = code;
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** Deletes copies whose serve process is gone (killed with -9, or the machine went down). */
export function removeStaleSnapshots(dataDir: string): string[] {
  const removed: string[] = [];
  let names: string[];
  try { names = fs.readdirSync(dataDir); } catch { return removed; }
  for (const name of names) {
    if (!name.startsWith(PREFIX)) continue;
    const pid = Number(name.slice(PREFIX.length));
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) continue;
    fs.rmSync(path.join(dataDir, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (err) { return (err as NodeJS.ErrnoException).code === 'EPERM'; }
}
