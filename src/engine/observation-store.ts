/**
 * The merge SQL of the lean trade store (sql/050_lean_observation_store.sql): staged text rows
 * (`_stage`, the columns of tradeTarget) are resolved to small integer keys — series, attribute
 * set, period code — and compared with the current rows of the dataset's partition of
 * trade.observation_fact on those integers; only new and changed observations are written.
 *
 * Steps of a merge, in order (each a statement below): datasetId, scopeId → newSeries, newAttrs
 * → keyed (`_k`: one narrow row per staged observation) → duplicates → changes (`_chg`: only the
 * rows that need a write) → closeChanged → closeVanished (current rows of the scope the release
 * no longer carries) → rescope → insert. A first load skips the comparison: firstInsert.
 */

/** The staged row's attribute columns as the attribute_set stores them (NULL as '' plus a bit). */
const ATTR_MATCH = (a: string, s: string) => `${a}.partner_source_code = ${s}.partner_source_code
  AND ${a}.commodity_label = coalesce(${s}.commodity_label, '') AND ${a}.unit = ${s}.unit
  AND ${a}.source_unit = coalesce(${s}.source_unit, '') AND ${a}.basis = coalesce(${s}.basis, '')
  AND ${a}.nulls = ((${s}.commodity_label IS NULL)::int + 2 * (${s}.source_unit IS NULL)::int + 4 * (${s}.basis IS NULL)::int)`;

const SERIES_MATCH = (x: string, s: string, datasetParam: string) => `${x}.dataset_id = ${datasetParam} AND ${x}.reporter = ${s}.reporter
  AND ${x}.partner = ${s}.partner AND ${x}.flow = ${s}.flow AND ${x}.classification = ${s}.classification
  AND ${x}.commodity_code = ${s}.commodity_code AND ${x}.measure = ${s}.measure`;

const FACT_COLS = 'series_id, period, attr_id, scope_id, valid_from_release, valid_to_release, dataset_id, value, source_value';

/** A value or unit change makes a new vintage; labels ride along (as before the lean store). */
const CHANGED = (cur: string, k: string) => `(${cur}.value <> ${k}.value OR ${cur}.unit <> ${k}.unit)`;

/** Name of a dataset's partition, as etl.trade_dataset_id creates it. */
export function partitionOf(dataset: string): string {
  return `trade.observation_fact_${dataset.toLowerCase().replace(/[^a-z0-9]+/g, '_')}`;
}

export const storeSql = {
  /** $1 dataset name → its small id (creates the dataset's partition on first use). */
  datasetId: `SELECT etl.trade_dataset_id($1) AS id`,
  /** $1 dataset id, $2 scope key → scope id. */
  scopeId: `WITH i AS (INSERT INTO trade.scope (dataset_id, scope_key) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING id)
    SELECT id FROM i UNION ALL SELECT id FROM trade.scope WHERE dataset_id = $1 AND scope_key = $2`,
  /** Is anything of the dataset current? ($1 dataset id) */
  anyCurrent: `SELECT EXISTS (SELECT 1 FROM trade.observation_fact WHERE dataset_id = $1 AND valid_to_release IS NULL) AS any`,
  /** Series of the staged rows not known yet ($1 dataset id). */
  newSeries: `INSERT INTO trade.series (dataset_id, reporter, partner, flow, classification, commodity_code, measure)
    SELECT DISTINCT $1::smallint, s.reporter, s.partner, s.flow, s.classification, s.commodity_code, s.measure FROM _stage s
    WHERE NOT EXISTS (SELECT 1 FROM trade.series x WHERE ${SERIES_MATCH('x', 's', '$1')})
    ON CONFLICT DO NOTHING`,
  /** Attribute sets of the staged rows not known yet. */
  newAttrs: `INSERT INTO trade.attribute_set (partner_source_code, commodity_label, unit, source_unit, basis, nulls)
    SELECT DISTINCT s.partner_source_code, coalesce(s.commodity_label, ''), s.unit, coalesce(s.source_unit, ''), coalesce(s.basis, ''),
           ((s.commodity_label IS NULL)::int + 2 * (s.source_unit IS NULL)::int + 4 * (s.basis IS NULL)::int)::smallint
    FROM _stage s
    WHERE NOT EXISTS (SELECT 1 FROM trade.attribute_set a WHERE ${ATTR_MATCH('a', 's')})
    ON CONFLICT DO NOTHING`,
  /** A first load: every staged row straight into the partition ($1 dataset id, $2 scope id, $3 release). */
  firstInsert: `INSERT INTO trade.observation_fact (${FACT_COLS})
    SELECT x.id, trade.period_code(s.frequency, s.period), a.id, $2, $3, NULL, $1, s.value, s.source_value
    FROM _stage s
    JOIN trade.series x ON ${SERIES_MATCH('x', 's', '$1')}
    JOIN trade.attribute_set a ON ${ATTR_MATCH('a', 's')}`,
  /** `_k`: the staged rows on integer keys ($1 dataset id). */
  keyed: `CREATE TEMP TABLE _k ON COMMIT DROP AS
    SELECT x.id AS series_id, trade.period_code(s.frequency, s.period) AS period, a.id AS attr_id, s.unit, s.value, s.source_value
    FROM _stage s
    JOIN trade.series x ON ${SERIES_MATCH('x', 's', '$1')}
    JOIN trade.attribute_set a ON ${ATTR_MATCH('a', 's')}`,
  /** A key given twice, named in words ($1 dataset id). */
  duplicates: `SELECT x.reporter, x.partner, x.flow, trade.period_text(d.period) AS period, trade.period_frequency(d.period) AS frequency,
           x.classification, x.commodity_code, x.measure, d.n
    FROM (SELECT series_id, period, count(*)::int AS n FROM _k GROUP BY series_id, period HAVING count(*) > 1 LIMIT 1) d
    JOIN trade.series x ON x.id = d.series_id`,
  /** `_chg`: the staged rows that need a write — new (n), changed (c), same value in another scope (s). $1 dataset id, $2 scope id. */
  changes: `CREATE TEMP TABLE _chg ON COMMIT DROP AS
    SELECT k.series_id, k.period, k.attr_id, k.value, k.source_value,
           CASE WHEN f.series_id IS NULL THEN 'n' WHEN f.value <> k.value OR fa.unit <> k.unit THEN 'c' ELSE 's' END AS kind
    FROM _k k
    LEFT JOIN trade.observation_fact f ON f.dataset_id = $1 AND f.valid_to_release IS NULL AND f.series_id = k.series_id AND f.period = k.period
    LEFT JOIN trade.attribute_set fa ON fa.id = f.attr_id
    WHERE f.series_id IS NULL OR f.value <> k.value OR fa.unit <> k.unit OR f.scope_id <> $2`,
  /** Close current rows whose value changed ($1 dataset id, $2 release). */
  closeChanged: `UPDATE trade.observation_fact f SET valid_to_release = $2 FROM _chg c
    WHERE f.dataset_id = $1 AND f.valid_to_release IS NULL AND f.series_id = c.series_id AND f.period = c.period AND c.kind = 'c'`,
  /** Close current rows of the release's scope that the release no longer carries ($1 dataset id, $2 scope id, $3 release). */
  closeVanished: `UPDATE trade.observation_fact f SET valid_to_release = $3
    WHERE f.dataset_id = $1 AND f.scope_id = $2 AND f.valid_to_release IS NULL
      AND NOT EXISTS (SELECT 1 FROM _k k WHERE k.series_id = f.series_id AND k.period = f.period)`,
  /** Unchanged current rows carried by this release move to its scope ($1 dataset id, $2 scope id). */
  rescope: `UPDATE trade.observation_fact f SET scope_id = $2 FROM _chg c
    WHERE f.dataset_id = $1 AND f.valid_to_release IS NULL AND f.series_id = c.series_id AND f.period = c.period AND c.kind = 's'`,
  /** New and changed observations ($1 dataset id, $2 scope id, $3 release). */
  insert: `INSERT INTO trade.observation_fact (${FACT_COLS})
    SELECT c.series_id, c.period, c.attr_id, $2, $3, NULL, $1, c.value, c.source_value FROM _chg c WHERE c.kind IN ('n', 'c')`,
};

/**
 * The late merge on the lean store (see lateMergeSql in targets.ts for the rules): `_at` holds,
 * for each key the late release carries, the row that was valid at its publication date.
 * Parameters — at: $1 dataset id, $2 the late release's publication date; close: $1 dataset id,
 * $2 late release; insertLate: $1 dataset id, $2 scope id, $3 late release, $4 next release of
 * the scope, $5 its publication date; insertResumed: $1 dataset id, $2 next release, $3 its
 * publication date.
 */
export const storeLateSql = {
  at: `CREATE TEMP TABLE _at ON COMMIT DROP AS
    SELECT f.series_id, f.period, f.valid_from_release, f.valid_to_release AS old_to, tr.published_on AS old_to_pub,
           f.attr_id, f.scope_id, f.value, f.source_value, fa.unit
    FROM trade.observation_fact f
    JOIN etl.release fr ON fr.id = f.valid_from_release
    LEFT JOIN etl.release tr ON tr.id = f.valid_to_release
    JOIN trade.attribute_set fa ON fa.id = f.attr_id
    WHERE f.dataset_id = $1 AND fr.published_on <= $2::date AND (f.valid_to_release IS NULL OR tr.published_on > $2::date)
      AND EXISTS (SELECT 1 FROM _k k WHERE k.series_id = f.series_id AND k.period = f.period)`,
  close: `UPDATE trade.observation_fact f SET valid_to_release = $2 FROM _at a, _k k
    WHERE f.dataset_id = $1 AND f.series_id = a.series_id AND f.period = a.period AND f.valid_from_release = a.valid_from_release
      AND k.series_id = a.series_id AND k.period = a.period AND ${CHANGED('a', 'k')}`,
  insertLate: `INSERT INTO trade.observation_fact (${FACT_COLS})
    SELECT k.series_id, k.period, k.attr_id, $2, $3,
           CASE WHEN a.old_to IS NOT NULL AND a.old_to_pub <= $5::date THEN a.old_to ELSE $4 END, $1, k.value, k.source_value
    FROM _k k LEFT JOIN _at a ON a.series_id = k.series_id AND a.period = k.period
    WHERE a.series_id IS NULL OR ${CHANGED('a', 'k')}`,
  insertResumed: `INSERT INTO trade.observation_fact (${FACT_COLS})
    SELECT a.series_id, a.period, a.attr_id, a.scope_id, $2, a.old_to, $1, a.value, a.source_value
    FROM _at a JOIN _k k ON k.series_id = a.series_id AND k.period = a.period
    WHERE ${CHANGED('a', 'k')} AND (a.old_to IS NULL OR a.old_to_pub > $3::date) AND a.old_to IS DISTINCT FROM $2`,
};
