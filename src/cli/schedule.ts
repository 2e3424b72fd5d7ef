import type { Command } from 'commander';
import { open, table, EXIT } from './common.js';
import { loadConfig } from '../core/config.js';
import { createLogger } from '../core/logger.js';
import { DEFAULT_SCHEDULE_FILE, loadScheduleConfig } from '../ops/schedule-config.js';
import { Scheduler } from '../ops/scheduler.js';
import { contextPool, refreshJobs } from '../ops/schedule-jobs.js';
import { stopOnSignals } from '../ops/stop-signals.js';

/** A time shown in a zone, e.g. '2025-01-23 08:55 Asia/Tokyo'. */
function inZone(d: Date | null, tz: string): string {
  if (!d) return '(never)';
  const f = new Intl.DateTimeFormat('sv-SE', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
  return `${f.format(d)} ${tz}`;
}

export function register(program: Command): void {
  program.command('schedule')
    .description('long-running scheduler: refresh jobs at the cron times of a config file, each in its time zone; SIGTERM/SIGINT stop it gracefully')
    .option('-c, --config <file>', 'schedule file (jobs and freshness)', DEFAULT_SCHEDULE_FILE)
    .option('--list', 'print the jobs and their next times, then exit')
    .action(async (opts: { config: string; list?: boolean }) => {
      const cfg = loadScheduleConfig(opts.config);
      const config = loadConfig();
      const logger = createLogger(config);
      const pool = contextPool(() => open({ config, logger }));
      const scheduler = new Scheduler(refreshJobs(cfg.jobs, pool, logger), { logger });
      const listing = () => table(cfg.jobs.map((j, i) => {
        const next = scheduler.nextRuns()[i]!.at;
        return { job: j.name, cron: j.cron, timezone: j.timezone, what: [...(j.source ?? []), ...(j.dataset ?? [])].join(',') || 'all', 'next (local)': inZone(next, j.timezone), 'next (UTC)': next?.toISOString().slice(0, 19).replace('T', ' ') ?? '' };
      }));
      if (opts.list) {
        process.stdout.write(`${cfg.file}:\n${listing()}`);
        return;
      }
      if (!cfg.jobs.length) {
        process.stderr.write(`trade-etl: ${cfg.file} has no jobs; nothing to schedule\n`);
        process.exitCode = EXIT.usage;
        return;
      }
      // Fail at start, not at the first cron time, if the database is unreachable; this also migrates it.
      const probe = await open({ config, logger });
      await probe.close();
      let stopped!: (sig: NodeJS.Signals) => void;
      const stoppedBy = new Promise<NodeJS.Signals>((r) => { stopped = r; });
      const stop = stopOnSignals(logger, (sig) => stopped(sig));
      try {
        scheduler.start();
        process.stdout.write(`scheduler started with ${cfg.jobs.length} job(s) from ${cfg.file}:\n${listing()}`);
        logger.info({ jobs: scheduler.nextRuns().map((n) => ({ job: n.job, next: n.at?.toISOString() })) }, 'scheduler started');
        const sig = await stoppedBy;
        await scheduler.stop(sig);
        const failed = scheduler.history.filter((h) => h.outcome === 'failed').length;
        process.stdout.write(`scheduler stopped by ${sig}: ${scheduler.history.filter((h) => h.outcome !== 'skipped-overlap').length} run(s), ${failed} failed, ${scheduler.history.filter((h) => h.outcome === 'skipped-overlap').length} skipped (previous run still going)\n`);
        process.exitCode = EXIT.ok;
      } finally {
        stop.dispose();
      }
    });
}
