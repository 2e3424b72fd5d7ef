-- Series fingerprints for revisions (issue 16: "revisions compare a compact fingerprint of each
-- key's values and write only what changed"). For each series, a fingerprint of its current
-- values in the scope of the release that last loaded it: the sums of two 32-bit hashes of
-- (period code, value, unit) over its observations, and their count, as the loader staged them
-- (StageEncoder in src/engine/observation-store.ts). A revision compares each staged series'
-- fingerprint with this one and compares row by row only the series that differ (or have none);
-- a 1 % revision of a MOF file touches a few percent of its series.
-- The loader keeps it true: a merge rewrites the fingerprints of the series it staged and drops
-- those of series it closed entirely; a late release drops those of its series; a write through
-- trade.observation_history drops the fingerprint of the series written (below). A series
-- without a fingerprint is compared row by row, so a missing one costs time, never correctness.

CREATE TABLE etl.series_fingerprint (
  series_id integer PRIMARY KEY,
  scope_id  integer NOT NULL,
  h1        bigint NOT NULL,
  h2        bigint NOT NULL,
  n         bigint NOT NULL
);
COMMENT ON TABLE etl.series_fingerprint IS 'Per series (trade.series.id): a fingerprint of its current observations in scope scope_id (trade.scope.id), as the loader staged them — sums h1 and h2 of two 32-bit hashes of period code, value and unit, and the count n. Revisions skip the row-by-row comparison of a series whose staged fingerprint equals this one.';
COMMENT ON COLUMN etl.series_fingerprint.series_id IS 'Series (trade.series.id).';
COMMENT ON COLUMN etl.series_fingerprint.scope_id IS 'Scope (trade.scope.id) whose release last loaded the series; the fingerprint covers its current rows in that scope.';
COMMENT ON COLUMN etl.series_fingerprint.h1 IS 'Sum of the first 32-bit hash over the observations.';
COMMENT ON COLUMN etl.series_fingerprint.h2 IS 'Sum of the second 32-bit hash over the observations.';
COMMENT ON COLUMN etl.series_fingerprint.n IS 'Number of observations.';

-- Writes through the view drop the fingerprint of the series they touch.
CREATE OR REPLACE FUNCTION etl.observation_history_write() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  d smallint;
  s integer;
  a integer;
  sc integer;
  k text;
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    DELETE FROM trade.observation_fact f
    USING trade.dataset dd, trade.series ss
    WHERE dd.dataset = OLD.dataset AND f.dataset_id = dd.id AND ss.id = f.series_id
      AND ss.reporter = OLD.reporter AND ss.partner = OLD.partner AND ss.flow = OLD.flow
      AND ss.classification = OLD.classification AND ss.commodity_code = OLD.commodity_code AND ss.measure = OLD.measure
      AND f.period = trade.period_code(OLD.frequency, OLD.period) AND f.valid_from_release = OLD.valid_from_release;
    -- The series' current values changed behind the loader's back: its fingerprint no longer holds.
    DELETE FROM etl.series_fingerprint p USING trade.dataset dd, trade.series ss
    WHERE dd.dataset = OLD.dataset AND ss.dataset_id = dd.id AND p.series_id = ss.id
      AND ss.reporter = OLD.reporter AND ss.partner = OLD.partner AND ss.flow = OLD.flow
      AND ss.classification = OLD.classification AND ss.commodity_code = OLD.commodity_code AND ss.measure = OLD.measure;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  END IF;
  IF trade.period_text(trade.period_code(NEW.frequency, NEW.period)) IS DISTINCT FROM NEW.period THEN
    RAISE EXCEPTION 'period % does not fit frequency %', NEW.period, NEW.frequency USING ERRCODE = 'check_violation';
  END IF;
  IF concat(NEW.reporter, NEW.partner, NEW.flow, NEW.classification, NEW.commodity_code, NEW.measure, NEW.partner_source_code,
            NEW.commodity_label, NEW.unit, NEW.source_unit, NEW.basis) ~ '[\x1e\x1f]' THEN
    RAISE EXCEPTION 'codes and labels cannot contain chr(30) or chr(31)' USING ERRCODE = 'check_violation';
  END IF;
  d := etl.trade_dataset_id(NEW.dataset);
  k := trade.series_key(NEW.reporter, NEW.partner, NEW.flow, NEW.classification, NEW.commodity_code, NEW.measure);
  INSERT INTO trade.series (dataset_id, reporter, partner, flow, classification, commodity_code, measure, key)
  VALUES (d, NEW.reporter, NEW.partner, NEW.flow, NEW.classification, NEW.commodity_code, NEW.measure, k) ON CONFLICT DO NOTHING;
  SELECT id INTO s FROM trade.series WHERE dataset_id = d AND key = k;
  DELETE FROM etl.series_fingerprint WHERE series_id = s;
  k := trade.attribute_key(NEW.partner_source_code, NEW.commodity_label, NEW.unit, NEW.source_unit, NEW.basis);
  INSERT INTO trade.attribute_set (partner_source_code, commodity_label, unit, source_unit, basis, key)
  VALUES (NEW.partner_source_code, NEW.commodity_label, NEW.unit, NEW.source_unit, NEW.basis, k) ON CONFLICT DO NOTHING;
  SELECT id INTO a FROM trade.attribute_set WHERE key = k;
  INSERT INTO trade.scope (dataset_id, scope_key) VALUES (d, NEW.scope_key) ON CONFLICT DO NOTHING;
  SELECT id INTO sc FROM trade.scope WHERE dataset_id = d AND scope_key = NEW.scope_key;
  INSERT INTO trade.observation_fact (series_id, period, attr_id, scope_id, valid_from_release, valid_to_release, dataset_id, value, source_value)
  VALUES (s, trade.period_code(NEW.frequency, NEW.period), a, sc, NEW.valid_from_release, NEW.valid_to_release, d, NEW.value, NEW.source_value);
  RETURN NEW;
END
$$;
