import fs from 'node:fs';
import path from 'node:path';
import { Cron } from 'croner';
import { PermanentError } from '../core/errors.js';
import { parseDuration } from './duration.js';
import { REPO_ROOT } from '../core/paths.js';

/** config/schedule.json of this checkout (the default for `schedule` and `status --check-freshness`). */
export const DEFAULT_SCHEDULE_FILE = path.join(REPO_ROOT, 'config', 'schedule.json');

/** One scheduled job: a refresh of some sources/datasets at the times of a cron expression. */
export interface ScheduleJob {
  name: string;
  /** 5 fields (minute…weekday) or 6 (with seconds first), read by croner. */
  cron: string;
  /** IANA time zone the cron expression is read in ('Asia/Tokyo', 'America/New_York'). */
  timezone: string;
  command: 'refresh';
  source?: string[];
  dataset?: string[];
  description?: string;
}

export interface ScheduleConfig {
  file: string;
  jobs: ScheduleJob[];
  /** Per dataset: the longest age (from its newest release's publication date) that is still fresh, in ms. */
  freshness: Record<string, { text: string; ms: number }>;
}

function bad(file: string, message: string): PermanentError {
  return new PermanentError(`${file}: ${message}`, { file, usage: true });
}

function stringList(file: string, where: string, v: unknown): string[] | undefined {
  if (v === undefined) return undefined;
  const list = typeof v === 'string' ? [v] : v;
  if (!Array.isArray(list) || !list.every((x) => typeof x === 'string' && x)) throw bad(file, `${where} must be a string or a list of strings`);
  return list as string[];
}

/**
 * Reads and checks the schedule file: every cron expression and time zone must parse, names
 * must be unique, cadences must read as durations. Errors name the file and the job.
 * @example const cfg = loadScheduleConfig('config/schedule.json'); cfg.jobs[0].timezone // 'Asia/Tokyo'
 */
export function loadScheduleConfig(file = DEFAULT_SCHEDULE_FILE): ScheduleConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new PermanentError(`cannot read the schedule file ${file}: ${(err as Error).message}. Pass --config <file>.`, { file, usage: true });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw bad(file, `not valid JSON: ${(err as Error).message}`);
  }
  return parseScheduleConfig(raw, file);
}

/**
 * Checks an already-parsed schedule object (see loadScheduleConfig).
 * @example parseScheduleConfig({ jobs: [{ name: 'mof', cron: '55 8 * * 1-5', timezone: 'Asia/Tokyo', source: 'mof' }] }, 'x.json')
 */
export function parseScheduleConfig(raw: unknown, file: string): ScheduleConfig {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw bad(file, 'expected an object with "jobs" and "freshness"');
  const obj = raw as Record<string, unknown>;
  const defaultTz = obj.timezone === undefined ? 'UTC' : obj.timezone;
  if (typeof defaultTz !== 'string') throw bad(file, '"timezone" must be an IANA time zone name');
  const jobsRaw = obj.jobs ?? [];
  if (!Array.isArray(jobsRaw)) throw bad(file, '"jobs" must be a list');
  const jobs: ScheduleJob[] = [];
  const names = new Set<string>();
  jobsRaw.forEach((j, i) => {
    if (!j || typeof j !== 'object') throw bad(file, `jobs[${i}] must be an object`);
    const o = j as Record<string, unknown>;
    const name = o.name;
    if (typeof name !== 'string' || !/^[\w.-]+$/.test(name)) throw bad(file, `jobs[${i}].name must be a word (letters, digits, . _ -), got ${JSON.stringify(name)}`);
    if (names.has(name)) throw bad(file, `job name ${name} is used twice`);
    names.add(name);
    const where = `job ${name}`;
    const command = o.command ?? 'refresh';
    if (command !== 'refresh') throw bad(file, `${where}: "command" must be "refresh" (backfills are run by hand), got ${JSON.stringify(command)}`);
    if (typeof o.cron !== 'string' || !o.cron.trim()) throw bad(file, `${where}: "cron" must be a cron expression such as "55 8 * * 1-5"`);
    const timezone = o.timezone ?? defaultTz;
    if (typeof timezone !== 'string') throw bad(file, `${where}: "timezone" must be an IANA time zone name such as "Asia/Tokyo"`);
    checkTimeZone(file, where, timezone);
    try {
      new Cron(o.cron, { timezone }).nextRun();
    } catch (err) {
      throw bad(file, `${where}: cron ${JSON.stringify(o.cron)} does not parse: ${(err as Error).message}`);
    }
    const source = stringList(file, `${where}: "source"`, o.source);
    const dataset = stringList(file, `${where}: "dataset"`, o.dataset);
    jobs.push({ name, cron: o.cron.trim(), timezone, command: 'refresh', source, dataset, description: typeof o.description === 'string' ? o.description : undefined });
  });
  const freshness: ScheduleConfig['freshness'] = {};
  const fr = obj.freshness ?? {};
  if (typeof fr !== 'object' || Array.isArray(fr)) throw bad(file, '"freshness" must map dataset ids to cadences like "40d"');
  for (const [dataset, v] of Object.entries(fr as Record<string, unknown>)) {
    if (dataset.startsWith('$')) continue;
    if (typeof v !== 'string') throw bad(file, `freshness of ${dataset} must be a string like "40d", got ${JSON.stringify(v)}`);
    freshness[dataset] = { text: v, ms: parseDuration(v, `${file}: freshness of ${dataset}`) };
  }
  return { file, jobs, freshness };
}

function checkTimeZone(file: string, where: string, tz: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
  } catch {
    throw bad(file, `${where}: unknown time zone ${JSON.stringify(tz)} (use an IANA name such as Asia/Tokyo or America/New_York)`);
  }
}
