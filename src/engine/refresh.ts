import type { Dataset, DiscoveredRelease } from '../core/vocabulary.js';
import { EtlError } from '../core/errors.js';
import { redactUrl } from '../core/config.js';
import { fetchText, fetchToStore } from '../fetch/http.js';
import { loadRelease, type ReleaseOutcome } from './load-release.js';
import { etlQueries, run } from '../db/etl-schema.js';
import type { EngineContext } from './context.js';

export type ReleaseResult = ReleaseOutcome | (Omit<ReleaseOutcome, 'status'> & { status: 'not-modified' | 'no-data' | 'would-fetch' | 'skipped' });

export interface DatasetSummary {
  dataset: string;
  seen: number;
  loaded: number;
  unchanged: number;
  failed: number;
  rowsInserted: number;
  rowsClosed: number;
  releases: Array<ReleaseResult & { url?: string; label?: string }>;
  discoverError?: string;
}

export interface RefreshOptions {
  from?: string;
  to?: string;
  /** Backfill: which releases to (re)process. `missing` skips URLs loaded before. */
  reprocess?: 'missing' | 'failed' | 'all';
  dryRun?: boolean;
  concurrency?: number;
  /** Refresh moves the watermark; backfill does not. */
  moveWatermark?: boolean;
  /** Only these URLs (retry of failed releases). */
  onlyUrls?: Set<string>;
  /** `--allow-shrink`: whole-series releases may drop more than MAX_SHRINK_SHARE of their current keys. */
  allowShrink?: boolean;
  onRelease?: (dataset: string, r: DatasetSummary['releases'][number], index: number, total: number) => void;
}

/** Discovers, fetches (conditionally) and loads the releases of each dataset; keeps going past failures. */
export async function refreshDatasets(ctx: EngineContext, datasets: Dataset<any>[], opts: RefreshOptions = {}): Promise<DatasetSummary[]> {
  const out: DatasetSummary[] = [];
  for (const d of datasets) {
    if (ctx.signal?.aborted) break;
    out.push(await refreshDataset(ctx, d, opts));
  }
  return out;
}

async function refreshDataset(ctx: EngineContext, dataset: Dataset<any>, opts: RefreshOptions): Promise<DatasetSummary> {
  const sum: DatasetSummary = { dataset: dataset.id, seen: 0, loaded: 0, unchanged: 0, failed: 0, rowsInserted: 0, rowsClosed: 0, releases: [] };
  if (!dataset.discover) return sum;
  const { config, logger } = ctx;
  let found: DiscoveredRelease[];
  try {
    found = await dataset.discover({
      from: opts.from, to: opts.to, baseUrls: config.baseUrls, secrets: config.secrets,
      fetchText: (url) => fetchText(url, { config, logger, signal: ctx.signal }),
    });
  } catch (err) {
    sum.failed++;
    sum.discoverError = (err as Error).message;
    logger.error({ dataset: dataset.id, err: (err as Error).message }, 'discovery failed');
    return sum;
  }
  if (opts.onlyUrls) found = found.filter((f) => opts.onlyUrls!.has(redactUrl(f.url)));
  sum.seen = found.length;
  const queue = found.map((f, i) => ({ f, i }));
  const worker = async () => {
    for (let item = queue.shift(); item; item = queue.shift()) {
      if (ctx.signal?.aborted) break;
      const r = await oneRelease(ctx, dataset, item.f, opts);
      const entry = { ...r, url: redactUrl(item.f.url), label: item.f.label };
      sum.releases[item.i] = entry;
      if (r.status === 'loaded') { sum.loaded++; sum.rowsInserted += r.rowsInserted ?? 0; sum.rowsClosed += r.rowsClosed ?? 0; }
      else if (r.status === 'failed') sum.failed++;
      else if (r.status !== 'would-fetch') sum.unchanged++;
      opts.onRelease?.(dataset.id, entry, sum.releases.filter(Boolean).length, found.length);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 1) }, worker));
  sum.releases = sum.releases.filter(Boolean);
  if (opts.moveWatermark) await moveWatermark(ctx, dataset.id, found, sum);
  return sum;
}

async function oneRelease(ctx: EngineContext, dataset: Dataset<any>, f: DiscoveredRelease, opts: RefreshOptions): Promise<ReleaseResult> {
  const { db, config, logger } = ctx;
  const url = redactUrl(f.url);
  const base = { dataset: dataset.id, fileName: f.fileName };
  const q = await etlQueries();
  const [cached] = await run(db, q.selectFrom('etl.http_cache').select(['etag', 'last_modified', 'sha256']).where('url', '=', url));
  const [prior] = await run(db, q.selectFrom('etl.release').select('status')
    .where('dataset', '=', dataset.id).where('url', '=', url).orderBy('id', 'desc').limit(1));
  if (opts.reprocess === 'missing' && prior && prior.status !== 'failed') return { ...base, status: 'skipped' };
  if (opts.reprocess === 'failed' && prior?.status !== 'failed') return { ...base, status: 'skipped' };
  if (opts.dryRun) return { ...base, status: 'would-fetch' };
  try {
    const got = await fetchToStore(f.url, {
      config, logger, signal: ctx.signal, expect: dataset.contentKind,
      // Reprocessing asks for the bytes again; otherwise an unchanged URL costs one small request.
      validators: opts.reprocess === 'all' || prior?.status === 'failed' ? undefined : cached ? { etag: cached.etag, lastModified: cached.last_modified } : undefined,
    });
    if (got.status === 'not-modified') {
      await run(db, q.updateTable('etl.http_cache').set({ checked_at: q.fn<Date>('now') }).where('url', '=', url));
      logger.info({ dataset: dataset.id, url }, 'not modified since last fetch');
      return { ...base, status: 'not-modified' };
    }
    if (got.status === 'no-data') {
      logger.info({ dataset: dataset.id, url }, 'no data for this request (HTTP 204)');
      return { ...base, status: 'no-data' };
    }
    const outcome = await loadRelease(ctx, dataset, got.raw, {
      fileName: f.fileName, url: f.url, contentType: got.contentType, etag: got.etag, lastModified: got.lastModified, hints: f.hints, fromHttp: true, allowShrink: opts.allowShrink,
    });
    if (outcome.status !== 'failed') {
      await run(db, q.insertInto('etl.http_cache')
        .values({ url, dataset: dataset.id, etag: got.etag, last_modified: got.lastModified, sha256: got.raw.sha256 })
        .onConflict((oc) => oc.column('url').doUpdateSet((eb) => ({
          etag: eb.ref('excluded.etag'), last_modified: eb.ref('excluded.last_modified'), sha256: eb.ref('excluded.sha256'), checked_at: q.fn<Date>('now'),
        }))));
    }
    return outcome;
  } catch (err) {
    const e = err as Error;
    logger.error({ dataset: dataset.id, url, err: e.message, ...(err instanceof EtlError ? err.toLog() : {}) }, 'release failed');
    // Record the failed fetch so `runs --failed` and `retry` can find it.
    await run(db, q.insertInto('etl.release').values({
      source: dataset.source, dataset: dataset.id, url, file_name: f.fileName, sha256: '', bytes: 0, status: 'failed',
      error: e.message, error_detail: JSON.stringify(err instanceof EtlError ? err.context : {}), run_id: ctx.runId ?? null,
    }))
      .catch((recErr: Error) => {
        // The outcome still reaches the run's stats (and `retry`); only the etl.release row is missing.
        logger.error({ dataset: dataset.id, url, err: recErr.message, cause: e.message }, 'could not record the failed release in etl.release');
      });
    return { ...base, status: 'failed', error: e };
  }
}

async function moveWatermark(ctx: EngineContext, dataset: string, found: DiscoveredRelease[], sum: DatasetSummary): Promise<void> {
  const ok = sum.releases.filter((r) => r.status === 'loaded' || r.status === 'unchanged' || r.status === 'not-modified');
  const periods = found.filter((f) => ok.some((r) => r.fileName === f.fileName) && f.period).map((f) => f.period!);
  if (!periods.length) return;
  const last = periods.sort().at(-1)!;
  const q = await etlQueries();
  await run(ctx.db, q.insertInto('etl.watermark').values({ dataset, last_period: last })
    .onConflict((oc) => oc.column('dataset').doUpdateSet((eb) => ({
      last_period: eb.fn<string>('GREATEST', [eb.ref('etl.watermark.last_period'), eb.ref('excluded.last_period')]),
      updated_at: eb.fn<Date>('now'),
    }))));
}

/**
 * How a run over these summaries ended: succeeded, partial (something failed or the run was
 * stopped, but something was loaded or confirmed), or failed.
 * @example await finishRun(db, runId, runStatusOf(summaries, ctx.signal?.aborted), stats)
 */
export function runStatusOf(summaries: DatasetSummary[], interrupted = false): 'succeeded' | 'partial' | 'failed' {
  const failed = summaries.reduce((n, s) => n + s.failed, 0);
  const ok = summaries.reduce((n, s) => n + s.loaded + s.unchanged, 0);
  if (!failed && !interrupted) return 'succeeded';
  return ok ? 'partial' : 'failed';
}
