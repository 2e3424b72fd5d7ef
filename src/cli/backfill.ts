import type { Command } from 'commander';
import { open, table, UsageError, EXIT } from './common.js';
import { selectDatasets } from '../engine/registry.js';
import { migrationLevel, listMigrations } from '../db/migrate.js';
import { runBackfill, type Reprocess } from '../ops/backfill.js';
import { parsePositiveInt, parseRange } from '../ops/month-range.js';
import { progressReporter } from '../ops/progress.js';
import { formatCounts, formatOutcomes } from '../ops/report.js';
import { stopOnSignals } from '../ops/stop-signals.js';
import { SOURCES } from '../../pipelines/sources.js';
import { signalExitCode } from '../core/errors.js';

const collect = (v: string, prev: string[] = []) => [...prev, ...v.split(',').map((s) => s.trim()).filter(Boolean)];

interface BackfillOpts { source?: string[]; dataset?: string[]; from?: string; to?: string; reprocess: string; dryRun?: boolean; concurrency: string; allowShrink?: boolean }

export function register(program: Command): void {
  program.command('backfill')
    .description('load the releases of a month range (keeps going past failures; never moves the refresh watermark)')
    .option('-s, --source <source>', `source to backfill (${SOURCES.map((s) => s.id).join(', ')}); repeatable`, collect)
    .option('-d, --dataset <id>', 'only this dataset; repeatable', collect)
    .option('--from <YYYY-MM>', 'first month of the range')
    .option('--to <YYYY-MM>', 'last month of the range')
    .option('--reprocess <which>', 'missing: releases not loaded yet; failed: only those whose last attempt failed; all: every release again', 'missing')
    .option('--dry-run', 'list what would be fetched; fetch and write nothing')
    .option('--allow-shrink', 'load whole-series releases (d41ma, country.xlsx) even if they drop more than MAX_SHRINK_SHARE of the current keys')
    .option('--concurrency <n>', 'releases fetched at once per dataset', '1')
    .addHelpText('after', '\nExamples:\n  trade-etl backfill --source mof --from 2024-01 --to 2024-12 --dry-run\n  trade-etl backfill --source census --from 2023-01 --to 2024-12 --reprocess failed --concurrency 2\n')
    .action(async (opts: BackfillOpts) => {
      // Everything is checked before the database is opened: a typo costs nothing.
      const { from, to } = parseRange(opts.from, opts.to);
      if (!['missing', 'failed', 'all'].includes(opts.reprocess)) throw new UsageError(`--reprocess must be missing, failed or all, got ${JSON.stringify(opts.reprocess)}`);
      const concurrency = parsePositiveInt('--concurrency', opts.concurrency);
      if (!opts.source?.length && !opts.dataset?.length) throw new UsageError(`backfill needs --source (${SOURCES.map((s) => s.id).join(', ')}) or --dataset <id>: a range of every source at once is rarely what you want`);
      const datasets = selectDatasets({ source: opts.source, dataset: opts.dataset });
      if (!datasets.length) throw new UsageError(`no dataset matches --source ${opts.source?.join(',') ?? ''} --dataset ${opts.dataset?.join(',') ?? ''}`);
      const dryRun = Boolean(opts.dryRun);
      const ctx = await open({ migrate: !dryRun });
      const stop = stopOnSignals(ctx.logger);
      ctx.signal = stop.signal;
      // The merge in progress rolls back at its next statement.
      ctx.db.stopSignal = stop.signal;
      const progress = progressReporter(process.stderr);
      try {
        const migrated = dryRun ? (await migrationLevel(ctx.db)) >= Math.max(...listMigrations().map((m) => m.version)) : true;
        const result = await runBackfill(ctx, datasets, { from, to, reprocess: opts.reprocess as Reprocess, dryRun, concurrency, allowShrink: opts.allowShrink, source: opts.source, dataset: opts.dataset },
          { onRelease: progress.onRelease, migrated });
        progress.done();
        const out = process.stdout;
        if (dryRun) {
          const would = result.summaries.flatMap((s) => s.releases.filter((r) => r.status === 'would-fetch').map((r) => ({ dataset: s.dataset, release: r.label || r.fileName, url: r.url })));
          const skipped = result.summaries.reduce((n, s) => n + s.releases.filter((r) => r.status === 'skipped').length, 0);
          out.write(`Dry run ${from}..${to} (reprocess ${opts.reprocess}): would fetch ${would.length} release(s)${skipped ? `, skip ${skipped} already loaded` : ''}. Nothing was fetched or written.\n`);
          if (!migrated) out.write('(the database has no schema yet, so every discovered release is listed)\n');
          out.write(table(would));
          for (const s of result.summaries) {
            if (s.discoverError) out.write(`FAILED ${s.dataset}: discovery: ${s.discoverError}\n`);
            for (const n of result.notes[s.dataset] ?? []) out.write(`note: ${s.dataset}: ${n}\n`);
          }
          if (result.summaries.some((s) => s.failed)) process.exitCode = EXIT.failure;
          return;
        }
        out.write(`Backfill ${from}..${to} (reprocess ${opts.reprocess}), run ${result.runId}:\n`);
        out.write(formatCounts(result.summaries));
        out.write('\n');
        out.write(formatOutcomes(result.summaries, result.notes));
        const failed = result.summaries.reduce((n, s) => n + s.failed, 0);
        if (result.interrupted) out.write(`\nStopped by ${stop.received() ?? 'a signal'} before the range was done; run the same command again to continue.\n`);
        if (failed) out.write(`\n${failed} failed. \`trade-etl retry ${result.runId}\` re-runs only those.\n`);
        process.exitCode = stop.received() ? signalExitCode(stop.received()!) : failed || result.interrupted ? EXIT.failure : EXIT.ok;
      } finally {
        progress.done();
        stop.dispose();
        await ctx.close();
      }
    });
}
