import type { EngineContext } from './context.js';
import { refreshDatasets, runStatusOf, type DatasetSummary, type RefreshOptions } from './refresh.js';
import { selectDatasets } from './registry.js';
import { startRun, finishRun, type Trigger } from './runs.js';
import { firstErrorOf, statsOf, type RunStats } from './run-summary.js';

/** What a recorded run is: its etl.run row, and how to say what a stop signal left undone. */
export interface RunRecord {
  command: 'refresh' | 'backfill' | 'retry';
  args: Record<string, unknown>;
  trigger: Trigger;
  retryOf?: number;
  /** Completes "stopped (…) before …" when a signal cuts the run short: 'every release was processed'. */
  until: string;
  /** The run's notes, recorded in its stats (read after the work, so the work may add to them). */
  notes?: RunStats['notes'];
}

/**
 * The one run lifecycle: start the run (etl.run row with pid and host, and its liveness lock),
 * do the work, finish the run with its status, stats (RunStats) and first error — or, when the
 * work throws, as failed with that error, which is then rethrown. refresh, backfill, retry and
 * the scheduler all run through here. `ctx.runId` is set for the work's releases.
 * @example const { runId, summaries } = await recordedRun(ctx, { command: 'refresh', args, trigger: 'manual', until: 'every release was processed' }, () => refreshDatasets(ctx, datasets, opts));
 */
export async function recordedRun(ctx: EngineContext, rec: RunRecord, work: () => Promise<DatasetSummary[]>): Promise<{ runId: number; summaries: DatasetSummary[]; interrupted: boolean }> {
  const runId = await startRun(ctx.db, rec.command, rec.args, rec.trigger, rec.retryOf);
  ctx.runId = runId;
  let summaries: DatasetSummary[];
  try {
    summaries = await work();
  } catch (err) {
    try {
      await finishRun(ctx.db, runId, 'failed', statsOf([], rec.notes, Boolean(ctx.signal?.aborted)), (err as Error).message);
    } catch (finishErr) {
      // The work's error is the one to report; the run stays 'running' until the next command marks it interrupted.
      ctx.logger.error({ runId, err: (finishErr as Error).message, cause: (err as Error).message }, 'could not record the failed run');
    }
    throw err;
  }
  const interrupted = Boolean(ctx.signal?.aborted);
  const first = firstErrorOf(summaries);
  const error = interrupted
    ? `stopped (${String((ctx.signal?.reason as Error | undefined)?.message ?? 'signal')}) before ${rec.until}${first ? `; ${first}` : ''}`
    : first;
  await finishRun(ctx.db, runId, runStatusOf(summaries, interrupted), statsOf(summaries, rec.notes, interrupted), error);
  return { runId, summaries, interrupted };
}

/**
 * A refresh of some datasets as a recorded run (the CLI's `refresh` and the scheduler's jobs).
 * @example const { runId, summaries } = await refreshRun(ctx, ['mof.press'], 'schedule', { job: 'mof' });
 */
export async function refreshRun(ctx: EngineContext, datasetIds: string[], trigger: Trigger, args: Record<string, unknown>, opts: Pick<RefreshOptions, 'allowShrink'> = {}) {
  const datasets = selectDatasets({ dataset: datasetIds });
  return recordedRun(ctx, { command: 'refresh', args, trigger, until: 'every release was processed' },
    () => refreshDatasets(ctx, datasets, { moveWatermark: true, allowShrink: opts.allowShrink }));
}
