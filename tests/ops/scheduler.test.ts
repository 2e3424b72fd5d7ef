/**
 * The scheduler core on a manual clock: croner's times in each job's zone (DST included), no
 * overlapping runs of one job, and a stop that aborts the running job's signal, waits for it and
 * leaves no timer behind. Plus the schedule file's checks.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/ops/clock.js';
import { Scheduler, type SchedulerJob } from '../../src/ops/scheduler.js';
import { DEFAULT_SCHEDULE_FILE, loadScheduleConfig, parseScheduleConfig } from '../../src/ops/schedule-config.js';
import { parseDuration, formatAge } from '../../src/ops/duration.js';
import { parseMonth, parsePositiveInt, parseRange, periodInRange } from '../../src/ops/month-range.js';

function recorder(name: string, cron: string, timezone: string, clock: ManualClock) {
  const fired: string[] = [];
  const job: SchedulerJob = { name, cron, timezone, run: async (_s, at) => { fired.push(`${at.toISOString()}@${new Date(clock.now()).toISOString()}`); } };
  return { job, fired };
}

describe('scheduler on a manual clock', () => {
  it('fires the MOF job at 08:55 Asia/Tokyo (23:55 UTC the day before), not a second earlier', async () => {
    const clock = new ManualClock('2025-01-22T23:50:00Z'); // Thu 08:50 JST: publication time
    const { job, fired } = recorder('mof', '55 8 * * 1-5', 'Asia/Tokyo', clock);
    const s = new Scheduler([job], { clock });
    s.start();
    expect(s.nextRuns()[0]!.at?.toISOString()).toBe('2025-01-22T23:55:00.000Z');
    await clock.advanceTo('2025-01-22T23:54:59.999Z');
    expect(fired).toEqual([]);
    await clock.advanceTo('2025-01-22T23:55:00Z');
    await s.idle();
    expect(fired).toEqual(['2025-01-22T23:55:00.000Z@2025-01-22T23:55:00.000Z']);
    // Friday, then nothing at the weekend, then Monday 08:55 JST = Sunday 23:55 UTC.
    await clock.advanceTo('2025-01-27T00:00:00Z');
    await s.idle();
    expect(fired.map((f) => f.slice(0, 24))).toEqual(['2025-01-22T23:55:00.000Z', '2025-01-23T23:55:00.000Z', '2025-01-26T23:55:00.000Z']);
    await s.stop();
    expect(clock.pending).toBe(0);
  });

  it('reads the Census job in America/New_York: 13:35 UTC in winter, 12:35 UTC in summer', async () => {
    for (const [start, end, expected] of [
      ['2025-01-23T00:00:00Z', '2025-01-24T00:00:00Z', '2025-01-23T13:35:00.000Z'],
      ['2025-07-10T00:00:00Z', '2025-07-11T00:00:00Z', '2025-07-10T12:35:00.000Z'],
    ] as const) {
      const clock = new ManualClock(start);
      const { job, fired } = recorder('census', '35 8 * * 1-5', 'America/New_York', clock);
      const s = new Scheduler([job], { clock });
      s.start();
      await clock.advanceTo(end);
      await s.stop();
      expect(fired.map((f) => f.split('@')[0])).toEqual([expected]);
    }
  });

  it('fires the H.10 job on Monday and Tuesday 16:20 ET only', async () => {
    const clock = new ManualClock('2025-03-07T00:00:00Z'); // a Friday; US DST starts Sunday 2025-03-09
    const { job, fired } = recorder('frb-h10', '20 16 * * 1-2', 'America/New_York', clock);
    const s = new Scheduler([job], { clock });
    s.start();
    await clock.advanceTo('2025-03-14T00:00:00Z');
    await s.stop();
    expect(fired.map((f) => f.split('@')[0])).toEqual(['2025-03-10T20:20:00.000Z', '2025-03-11T20:20:00.000Z']);
  });

  it('never runs one job twice at once: a time that comes while it runs is skipped', async () => {
    const clock = new ManualClock('2025-01-01T00:00:30Z');
    let release!: () => void;
    let runs = 0;
    const s = new Scheduler([{ name: 'slow', cron: '* * * * *', timezone: 'UTC', run: () => { runs++; return new Promise<void>((r) => { release = r; }); } }], { clock });
    s.start();
    await clock.advanceTo('2025-01-01T00:03:30Z');
    expect(runs).toBe(1);
    expect(s.running()).toEqual(['slow']);
    expect(s.history.map((h) => `${h.at.toISOString().slice(11, 16)} ${h.outcome}`)).toEqual(['00:02 skipped-overlap', '00:03 skipped-overlap']);
    release();
    await s.idle();
    await clock.advanceTo('2025-01-01T00:04:00Z');
    expect(runs).toBe(2);
    release();
    await s.stop();
    expect(s.history.filter((h) => h.outcome === 'ran').map((h) => h.at.toISOString().slice(11, 16))).toEqual(['00:01', '00:04']);
  });

  it('stop aborts the running job, waits for it to finish, and fires nothing afterwards', async () => {
    const clock = new ManualClock('2025-01-01T00:00:00Z');
    const seen: string[] = [];
    let runs = 0;
    const s = new Scheduler([{
      name: 'load', cron: '* * * * *', timezone: 'UTC',
      run: async (signal) => {
        runs++;
        // Like the engine: finish the current step, then notice the signal and start nothing new.
        await new Promise<void>((r) => signal.addEventListener('abort', () => r(), { once: true }));
        seen.push(`aborted: ${(signal.reason as Error).message}`);
        await new Promise((r) => setTimeout(r, 20));
        seen.push('finished the current release');
      },
    }], { clock });
    s.start();
    await clock.advanceTo('2025-01-01T00:01:00Z');
    expect(s.running()).toEqual(['load']);
    await s.stop('SIGTERM');
    expect(seen).toEqual(['aborted: scheduler stopping (SIGTERM)', 'finished the current release']);
    expect(s.running()).toEqual([]);
    expect(clock.pending).toBe(0);
    await clock.advanceTo('2025-01-01T01:00:00Z');
    expect(runs).toBe(1);
  });

  it('keeps going after a job throws', async () => {
    const clock = new ManualClock('2025-01-01T00:00:00Z');
    let n = 0;
    const s = new Scheduler([{ name: 'flaky', cron: '*/10 * * * *', timezone: 'UTC', run: async () => { if (++n === 1) throw new Error('server down'); } }], { clock });
    s.start();
    await clock.advanceTo('2025-01-01T00:20:00Z');
    await s.stop();
    expect(s.history.map((h) => [h.at.toISOString().slice(11, 16), h.outcome, h.error])).toEqual([['00:10', 'failed', 'server down'], ['00:20', 'ran', undefined]]);
  });
});

describe('schedule file', () => {
  it('the bundled config/schedule.json has the publication-time jobs in their zones and a cadence per dataset', () => {
    const cfg = loadScheduleConfig(DEFAULT_SCHEDULE_FILE);
    const byName = Object.fromEntries(cfg.jobs.map((j) => [j.name, `${j.cron} ${j.timezone}`]));
    expect(byName).toMatchObject({ mof: '55 8 * * 1-5 Asia/Tokyo', census: '35 8 * * 1-5 America/New_York', 'frb-h10': '20 16 * * 1-2 America/New_York' });
    expect(Object.keys(cfg.freshness).sort()).toEqual(['census.api', 'census.country', 'frb.fred', 'frb.h10', 'mof.hs_country', 'mof.press', 'mof.timeseries']);
    expect(cfg.freshness['mof.press']!.ms).toBe(40 * 86_400_000);
  });

  const bad: Array<[unknown, RegExp]> = [
    [{ jobs: [{ name: 'x', cron: '61 * * * *', timezone: 'UTC' }] }, /job x: cron "61 \* \* \* \*" does not parse/],
    [{ jobs: [{ name: 'x', cron: '0 9 * * *', timezone: 'Asia/Tokio' }] }, /job x: unknown time zone "Asia\/Tokio"/],
    [{ jobs: [{ name: 'x', cron: '0 9 * * *' }, { name: 'x', cron: '0 10 * * *' }] }, /job name x is used twice/],
    [{ jobs: [{ name: 'x', cron: '0 9 * * *', command: 'backfill' }] }, /"command" must be "refresh"/],
    [{ jobs: [{ name: 'x', cron: '0 9 * * *', source: [1] }] }, /"source" must be a string or a list of strings/],
    [{ freshness: { 'mof.press': '40 days' } }, /freshness of mof\.press must be a positive whole number followed by m, h, d or w/],
    [{ freshness: { 'mof.press': 40 } }, /freshness of mof\.press must be a string like "40d"/],
    [[], /expected an object/],
  ];
  it.each(bad)('rejects %j', (raw, message) => {
    expect(() => parseScheduleConfig(raw, 'test.json')).toThrow(message);
  });

  it('names the file when it is missing or not JSON', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trade-etl-sched-'));
    expect(() => loadScheduleConfig(path.join(dir, 'nope.json'))).toThrow(/cannot read the schedule file .*nope\.json/);
    fs.writeFileSync(path.join(dir, 'bad.json'), '{ jobs: [] }');
    expect(() => loadScheduleConfig(path.join(dir, 'bad.json'))).toThrow(/bad\.json: not valid JSON/);
  });
});

describe('argument and period helpers', () => {
  it('reads months, ranges, counts and cadences strictly', () => {
    expect(parseMonth('--from', '2024-03')).toBe('2024-03');
    expect(() => parseMonth('--from', '2024/03')).toThrow(/use a hyphen: 2024-03/);
    expect(() => parseMonth('--to', '2024-03-01')).toThrow(/a month, not a day: 2024-03/);
    expect(parseRange('2024-01', '2024-01')).toEqual({ from: '2024-01', to: '2024-01' });
    expect(() => parsePositiveInt('--concurrency', '100')).toThrow(/at most 64/);
    expect(parsePositiveInt('--concurrency', '3')).toBe(3);
    expect(parseDuration('36h')).toBe(36 * 3_600_000);
    expect(parseDuration('2w')).toBe(14 * 86_400_000);
    expect(() => parseDuration('0d')).toThrow();
    expect(formatAge(90_000_000)).toBe('1d 1h');
  });

  it('checks periods of every shape against a month range', () => {
    expect(periodInRange('2024-12', '2024-01', '2024-12')).toBe(true);
    expect(periodInRange('2025-01', '2024-01', '2024-12')).toBe(false);
    expect(periodInRange('2024', '2024-06', '2024-06')).toBe(true);
    expect(periodInRange('FY2024', '2025-03', '2025-05')).toBe(true);
    expect(periodInRange('FY2024', '2024-01', '2024-03')).toBe(false);
    expect(periodInRange('2024H2', '2024-01', '2024-06')).toBe(false);
    expect(periodInRange(undefined, '2024-01', '2024-06')).toBe(true);
  });
});
