import type { Dataset, DiscoveredRelease, DiscoverOptions } from '../core/vocabulary.js';
import { redactUrl } from '../core/config.js';
import { fetchText } from '../fetch/http.js';
import { refreshDatasets, type DatasetSummary, type RefreshOptions } from '../engine/refresh.js';
import { recordedRun } from '../engine/run-lifecycle.js';
import type { EngineContext } from '../engine/context.js';
import { periodInRange } from './month-range.js';

export type Reprocess = 'missing' | 'failed' | 'all';

/** A checked backfill request (see src/cli/backfill.ts for the validation at the edge). */
export interface BackfillRequest {
  from: string;
  to: string;
  reprocess: Reprocess;
  dryRun: boolean;
  concurrency: number;
  /** `--allow-shrink` (see RefreshOptions.allowShrink). */
  allowShrink?: boolean;
  /** As given on the command line, recorded in etl.run.args. */
  source?: string[];
  dataset?: string[];
}

export interface BackfillResult {
  /** The etl.run id (none for a dry run, which writes nothing). */
  runId?: number;
  summaries: DatasetSummary[];
  /** Per dataset, what the user should know about how the range was walked. */
  notes: Record<string, string[]>;
  /** True when stopped by a signal before the range was done. */
  interrupted: boolean;
}

/**
 * Walks a month range for the given datasets: discovers the releases of the range, fetches and
 * loads those `reprocess` selects, keeps going past a failed release and returns every outcome.
 * Never moves the refresh watermark. A dry run only discovers (listing pages are read, release
 * files are not) and writes nothing, not even an etl.run row. `migrated: false` (a database
 * without the schema) makes a dry run list every discovered release without asking the database.
 * @example const r = await runBackfill(ctx, selectDatasets({ source: ['mof'] }), { from: '2024-01', to: '2024-12', reprocess: 'missing', dryRun: false, concurrency: 2 });
 */
export async function runBackfill(
  ctx: EngineContext, datasets: Dataset<any>[], req: BackfillRequest,
  opts: { onRelease?: RefreshOptions['onRelease']; migrated?: boolean } = {},
): Promise<BackfillResult> {
  const notes: Record<string, string[]> = {};
  const note = (d: string, text: string) => { (notes[d] ??= []).push(text); };
  const walkable = datasets.map((d) => inRange(d, req, note));
  const args = { source: req.source, dataset: req.dataset, from: req.from, to: req.to, reprocess: req.reprocess, concurrency: req.concurrency };
  const refreshOpts: RefreshOptions = {
    from: req.from, to: req.to, reprocess: req.reprocess, dryRun: req.dryRun, concurrency: req.concurrency,
    moveWatermark: false, onRelease: opts.onRelease, allowShrink: req.allowShrink,
  };
  if (req.dryRun) {
    const summaries = opts.migrated === false ? await discoverOnly(ctx, walkable, refreshOpts) : await refreshDatasets(ctx, walkable, refreshOpts);
    return { summaries, notes, interrupted: Boolean(ctx.signal?.aborted) };
  }
  const run = await recordedRun(ctx, { command: 'backfill', args, trigger: 'backfill', until: 'the range was done', notes },
    () => refreshDatasets(ctx, walkable, refreshOpts));
  return { ...run, notes };
}

/**
 * The dataset with its discovery held to the range: releases whose period lies outside it are
 * left out (a discovery that lists only its newest releases then finds nothing, and says so).
 */
function inRange(d: Dataset<any>, req: BackfillRequest, note: (d: string, text: string) => void): Dataset<any> {
  if (!d.discover) {
    note(d.id, 'no discovery: this dataset cannot walk a range; load its files with `trade-etl load <file> --dataset ' + d.id + '`');
    return d;
  }
  const discover = d.discover;
  return {
    ...d,
    discover: async (o: DiscoverOptions): Promise<DiscoveredRelease[]> => {
      const found = await discover(o);
      const kept = found.filter((f) => periodInRange(f.period, req.from, req.to));
      const outside = found.length - kept.length;
      if (outside) note(d.id, `${outside} discovered release(s) outside ${req.from}..${req.to} left out`);
      if (!found.length) note(d.id, `discovery found no release for ${req.from}..${req.to}`);
      else if (!kept.length) note(d.id, `no range discovery: its discovery lists only releases outside ${req.from}..${req.to} (e.g. the newest); nothing to backfill`);
      const whole = kept.filter((f) => !f.period);
      if (whole.length) note(d.id, `${whole.length} release(s) without a period (one file holds every period, e.g. ${whole[0]!.fileName}): fetched whole, not per month`);
      return kept;
    },
  };
}

/** Dry run on a database without the schema: list what discovery finds, asking the database nothing. */
async function discoverOnly(ctx: EngineContext, datasets: Dataset<any>[], opts: RefreshOptions): Promise<DatasetSummary[]> {
  const out: DatasetSummary[] = [];
  for (const d of datasets) {
    const sum: DatasetSummary = { dataset: d.id, seen: 0, loaded: 0, unchanged: 0, failed: 0, rowsInserted: 0, rowsClosed: 0, releases: [] };
    out.push(sum);
    if (!d.discover) continue;
    try {
      const found = await d.discover({
        from: opts.from, to: opts.to, baseUrls: ctx.config.baseUrls, secrets: ctx.config.secrets,
        fetchText: (url) => fetchText(url, { config: ctx.config, logger: ctx.logger, signal: ctx.signal }),
      });
      sum.seen = found.length;
      found.forEach((f, i) => {
        const entry = { dataset: d.id, fileName: f.fileName, status: 'would-fetch' as const, url: redactUrl(f.url), label: f.label };
        sum.releases.push(entry);
        opts.onRelease?.(d.id, entry, i + 1, found.length);
      });
    } catch (err) {
      sum.failed++;
      sum.discoverError = (err as Error).message;
    }
  }
  return out;
}
