import type { Command } from 'commander';
import { open, UsageError, EXIT } from './common.js';
import { runRetry } from '../ops/retry.js';
import { progressReporter } from '../ops/progress.js';
import { formatCounts, formatOutcomes } from '../ops/report.js';
import { stopOnSignals } from '../ops/stop-signals.js';
import { signalExitCode } from '../core/errors.js';

export function register(program: Command): void {
  program.command('retry')
    .description('re-run only what failed in a run (its failed releases, or a dataset whose discovery failed), as a new run')
    .argument('<run-id>', 'the run, as listed by `trade-etl runs --failed`')
    .action(async (id: string) => {
      if (!/^\d+$/.test(id) || Number(id) < 1) throw new UsageError(`<run-id> must be a run number as listed by \`trade-etl runs\`, got ${JSON.stringify(id)}`);
      const ctx = await open();
      const stop = stopOnSignals(ctx.logger);
      ctx.signal = stop.signal;
      ctx.db.stopSignal = stop.signal;
      const progress = progressReporter(process.stderr);
      try {
        const { plan, summaries, runId } = await runRetry(ctx, Number(id), { onRelease: progress.onRelease });
        progress.done();
        const out = process.stdout;
        for (const n of plan.notes) out.write(`note: ${n}\n`);
        if (!runId) {
          out.write(`run ${id} (${plan.of.command}, ${plan.of.status}) has nothing that can be retried.\n`);
          process.exitCode = plan.notes.length ? EXIT.failure : EXIT.ok;
          return;
        }
        out.write(`Retry of run ${id} (${plan.of.command}) recorded as run ${runId}:\n`);
        out.write(formatCounts(summaries));
        out.write('\n');
        out.write(formatOutcomes(summaries));
        const failed = summaries.reduce((n, s) => n + s.failed, 0);
        if (failed) out.write(`\n${failed} still failed. \`trade-etl retry ${runId}\` tries those again.\n`);
        process.exitCode = stop.received() ? signalExitCode(stop.received()!) : failed ? EXIT.failure : EXIT.ok;
      } finally {
        progress.done();
        stop.dispose();
        await ctx.close();
      }
    });
}
