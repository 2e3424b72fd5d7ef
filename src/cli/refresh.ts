import type { Command } from 'commander';
import { open, table, UsageError } from './common.js';
import { selectDatasets } from '../engine/registry.js';
import { SOURCES } from '../../pipelines/sources.js';
import { refreshRun } from '../engine/run-lifecycle.js';
import { formatSummary } from '../engine/run-summary.js';
import type { Trigger } from '../engine/runs.js';
import { stopOnSignals } from '../ops/stop-signals.js';
import { signalExitCode } from '../core/errors.js';

const collect = (v: string, prev: string[] = []) => [...prev, ...v.split(',').map((s) => s.trim()).filter(Boolean)];

export function register(program: Command): void {
  program.command('refresh')
    .description('discover the newest releases, fetch what changed (conditional GET), load; safe to run from cron')
    .option('-s, --source <source>', `only this source (${SOURCES.map((s) => s.id).join(', ')}); repeatable`, collect)
    .option('-d, --dataset <id>', 'only this dataset; repeatable', collect)
    .option('--trigger <trigger>', 'recorded in etl.run: manual or cron', 'manual')
    .option('--allow-shrink', 'load whole-series releases (d41ma, country.xlsx) even if they drop more than MAX_SHRINK_SHARE of the current keys')
    .action(async (opts: { source?: string[]; dataset?: string[]; trigger: string; allowShrink?: boolean }) => {
      if (!['manual', 'cron', 'schedule'].includes(opts.trigger)) throw new UsageError(`--trigger must be manual or cron, got ${opts.trigger}`);
      const datasets = selectDatasets(opts);
      // From cron or a container stop: the release in progress rolls back, no other starts.
      const stop = stopOnSignals();
      const ctx = await open({ signal: stop.signal });
      try {
        const { summaries } = await refreshRun(ctx, datasets.map((d) => d.id), opts.trigger as Trigger, { source: opts.source, dataset: opts.dataset }, { allowShrink: opts.allowShrink });
        process.stdout.write(formatSummary(summaries));
        if (stop.received()) process.stdout.write(`stopped by ${stop.received()} before every release was processed; the release in progress (if any) rolled back\n`);
        process.exitCode = stop.received() ? signalExitCode(stop.received()!) : summaries.some((s) => s.failed) ? 1 : 0;
      } finally {
        stop.dispose();
        await ctx.close();
      }
    });
}
