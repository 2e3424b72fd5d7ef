import type { Command } from 'commander';
import { open, table, UsageError } from './common.js';
import { selectDatasets } from '../engine/registry.js';
import { SOURCES } from '../../pipelines/sources.js';
import { refreshDatasets, runStatusOf, type DatasetSummary } from '../engine/refresh.js';
import { startRun, finishRun, type Trigger } from '../engine/runs.js';
import type { EngineContext } from '../engine/context.js';
import { stopOnSignals } from '../ops/stop-signals.js';
import { signalExitCode } from '../core/errors.js';
import { redactSecrets, sourceSecrets } from '../core/config.js';
import { printable } from './common.js';

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
        const { summaries } = await runRefresh(ctx, datasets.map((d) => d.id), opts.trigger as Trigger, { source: opts.source, dataset: opts.dataset }, { allowShrink: opts.allowShrink });
        process.stdout.write(formatSummary(summaries));
        if (stop.received()) process.stdout.write(`stopped by ${stop.received()} before every release was processed; the release in progress (if any) rolled back\n`);
        process.exitCode = stop.received() ? signalExitCode(stop.received()!) : summaries.some((s) => s.failed) ? 1 : 0;
      } finally {
        stop.dispose();
        await ctx.close();
      }
    });
}

/** A refresh as a recorded run (also used by the scheduler). */
export async function runRefresh(ctx: EngineContext, datasetIds: string[], trigger: Trigger, args: Record<string, unknown>, opts: { allowShrink?: boolean } = {}) {
  const datasets = selectDatasets({ dataset: datasetIds });
  ctx.runId = await startRun(ctx.db, 'refresh', args, trigger);
  let summaries: DatasetSummary[] = [];
  try {
    summaries = await refreshDatasets(ctx, datasets, { moveWatermark: true, allowShrink: opts.allowShrink });
  } catch (err) {
    await finishRun(ctx.db, ctx.runId, 'failed', {}, (err as Error).message);
    throw err;
  }
  const interrupted = Boolean(ctx.signal?.aborted);
  await finishRun(ctx.db, ctx.runId, runStatusOf(summaries, interrupted), statsOf(summaries),
    interrupted ? `stopped (${(ctx.signal?.reason as Error)?.message ?? 'signal'}) before every release was processed${firstError(summaries) ? `; ${firstError(summaries)}` : ''}` : firstError(summaries));
  return { runId: ctx.runId, summaries };
}

export function statsOf(summaries: DatasetSummary[]) {
  return {
    datasets: summaries.map((s) => ({
      dataset: s.dataset, seen: s.seen, loaded: s.loaded, unchanged: s.unchanged, failed: s.failed,
      rowsInserted: s.rowsInserted, rowsClosed: s.rowsClosed, discoverError: s.discoverError,
      releases: s.releases.map((r) => ({ file: r.fileName, url: r.url, status: r.status, releaseId: r.releaseId, rows: r.rowsInserted, error: r.error?.message })),
    })),
  };
}

export function firstError(summaries: DatasetSummary[]): string | undefined {
  for (const s of summaries) {
    if (s.discoverError) return `${s.dataset}: ${s.discoverError}`;
    const r = s.releases.find((x) => x.error);
    if (r) return `${s.dataset}: ${r.fileName}: ${r.error!.message}`;
  }
  return undefined;
}

/** The one-screen summary: per dataset releases seen, new, unchanged, failed, rows; then each failure. */
export function formatSummary(summaries: DatasetSummary[]): string {
  const rows = summaries.map((s) => ({ dataset: s.dataset, seen: s.seen, new: s.loaded, unchanged: s.unchanged, failed: s.failed, 'rows new': s.rowsInserted, 'rows superseded': s.rowsClosed }));
  let out = table(rows);
  for (const s of summaries) {
    if (s.discoverError) out += `\nFAILED ${s.dataset}: discovery: ${s.discoverError}`;
    for (const r of s.releases) if (r.status === 'failed') out += `\nFAILED ${s.dataset}: ${r.fileName}: ${r.error?.message}`;
  }
  // Error texts come from servers and files: no control characters, no secrets on the screen.
  out = printable(redactSecrets(out, { secrets: sourceSecrets(process.env), databaseUrl: process.env.DATABASE_URL }), true);
  return out.endsWith('\n') ? out : `${out}\n`;
}
