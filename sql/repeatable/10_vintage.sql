-- Repeatable SQL (docs/migrations.md): the current definition of these views and functions.
-- migrate drops and re-creates every object of sql/repeatable/ when a file here or a versioned
-- migration changed; edit in place, never copy into a numbered migration.

-- Current values and values as published at a given date, for trade and fx. trade.observation
-- and the vintage functions read the lean store (trade.observation_fact and its dimensions,
-- sql/050); the write path over it (trade.observation_history and its trigger) is storage and
-- stays in the versioned migrations.

CREATE VIEW trade.observation AS
SELECT d.dataset, s.reporter, s.partner, a.partner_source_code, s.flow,
       trade.period_text(f.period) AS period, trade.period_frequency(f.period) AS frequency,
       s.classification, s.commodity_code,
       a.commodity_label,
       s.measure, f.value, a.unit, f.source_value,
       a.source_unit,
       a.basis,
       sc.scope_key, f.valid_from_release::bigint AS release_id, r.published_on, r.stage, r.source_stage, r.file_name
FROM trade.observation_fact f
JOIN trade.series s ON s.id = f.series_id
JOIN trade.dataset d ON d.id = f.dataset_id
JOIN trade.attribute_set a ON a.id = f.attr_id
JOIN trade.scope sc ON sc.id = f.scope_id
JOIN etl.release r ON r.id = f.valid_from_release
WHERE f.valid_to_release IS NULL;
COMMENT ON VIEW trade.observation IS 'Current vintage of every trade observation (what the newest release of each scope says), with the release it comes from.';
COMMENT ON COLUMN trade.observation.dataset IS 'Dataset that published it.';
COMMENT ON COLUMN trade.observation.reporter IS 'Reporting country (ISO alpha-2).';
COMMENT ON COLUMN trade.observation.partner IS 'Partner: ISO alpha-2, WORLD, or <scheme>:<code> for regions and groupings.';
COMMENT ON COLUMN trade.observation.partner_source_code IS 'Partner as written by the source.';
COMMENT ON COLUMN trade.observation.flow IS 'export, import or balance.';
COMMENT ON COLUMN trade.observation.period IS 'Period (see frequency).';
COMMENT ON COLUMN trade.observation.frequency IS 'M, A (calendar year), FY (fiscal year), H, YTD, D, MTD (first 10/20 days of a month; period = last day covered).';
COMMENT ON COLUMN trade.observation.classification IS 'Commodity classification.';
COMMENT ON COLUMN trade.observation.commodity_code IS 'Commodity code (text); TOTAL for all commodities.';
COMMENT ON COLUMN trade.observation.commodity_label IS 'Source''s commodity label.';
COMMENT ON COLUMN trade.observation.measure IS 'value, quantity, quantity2, share_pct, value_growth_pct, quantity_growth_pct, contribution_pt.';
COMMENT ON COLUMN trade.observation.value IS 'The number in `unit`.';
COMMENT ON COLUMN trade.observation.unit IS 'JPY, USD, NO, KG, MT, PCT, PT…';
COMMENT ON COLUMN trade.observation.source_value IS 'As written in the file.';
COMMENT ON COLUMN trade.observation.source_unit IS 'Unit in the file before normalization.';
COMMENT ON COLUMN trade.observation.basis IS 'Valuation basis (FOB, CIF, general imports…).';
COMMENT ON COLUMN trade.observation.scope_key IS 'Scope of the publishing release.';
COMMENT ON COLUMN trade.observation.release_id IS 'Release (vintage) the value comes from.';
COMMENT ON COLUMN trade.observation.published_on IS 'Publication date of that release.';
COMMENT ON COLUMN trade.observation.stage IS 'Stage of that release: preliminary, revised, final.';
COMMENT ON COLUMN trade.observation.source_stage IS 'The publisher''s stage wording.';
COMMENT ON COLUMN trade.observation.file_name IS 'File of that release.';

-- A vintage is "published at" its release's publication date. A row is visible as of date d
-- when the release that brought it was published on or before d, and the release that
-- superseded it (if any) was published after d.
--
-- `datasets` (NULL = all): only their partitions are read. The function runs with its owner's
-- rights and is not inlined, so a caller's conditions cannot reach its scan; without the list a
-- metric as of a date read the whole history of every dataset (the full-size MOF HS-9 file: 23 s
-- for the claim check as of a date).
CREATE FUNCTION trade.observation_as_of(as_of date, datasets text[] DEFAULT NULL)
RETURNS TABLE (dataset text, reporter text, partner text, partner_source_code text, flow text,
               period text, frequency text, classification text, commodity_code text,
               commodity_label text, measure text, value numeric, unit text, source_value text,
               source_unit text, basis text, scope_key text, release_id bigint,
               published_on date, stage text, source_stage text, file_name text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  -- A value, so the plan is made for it and skips the other partitions (an array from a
  -- subquery in the statement is only a filter: every partition would still be read).
  ids smallint[] := ARRAY(SELECT x.id FROM trade.dataset x WHERE datasets IS NULL OR x.dataset = ANY (datasets));
BEGIN
  RETURN QUERY
  SELECT d.dataset, s.reporter, s.partner, a.partner_source_code, s.flow,
         trade.period_text(f.period), trade.period_frequency(f.period), s.classification, s.commodity_code,
         a.commodity_label, s.measure, f.value, a.unit, f.source_value,
         a.source_unit, a.basis,
         sc.scope_key, f.valid_from_release::bigint, r.published_on, r.stage, r.source_stage, r.file_name
  FROM trade.observation_fact f
  JOIN etl.release r ON r.id = f.valid_from_release
  LEFT JOIN etl.release t ON t.id = f.valid_to_release
  JOIN trade.series s ON s.id = f.series_id
  JOIN trade.dataset d ON d.id = f.dataset_id
  JOIN trade.attribute_set a ON a.id = f.attr_id
  JOIN trade.scope sc ON sc.id = f.scope_id
  WHERE r.published_on <= as_of
    AND (f.valid_to_release IS NULL OR t.published_on > as_of)
    AND f.dataset_id = ANY (ids);
END
$$;
COMMENT ON FUNCTION trade.observation_as_of(date, text[]) IS 'Trade observations as published on a date: each value from the newest release published on or before that date; only of the named datasets when given (NULL = all). Example: SELECT * FROM trade.observation_as_of(''2025-04-22'', ARRAY[''mof.press'']).';

CREATE VIEW fx.rate AS
SELECT h.dataset, h.series, h.base, h.quote, h.frequency, h.period,
       CASE WHEN h.frequency = 'D' THEN h.period::date END AS date,
       h.rate, h.valid_from_release AS release_id, r.published_on
FROM fx.rate_history h
JOIN etl.release r ON r.id = h.valid_from_release
WHERE h.valid_to_release IS NULL;
COMMENT ON VIEW fx.rate IS 'Current vintage of every exchange rate.';
COMMENT ON COLUMN fx.rate.dataset IS 'frb.h10 or frb.fred.';
COMMENT ON COLUMN fx.rate.series IS 'Source series id.';
COMMENT ON COLUMN fx.rate.base IS 'Currency priced (one unit).';
COMMENT ON COLUMN fx.rate.quote IS 'Currency the rate is in.';
COMMENT ON COLUMN fx.rate.frequency IS 'D, M or A as published.';
COMMENT ON COLUMN fx.rate.period IS 'YYYY-MM-DD, YYYY-MM or YYYY.';
COMMENT ON COLUMN fx.rate.date IS 'The day, for daily rates.';
COMMENT ON COLUMN fx.rate.rate IS 'Units of quote per one unit of base.';
COMMENT ON COLUMN fx.rate.release_id IS 'Release (vintage) the rate comes from.';
COMMENT ON COLUMN fx.rate.published_on IS 'Publication date of that release.';

CREATE FUNCTION fx.rate_as_of(as_of date)
RETURNS TABLE (dataset text, series text, base text, quote text, frequency text, period text,
               rate numeric, release_id bigint, published_on date)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT h.dataset, h.series, h.base, h.quote, h.frequency, h.period, h.rate,
         h.valid_from_release, r.published_on
  FROM fx.rate_history h
  JOIN etl.release r ON r.id = h.valid_from_release
  LEFT JOIN etl.release t ON t.id = h.valid_to_release
  WHERE r.published_on <= as_of
    AND (h.valid_to_release IS NULL OR t.published_on > as_of)
$$;
COMMENT ON FUNCTION fx.rate_as_of(date) IS 'Exchange rates as published on a date: each rate from the newest release published on or before that date.';
