/**
 * Which releases a chart's figures come from, in words: dataset, file, publication date and stage
 * (etl.release). Every chart caption lists them, so a reader can tell which vintage they see.
 */
import type { Session } from '../db/connect.js';
import { run, etlBuilder } from '../db/etl-schema.js';

/** One release (vintage) as a caption names it. */
export interface ReleaseRef {
  id: number;
  dataset: string;
  fileName: string;
  publishedOn: string | null;
  stage: string | null;
  sourceStage: string | null;
}

/**
 * Reads the releases with the given ids, in dataset then id order.
 * @example await readReleases(db, [3, 6]) // [{ id: 3, dataset: 'mof.press', fileName: '2024_117e.xml', … }]
 */
export async function readReleases(db: Pick<Session, 'query'>, ids: number[]): Promise<ReleaseRef[]> {
  if (!ids.length) return [];
  const { q, sql } = await etlBuilder();
  const rows = await run(db, q.selectFrom('etl.release as r')
    .select(['r.id', 'r.dataset', 'r.file_name', sql<string | null>`r.published_on::text`.as('published_on'), 'r.stage', 'r.source_stage'])
    .where('r.id', '=', sql<number>`ANY (${ids}::bigint[])`)
    .orderBy('r.dataset').orderBy('r.id'));
  return rows.map((r) => ({
    id: Number(r.id),
    dataset: r.dataset,
    fileName: r.file_name,
    publishedOn: r.published_on ?? null,
    stage: r.stage ?? null,
    sourceStage: r.source_stage ?? null,
  }));
}

/**
 * One line per release: "mof.press — 2024_117e.xml (release #3), published 2025-03-13, stage revised (Revised)".
 * @example describeRelease({ id: 14, dataset: 'census.country', fileName: 'country.xlsx', publishedOn: '2025-02-05', stage: null, sourceStage: null })
 */
export function describeRelease(r: ReleaseRef): string {
  const stage = r.stage
    ? `stage ${r.stage}${r.sourceStage && r.sourceStage.toLowerCase() !== r.stage ? ` (source: ${r.sourceStage})` : ''}`
    : 'stage not stated by the source';
  return `${r.dataset} — ${r.fileName} (release #${r.id}), published ${r.publishedOn ?? 'on an unknown date'}, ${stage}`;
}
