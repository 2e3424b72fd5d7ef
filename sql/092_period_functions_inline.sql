-- The views read the period of a fact through trade.period_text and trade.period_frequency. As
-- STRICT SQL functions around a CASE and an array subscript they could not be inlined, so every
-- row of a scan paid a SQL function call for each: the claim check, with the census.api file of
-- the benchmark at a tenth of its size loaded beside the bundled fixtures, spent 9.7 s on a
-- server, most of it in these calls (the Census partition's scan 0.33 s → 0.07 s inlined). Both
-- give NULL for NULL anyway, so they lose STRICT and nothing else changes.
ALTER FUNCTION trade.period_text(integer) CALLED ON NULL INPUT;
ALTER FUNCTION trade.period_frequency(integer) CALLED ON NULL INPUT;

-- The metrics filter on the frequency (`frequency IN ('A', 'YTD', 'M')`), an expression of the
-- period code the planner could not estimate: it took 1.5 % of a partition for 100 %, read the
-- facts first and probed the series once per fact. An expression statistic per partition gives
-- ANALYZE the frequencies (claim check above: 3.0 → 1.8 s). Partitions made from now on get one
-- from etl.trade_dataset_id.
CREATE FUNCTION etl.frequency_statistics(part text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('CREATE STATISTICS IF NOT EXISTS trade.%I ON (trade.period_frequency(period)) FROM trade.%I', part || '_frequency', part);
END
$$;
COMMENT ON FUNCTION etl.frequency_statistics(text) IS 'Creates the expression statistic on trade.period_frequency(period) of a partition of trade.observation_fact (migration 092), so that the planner can estimate a filter on the frequency.';

CREATE OR REPLACE FUNCTION etl.trade_dataset_id(name text) RETURNS smallint
LANGUAGE plpgsql AS $$
DECLARE
  d smallint;
  part text;
  col record;
BEGIN
  SELECT id INTO d FROM trade.dataset WHERE dataset = name;
  IF d IS NOT NULL THEN RETURN d; END IF;
  INSERT INTO trade.dataset (dataset) VALUES (name) RETURNING id INTO d;
  part := 'observation_fact_' || regexp_replace(lower(name), '[^a-z0-9]+', '_', 'g');
  EXECUTE format('CREATE TABLE trade.%I PARTITION OF trade.observation_fact FOR VALUES IN (%s)', part, d);
  -- One current value per key; the merge's joins and the current views go through it.
  EXECUTE format('CREATE UNIQUE INDEX %I ON trade.%I (series_id, period) WHERE valid_to_release IS NULL', part || '_current', part);
  PERFORM etl.frequency_statistics(part);
  EXECUTE format('COMMENT ON TABLE trade.%I IS %L', part, 'Partition of trade.observation_fact for dataset ' || name || '.');
  FOR col IN SELECT a.attname, col_description('trade.observation_fact'::regclass, a.attnum) AS d
             FROM pg_attribute a WHERE a.attrelid = 'trade.observation_fact'::regclass AND a.attnum > 0 AND NOT a.attisdropped LOOP
    EXECUTE format('COMMENT ON COLUMN trade.%I.%I IS %L', part, col.attname, col.d);
  END LOOP;
  RETURN d;
END
$$;
COMMENT ON FUNCTION etl.trade_dataset_id(text) IS 'The trade.dataset id of a dataset; on its first use creates it and its partition of trade.observation_fact (with the unique index on current keys and the frequency statistic).';

-- The partitions there already, analyzed so that the statistic has its figures now (PGlite has no
-- autovacuum to do it later).
DO $$
DECLARE
  p record;
BEGIN
  FOR p IN SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
           WHERE i.inhparent = 'trade.observation_fact'::regclass ORDER BY c.relname LOOP
    PERFORM etl.frequency_statistics(p.relname);
    EXECUTE format('ANALYZE trade.%I', p.relname);
  END LOOP;
END
$$;
