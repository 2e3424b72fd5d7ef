import type { Dataset, DiscoveredRelease } from '../core/vocabulary.js';
import { EtlError } from '../core/errors.js';
import { redactUrl } from '../core/config.js';
import { fetchText, fetchToStore } from '../fetch/http.js';
import { loadRelease, type ReleaseOutcome } from './load-release.js';
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
  const [cached] = await db.query<{ etag: string | null; last_modified: string | null; sha256: string }>(
    'SELECT etag, last_modified, sha256 FROM etl.http_cache WHERE url = $1', [url]);
  const [prior] = await db.query<{ status: string }>(
    `SELECT status FROM etl.release WHERE dataset = $1 AND url = $2 ORDER BY id DESC LIMIT 1`, [dataset.id, url]);
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
      await db.query('UPDATE etl.http_cache SET checked_at = now() WHERE url = $1', [url]);
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
      await db.query(
        `INSERT INTO etl.http_cache (url, dataset, etag, last_modified, sha256) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (url) DO UPDATE SET etag = EXCLUDED.etag, last_modified = EXCLUDED.last_modified, sha256 = EXCLUDED.sha256, checked_at = now()`,
        [url, dataset.id, got.etag, got.lastModified, got.raw.sha256]);
    }
    return outcome;
  } catch (err) {
    const e = err as Error;
    logger.error({ dataset: dataset.id, url, err: e.message, ...(err instanceof EtlError ? err.toLog() : {}) }, 'release failed');
    // Record the failed fetch so `runs --failed` and `retry` can find it.
    await db.query(
      `INSERT INTO etl.release (source, dataset, url, file_name, sha256, bytes, status, error, error_detail, run_id)
       VALUES ($1, $2, $3, $4, '', 0, 'failed', $5, $6, $7)`,
      [dataset.source, dataset.id, url, f.fileName, e.message, JSON.stringify(err instanceof EtlError ? err.context : {}), ctx.runId ?? null])
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
  await ctx.db.query(
    `INSERT INTO etl.watermark (dataset, last_period) VALUES ($1, $2)
     ON CONFLICT (dataset) DO UPDATE SET last_period = GREATEST(etl.watermark.last_period, EXCLUDED.last_period), updated_at = now()`,
    [dataset, last]);
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
