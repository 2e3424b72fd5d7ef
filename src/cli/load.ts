import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { open, printable, UsageError, EXIT } from './common.js';
import { datasetById } from '../engine/registry.js';
import { storeFile } from '../fetch/raw-store.js';
import { loadConfig } from '../core/config.js';
import { loadRelease } from '../engine/load-release.js';
import { startRun, finishRun, failRun } from '../engine/runs.js';
import { InterruptedError } from '../core/errors.js';
import { stopOnSignals } from '../ops/stop-signals.js';
import { calendarDate } from './arguments.js';

export function register(program: Command): void {
  program.command('load')
    .description('load a local file (downloaded by hand) through the same path as a fetched release')
    .argument('<file>', 'the release file')
    .requiredOption('-d, --dataset <id>', 'dataset id, e.g. mof.press, census.country, frb.h10')
    .option('--published-on <date>', 'publication date (YYYY-MM-DD) when the file does not say')
    .option('--allow-shrink', 'load a whole-series release (d41ma, country.xlsx) even if it drops more than MAX_SHRINK_SHARE of the current keys')
    .action(async (file: string, opts: { dataset: string; publishedOn?: string; allowShrink?: boolean }) => {
      const dataset = datasetById(opts.dataset);
      checkReleaseFile(file);
      const publishedOn = opts.publishedOn === undefined ? undefined : calendarDate('--published-on', opts.publishedOn);
      const name = path.basename(file);
      const shown = printable(name);
      // SIGTERM/SIGINT: the merge in progress rolls back at its next statement; the run is recorded.
      const stop = stopOnSignals();
      // The file is hashed (and copied into the raw store) while the database opens; a failure
      // is reported after the run is recorded, as before.
      const config = loadConfig();
      const stored = storeFile(config.dataDir, file);
      stored.catch(() => {});
      const ctx = await open({ signal: stop.signal, config });
      ctx.logger.info({ file: shown, dataset: dataset.id }, 'loading');
      try {
        ctx.runId = await startRun(ctx.db, 'load', { file: name, dataset: dataset.id }, 'manual');
        const raw = await stored;
        if (stop.received()) throw new InterruptedError(stop.received()!, `stopped before the load of ${shown} began; nothing was loaded (run ${ctx.runId} recorded as failed)`);
        ctx.logger.info({ file: shown, dataset: dataset.id, sha256: raw.sha256, bytes: raw.bytes }, 'stored; merging');
        const out = await loadRelease(ctx, dataset, raw, { fileName: name, hints: publishedOn ? { publishedOn } : undefined, allowShrink: opts.allowShrink });
        const interrupted = out.error instanceof InterruptedError;
        await finishRun(ctx.db, ctx.runId, out.status === 'failed' ? 'failed' : 'succeeded', { releases: [summarize(out)], interrupted }, out.error?.message);
        if (out.status === 'failed') {
          if (interrupted) {
            throw new InterruptedError((out.error as InterruptedError).signal,
              `the load of ${shown} rolled back (release ${out.releaseId} and run ${ctx.runId} recorded as failed); the database is as it was`);
          }
          throw out.error;
        }
        process.stdout.write(out.status === 'unchanged'
          ? `${dataset.id}: ${shown} is already loaded (release ${out.releaseId}); nothing to do\n`
          : out.late
            ? `${dataset.id}: loaded ${shown} as release ${out.releaseId}, published before the newest release of scope ${out.scopeKey}: ${out.rowsInserted} history rows added at its publication date; current values unchanged\n`
            : `${dataset.id}: loaded ${shown} as release ${out.releaseId} (scope ${out.scopeKey}${out.stage ? `, ${out.stage}` : ''}): ${out.rowsParsed} observations, ${out.rowsInserted} new, ${out.rowsClosed} superseded, ${out.rowsUnchanged} unchanged\n`);
        for (const n of out.notices ?? []) process.stdout.write(`  note: ${printable(n)}\n`);
        if (stop.received()) {
          // The signal came after the commit: the release is in, the command still says it was stopped.
          process.stdout.write(`${stop.received()} arrived after the release was committed; it stays loaded\n`);
        }
        process.exitCode = EXIT.ok;
      } catch (err) {
        await failRun(ctx.db, ctx.runId, err, ctx.logger);
        throw err;
      } finally {
        stop.dispose();
        await ctx.close();
      }
    });
}

/**
 * Refuses, before anything is opened, a path that is not a readable regular file, saying what it
 * is instead (a directory, a device such as /dev/null, a FIFO) rather than "no such file".
 */
export function checkReleaseFile(file: string): void {
  const shown = printable(file);
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UsageError(`no such file: ${shown}`);
    if (code === 'ENOTDIR') throw new UsageError(`no such file: ${shown} (a part of the path is a file, not a directory)`);
    if (code === 'EACCES') throw new UsageError(`cannot read ${shown}: permission denied`);
    throw new UsageError(`cannot use ${shown}: ${(err as Error).message}`);
  }
  if (st.isDirectory()) throw new UsageError(`${shown} is a directory; give the release file itself (e.g. ${printable(path.join(file, 'd41ma.csv'))})`);
  if (!st.isFile()) {
    const what = st.isCharacterDevice() ? 'a character device' : st.isBlockDevice() ? 'a block device' : st.isFIFO() ? 'a named pipe (FIFO)' : st.isSocket() ? 'a socket' : 'not a regular file';
    throw new UsageError(`${shown} is ${what}, not a regular file; give the release file itself`);
  }
  try {
    fs.accessSync(file, fs.constants.R_OK);
  } catch {
    throw new UsageError(`cannot read ${shown}: permission denied`);
  }
}

export function summarize(o: { dataset: string; fileName: string; status: string; releaseId?: number; rowsParsed?: number; rowsInserted?: number; rowsClosed?: number; error?: Error }) {
  return { dataset: o.dataset, file: o.fileName, status: o.status, releaseId: o.releaseId, rowsParsed: o.rowsParsed, rowsInserted: o.rowsInserted, rowsClosed: o.rowsClosed, error: o.error?.message };
}
