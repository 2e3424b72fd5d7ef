import { Cron } from 'croner';
import type { Logger } from '../core/logger.js';
import { systemClock, type Clock } from './clock.js';

/** A job as the scheduler core sees it: when (cron + time zone) and what (an abortable function). */
export interface SchedulerJob {
  name: string;
  cron: string;
  timezone: string;
  /** Does the work; `signal` aborts when the scheduler stops (start no new release, finish the current one). */
  run: (signal: AbortSignal, firedAt: Date) => Promise<void>;
}

/** What happened at one cron time. */
export interface FireRecord {
  job: string;
  at: Date;
  outcome: 'ran' | 'failed' | 'skipped-overlap';
  error?: string;
  ms?: number;
}

interface JobState {
  job: SchedulerJob;
  cron: Cron;
  timer?: unknown;
  due?: number;
  running?: Promise<void>;
}

/**
 * A long-running scheduler: croner computes each job's next time in the job's time zone; the
 * timer comes from an injectable Clock, so tests drive it with a manual clock. A job whose
 * previous run is still going when its time comes again is skipped (croner's `protect`
 * semantics: never two runs of one job at once). `stop()` arms no more timers, aborts the shared
 * signal — the engine then starts no new release, while the one being merged commits or rolls
 * back — and resolves when every running job has returned.
 * @example const s = new Scheduler([{ name: 'mof', cron: '55 8 * * 1-5', timezone: 'Asia/Tokyo', run }]); s.start(); … await s.stop();
 */
export class Scheduler {
  readonly history: FireRecord[] = [];
  private readonly states: JobState[];
  private readonly clock: Clock;
  private readonly logger?: Logger;
  private readonly controller = new AbortController();
  private started = false;
  private stopped = false;

  constructor(jobs: SchedulerJob[], opts: { clock?: Clock; logger?: Logger } = {}) {
    this.clock = opts.clock ?? systemClock;
    this.logger = opts.logger;
    // A Cron without a callback only does calendar arithmetic; it never sets a timer of its own.
    this.states = jobs.map((job) => ({ job, cron: new Cron(job.cron, { timezone: job.timezone }) }));
  }

  /** Aborted when the scheduler stops. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Arms every job's timer for its next cron time after now. */
  start(): void {
    if (this.started) return;
    this.started = true;
    for (const s of this.states) this.arm(s, this.clock.now());
  }

  /** Each job's next cron time (null when its expression has no future time). */
  nextRuns(): Array<{ job: string; timezone: string; at: Date | null }> {
    return this.states.map((s) => ({ job: s.job.name, timezone: s.job.timezone, at: s.due !== undefined ? new Date(s.due) : s.cron.nextRun(new Date(this.clock.now())) }));
  }

  /** Names of the jobs running now. */
  running(): string[] {
    return this.states.filter((s) => s.running).map((s) => s.job.name);
  }

  /** Resolves when no job is running. */
  async idle(): Promise<void> {
    while (this.states.some((s) => s.running)) await Promise.all(this.states.map((s) => s.running));
  }

  /** Stops: no more timers, abort the running jobs' signal, wait for them to return. */
  async stop(reason = 'stop requested'): Promise<void> {
    if (!this.stopped) {
      this.stopped = true;
      for (const s of this.states) if (s.timer !== undefined) this.clock.clear(s.timer);
      const busy = this.running();
      if (busy.length) this.logger?.warn({ jobs: busy, reason }, 'stopping: letting the running load finish or roll back; no new release will start');
      this.controller.abort(new Error(`scheduler stopping (${reason})`));
    }
    await this.idle();
  }

  private arm(s: JobState, from: number): void {
    if (this.stopped) return;
    const next = s.cron.nextRun(new Date(from));
    s.timer = undefined;
    s.due = next?.getTime();
    if (s.due === undefined) {
      this.logger?.warn({ job: s.job.name, cron: s.job.cron }, 'cron expression has no future time; job will not run again');
      return;
    }
    s.timer = this.clock.setTimer(() => this.onTimer(s), s.due - this.clock.now());
  }

  private onTimer(s: JobState): void {
    if (this.stopped || s.due === undefined) return;
    const due = s.due;
    // Long delays are capped by the clock; a timer that wakes before its time just re-arms.
    if (this.clock.now() < due) {
      s.timer = this.clock.setTimer(() => this.onTimer(s), due - this.clock.now());
      return;
    }
    this.fire(s, due);
    // After a long sleep (laptop lid, stopped container) the missed times are not replayed.
    this.arm(s, Math.max(due, this.clock.now()));
  }

  private fire(s: JobState, due: number): void {
    const at = new Date(due);
    if (s.running) {
      this.history.push({ job: s.job.name, at, outcome: 'skipped-overlap' });
      this.logger?.warn({ job: s.job.name, at: at.toISOString() }, 'previous run of this job is still going; skipped this time');
      return;
    }
    const t0 = this.clock.now();
    this.logger?.info({ job: s.job.name, at: at.toISOString(), timezone: s.job.timezone }, 'job started');
    s.running = (async () => {
      try {
        await s.job.run(this.controller.signal, at);
        this.history.push({ job: s.job.name, at, outcome: 'ran', ms: this.clock.now() - t0 });
        this.logger?.info({ job: s.job.name, ms: this.clock.now() - t0 }, 'job finished');
      } catch (err) {
        const msg = (err as Error)?.message ?? String(err);
        this.history.push({ job: s.job.name, at, outcome: 'failed', error: msg, ms: this.clock.now() - t0 });
        this.logger?.error({ job: s.job.name, err: msg }, 'job failed; it runs again at its next time');
      } finally {
        s.running = undefined;
      }
    })();
  }
}
