import path from 'node:path';
import type { Dataset } from '../core/vocabulary.js';
import { PermanentError } from '../core/errors.js';
import { redactUrl } from '../core/config.js';
import type { Db } from '../db/connect.js';
import { etlQueries, run as runQuery } from '../db/etl-schema.js';
import { allDatasets, selectDatasets } from '../engine/registry.js';
import { refreshDatasets, type DatasetSummary, type RefreshOptions } from '../engine/refresh.js';
import { recordedRun } from '../engine/run-lifecycle.js';
import type { EngineContext } from '../engine/context.js';

/** What a retry of one run will re-run. */
export interface RetryPlan {
  of: { id: number; command: string; status: string; trigger: string };
  /** The command whose semantics the retry keeps (a retry of a retry keeps the first one's). */
  baseCommand: string;
  from?: string;
  to?: string;
  /** Per dataset: the failed releases (URL, file name), or `whole` when its discovery (or the run) failed. */
  datasets: Array<{ dataset: Dataset<any>; urls: string[]; files: Record<string, string>; whole: boolean }>;
  /** Failures that cannot be re-run from here, and why. */
  notes: string[];
}

function json(v: unknown): Record<string, any> {
  if (typeof v === 'string') { try { return JSON.parse(v); } catch { return {}; } }
  return (v ?? {}) as Record<string, any>;
}

/**
 * Works out what failed in a run: the failed release URLs recorded in etl.release (status
 * 'failed', that run_id) and in etl.run.stats, plus datasets whose discovery failed.
 * @example const plan = await planRetry(db, 42); plan.datasets[0].urls // ['https://…/2024124e.xml']
 */
export async function planRetry(db: Db, runId: number): Promise<RetryPlan> {
  const q = await etlQueries();
  const [run] = await runQuery(db, q.selectFrom('etl.run').select(['id', 'command', 'trigger', 'status', 'args', 'stats', 'error']).where('id', '=', runId));
  if (!run) throw new PermanentError(`there is no run ${runId}; \`trade-etl runs --failed\` lists the runs that failed`, { runId, usage: true });
  const args = json(run.args);
  const stats = json(run.stats);
  const baseCommand = run.command === 'retry' ? String(args.command ?? 'refresh') : run.command;
  const notes: string[] = [];
  const known = new Map(allDatasets().map((d) => [d.id, d]));
  const want = new Map<string, { urls: Set<string>; files: Record<string, string>; whole: boolean }>();
  const add = (dataset: string, url: string | null | undefined, fileName?: string, whole = false) => {
    if (!known.has(dataset)) { notes.push(`${dataset}: no such dataset any more; skipped`); return; }
    const w = want.get(dataset) ?? { urls: new Set<string>(), files: {}, whole: false };
    want.set(dataset, w);
    if (whole) w.whole = true;
    else if (url) { w.urls.add(url); if (fileName) w.files[url] ??= fileName; }
  };
  const failed = await runQuery(db, q.selectFrom('etl.release').select(['dataset', 'url', 'file_name'])
    .where('run_id', '=', runId).where('status', '=', 'failed').orderBy('id'));
  for (const r of failed) {
    if (r.url) add(r.dataset, r.url, r.file_name);
    else notes.push(`${r.dataset}: ${r.file_name} was loaded from a local file, not fetched; run \`trade-etl load\` on it again`);
  }
  for (const d of (stats.datasets ?? []) as Array<Record<string, any>>) {
    if (d.discoverError) add(d.dataset, undefined, undefined, true);
    for (const r of (d.releases ?? []) as Array<Record<string, any>>) if (r.status === 'failed' && r.url) add(d.dataset, r.url, r.file);
  }
  if (!want.size && !failed.length && (run.status === 'failed' || run.status === 'partial') && ['refresh', 'backfill'].includes(baseCommand)) {
    // The run failed before any release (lock timeout, database error): re-run its whole selection.
    const sel = selectDatasets({ source: args.source as string[] | undefined, dataset: args.dataset as string[] | undefined });
    for (const d of sel) add(d.id, undefined, undefined, true);
    if (sel.length) notes.push(`run ${runId} failed before any release (${run.error ?? 'no error recorded'}); re-running its whole selection`);
  }
  return {
    of: { id: Number(run.id), command: run.command, status: run.status, trigger: run.trigger },
    baseCommand,
    from: typeof args.from === 'string' ? args.from : undefined,
    to: typeof args.to === 'string' ? args.to : undefined,
    datasets: [...want].map(([id, w]) => ({ dataset: known.get(id)!, urls: [...w.urls], files: w.files, whole: w.whole })),
    notes,
  };
}

/**
 * A URL without its origin and secrets: a failed release is found again when the source's base
 * URL has changed since (a mirror, another port), and `key=` never takes part.
 * @example urlKey('https://api.census.gov/data/x?get=A&key=s3cret') === '/data/x?get=A&key=*****'
 */
export function urlKey(url: string): string {
  try {
    const u = new URL(redactUrl(url));
    return u.pathname + u.search;
  } catch {
    return url;
  }
}

/** The dataset with its discovery narrowed to the given URLs (by urlKey). */
function onlyThese(d: Dataset<any>, wanted: Set<string>): Dataset<any> {
  const discover = d.discover;
  if (!discover) return d;
  return { ...d, discover: async (o) => (await discover(o)).filter((f) => wanted.has(urlKey(f.url))) };
}

/**
 * Re-runs only what failed in a run, as a new run (trigger 'retry', retry_of = that run): the
 * datasets are discovered again (same range for a backfill, so parsers get their hints) and only
 * the failed URLs are fetched — unconditionally, since their last attempt failed. A failed URL
 * that discovery no longer lists is reported as failed with that reason.
 * @example const { runId, summaries } = await runRetry(ctx, 42);
 */
export async function runRetry(ctx: EngineContext, runId: number, opts: { onRelease?: RefreshOptions['onRelease'] } = {}) {
  const plan = await planRetry(ctx.db, runId);
  if (!plan.datasets.length) return { plan, summaries: [] as DatasetSummary[], runId: undefined };
  const args = { of: runId, command: plan.baseCommand, from: plan.from, to: plan.to, datasets: plan.datasets.map((d) => d.dataset.id), urls: plan.datasets.flatMap((d) => d.urls) };
  const run = await recordedRun(ctx, { command: 'retry', args, trigger: 'retry', retryOf: runId, until: 'the retry was done', notes: plan.notes }, async () => {
    const summaries: DatasetSummary[] = [];
    for (const item of plan.datasets) {
      if (ctx.signal?.aborted) break;
      const wanted = new Set(item.urls.map(urlKey));
      const dataset = item.whole ? item.dataset : onlyThese(item.dataset, wanted);
      const [sum] = await refreshDatasets(ctx, [dataset], {
        from: plan.from, to: plan.to, moveWatermark: plan.baseCommand === 'refresh', onRelease: opts.onRelease,
      });
      if (!sum) continue;
      if (!item.whole && !sum.discoverError) {
        const seen = new Set(sum.releases.map((r) => urlKey(r.url ?? '')));
        for (const url of item.urls.filter((u) => !seen.has(urlKey(u)))) {
          sum.failed++;
          sum.releases.push({ dataset: item.dataset.id, fileName: item.files[url] ?? (path.basename(new URL(url).pathname) || url), status: 'failed', url,
            error: new Error(`discovery${plan.from ? ` for ${plan.from}..${plan.to}` : ''} no longer lists this URL; nothing fetched (load the file by hand if it still exists)`) });
        }
      }
      summaries.push(sum);
    }
    return summaries;
  });
  return { plan, summaries: run.summaries, runId: run.runId };
}
