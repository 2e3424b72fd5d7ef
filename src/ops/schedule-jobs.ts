import type { Logger } from '../core/logger.js';
import type { EngineContext } from '../engine/context.js';
import { selectDatasets } from '../engine/registry.js';
import { refreshRun } from '../engine/run-lifecycle.js';
import { firstErrorOf, formatSummary } from '../engine/run-summary.js';
import type { ScheduleJob } from './schedule-config.js';
import type { SchedulerJob } from './scheduler.js';

/** An engine context that is open only while some job needs it. */
export interface ContextPool {
  acquire(): Promise<EngineContext>;
  release(): Promise<void>;
}

/**
 * Opens the database when the first job starts and closes it when the last one ends, so between
 * runs the embedded database (one process at a time) is free for `status`, `runs` or `serve`.
 * @example const pool = contextPool(() => open()); const ctx = await pool.acquire(); …; await pool.release();
 */
export function contextPool(openCtx: () => Promise<EngineContext & { close(): Promise<void> }>): ContextPool {
  let users = 0;
  let opening: Promise<EngineContext & { close(): Promise<void> }> | undefined;
  return {
    async acquire() {
      users++;
      opening ??= openCtx();
      try {
        return await opening;
      } catch (err) {
        users--;
        opening = undefined;
        throw err;
      }
    },
    async release() {
      users--;
      if (users === 0 && opening) {
        const ctx = await opening;
        opening = undefined;
        await ctx.close();
      }
    },
  };
}

/**
 * Turns the configured jobs into scheduler jobs: each fire is a refresh of the job's datasets,
 * recorded as a run with trigger 'schedule', with the scheduler's stop signal in the context.
 * A refresh with a failed release throws, so the scheduler logs the job as failed.
 * @example new Scheduler(refreshJobs(cfg.jobs, pool, logger)).start();
 */
export function refreshJobs(jobs: ScheduleJob[], pool: ContextPool, logger: Logger): SchedulerJob[] {
  return jobs.map((job) => {
    // Check the selection up front: a typo in the config must stop `schedule` at start, not at 08:55.
    const ids = selectDatasets({ source: job.source, dataset: job.dataset }).map((d) => d.id);
    return {
      name: job.name, cron: job.cron, timezone: job.timezone,
      async run(signal) {
        if (!ids.length) { logger.warn({ job: job.name }, 'no dataset matches this job; nothing to do'); return; }
        const base = await pool.acquire();
        try {
          const ctx: EngineContext = { db: base.db, config: base.config, logger: base.logger.child({ job: job.name }), signal };
          const { runId, summaries } = await refreshRun(ctx, ids, 'schedule', { job: job.name, source: job.source, dataset: job.dataset });
          logger.info({ job: job.name, runId, summary: formatSummary(summaries).trimEnd() }, 'refresh done');
          const err = firstErrorOf(summaries);
          if (err) throw new Error(`run ${runId}: ${err} (trade-etl retry ${runId} re-runs the failures)`);
        } finally {
          await pool.release();
        }
      },
    };
  });
}
