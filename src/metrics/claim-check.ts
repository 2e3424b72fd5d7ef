/**
 * Reading and presenting metrics.claim_check (sql/repeatable/50_claims.sql; the claims are rows of metrics.claim, sql/021_claims.sql). The verdicts are computed in
 * SQL, so psql users and this module see the same thing; this module only reads the rows (numbers
 * stay decimal strings, dates stay ISO text) and lays them out for people.
 */
import type { Session } from '../db/connect.js';

export type Verdict = 'matches' | 'differs' | 'no data loaded' | 'not covered by a source';

/** One row of metrics.claim_check, numbers as exact decimal strings and dates as 'YYYY-MM-DD'. */
export interface ClaimCheckRow {
  id: string;
  claimNo: number;
  claim: string;
  attribution: string | null;
  articleText: string;
  articleValue: string | null;
  unit: string | null;
  comparison: 'equals within tolerance' | 'greater than' | 'true';
  tolerance: string;
  computedValue: string | null;
  /** The computed value rounded to the article's precision (what is compared). */
  comparedValue: string | null;
  difference: string | null;
  secondaryLabel: string | null;
  secondaryValue: string | null;
  secondaryComputed: string | null;
  verdict: Verdict;
  dataset: string | null;
  classification: string | null;
  releaseId: number | null;
  publishedOn: string | null;
  stage: string | null;
  releaseIds: number[];
  vintage: string | null;
  metric: string | null;
  checkedAsOf: string | null;
  note: string;
  /** Computed value and difference at the article's precision plus two digits, for tables. */
  computedDisplay: string;
  differenceDisplay: string;
}

/** The date format `--as-of` accepts. */
export const AS_OF_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Reads the claim check, current (asOf undefined) or as published on a date.
 * @example const rows = await readClaimCheck(db, '2025-04-22'); rows.find((r) => r.id === 'jp_exports_2024')?.verdict // 'differs'
 */
export async function readClaimCheck(db: Pick<Session, 'query'>, asOf?: string): Promise<ClaimCheckRow[]> {
  const rows = await db.query<Record<string, unknown>>(`
    SELECT c.id, c.claim_no, c.claim, c.attribution, c.article_text, c.article_value::text AS article_value, c.unit,
           c.comparison, c.tolerance::text AS tolerance, c.computed_value::text AS computed_value,
           c.compared_value::text AS compared_value, c.difference::text AS difference, c.secondary_label,
           c.secondary_value::text AS secondary_value, c.secondary_computed::text AS secondary_computed, c.verdict,
           c.dataset, c.classification, c.release_id, c.published_on::text AS published_on, c.stage,
           coalesce(c.release_ids, '{}') AS release_ids, c.vintage, c.metric, c.checked_as_of::text AS checked_as_of, c.note,
           -- Display precision: the article's decimals plus two (2 for a statement's figure).
           trim_scale(round(c.computed_value, coalesce(scale(c.article_value), 0) + 2))::text AS computed_display,
           trim_scale(round(c.difference, coalesce(scale(c.article_value), 0) + 2))::text AS difference_display
    FROM metrics.claim_check_as_of($1::date) c
    ORDER BY c.claim_no`, [asOf ?? null]);
  return rows.map((r) => ({
    id: String(r.id),
    claimNo: Number(r.claim_no),
    claim: String(r.claim),
    attribution: (r.attribution as string | null) ?? null,
    articleText: String(r.article_text),
    articleValue: (r.article_value as string | null) ?? null,
    unit: (r.unit as string | null) ?? null,
    comparison: r.comparison as ClaimCheckRow['comparison'],
    tolerance: String(r.tolerance),
    computedValue: (r.computed_value as string | null) ?? null,
    comparedValue: (r.compared_value as string | null) ?? null,
    difference: (r.difference as string | null) ?? null,
    secondaryLabel: (r.secondary_label as string | null) ?? null,
    secondaryValue: (r.secondary_value as string | null) ?? null,
    secondaryComputed: (r.secondary_computed as string | null) ?? null,
    verdict: r.verdict as Verdict,
    dataset: (r.dataset as string | null) ?? null,
    classification: (r.classification as string | null) ?? null,
    releaseId: r.release_id === null || r.release_id === undefined ? null : Number(r.release_id),
    publishedOn: (r.published_on as string | null) ?? null,
    stage: (r.stage as string | null) ?? null,
    releaseIds: parseIdArray(r.release_ids),
    vintage: (r.vintage as string | null) ?? null,
    metric: (r.metric as string | null) ?? null,
    checkedAsOf: (r.checked_as_of as string | null) ?? null,
    note: String(r.note ?? ''),
    computedDisplay: (r.computed_display as string | null) ?? '',
    differenceDisplay: (r.difference_display as string | null) ?? '',
  }));
}

/** pg returns bigint[] as an array of strings; PGlite may return numbers or the text form. */
function parseIdArray(v: unknown): number[] {
  if (Array.isArray(v)) return v.filter((x) => x !== null).map(Number);
  if (typeof v === 'string') return v.replace(/[{}]/g, '').split(',').filter(Boolean).map(Number);
  return [];
}

/**
 * The table columns for people: id, article, computed, difference, verdict, vintage.
 * @example claimTableRows(rows)[0] // { id: 'jp_exports_2024', article: '107.9 trn JPY', computed: '107.0913', … }
 */
export function claimTableRows(rows: ClaimCheckRow[]): Array<Record<string, string>> {
  return rows.map((r) => ({
    id: r.id,
    article: articleCell(r),
    computed: computedCell(r),
    difference: r.comparison === 'true' ? '' : signed(r.differenceDisplay),
    verdict: r.verdict,
    vintage: vintageCell(r),
  }));
}

function articleCell(r: ClaimCheckRow): string {
  if (r.comparison === 'true' || r.articleValue === null) return r.articleText;
  const v = `${r.articleValue} ${r.unit ?? ''}`.trim();
  return r.comparison === 'greater than' ? `> ${v}` : r.tolerance !== '0' ? `${v} ±${r.tolerance}` : v;
}

function computedCell(r: ClaimCheckRow): string {
  if (r.verdict === 'not covered by a source' || r.verdict === 'no data loaded') return '';
  if (r.comparison === 'true') return `${r.verdict === 'matches' ? 'true' : 'false'} (${r.computedDisplay} ${r.unit ?? ''})`.replace(/ \)$/, ')');
  return r.computedDisplay;
}

function vintageCell(r: ClaimCheckRow): string {
  if (!r.dataset) return '';
  const parts = [r.dataset, r.releaseId !== null ? `#${r.releaseId}` : '', r.publishedOn ?? '', r.stage ?? ''];
  return parts.filter(Boolean).join(' ');
}

function signed(v: string): string {
  if (!v) return '';
  return v.startsWith('-') ? v : `+${v}`;
}

/**
 * Counts per verdict, in a fixed order, for a one-line summary.
 * @example verdictSummary(rows) // 'matches 10, differs 4, no data loaded 0, not covered by a source 5'
 */
export function verdictSummary(rows: ClaimCheckRow[]): string {
  const order: Verdict[] = ['matches', 'differs', 'no data loaded', 'not covered by a source'];
  return order.map((v) => `${v} ${rows.filter((r) => r.verdict === v).length}`).join(', ');
}
