-- Repeatable SQL (docs/migrations.md): the current definition of these views and functions.
-- migrate drops and re-creates every object of sql/repeatable/ when a file here or a versioned
-- migration changed; edit in place, never copy into a numbered migration.

-- The article's metrics (CLAIMS.md), computed from loaded observations only.
--
-- Every metric exists twice: a function `metrics.<name>_at(as_of date, only_stage text)` and a
-- view `metrics.<name>` = `<name>_at(NULL)`. Which vintage a function reads:
-- * as_of NULL, only_stage NULL: the current vintage (trade.observation);
-- * as_of a date: the figures as published on that date (trade.observation_as_of);
-- * only_stage 'preliminary' | 'revised' | 'final': for each figure, the newest value published
--   by a release of that stage (on or before as_of, when given). Used where a claim cites one
--   release ("MOF preliminary 2024") that later revisions superseded.
-- So one SQL text serves "what do we know now", "what could one have known on 2025-04-22" and
-- "what did the preliminary release say". Y/y growth is always computed against the previous
-- year's newest vintage visible at that date, whatever only_stage says (MOF compares with the
-- revised previous year, not with its preliminary).
--
-- Every row names the dataset, classification and vintage (release_id, published_on, stage)
-- its figure comes from. Calendar years (frequency A) and fiscal years (FY, April–March) are
-- kept apart by a `year_kind` column and are never combined. Units: yen (JPY) and dollars (USD)
-- in base units, vehicles (NO), percent (PCT).

-- Every vintage a release of one stage published, newest per natural key. SECURITY DEFINER
-- because it reads etl.release (the stage and date of each release), which analysts cannot. It
-- reads the narrow table first and names only the rows it returns.
CREATE FUNCTION metrics.observation_of_stage(as_of date, only_stage text, datasets text[] DEFAULT NULL)
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
  WITH pick AS (
    -- Newest vintage of the stage per key, found on the integer key.
    SELECT DISTINCT ON (f.series_id, f.period) f.series_id, f.period, f.attr_id, f.scope_id, f.dataset_id, f.value, f.source_value,
           f.valid_from_release, r.published_on, r.stage, r.source_stage, r.file_name
    FROM trade.observation_fact f
    JOIN etl.release r ON r.id = f.valid_from_release
    WHERE r.stage = only_stage AND (as_of IS NULL OR r.published_on <= as_of)
      -- Only the partitions of `datasets` (NULL = all), as in trade.observation_as_of: the
      -- full-size MOF HS-9 file made each stage-pinned claim sort 13 million rows (58 s).
      AND f.dataset_id = ANY (ids)
    ORDER BY f.series_id, f.period, r.published_on DESC, r.id DESC
  )
  SELECT d.dataset, s.reporter, s.partner, a.partner_source_code, s.flow,
         trade.period_text(p.period), trade.period_frequency(p.period), s.classification, s.commodity_code,
         a.commodity_label, s.measure, p.value, a.unit, p.source_value,
         a.source_unit, a.basis,
         sc.scope_key, p.valid_from_release::bigint, p.published_on, p.stage, p.source_stage, p.file_name
  FROM pick p
  JOIN trade.series s ON s.id = p.series_id
  JOIN trade.dataset d ON d.id = p.dataset_id
  JOIN trade.attribute_set a ON a.id = p.attr_id
  JOIN trade.scope sc ON sc.id = p.scope_id;
END
$$;
COMMENT ON FUNCTION metrics.observation_of_stage(date, text, text[]) IS 'For each observation key of the named datasets (NULL = all), the newest value published by a release of the given stage (preliminary, revised, final), on or before as_of when given — even if a later stage superseded it. Example: the figures of MOF''s preliminary calendar-2024 release after the revised one came out.';

-- Observations at a date and stage, in one place. Plain SQL (not SECURITY DEFINER) so the
-- planner can inline it; trade.observation_as_of and observation_of_stage do the privileged part.
CREATE FUNCTION metrics.observation_at(as_of date, only_stage text DEFAULT NULL, datasets text[] DEFAULT NULL)
RETURNS TABLE (dataset text, reporter text, partner text, partner_source_code text, flow text,
               period text, frequency text, classification text, commodity_code text,
               commodity_label text, measure text, value numeric, unit text, source_value text,
               source_unit text, basis text, scope_key text, release_id bigint,
               published_on date, stage text, source_stage text, file_name text)
LANGUAGE sql STABLE AS $$
  SELECT o.dataset, o.reporter, o.partner, o.partner_source_code, o.flow, o.period, o.frequency,
         o.classification, o.commodity_code, o.commodity_label, o.measure, o.value, o.unit,
         o.source_value, o.source_unit, o.basis, o.scope_key, o.release_id, o.published_on,
         o.stage, o.source_stage, o.file_name
  FROM trade.observation o
  WHERE as_of IS NULL AND only_stage IS NULL AND (datasets IS NULL OR o.dataset = ANY (datasets))
  UNION ALL
  SELECT a.dataset, a.reporter, a.partner, a.partner_source_code, a.flow, a.period, a.frequency,
         a.classification, a.commodity_code, a.commodity_label, a.measure, a.value, a.unit,
         a.source_value, a.source_unit, a.basis, a.scope_key, a.release_id, a.published_on,
         a.stage, a.source_stage, a.file_name
  FROM trade.observation_as_of(as_of, datasets) a
  WHERE as_of IS NOT NULL AND only_stage IS NULL
  UNION ALL
  SELECT s.dataset, s.reporter, s.partner, s.partner_source_code, s.flow, s.period, s.frequency,
         s.classification, s.commodity_code, s.commodity_label, s.measure, s.value, s.unit,
         s.source_value, s.source_unit, s.basis, s.scope_key, s.release_id, s.published_on,
         s.stage, s.source_stage, s.file_name
  FROM metrics.observation_of_stage(as_of, only_stage, datasets) s
  WHERE only_stage IS NOT NULL
$$;
COMMENT ON FUNCTION metrics.observation_at(date, text, text[]) IS 'Trade observations as published on a date (NULL = the current vintage), optionally only from releases of one stage (see metrics.observation_of_stage) and only of the named datasets (NULL = all; a metric names its own, so that a date or a stage does not read every dataset''s history). Base of every metrics.*_at function.';

CREATE FUNCTION metrics.partner_name(partner text) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT CASE
    WHEN partner = 'WORLD' THEN 'World'
    WHEN partner ~ '^[A-Z]{2}$' THEN coalesce((SELECT c.name_en FROM ref.country c WHERE c.iso2 = partner), partner)
    ELSE partner
  END
$$;
COMMENT ON FUNCTION metrics.partner_name(text) IS 'English name of a partner id: the ref.country name for an ISO code, World for WORLD, the id itself for regions and groupings (mof:ASIA, census:0003).';

CREATE FUNCTION metrics.partner_kind(partner text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE
    WHEN partner = 'WORLD' THEN 'world'
    WHEN partner ~ '^[A-Z]{2}$' OR partner LIKE 'mof3:%' THEN 'country'
    ELSE 'grouping'
  END
$$;
COMMENT ON FUNCTION metrics.partner_kind(text) IS 'world (all partners), country (ISO code, or a MOF country code not in ref.country: mof3:NNN) or grouping (regions and aggregates: mof:ASIA, census:0003). Only countries are ranked or summed.';

-- 1. Japan's exports, imports and balance by year -------------------------------------------
CREATE FUNCTION metrics.jp_trade_yearly_at(as_of date, only_stage text DEFAULT NULL)
RETURNS TABLE (dataset text, method text, flow text, year_kind text, year int, period text, months int,
               value numeric, published_growth_pct numeric, release_id bigint, published_on date,
               stage text, source_stage text, file_name text)
LANGUAGE sql STABLE AS $$
  WITH obs AS (
    SELECT * FROM metrics.observation_at(as_of, only_stage, ARRAY['mof.press', 'mof.timeseries']) o
    WHERE o.reporter = 'JP' AND o.partner = 'WORLD' AND o.classification = 'total'
      AND o.commodity_code = 'TOTAL' AND o.dataset IN ('mof.press', 'mof.timeseries')
  ),
  published AS (
    SELECT o.dataset, 'published annual figure'::text AS method, o.flow,
           CASE o.frequency WHEN 'A' THEN 'calendar' ELSE 'fiscal' END AS year_kind,
           CASE o.frequency WHEN 'A' THEN o.period::int ELSE substr(o.period, 3)::int END AS year,
           o.period, 12 AS months, o.value, g.value AS published_growth_pct,
           o.release_id, o.published_on, o.stage, o.source_stage, o.file_name
    FROM obs o
    LEFT JOIN obs g ON g.dataset = o.dataset AND g.flow = o.flow AND g.period = o.period
                   AND g.frequency = o.frequency AND g.measure = 'value_growth_pct'
    WHERE o.measure = 'value' AND o.unit = 'JPY' AND o.frequency IN ('A', 'FY')
  ),
  monthly AS (
    SELECT o.*, substr(o.period, 1, 4)::int AS cy,
           substr(o.period, 1, 4)::int - CASE WHEN substr(o.period, 6, 2)::int < 4 THEN 1 ELSE 0 END AS fy
    FROM obs o
    WHERE o.measure = 'value' AND o.unit = 'JPY' AND o.frequency = 'M' AND o.flow IN ('export', 'import')
  ),
  -- A year is summed only when all 12 of its months are loaded (d41ma writes unpublished months
  -- as 0 and the parser drops them, so an incomplete year has fewer than 12 rows).
  summed AS (
    SELECT m.dataset, 'sum of 12 monthly figures'::text AS method, m.flow, k.year_kind, k.year,
           CASE k.year_kind WHEN 'calendar' THEN k.year::text ELSE 'FY' || k.year END AS period,
           count(*)::int AS months, sum(m.value) AS value, NULL::numeric AS published_growth_pct,
           (array_agg(m.release_id ORDER BY m.published_on DESC, m.release_id DESC))[1] AS release_id,
           max(m.published_on) AS published_on,
           (array_agg(m.stage ORDER BY m.published_on DESC, m.release_id DESC))[1] AS stage,
           (array_agg(m.source_stage ORDER BY m.published_on DESC, m.release_id DESC))[1] AS source_stage,
           (array_agg(m.file_name ORDER BY m.published_on DESC, m.release_id DESC))[1] AS file_name
    FROM monthly m
    CROSS JOIN LATERAL (VALUES ('calendar'::text, m.cy), ('fiscal'::text, m.fy)) AS k(year_kind, year)
    GROUP BY m.dataset, m.flow, k.year_kind, k.year
    HAVING count(DISTINCT m.period) = 12
  ),
  summed_balance AS (
    SELECT e.dataset, e.method, 'balance'::text AS flow, e.year_kind, e.year, e.period, e.months,
           e.value - i.value AS value, NULL::numeric AS published_growth_pct,
           CASE WHEN e.published_on >= i.published_on THEN e.release_id ELSE i.release_id END AS release_id,
           greatest(e.published_on, i.published_on) AS published_on,
           CASE WHEN e.published_on >= i.published_on THEN e.stage ELSE i.stage END AS stage,
           e.source_stage, e.file_name
    FROM summed e
    JOIN summed i ON i.dataset = e.dataset AND i.year_kind = e.year_kind AND i.year = e.year AND i.flow = 'import'
    WHERE e.flow = 'export'
  ),
  yearly AS (
    SELECT * FROM published
    UNION ALL SELECT * FROM summed
    UNION ALL SELECT * FROM summed_balance
  )
  SELECT * FROM yearly
$$;
COMMENT ON FUNCTION metrics.jp_trade_yearly_at(date, text) IS 'Building block of metrics.jp_trade_annual_at: Japan''s world exports, imports and balance per calendar/fiscal year, published or summed from 12 months, without growth.';

CREATE FUNCTION metrics.jp_trade_annual_at(as_of date, only_stage text DEFAULT NULL)
RETURNS TABLE (dataset text, method text, classification text, reporter text, partner text, flow text,
               year_kind text, year int, period text, months int, value_jpy numeric,
               prev_value_jpy numeric, growth_pct numeric, published_growth_pct numeric,
               release_id bigint, published_on date, stage text, source_stage text, file_name text,
               prev_release_id bigint, prev_published_on date, prev_stage text)
LANGUAGE sql STABLE AS $$
  SELECT y.dataset, y.method, 'total'::text, 'JP'::text, 'WORLD'::text, y.flow, y.year_kind, y.year, y.period, y.months,
         y.value, p.value,
         -- Growth of a balance is not meaningful when its sign changes: only flows get one.
         CASE WHEN y.flow <> 'balance' AND p.value <> 0 THEN round((y.value / p.value - 1) * 100, 4) END,
         y.published_growth_pct, y.release_id, y.published_on, y.stage, y.source_stage, y.file_name,
         p.release_id, p.published_on, p.stage
  FROM metrics.jp_trade_yearly_at(as_of, only_stage) y
  -- The previous year always in its newest vintage visible at as_of (never stage-pinned).
  LEFT JOIN metrics.jp_trade_yearly_at(as_of, NULL) p
         ON p.dataset = y.dataset AND p.method = y.method AND p.flow = y.flow
        AND p.year_kind = y.year_kind AND p.year = y.year - 1
$$;
COMMENT ON FUNCTION metrics.jp_trade_annual_at(date, text) IS 'Japan''s exports, imports and balance with the world by calendar and fiscal year, as published on a date (NULL = current). See the view metrics.jp_trade_annual.';

CREATE VIEW metrics.jp_trade_annual AS SELECT * FROM metrics.jp_trade_annual_at(NULL);
COMMENT ON VIEW metrics.jp_trade_annual IS 'Japan''s exports, imports and balance with the world by year (current vintage): MOF''s published calendar-/fiscal-year figures (mof.press) and sums of 12 monthly figures (mof.timeseries d41ma, mof.press monthly), each with y/y growth against the previous year''s newest vintage of the same dataset and method. Calendar and fiscal years are separate rows (year_kind). For another date use metrics.jp_trade_annual_at(date).';
COMMENT ON COLUMN metrics.jp_trade_annual.method IS 'published annual figure (MOF''s own calendar/fiscal-year total) or sum of 12 monthly figures (computed here; only complete years).';
COMMENT ON COLUMN metrics.jp_trade_annual.flow IS 'export (FOB), import (CIF) or balance (exports minus imports), from Japan''s side.';
COMMENT ON COLUMN metrics.jp_trade_annual.months IS 'Number of months the figure covers (12).';
COMMENT ON COLUMN metrics.jp_trade_annual.value_jpy IS 'The figure in yen (JPY, base units).';
COMMENT ON COLUMN metrics.jp_trade_annual.prev_value_jpy IS 'The previous year''s figure (same dataset, method, flow and year kind), newest vintage, in yen (JPY).';
COMMENT ON COLUMN metrics.jp_trade_annual.growth_pct IS 'Year-on-year change in percent (PCT), computed: value_jpy / prev_value_jpy − 1, rounded to 4 decimals; NULL for the balance or when the previous year is not loaded.';
COMMENT ON COLUMN metrics.jp_trade_annual.published_growth_pct IS 'Year-on-year change in percent (PCT) as MOF printed it in the release (mof.press), for comparison with growth_pct.';
COMMENT ON COLUMN metrics.jp_trade_annual.prev_release_id IS 'Release the previous year''s figure comes from (for a sum: the newest of its months).';
COMMENT ON COLUMN metrics.jp_trade_annual.prev_published_on IS 'Publication date of that release.';
COMMENT ON COLUMN metrics.jp_trade_annual.prev_stage IS 'Stage of the previous year''s figure (preliminary, revised, final).';

-- 2. Japan's trade with each partner by year -------------------------------------------------
CREATE FUNCTION metrics.jp_trade_by_partner_at(as_of date, only_stage text DEFAULT NULL)
RETURNS TABLE (dataset text, classification text, reporter text, partner text, partner_name text, partner_kind text,
               year_kind text, year int, period text, export_jpy numeric, import_jpy numeric,
               balance_jpy numeric, balance_computed_jpy numeric, export_growth_pct_published numeric,
               import_growth_pct_published numeric, release_id bigint, published_on date, stage text,
               source_stage text, file_name text)
LANGUAGE sql STABLE AS $$
  WITH obs AS (
    SELECT * FROM metrics.observation_at(as_of, only_stage, ARRAY['mof.press']) o
    WHERE o.dataset = 'mof.press' AND o.reporter = 'JP' AND o.classification = 'total'
      AND o.commodity_code = 'TOTAL' AND o.frequency IN ('A', 'FY')
      AND o.measure IN ('value', 'value_growth_pct')
  )
  SELECT o.dataset, 'total'::text, 'JP'::text, o.partner, metrics.partner_name(o.partner), metrics.partner_kind(o.partner),
         CASE o.frequency WHEN 'A' THEN 'calendar' ELSE 'fiscal' END,
         CASE o.frequency WHEN 'A' THEN o.period::int ELSE substr(o.period, 3)::int END,
         o.period,
         max(o.value) FILTER (WHERE o.flow = 'export' AND o.measure = 'value'),
         max(o.value) FILTER (WHERE o.flow = 'import' AND o.measure = 'value'),
         max(o.value) FILTER (WHERE o.flow = 'balance' AND o.measure = 'value'),
         max(o.value) FILTER (WHERE o.flow = 'export' AND o.measure = 'value')
           - max(o.value) FILTER (WHERE o.flow = 'import' AND o.measure = 'value'),
         max(o.value) FILTER (WHERE o.flow = 'export' AND o.measure = 'value_growth_pct'),
         max(o.value) FILTER (WHERE o.flow = 'import' AND o.measure = 'value_growth_pct'),
         (array_agg(o.release_id ORDER BY o.published_on DESC, o.release_id DESC))[1],
         max(o.published_on),
         (array_agg(o.stage ORDER BY o.published_on DESC, o.release_id DESC))[1],
         (array_agg(o.source_stage ORDER BY o.published_on DESC, o.release_id DESC))[1],
         (array_agg(o.file_name ORDER BY o.published_on DESC, o.release_id DESC))[1]
  FROM obs o
  GROUP BY o.dataset, o.partner, o.frequency, o.period
$$;
COMMENT ON FUNCTION metrics.jp_trade_by_partner_at(date, text) IS 'Japan''s exports, imports and balance with each partner by calendar/fiscal year, as published on a date (NULL = current). See metrics.jp_trade_by_partner.';

CREATE VIEW metrics.jp_trade_by_partner AS SELECT * FROM metrics.jp_trade_by_partner_at(NULL);
COMMENT ON VIEW metrics.jp_trade_by_partner IS 'Japan''s exports, imports and balance with each partner (countries, regions, world) by calendar or fiscal year, from MOF''s press releases (pg2 by area/country), current vintage. Yen.';
COMMENT ON COLUMN metrics.jp_trade_by_partner.partner_name IS 'English name of the partner (ref.country; World; region ids as they are).';
COMMENT ON COLUMN metrics.jp_trade_by_partner.partner_kind IS 'country, world or grouping (MOF regions such as mof:ASIA, mof:(EU)).';
COMMENT ON COLUMN metrics.jp_trade_by_partner.export_jpy IS 'Japan''s exports to the partner (FOB), yen (JPY); NULL where MOF printed ''-''.';
COMMENT ON COLUMN metrics.jp_trade_by_partner.import_jpy IS 'Japan''s imports from the partner (CIF), yen (JPY).';
COMMENT ON COLUMN metrics.jp_trade_by_partner.balance_jpy IS 'Balance (exports minus imports) as MOF published it, yen (JPY); positive = Japanese surplus.';
COMMENT ON COLUMN metrics.jp_trade_by_partner.balance_computed_jpy IS 'export_jpy − import_jpy computed here, yen (JPY); differs from balance_jpy only by MOF''s rounding of each figure.';
COMMENT ON COLUMN metrics.jp_trade_by_partner.export_growth_pct_published IS 'Y/y change of exports in percent (PCT) as printed by MOF.';
COMMENT ON COLUMN metrics.jp_trade_by_partner.import_growth_pct_published IS 'Y/y change of imports in percent (PCT) as printed by MOF.';

-- 3. Japan's trade by principal commodity, with shares --------------------------------------
CREATE FUNCTION metrics.jp_principal_commodity_at(as_of date, only_stage text DEFAULT NULL)
RETURNS TABLE (dataset text, classification text, reporter text, partner text, partner_name text, flow text,
               frequency text, year_kind text, period text, commodity_code text, commodity_label text,
               group_id text, value_jpy numeric, total_value_jpy numeric, share_pct numeric,
               share_pct_published numeric, value_growth_pct_published numeric, quantity numeric,
               quantity_unit text, release_id bigint, published_on date, stage text, source_stage text,
               file_name text)
LANGUAGE sql STABLE AS $$
  WITH obs AS (
    SELECT * FROM metrics.observation_at(as_of, only_stage, ARRAY['mof.press']) o
    WHERE o.dataset = 'mof.press' AND o.reporter = 'JP'
      AND o.classification IN ('mof_pc_label', 'total')
  ),
  item AS (
    SELECT o.partner, o.flow, o.frequency, o.period, o.commodity_code, o.commodity_label,
           max(o.value) FILTER (WHERE o.measure = 'value') AS value,
           max(o.value) FILTER (WHERE o.measure = 'share_pct') AS share_published,
           max(o.value) FILTER (WHERE o.measure = 'value_growth_pct') AS growth_published,
           max(o.value) FILTER (WHERE o.measure = 'quantity') AS quantity,
           max(o.unit) FILTER (WHERE o.measure = 'quantity') AS quantity_unit,
           (array_agg(o.release_id ORDER BY o.published_on DESC, o.release_id DESC))[1] AS release_id,
           max(o.published_on) AS published_on,
           (array_agg(o.stage ORDER BY o.published_on DESC, o.release_id DESC))[1] AS stage,
           (array_agg(o.source_stage ORDER BY o.published_on DESC, o.release_id DESC))[1] AS source_stage,
           (array_agg(o.file_name ORDER BY o.published_on DESC, o.release_id DESC))[1] AS file_name
    FROM obs o
    WHERE o.classification = 'mof_pc_label'
    GROUP BY o.partner, o.flow, o.frequency, o.period, o.commodity_code, o.commodity_label
  ),
  total AS (
    SELECT o.partner, o.flow, o.frequency, o.period, o.value
    FROM obs o
    WHERE o.classification = 'total' AND o.commodity_code = 'TOTAL' AND o.measure = 'value'
  )
  SELECT 'mof.press'::text, 'mof_pc_label'::text, 'JP'::text, i.partner, metrics.partner_name(i.partner), i.flow,
         i.frequency,
         CASE i.frequency WHEN 'A' THEN 'calendar' WHEN 'FY' THEN 'fiscal' WHEN 'M' THEN 'month' WHEN 'H' THEN 'half year' ELSE 'other' END,
         i.period, i.commodity_code, i.commodity_label,
         (SELECT g.group_id FROM ref.commodity_group g
          WHERE g.classification = 'mof_pc_label' AND g.code = i.commodity_code AND g.flow IN (i.flow, 'any')
          ORDER BY g.group_id LIMIT 1),
         i.value, t.value,
         CASE WHEN t.value > 0 THEN round(i.value / t.value * 100, 4) END,
         i.share_published, i.growth_published, i.quantity, i.quantity_unit,
         i.release_id, i.published_on, i.stage, i.source_stage, i.file_name
  FROM item i
  LEFT JOIN total t ON t.partner = i.partner AND t.flow = i.flow AND t.frequency = i.frequency AND t.period = i.period
$$;
COMMENT ON FUNCTION metrics.jp_principal_commodity_at(date, text) IS 'Japan''s exports/imports by MOF principal commodity per partner table and period, with computed and published shares, as published on a date (NULL = current).';

CREATE VIEW metrics.jp_principal_commodity AS SELECT * FROM metrics.jp_principal_commodity_at(NULL);
COMMENT ON VIEW metrics.jp_principal_commodity IS 'Japan''s exports and imports by MOF principal commodity (press-release tables pg3–pg20: world and USA, EU, ASIA, CHINA…), every period the releases cover (month, calendar year, fiscal year), with the share of the table''s grand total; current vintage.';
COMMENT ON COLUMN metrics.jp_principal_commodity.partner_name IS 'English name of the table''s area.';
COMMENT ON COLUMN metrics.jp_principal_commodity.year_kind IS 'month, calendar, fiscal or half year, from frequency (M, A, FY, H); never combine different kinds.';
COMMENT ON COLUMN metrics.jp_principal_commodity.commodity_code IS 'Principal commodity as labelled in the press XML (MOTOR VEHICLES, (CAR), (BUS&TRUCK), PARTS OF MOTOR VEHICLES…); classification mof_pc_label.';
COMMENT ON COLUMN metrics.jp_principal_commodity.commodity_label IS 'The label as printed (trimmed).';
COMMENT ON COLUMN metrics.jp_principal_commodity.group_id IS 'Commodity group of ref.commodity_group the label belongs to (motor_vehicles, passenger_cars, buses_trucks, auto_parts), else NULL.';
COMMENT ON COLUMN metrics.jp_principal_commodity.value_jpy IS 'Value in yen (JPY).';
COMMENT ON COLUMN metrics.jp_principal_commodity.total_value_jpy IS 'Grand total of the same table (partner, flow, period), yen (JPY).';
COMMENT ON COLUMN metrics.jp_principal_commodity.share_pct IS 'value_jpy / total_value_jpy × 100, percent (PCT), 4 decimals, computed here.';
COMMENT ON COLUMN metrics.jp_principal_commodity.share_pct_published IS 'Share in percent (PCT) as printed by MOF (koseihi, 1 decimal).';
COMMENT ON COLUMN metrics.jp_principal_commodity.value_growth_pct_published IS 'Y/y change of the value in percent (PCT) as printed by MOF.';
COMMENT ON COLUMN metrics.jp_principal_commodity.quantity IS 'Quantity in quantity_unit (base units: NO vehicles, KG…), where MOF printed one.';
COMMENT ON COLUMN metrics.jp_principal_commodity.quantity_unit IS 'Unit of quantity: NO (number), KG, MT…';

CREATE VIEW metrics.jp_exports_to_us_by_commodity AS
SELECT * FROM metrics.jp_principal_commodity WHERE partner = 'US' AND flow = 'export';
COMMENT ON VIEW metrics.jp_exports_to_us_by_commodity IS 'Japan''s exports to the USA by principal commodity (press-release pg5) with shares of all exports to the USA: metrics.jp_principal_commodity for partner US, flow export.';

-- 4. Automobiles' (and parts') share of exports to a partner ---------------------------------
CREATE FUNCTION metrics.jp_auto_export_share_at(as_of date, only_stage text DEFAULT NULL)
RETURNS TABLE (dataset text, classification text, partner text, partner_name text, year_kind text, year int, period text,
               motor_vehicles_jpy numeric, passenger_cars_jpy numeric, auto_parts_jpy numeric,
               total_exports_jpy numeric, autos_share_pct numeric, autos_share_pct_published numeric,
               autos_parts_share_pct numeric, autos_parts_share_pct_published numeric,
               release_id bigint, published_on date, stage text, file_name text)
LANGUAGE sql STABLE AS $$
  SELECT p.dataset, p.classification, p.partner, p.partner_name, p.year_kind,
         CASE p.frequency WHEN 'A' THEN p.period::int ELSE substr(p.period, 3)::int END,
         p.period,
         max(p.value_jpy) FILTER (WHERE p.group_id = 'motor_vehicles'),
         max(p.value_jpy) FILTER (WHERE p.group_id = 'passenger_cars'),
         max(p.value_jpy) FILTER (WHERE p.group_id = 'auto_parts'),
         max(p.total_value_jpy),
         round(max(p.value_jpy) FILTER (WHERE p.group_id = 'motor_vehicles') / nullif(max(p.total_value_jpy), 0) * 100, 4),
         max(p.share_pct_published) FILTER (WHERE p.group_id = 'motor_vehicles'),
         round((max(p.value_jpy) FILTER (WHERE p.group_id = 'motor_vehicles') + max(p.value_jpy) FILTER (WHERE p.group_id = 'auto_parts'))
               / nullif(max(p.total_value_jpy), 0) * 100, 4),
         max(p.share_pct_published) FILTER (WHERE p.group_id = 'motor_vehicles') + max(p.share_pct_published) FILTER (WHERE p.group_id = 'auto_parts'),
         (array_agg(p.release_id ORDER BY p.published_on DESC, p.release_id DESC))[1],
         max(p.published_on),
         (array_agg(p.stage ORDER BY p.published_on DESC, p.release_id DESC))[1],
         (array_agg(p.file_name ORDER BY p.published_on DESC, p.release_id DESC))[1]
  FROM metrics.jp_principal_commodity_at(as_of, only_stage) p
  WHERE p.flow = 'export' AND p.frequency IN ('A', 'FY') AND p.group_id IS NOT NULL
  GROUP BY p.dataset, p.classification, p.partner, p.partner_name, p.year_kind, p.frequency, p.period
$$;
COMMENT ON FUNCTION metrics.jp_auto_export_share_at(date, text) IS 'Automobiles'' and automobiles + parts'' share of Japan''s exports to each partner table, by calendar/fiscal year, as published on a date (NULL = current).';

CREATE VIEW metrics.jp_auto_export_share AS SELECT * FROM metrics.jp_auto_export_share_at(NULL);
COMMENT ON VIEW metrics.jp_auto_export_share IS 'Motor vehicles (MOF principal commodity 70503, includes buses and trucks) and motor vehicles + parts (70505) as a share of Japan''s exports to a partner, by calendar or fiscal year, from the press release''s principal-commodity table of that partner; current vintage.';
COMMENT ON COLUMN metrics.jp_auto_export_share.partner_name IS 'English name of the partner (USA = United States).';
COMMENT ON COLUMN metrics.jp_auto_export_share.motor_vehicles_jpy IS 'Exports of MOTOR VEHICLES (cars, buses and trucks), yen (JPY).';
COMMENT ON COLUMN metrics.jp_auto_export_share.passenger_cars_jpy IS 'Exports of (CAR) passenger cars, a part of motor vehicles, yen (JPY).';
COMMENT ON COLUMN metrics.jp_auto_export_share.auto_parts_jpy IS 'Exports of PARTS OF MOTOR VEHICLES, yen (JPY).';
COMMENT ON COLUMN metrics.jp_auto_export_share.total_exports_jpy IS 'All exports to the partner (the table''s grand total), yen (JPY).';
COMMENT ON COLUMN metrics.jp_auto_export_share.autos_share_pct IS 'motor_vehicles_jpy / total_exports_jpy × 100, percent (PCT), computed.';
COMMENT ON COLUMN metrics.jp_auto_export_share.autos_share_pct_published IS 'MOTOR VEHICLES share in percent (PCT) as printed by MOF.';
COMMENT ON COLUMN metrics.jp_auto_export_share.autos_parts_share_pct IS '(motor_vehicles_jpy + auto_parts_jpy) / total_exports_jpy × 100, percent (PCT), computed.';
COMMENT ON COLUMN metrics.jp_auto_export_share.autos_parts_share_pct_published IS 'Sum of the two printed shares (PCT); each is rounded to 1 decimal by MOF.';

-- 5. Passenger-car units exported, and their share of all car exports ------------------------
-- Two sources, never mixed in one row: the press release's (CAR) quantity (mof_pc_label), and
-- e-Stat HS 9-digit codes under HS 8703 (hs9; HS 8703 = MOF (CAR) is an assumption labelled in
-- ref.commodity_group). The world figure is the WORLD row where the source has one; an e-Stat
-- country table has none, and since it lists every destination of its codes, the sum over its
-- countries is the world total (world_basis says which).
CREATE FUNCTION metrics.jp_car_export_units_at(as_of date, only_stage text DEFAULT NULL)
RETURNS TABLE (dataset text, classification text, group_id text, is_assumption boolean, partner text,
               partner_name text, year_kind text, year int, period text, units numeric, world_units numeric,
               world_basis text, share_pct numeric, codes int, release_id bigint, published_on date,
               stage text, file_name text)
LANGUAGE sql STABLE AS $$
  -- Two reads, each with its codes as values the scan can use (see us_car_imports_by_country_at):
  -- the car series are found first, not every quantity of the full-size HS-9 file (13 million
  -- facts; one read for both was 2.6 s per claim).
  WITH obs_press AS (
    SELECT * FROM metrics.observation_at(as_of, only_stage, ARRAY['mof.press']) o
    WHERE o.reporter = 'JP' AND o.flow = 'export' AND o.frequency IN ('A', 'FY') AND o.unit = 'NO'
      AND o.measure IN ('quantity', 'quantity2') AND o.dataset = 'mof.press'
      AND o.commodity_code = ANY (ARRAY(SELECT g.code FROM ref.commodity_group g WHERE g.group_id = 'passenger_cars' AND g.flow IN ('export', 'any')))
  ),
  obs_hs AS (
    SELECT * FROM metrics.observation_at(as_of, only_stage, ARRAY['mof.hs_country']) o
    WHERE o.reporter = 'JP' AND o.flow = 'export' AND o.frequency IN ('A', 'FY') AND o.unit = 'NO'
      AND o.measure IN ('quantity', 'quantity2') AND o.dataset = 'mof.hs_country'
      -- The 9-digit codes under the group's HS-4 headings, as a range the planner can estimate:
      -- from the first heading to the one after the last (8703 → 8704; digits sort alike in
      -- every collation).
      AND o.commodity_code >= (SELECT min(g.code) FROM ref.commodity_group g WHERE g.classification = 'hs4' AND g.group_id = 'passenger_cars')
      AND o.commodity_code < (SELECT lpad((max(g.code)::int + 1)::text, 4, '0') FROM ref.commodity_group g WHERE g.classification = 'hs4' AND g.group_id = 'passenger_cars')
  ),
  press AS (
    SELECT o.dataset, o.classification, g.group_id, g.is_assumption, o.partner, o.frequency, o.period,
           o.value AS units, 1 AS codes, o.release_id, o.published_on, o.stage, o.file_name
    FROM obs_press o
    JOIN ref.commodity_group g ON g.classification = o.classification AND g.code = o.commodity_code
                              AND g.flow IN ('export', 'any') AND g.group_id = 'passenger_cars'
    WHERE o.dataset = 'mof.press' AND o.measure = 'quantity'
  ),
  -- One vehicle count per 9-digit code: Quantity2 when it is in NO, else Quantity1.
  hs_line AS (
    SELECT DISTINCT ON (o.dataset, o.partner, o.frequency, o.period, o.commodity_code)
           o.dataset, o.classification, g.group_id, g.is_assumption, o.partner, o.frequency, o.period,
           o.commodity_code, o.value, o.release_id, o.published_on, o.stage, o.file_name
    FROM obs_hs o
    JOIN ref.commodity_group g ON g.classification = 'hs4' AND g.group_id = 'passenger_cars'
                              AND left(o.commodity_code, 4) = g.code
    WHERE o.dataset = 'mof.hs_country' AND o.classification = 'hs9'
    ORDER BY o.dataset, o.partner, o.frequency, o.period, o.commodity_code, o.measure DESC
  ),
  hs AS (
    SELECT h.dataset, h.classification, h.group_id, bool_or(h.is_assumption) AS is_assumption, h.partner,
           h.frequency, h.period, sum(h.value) AS units, count(*)::int AS codes,
           (array_agg(h.release_id ORDER BY h.published_on DESC, h.release_id DESC))[1] AS release_id,
           max(h.published_on) AS published_on,
           (array_agg(h.stage ORDER BY h.published_on DESC, h.release_id DESC))[1] AS stage,
           (array_agg(h.file_name ORDER BY h.published_on DESC, h.release_id DESC))[1] AS file_name
    FROM hs_line h
    GROUP BY h.dataset, h.classification, h.group_id, h.partner, h.frequency, h.period
  ),
  units AS (SELECT * FROM press UNION ALL SELECT * FROM hs),
  world AS (
    SELECT u.dataset, u.classification, u.group_id, u.frequency, u.period,
           max(u.units) FILTER (WHERE u.partner = 'WORLD') AS world_row,
           sum(u.units) FILTER (WHERE metrics.partner_kind(u.partner) = 'country') AS country_sum
    FROM units u
    GROUP BY u.dataset, u.classification, u.group_id, u.frequency, u.period
  )
  SELECT u.dataset, u.classification, u.group_id, u.is_assumption, u.partner, metrics.partner_name(u.partner),
         CASE u.frequency WHEN 'A' THEN 'calendar' ELSE 'fiscal' END,
         CASE u.frequency WHEN 'A' THEN u.period::int ELSE substr(u.period, 3)::int END,
         u.period, u.units,
         CASE WHEN w.world_row IS NOT NULL THEN w.world_row WHEN u.dataset = 'mof.hs_country' THEN w.country_sum END,
         CASE WHEN w.world_row IS NOT NULL THEN 'world row' WHEN u.dataset = 'mof.hs_country' THEN 'sum over all destination countries of the file' END,
         round(u.units / nullif(CASE WHEN w.world_row IS NOT NULL THEN w.world_row WHEN u.dataset = 'mof.hs_country' THEN w.country_sum END, 0) * 100, 4),
         u.codes, u.release_id, u.published_on, u.stage, u.file_name
  FROM units u
  JOIN world w ON w.dataset = u.dataset AND w.classification = u.classification AND w.group_id = u.group_id
              AND w.frequency = u.frequency AND w.period = u.period
  WHERE u.partner <> 'WORLD' AND metrics.partner_kind(u.partner) = 'country'
$$;
COMMENT ON FUNCTION metrics.jp_car_export_units_at(date, text) IS 'Passenger cars exported by Japan to each country (vehicles) and their share of all passenger-car exports, by calendar/fiscal year, as published on a date (NULL = current).';

CREATE VIEW metrics.jp_car_export_units AS SELECT * FROM metrics.jp_car_export_units_at(NULL);
COMMENT ON VIEW metrics.jp_car_export_units IS 'Passenger cars exported by Japan per destination country (number of vehicles) and their share of Japan''s passenger-car exports to all destinations, by calendar or fiscal year; from the press release''s (CAR) line (mof_pc_label) or from e-Stat HS 8703 nine-digit lines (hs9), one row per source; current vintage.';
COMMENT ON COLUMN metrics.jp_car_export_units.group_id IS 'Commodity group: passenger_cars.';
COMMENT ON COLUMN metrics.jp_car_export_units.is_assumption IS 'True when the codes'' membership in the group is an assumption (HS 8703 ≈ MOF (CAR)) rather than an official concordance.';
COMMENT ON COLUMN metrics.jp_car_export_units.partner_name IS 'English name of the destination country.';
COMMENT ON COLUMN metrics.jp_car_export_units.units IS 'Number of vehicles (NO) exported to the partner.';
COMMENT ON COLUMN metrics.jp_car_export_units.world_units IS 'Number of vehicles (NO) exported to all destinations, same source and codes; NULL when the source has no world figure.';
COMMENT ON COLUMN metrics.jp_car_export_units.world_basis IS 'Where world_units comes from: world row, or sum over all destination countries of the file (e-Stat country tables list every destination).';
COMMENT ON COLUMN metrics.jp_car_export_units.share_pct IS 'units / world_units × 100, percent (PCT), computed.';
COMMENT ON COLUMN metrics.jp_car_export_units.codes IS 'Number of commodity lines summed (9-digit codes for hs9; 1 for the press line).';

-- 6. Is a year Japan's highest annual exports since 1979? ------------------------------------
-- One figure per calendar year: the sum of 12 months of mof.timeseries (d41ma starts 1979/01)
-- where complete, else MOF's published calendar-year figure (mof.press).
CREATE FUNCTION metrics.jp_exports_record_at(as_of date, only_stage text DEFAULT NULL)
RETURNS TABLE (year int, exports_jpy numeric, dataset text, method text, classification text, first_year int, last_year int,
               years int, is_record_through_year boolean, is_highest_as_of boolean, higher_year int,
               higher_exports_jpy numeric, release_id bigint, published_on date, stage text)
LANGUAGE sql STABLE AS $$
  WITH pick AS (
    SELECT DISTINCT ON (t.year) t.year, t.value_jpy, t.dataset, t.method, t.release_id, t.published_on, t.stage
    FROM metrics.jp_trade_annual_at(as_of, only_stage) t
    WHERE t.flow = 'export' AND t.year_kind = 'calendar'
    ORDER BY t.year, (t.dataset = 'mof.timeseries') DESC, (t.method = 'published annual figure') DESC, t.published_on DESC
  )
  SELECT p.year, p.value_jpy, p.dataset, p.method, 'total'::text,
         min(p.year) OVER (), max(p.year) OVER (), count(*) OVER ()::int,
         p.value_jpy >= max(p.value_jpy) OVER (ORDER BY p.year ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW),
         p.value_jpy >= max(p.value_jpy) OVER (),
         (SELECT q.year FROM pick q WHERE q.year > p.year AND q.value_jpy > p.value_jpy ORDER BY q.year LIMIT 1),
         (SELECT q.value_jpy FROM pick q WHERE q.year > p.year AND q.value_jpy > p.value_jpy ORDER BY q.year LIMIT 1),
         p.release_id, p.published_on, p.stage
  FROM pick p
$$;
COMMENT ON FUNCTION metrics.jp_exports_record_at(date, text) IS 'For each calendar year with complete data as published on a date (NULL = current): Japan''s exports, whether it was the highest of all years up to it (is_record_through_year) and whether it is the highest of all years published by that date (is_highest_as_of). Example: SELECT * FROM metrics.jp_exports_record_at(''2025-04-22'') WHERE year = 2024.';

CREATE VIEW metrics.jp_exports_record AS SELECT * FROM metrics.jp_exports_record_at(NULL);
COMMENT ON VIEW metrics.jp_exports_record IS 'Japan''s annual exports per calendar year since the first complete year loaded (1979 with d41ma), with record flags; current vintage. For "as of a date" use metrics.jp_exports_record_at(date).';
COMMENT ON COLUMN metrics.jp_exports_record.year IS 'Calendar year.';
COMMENT ON COLUMN metrics.jp_exports_record.exports_jpy IS 'Exports to the world in yen (JPY).';
COMMENT ON COLUMN metrics.jp_exports_record.method IS 'sum of 12 monthly figures (mof.timeseries) or published annual figure (mof.press).';
COMMENT ON COLUMN metrics.jp_exports_record.first_year IS 'First calendar year with complete data (1979 when d41ma is loaded).';
COMMENT ON COLUMN metrics.jp_exports_record.last_year IS 'Last calendar year with complete data.';
COMMENT ON COLUMN metrics.jp_exports_record.years IS 'Number of years compared.';
COMMENT ON COLUMN metrics.jp_exports_record.is_record_through_year IS 'True when no earlier year (since first_year) had higher exports: a record at the time.';
COMMENT ON COLUMN metrics.jp_exports_record.is_highest_as_of IS 'True when no year loaded (earlier or later) had higher exports.';
COMMENT ON COLUMN metrics.jp_exports_record.higher_year IS 'First later year with higher exports, if any (it ended the record).';
COMMENT ON COLUMN metrics.jp_exports_record.higher_exports_jpy IS 'That year''s exports, yen (JPY).';

-- 7. US imports of passenger cars by country, ranked -----------------------------------------
CREATE FUNCTION metrics.us_car_imports_by_country_at(as_of date, only_stage text DEFAULT NULL)
RETURNS TABLE (dataset text, classification text, commodity_code text, commodity_label text, series text, basis text,
               frequency text, year int, period text, partner text, partner_source_code text, partner_name text,
               partner_kind text, value_usd numeric, rank int, rank_is_certain boolean, world_value_usd numeric,
               share_of_world_pct numeric, release_id bigint, published_on date, stage text, file_name text)
LANGUAGE sql STABLE AS $$
  WITH cars AS (
    SELECT o.* FROM metrics.observation_at(as_of, only_stage, ARRAY['census.api']) o
    JOIN ref.commodity_group g ON g.group_id = 'passenger_cars' AND g.classification = split_part(o.classification, ':', 1)
                              AND g.code = o.commodity_code AND g.flow IN ('import', 'any')
    WHERE o.dataset = 'census.api' AND o.reporter = 'US' AND o.flow = 'import' AND o.measure = 'value'
      AND o.unit = 'USD' AND o.frequency IN ('A', 'YTD', 'M')
      -- The same codes once more, as an array: a join cannot reach into observation_at's UNION
      -- ALL, a condition on a value can, so the few car series are found first and their facts
      -- through the index (the full Census file loaded: 4.6 s → 0.06 s).
      AND o.commodity_code = ANY (ARRAY(SELECT g.code FROM ref.commodity_group g WHERE g.group_id = 'passenger_cars' AND g.flow IN ('import', 'any')))
  )
  SELECT c.dataset, c.classification, c.commodity_code, c.commodity_label,
         c.classification || ' ' || c.commodity_code || CASE WHEN c.classification LIKE '%:con' THEN ' (imports for consumption)' ELSE ' (general imports)' END,
         c.basis, c.frequency, substr(c.period, 1, 4)::int, c.period, c.partner, c.partner_source_code,
         metrics.partner_name(c.partner), metrics.partner_kind(c.partner), c.value,
         CASE WHEN metrics.partner_kind(c.partner) = 'country' THEN
           (rank() OVER (PARTITION BY c.dataset, c.classification, c.commodity_code, c.frequency, c.period,
                                      metrics.partner_kind(c.partner) = 'country'
                         ORDER BY c.value DESC))::int END,
         -- A rank is certain when the countries missing from the answer (world total minus the
         -- countries loaded) add up to less than this country: none of them can be above it.
         CASE WHEN metrics.partner_kind(c.partner) = 'country' THEN
           coalesce(c.value >= w.value - sum(c.value) FILTER (WHERE metrics.partner_kind(c.partner) = 'country')
                      OVER (PARTITION BY c.dataset, c.classification, c.commodity_code, c.frequency, c.period), false) END,
         w.value,
         CASE WHEN w.value > 0 THEN round(c.value / w.value * 100, 4) END,
         c.release_id, c.published_on, c.stage, c.file_name
  FROM cars c
  LEFT JOIN cars w ON w.partner = 'WORLD' AND w.dataset = c.dataset AND w.classification = c.classification
                  AND w.commodity_code = c.commodity_code AND w.frequency = c.frequency AND w.period = c.period
$$;
COMMENT ON FUNCTION metrics.us_car_imports_by_country_at(date, text) IS 'US imports of passenger cars by country (end-use 30000 and HS 8703, general imports and imports for consumption kept apart), ranked among countries, as published on a date (NULL = current).';

CREATE VIEW metrics.us_car_imports_by_country AS SELECT * FROM metrics.us_car_imports_by_country_at(NULL);
COMMENT ON VIEW metrics.us_car_imports_by_country IS 'US imports of passenger cars by partner (census.api): one series per classification and basis — census_enduse 30000 "Passenger cars, new and used" or hs4 8703; general imports, or imports for consumption (classification suffix :con). Aggregates (WORLD, census:… groupings) are listed but not ranked. Current vintage.';
COMMENT ON COLUMN metrics.us_car_imports_by_country.series IS 'Which series: classification, code and basis in words; claims pin one.';
COMMENT ON COLUMN metrics.us_car_imports_by_country.year IS 'Calendar year of the period.';
COMMENT ON COLUMN metrics.us_car_imports_by_country.partner_source_code IS 'Census Schedule C code as in the answer (5880 Japan, 2010 Mexico, - total).';
COMMENT ON COLUMN metrics.us_car_imports_by_country.partner_name IS 'English name of the partner.';
COMMENT ON COLUMN metrics.us_car_imports_by_country.partner_kind IS 'country, world or grouping; only countries are ranked.';
COMMENT ON COLUMN metrics.us_car_imports_by_country.value_usd IS 'Customs value of imports, US dollars (USD).';
COMMENT ON COLUMN metrics.us_car_imports_by_country.rank IS 'Rank by value among countries of the same series and period (1 = largest); NULL for aggregates. Only the countries in the loaded answer are ranked.';
COMMENT ON COLUMN metrics.us_car_imports_by_country.rank_is_certain IS 'True when the rank cannot change with countries missing from the loaded answer: the world total minus the loaded countries is not more than this country''s value. False without a world total (e.g. an answer for one country).';
COMMENT ON COLUMN metrics.us_car_imports_by_country.world_value_usd IS 'Total for all countries of the same series and period, US dollars (USD).';
COMMENT ON COLUMN metrics.us_car_imports_by_country.share_of_world_pct IS 'value_usd / world_value_usd × 100, percent (PCT).';

-- 8. US goods balance with each partner by calendar year --------------------------------------
CREATE FUNCTION metrics.us_goods_balance_by_partner_at(as_of date, only_stage text DEFAULT NULL)
RETURNS TABLE (dataset text, classification text, reporter text, partner text, partner_name text, partner_kind text,
               year int, period text, export_usd numeric, import_usd numeric, balance_usd numeric,
               export_basis text, import_basis text, release_id bigint, published_on date, stage text, file_name text)
LANGUAGE sql STABLE AS $$
  SELECT o.dataset, o.classification, 'US'::text, o.partner, metrics.partner_name(o.partner), metrics.partner_kind(o.partner),
         o.period::int, o.period,
         max(o.value) FILTER (WHERE o.flow = 'export'),
         max(o.value) FILTER (WHERE o.flow = 'import'),
         max(o.value) FILTER (WHERE o.flow = 'export') - max(o.value) FILTER (WHERE o.flow = 'import'),
         max(o.basis) FILTER (WHERE o.flow = 'export'),
         max(o.basis) FILTER (WHERE o.flow = 'import'),
         (array_agg(o.release_id ORDER BY o.published_on DESC, o.release_id DESC))[1],
         max(o.published_on),
         (array_agg(o.stage ORDER BY o.published_on DESC, o.release_id DESC))[1],
         (array_agg(o.file_name ORDER BY o.published_on DESC, o.release_id DESC))[1]
  FROM metrics.observation_at(as_of, only_stage, ARRAY['census.country', 'census.api']) o
  WHERE o.reporter = 'US' AND o.dataset IN ('census.country', 'census.api') AND o.classification = 'total'
    AND o.commodity_code = 'TOTAL' AND o.measure = 'value' AND o.unit = 'USD' AND o.frequency = 'A'
    AND o.flow IN ('export', 'import')
  GROUP BY o.dataset, o.classification, o.partner, o.period
$$;
COMMENT ON FUNCTION metrics.us_goods_balance_by_partner_at(date, text) IS 'US goods exports, general imports and balance with each partner by calendar year, as published on a date (NULL = current).';

CREATE VIEW metrics.us_goods_balance_by_partner AS SELECT * FROM metrics.us_goods_balance_by_partner_at(NULL);
COMMENT ON VIEW metrics.us_goods_balance_by_partner IS 'US goods trade with each partner by calendar year (census.country and census.api, each its own row): total exports (f.a.s.), general imports (customs value) and the balance; current vintage. A negative balance is a US deficit.';
COMMENT ON COLUMN metrics.us_goods_balance_by_partner.partner_name IS 'English name of the partner.';
COMMENT ON COLUMN metrics.us_goods_balance_by_partner.partner_kind IS 'country, world or grouping.';
COMMENT ON COLUMN metrics.us_goods_balance_by_partner.year IS 'Calendar year.';
COMMENT ON COLUMN metrics.us_goods_balance_by_partner.export_usd IS 'US exports to the partner, US dollars (USD).';
COMMENT ON COLUMN metrics.us_goods_balance_by_partner.import_usd IS 'US general imports from the partner, US dollars (USD).';
COMMENT ON COLUMN metrics.us_goods_balance_by_partner.balance_usd IS 'export_usd − import_usd, US dollars (USD); negative = US deficit with the partner.';
COMMENT ON COLUMN metrics.us_goods_balance_by_partner.export_basis IS 'Valuation of exports (f.a.s.).';
COMMENT ON COLUMN metrics.us_goods_balance_by_partner.import_basis IS 'Valuation of imports (general imports, customs value).';

-- 9. The metrics above in USD, JPY and CNY -------------------------------------------------
-- Conversion follows the fx policy of sql/repeatable/20_fx.sql: a calendar year at the year's average
-- rate, a fiscal year at the mean of its 12 monthly rates (fx.usd_period), cross rates through
-- the dollar. Rates are Federal Reserve H.10 noon rates, not MOF's customs rates.
CREATE FUNCTION metrics.convert_period(amount numeric, from_ccy text, to_ccy text, freq text, per text)
RETURNS TABLE (converted numeric, rate numeric, rate_series text, rate_dataset text, rate_basis text, rate_period text)
LANGUAGE sql STABLE AS $$
  SELECT amount * fx.pair_rate(from_ccy, b.rate, b.inverted, to_ccy, q.rate, q.inverted),
         fx.pair_rate(from_ccy, b.rate, b.inverted, to_ccy, q.rate, q.inverted),
         fx.pair_series(from_ccy, b.series, b.inverted, to_ccy, q.series, q.inverted),
         CASE WHEN from_ccy = to_ccy THEN NULL
              WHEN b.dataset IS NULL THEN q.dataset
              WHEN q.dataset IS NULL OR q.dataset = b.dataset THEN b.dataset
              ELSE b.dataset || '+' || q.dataset END,
         CASE WHEN from_ccy = to_ccy THEN 'same currency'
              ELSE concat_ws('; ', q.currency || ': ' || q.rate_basis, b.currency || ': ' || b.rate_basis) END,
         CASE WHEN from_ccy = to_ccy THEN NULL ELSE coalesce(q.period_used, b.period_used) END
  FROM (SELECT 1) AS one
  LEFT JOIN fx.usd_period b ON from_ccy <> 'USD' AND b.currency = from_ccy AND b.frequency = freq AND b.period = per
  LEFT JOIN fx.usd_period q ON to_ccy <> 'USD' AND q.currency = to_ccy AND q.frequency = freq AND q.period = per
$$;
COMMENT ON FUNCTION metrics.convert_period(numeric, text, text, text, text) IS 'Converts an amount for a period (frequency M, A, FY, H, YTD and its period) from one currency to another at the period''s rate of fx.usd_period; returns the converted amount (NULL without a rate), rate, series formula, dataset, how the rate was formed and the months it covers. Example: SELECT * FROM metrics.convert_period(107091300000000, ''JPY'', ''USD'', ''A'', ''2024'').';

CREATE VIEW metrics.annual_converted AS
WITH v AS (
  SELECT 'jp_trade_annual'::text AS metric, t.dataset, t.classification, t.reporter, t.partner,
         t.flow AS figure, t.year_kind, CASE t.year_kind WHEN 'calendar' THEN 'A' ELSE 'FY' END AS frequency,
         t.period, t.value_jpy AS value, 'JPY'::text AS currency, t.release_id, t.published_on, t.stage
  FROM metrics.jp_trade_annual t
  UNION ALL
  SELECT 'jp_trade_by_partner', p.dataset, p.classification, p.reporter, p.partner, f.figure, p.year_kind,
         CASE p.year_kind WHEN 'calendar' THEN 'A' ELSE 'FY' END, p.period, f.value, 'JPY', p.release_id, p.published_on, p.stage
  FROM metrics.jp_trade_by_partner p
  CROSS JOIN LATERAL (VALUES ('export', p.export_jpy), ('import', p.import_jpy), ('balance', p.balance_jpy)) AS f(figure, value)
  WHERE f.value IS NOT NULL
  UNION ALL
  SELECT 'us_goods_balance_by_partner', u.dataset, u.classification, u.reporter, u.partner, f.figure, 'calendar', 'A',
         u.period, f.value, 'USD', u.release_id, u.published_on, u.stage
  FROM metrics.us_goods_balance_by_partner u
  CROSS JOIN LATERAL (VALUES ('export', u.export_usd), ('import', u.import_usd), ('balance', u.balance_usd)) AS f(figure, value)
  WHERE f.value IS NOT NULL
  UNION ALL
  SELECT 'us_car_imports_by_country', c.dataset, c.classification, 'US', c.partner, 'import ' || c.series, 'calendar', 'A',
         c.period, c.value_usd, 'USD', c.release_id, c.published_on, c.stage
  FROM metrics.us_car_imports_by_country c
  WHERE c.frequency = 'A'
),
-- The period rates once for all rows (fx.usd_period aggregates every daily rate; evaluating it
-- per row would be very slow).
p AS MATERIALIZED (
  SELECT u.* FROM fx.usd_period u WHERE u.frequency IN ('A', 'FY')
),
x AS (
  SELECT v.*, t.to_currency,
         fx.pair_rate(v.currency, b.rate, b.inverted, t.to_currency, q.rate, q.inverted) AS rate,
         fx.pair_series(v.currency, b.series, b.inverted, t.to_currency, q.series, q.inverted) AS rate_series,
         CASE WHEN v.currency = t.to_currency THEN NULL
              WHEN b.dataset IS NULL THEN q.dataset
              WHEN q.dataset IS NULL OR q.dataset = b.dataset THEN b.dataset
              ELSE b.dataset || '+' || q.dataset END AS rate_dataset,
         CASE WHEN v.currency = t.to_currency THEN 'same currency'
              ELSE concat_ws('; ', q.currency || ': ' || q.rate_basis, b.currency || ': ' || b.rate_basis) END AS rate_basis,
         CASE WHEN v.currency = t.to_currency THEN NULL ELSE coalesce(q.period_used, b.period_used) END AS rate_period
  FROM v
  CROSS JOIN (VALUES ('USD'), ('JPY'), ('CNY')) AS t(to_currency)
  LEFT JOIN p b ON v.currency <> 'USD' AND b.currency = v.currency AND b.frequency = v.frequency AND b.period = v.period
  LEFT JOIN p q ON t.to_currency <> 'USD' AND q.currency = t.to_currency AND q.frequency = v.frequency AND q.period = v.period
)
SELECT x.metric, x.dataset, x.classification, x.reporter, x.partner, x.figure, x.year_kind, x.frequency, x.period,
       x.value, x.currency, x.to_currency, x.value * x.rate AS converted_value, x.rate, x.rate_series, x.rate_dataset,
       x.rate_basis, x.rate_period, x.release_id, x.published_on, x.stage
FROM x;
COMMENT ON VIEW metrics.annual_converted IS 'The annual metrics (metrics.jp_trade_annual, jp_trade_by_partner, us_goods_balance_by_partner, us_car_imports_by_country) in USD, JPY and CNY, one row per figure and target currency. Calendar years at the Federal Reserve H.10 annual average, fiscal years at the mean of their 12 monthly rates, cross rates through the dollar (sql/repeatable/20_fx.sql). converted_value is NULL where the rates of the period are not loaded.';
COMMENT ON COLUMN metrics.annual_converted.metric IS 'The metrics view the figure comes from.';
COMMENT ON COLUMN metrics.annual_converted.figure IS 'Which figure of that row: export, import, balance, or import <series> for car imports.';
COMMENT ON COLUMN metrics.annual_converted.value IS 'The figure in its own currency (see currency), base units.';
COMMENT ON COLUMN metrics.annual_converted.currency IS 'Currency of value: JPY (MOF) or USD (Census).';
COMMENT ON COLUMN metrics.annual_converted.to_currency IS 'Currency converted to: USD, JPY or CNY.';
COMMENT ON COLUMN metrics.annual_converted.converted_value IS 'value × rate, in to_currency (base units, full precision); NULL without a rate for the period.';
COMMENT ON COLUMN metrics.annual_converted.rate IS 'Units of to_currency per one unit of currency for the period (1 for the same currency).';
COMMENT ON COLUMN metrics.annual_converted.rate_series IS 'Series formula of the rate (RXI_N.B.JA, 1/RXI_N.B.JA, RXI_N.B.CH / RXI_N.B.JA); identity for the same currency.';
COMMENT ON COLUMN metrics.annual_converted.rate_dataset IS 'Dataset(s) of the rate: frb.h10, frb.fred.';
COMMENT ON COLUMN metrics.annual_converted.rate_basis IS 'How the period rate was formed per currency leg (mean of N daily rates, published annual average, mean of 12 monthly rates).';
COMMENT ON COLUMN metrics.annual_converted.rate_period IS 'The year or months the rate covers (2024, 2024-04..2025-03).';

-- Columns that mean the same in every metrics view get the same comment. Applied only where a
-- view column has none yet, so the specific comments above win.
DO $$
DECLARE
  r record;
  common constant jsonb := jsonb_build_object(
    'dataset', 'Dataset the figure comes from (mof.press, mof.timeseries, mof.hs_country, census.api, census.country).',
    'classification', 'Commodity classification of the figure (total, mof_pc_label, hs9, census_enduse, hs4; suffix :con = imports for consumption).',
    'reporter', 'Reporting country (ISO alpha-2): JP for MOF, US for Census.',
    'partner', 'Partner: ISO alpha-2 country, WORLD, or <scheme>:<code> for regions and groupings.',
    'flow', 'export, import or balance, from the reporter''s side.',
    'frequency', 'Frequency of the period: M month, A calendar year, FY fiscal year (April–March), H half year, YTD year to date.',
    'year_kind', 'calendar (January–December, frequency A) or fiscal (April–March, frequency FY); never combined.',
    'year', 'The year: calendar year, or the fiscal year''s starting year (FY2024 = April 2024–March 2025).',
    'period', 'Period as in trade.observation: 2024 (calendar year), FY2024 (fiscal year), 2024-12 (month).',
    'commodity_code', 'Commodity code (text).',
    'commodity_label', 'The source''s commodity label.',
    'basis', 'Valuation basis as the source states it (general imports, imports for consumption, f.a.s., FOB, CIF).',
    'release_id', 'Release (etl.release id) the figure comes from; for a figure built from several releases, the newest of them.',
    'published_on', 'Publication date of that release (the vintage).',
    'stage', 'Revision stage of that release: preliminary, revised or final. A figure combining rows of one scope takes the stage of the newest release, which republished the whole scope (rows it left unchanged keep their older release id).',
    'source_stage', 'The publisher''s own stage wording (Provisional, Revised, Fixed…).',
    'file_name', 'File of that release.');
BEGIN
  -- A view that only filters another view takes its columns' comments.
  FOR r IN
    SELECT a.attname, col_description('metrics.jp_principal_commodity'::regclass, b.attnum) AS comment
    FROM pg_attribute a
    JOIN pg_attribute b ON b.attrelid = 'metrics.jp_principal_commodity'::regclass AND b.attname = a.attname
    WHERE a.attrelid = 'metrics.jp_exports_to_us_by_commodity'::regclass AND a.attnum > 0 AND NOT a.attisdropped
      AND col_description('metrics.jp_principal_commodity'::regclass, b.attnum) IS NOT NULL
  LOOP
    EXECUTE format('COMMENT ON COLUMN metrics.jp_exports_to_us_by_commodity.%I IS %L', r.attname, r.comment);
  END LOOP;
  FOR r IN
    SELECT c.relname, a.attname
    FROM pg_class c
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
    WHERE c.relnamespace = 'metrics'::regnamespace AND c.relkind = 'v'
      AND col_description(c.oid, a.attnum) IS NULL AND common ? a.attname
  LOOP
    EXECUTE format('COMMENT ON COLUMN metrics.%I.%I IS %L', r.relname, r.attname, common ->> r.attname);
  END LOOP;
END
$$;
