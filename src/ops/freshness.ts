import { PermanentError } from '../core/errors.js';
import type { Db } from '../db/connect.js';
import { run, etlBuilder } from '../db/etl-schema.js';
import { allDatasets } from '../engine/registry.js';
import { formatAge } from './duration.js';
import type { ScheduleConfig } from './schedule-config.js';

export type FreshnessVerdict = 'fresh' | 'STALE' | 'never loaded' | 'not checked';

export interface FreshnessRow {
  dataset: string;
  latest: string | null;
  published_on: string | null;
  fetched_at: string | null;
  age: string;
  max_age: string;
  verdict: FreshnessVerdict;
}

/**
 * Compares each dataset's newest loaded release with its expected cadence: the age is counted
 * from the release's publication date (the fetch date when the file states none). A dataset
 * with a cadence and no loaded release is 'never loaded' and counts as stale.
 * @example const { rows, stale } = await checkFreshness(db, cfg.freshness); stale // ['frb.h10']
 */
export async function checkFreshness(db: Db, freshness: ScheduleConfig['freshness'], now = Date.now()): Promise<{ rows: FreshnessRow[]; stale: string[] }> {
  const known = allDatasets().map((d) => d.id);
  const unknown = Object.keys(freshness).filter((d) => !known.includes(d));
  if (unknown.length) {
    throw new PermanentError(`freshness names unknown dataset(s) ${unknown.join(', ')}; known: ${known.join(', ') || '(none registered)'}`, { usage: true });
  }
  const { q, sql } = await etlBuilder();
  const latest = await run(db, q.selectFrom(sql<{ dataset: string }>`unnest(${known}::text[])`.as<'d'>(sql`d(dataset)`))
    .leftJoinLateral((eb) => eb.selectFrom('etl.release as r').selectAll()
      .whereRef('r.dataset', '=', 'd.dataset').where('r.status', '=', 'loaded')
      .orderBy(sql`r.published_on DESC NULLS LAST`).orderBy('r.id', 'desc').limit(1).as('l'), (join) => join.onTrue())
    .select([
      'd.dataset', 'l.file_name', sql<string | null>`l.published_on::text`.as('published_on'),
      sql<string | null>`to_char(l.fetched_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI')`.as('fetched_at'),
      sql<string | null>`(extract(epoch FROM COALESCE(l.published_on::timestamp AT TIME ZONE 'UTC', l.fetched_at)) * 1000)::bigint::text`.as('basis_ms'),
    ])
    .orderBy('d.dataset'));
  const rows: FreshnessRow[] = latest.map((r) => {
    const cadence = freshness[r.dataset];
    const ageMs = r.basis_ms === null ? undefined : now - Number(r.basis_ms);
    const verdict: FreshnessVerdict = !cadence ? 'not checked' : ageMs === undefined ? 'never loaded' : ageMs > cadence.ms ? 'STALE' : 'fresh';
    return {
      dataset: r.dataset, latest: r.file_name, published_on: r.published_on, fetched_at: r.fetched_at,
      age: ageMs === undefined ? '' : formatAge(ageMs), max_age: cadence?.text ?? '', verdict,
    };
  });
  return { rows, stale: rows.filter((r) => r.verdict === 'STALE' || r.verdict === 'never loaded').map((r) => r.dataset) };
}
