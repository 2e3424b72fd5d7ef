-- Repeatable SQL (docs/migrations.md): the current definition of these views and functions.
-- migrate drops and re-creates every object of sql/repeatable/ when a file here or a versioned
-- migration changed; edit in place, never copy into a numbered migration.

-- The article's claims (CLAIMS.md) and their check against loaded data.
--
-- metrics.claim holds what the ARTICLE says (its values, wording, attribution) and how to
-- check it (comparison, tolerance, which metric and which pinned series). Official figures are
-- never stored here: metrics.claim_value_at computes them from loaded observations through the
-- metrics views, and metrics.claim_check_as_of compares the two.
--
-- Rounding rule: a computed value is rounded to the article's precision (the number of
-- decimals the article wrote, kept as the scale of article_value: 107.9 → 1, 8.64 → 2,
-- 2.30 → 2) before the comparison; then |rounded − article| ≤ tolerance. So 107.09 trn
-- (→ 107.1) differs from 107.9, and 8.6418 trn (→ 8.64) matches 8.64. Tolerance is 0 for a
-- figure the article states exactly; for approximate wording ("about", "≈") the registry
-- gives a tolerance and says why in tolerance_note. 'greater than' compares the unrounded
-- value with the threshold (strictly greater); 'true' checks a statement (a flag).
-- The claims themselves are rows of metrics.claim (a table: sql/021_claims.sql, sql/061_auto_tariff_claim.sql).

-- Computed values per trade and exchange-rate claim -------------------------------------------------------------------
-- One query per covered claim; each reads its parameters (period, partner, pinned series,
-- stage) from metrics.claim, so no official figure is written here. A claim whose data is not
-- loaded yields no row. PL/pgSQL so that each query is planned on its own: as one SQL UNION ALL,
-- inlined into the check, the planner held the working memory of every branch at once — 34 MB
-- of the embedded database's heap for 19 rows, which stays in the process (docs/performance.md).
CREATE FUNCTION metrics.claim_value_trade_at(as_of date)
RETURNS TABLE (claim_id text, computed_value numeric, secondary_computed numeric, flag boolean,
               dataset text, classification text, release_id bigint, published_on date, stage text,
               release_ids bigint[], note text)
-- No JIT: a claim's query is small, but its LATERAL calls make the server's estimate large, and
-- compiling one of them took 2.6 s (on a database holding the full Census file) for 2 rows.
LANGUAGE plpgsql STABLE SET jit = off AS $$
BEGIN
  -- Japan's exports in a year (as published by the cited stage), with growth.
  RETURN QUERY
  WITH c AS (SELECT cl.*, ARRAY(SELECT jsonb_array_elements_text(cl.series -> 'datasets')) AS datasets FROM metrics.claim cl WHERE cl.covered)
  SELECT c.id, t.value_jpy / c.unit_factor, coalesce(t.growth_pct, t.published_growth_pct), NULL::boolean,
         t.dataset, 'total'::text, t.release_id, t.published_on, t.stage, ARRAY[t.release_id],
         format('%s %s (%s, %s): exports %s trn ¥; y/y %s%%%s%s',
                t.dataset, t.file_name, coalesce(t.stage, 'stage unknown'), t.published_on,
                round(t.value_jpy / 1e12, 4),
                round(coalesce(t.growth_pct, t.published_growth_pct), 2),
                CASE WHEN t.growth_pct IS NOT NULL THEN format(' computed against %s''s newest vintage (release %s)', t.year - 1, t.prev_release_id)
                     ELSE ' as MOF printed it (the previous year of this dataset is not loaded)' END,
                (SELECT format('. Newest vintage: %s trn ¥ (%s %s, %s, %s)', round(n.value_jpy / 1e12, 4), n.dataset, n.file_name, n.stage, n.published_on)
                 FROM metrics.jp_trade_annual_at(as_of) n
                 WHERE c.vintage_stage IS NOT NULL AND n.dataset = t.dataset AND n.method = t.method AND n.flow = t.flow
                   AND n.year_kind = t.year_kind AND n.period = t.period AND n.release_id <> t.release_id))
  FROM c
  CROSS JOIN LATERAL (
    SELECT a.* FROM metrics.jp_trade_annual_at(as_of, c.vintage_stage) a
    WHERE a.flow = c.series ->> 'flow' AND a.year_kind = c.year_kind AND a.period = c.period AND a.dataset = ANY (c.datasets)
    ORDER BY array_position(c.datasets, a.dataset), (a.method = 'published annual figure') DESC
    LIMIT 1) t
  WHERE c.id = 'jp_exports_2024';
  -- Exports above a threshold in each of several years: the smallest of them.
  RETURN QUERY
  WITH c AS (SELECT cl.*, ARRAY(SELECT jsonb_array_elements_text(cl.series -> 'datasets')) AS datasets FROM metrics.claim cl WHERE cl.covered)
  SELECT c.id, min(y.value_jpy) / c.unit_factor, NULL::numeric, NULL::boolean,
         string_agg(DISTINCT y.dataset, '+'), 'total', (array_agg(y.release_id ORDER BY y.published_on DESC))[1],
         max(y.published_on), (array_agg(y.stage ORDER BY y.published_on DESC, y.release_id DESC))[1],
         array_agg(DISTINCT y.release_id),
         string_agg(format('%s: %s trn ¥ (%s, %s, release %s)', y.period, round(y.value_jpy / 1e12, 4), y.dataset, y.method, y.release_id), '; ' ORDER BY y.period)
  FROM c
  CROSS JOIN LATERAL jsonb_array_elements_text(c.series -> 'years') AS yr(year)
  CROSS JOIN LATERAL (
    SELECT a.* FROM metrics.jp_trade_annual_at(as_of, c.vintage_stage) a
    WHERE a.flow = c.series ->> 'flow' AND a.year_kind = c.year_kind AND a.year = yr.year::int AND a.dataset = ANY (c.datasets)
    ORDER BY array_position(c.datasets, a.dataset), (a.method = 'published annual figure') DESC
    LIMIT 1) y
  WHERE c.id = 'jp_exports_over_100trn_two_years'
  GROUP BY c.id, c.unit_factor, c.series
  HAVING count(*) = jsonb_array_length(c.series -> 'years');
  -- Record since a year: at its own time (current figures) or among all years published by as_of.
  RETURN QUERY
  WITH c AS (SELECT cl.*, ARRAY(SELECT jsonb_array_elements_text(cl.series -> 'datasets')) AS datasets FROM metrics.claim cl WHERE cl.covered)
  SELECT c.id, r.exports_jpy / c.unit_factor, NULL::numeric,
         CASE WHEN as_of IS NULL THEN r.is_record_through_year ELSE r.is_highest_as_of END,
         r.dataset, 'total', r.release_id, r.published_on, r.stage, ARRAY[r.release_id],
         format('%s exports %s trn ¥ (%s, %s); %s of %s complete years %s–%s loaded%s',
                r.year, round(r.exports_jpy / 1e12, 4), r.dataset, r.method,
                CASE WHEN r.is_record_through_year THEN 'highest up to then' ELSE 'not the highest up to then' END,
                r.years, r.first_year, r.last_year,
                CASE WHEN r.higher_year IS NOT NULL
                     THEN format('; %s was higher (%s trn ¥), so %s is no longer the record %s', r.higher_year, round(r.higher_exports_jpy / 1e12, 4), r.year,
                                 CASE WHEN as_of IS NULL THEN 'in today''s data (without --as-of the claim is judged at its own time)' ELSE 'as of ' || as_of END)
                     ELSE '' END)
  FROM c
  JOIN metrics.jp_exports_record_at(as_of) r ON r.year = c.period::int
  WHERE c.id = 'jp_exports_record_since_1979' AND r.first_year <= (c.series ->> 'since')::int;
  -- Imports vs exports in a year (same dataset and method for both).
  RETURN QUERY
  WITH c AS (SELECT cl.*, ARRAY(SELECT jsonb_array_elements_text(cl.series -> 'datasets')) AS datasets FROM metrics.claim cl WHERE cl.covered)
  SELECT c.id, t.value_jpy / c.unit_factor, coalesce(t.growth_pct, t.published_growth_pct), t.value_jpy > t.export_jpy,
         t.dataset, 'total', t.release_id, t.published_on, t.stage, ARRAY[t.release_id, t.export_release_id],
         format('%s %s: imports %s trn ¥ (y/y %s%%), exports %s trn ¥, balance %s trn ¥',
                t.dataset, t.method, round(t.value_jpy / 1e12, 4), coalesce(round(coalesce(t.growth_pct, t.published_growth_pct), 2)::text, '?'),
                round(t.export_jpy / 1e12, 4), round((t.export_jpy - t.value_jpy) / 1e12, 4))
  FROM c
  CROSS JOIN LATERAL (
    SELECT i.*, e.value_jpy AS export_jpy, e.release_id AS export_release_id
    FROM metrics.jp_trade_annual_at(as_of, c.vintage_stage) i
    JOIN metrics.jp_trade_annual_at(as_of, c.vintage_stage) e
      ON e.dataset = i.dataset AND e.method = i.method AND e.year_kind = i.year_kind AND e.period = i.period AND e.flow = 'export'
    WHERE i.flow = 'import' AND i.year_kind = c.year_kind AND i.period = c.period AND i.dataset = ANY (c.datasets)
    ORDER BY array_position(c.datasets, i.dataset), (i.method = 'published annual figure') DESC
    LIMIT 1) t
  WHERE c.id = 'jp_imports_2024';
  -- Japan's balance with a partner.
  RETURN QUERY
  WITH c AS (SELECT cl.*, ARRAY(SELECT jsonb_array_elements_text(cl.series -> 'datasets')) AS datasets FROM metrics.claim cl WHERE cl.covered)
  SELECT c.id, coalesce(p.balance_jpy, p.balance_computed_jpy) / c.unit_factor, NULL::numeric, NULL::boolean,
         p.dataset, p.classification, p.release_id, p.published_on, p.stage, ARRAY[p.release_id],
         format('%s %s (%s, %s): exports to %s %s, imports %s, balance %s trn ¥%s',
                p.dataset, p.file_name, coalesce(p.stage, 'stage unknown'), p.published_on, p.partner_name,
                round(p.export_jpy / 1e12, 4), round(p.import_jpy / 1e12, 4), round(coalesce(p.balance_jpy, p.balance_computed_jpy) / 1e12, 4),
                (SELECT format('. Newest vintage: %s trn ¥ (%s, %s, %s)', round(coalesce(n.balance_jpy, n.balance_computed_jpy) / 1e12, 4), n.file_name, n.stage, n.published_on)
                 FROM metrics.jp_trade_by_partner_at(as_of) n
                 WHERE c.vintage_stage IS NOT NULL AND n.dataset = p.dataset AND n.partner = p.partner AND n.year_kind = p.year_kind
                   AND n.period = p.period AND n.release_id <> p.release_id))
  FROM c
  CROSS JOIN LATERAL (
    SELECT b.* FROM metrics.jp_trade_by_partner_at(as_of, c.vintage_stage) b
    WHERE b.partner = c.series ->> 'partner' AND b.year_kind = c.year_kind AND b.period = c.period AND b.dataset = ANY (c.datasets)
      AND coalesce(b.balance_jpy, b.balance_computed_jpy) IS NOT NULL
    ORDER BY array_position(c.datasets, b.dataset)
    LIMIT 1) p
  WHERE c.id = 'jp_us_surplus_2024';
  -- Share of automobiles (and of automobiles + parts) in exports to a partner.
  RETURN QUERY
  WITH c AS (SELECT cl.*, ARRAY(SELECT jsonb_array_elements_text(cl.series -> 'datasets')) AS datasets FROM metrics.claim cl WHERE cl.covered)
  SELECT c.id, CASE c.id WHEN 'jp_autos_share_of_us_exports' THEN s.autos_share_pct ELSE s.autos_parts_share_pct END, NULL::numeric, NULL::boolean,
         s.dataset, s.classification, s.release_id, s.published_on, s.stage, ARRAY[s.release_id],
         format('%s %s (%s, %s), exports to %s: MOTOR VEHICLES %s trn ¥, PARTS OF MOTOR VEHICLES %s trn ¥, all goods %s trn ¥; shares computed %s%% / %s%% (autos / autos + parts), printed by MOF %s%% / %s%%',
                s.dataset, s.file_name, coalesce(s.stage, 'stage unknown'), s.published_on, s.partner_name,
                round(s.motor_vehicles_jpy / 1e12, 4), round(s.auto_parts_jpy / 1e12, 4), round(s.total_exports_jpy / 1e12, 4),
                round(s.autos_share_pct, 2), round(s.autos_parts_share_pct, 2), s.autos_share_pct_published, s.autos_parts_share_pct_published)
  FROM c
  CROSS JOIN LATERAL (
    SELECT a.* FROM metrics.jp_auto_export_share_at(as_of, c.vintage_stage) a
    WHERE a.partner = c.series ->> 'partner' AND a.year_kind = c.year_kind AND a.period = c.period AND a.dataset = ANY (c.datasets)
      AND CASE c.id WHEN 'jp_autos_share_of_us_exports' THEN a.autos_share_pct ELSE a.autos_parts_share_pct END IS NOT NULL
    ORDER BY array_position(c.datasets, a.dataset)
    LIMIT 1) s
  WHERE c.id IN ('jp_autos_share_of_us_exports', 'jp_autos_parts_share_over_third');
  -- Passenger cars exported to a partner: units, or their share of all destinations.
  RETURN QUERY
  WITH c AS (SELECT cl.*, ARRAY(SELECT jsonb_array_elements_text(cl.series -> 'datasets')) AS datasets FROM metrics.claim cl WHERE cl.covered)
  SELECT c.id, CASE c.id WHEN 'jp_car_units_to_us' THEN u.units / c.unit_factor ELSE u.share_pct END, NULL::numeric, NULL::boolean,
         u.dataset, u.classification, u.release_id, u.published_on, u.stage, ARRAY[u.release_id],
         format('%s %s (%s lines%s): %s cars to %s of %s to all destinations (%s) = %s%%',
                u.dataset, u.file_name, u.codes, CASE WHEN u.is_assumption THEN ', HS 8703 taken as passenger cars (an assumption, see ref.commodity_group)' ELSE '' END,
                u.units, u.partner_name, coalesce(u.world_units::text, '?'), coalesce(u.world_basis, 'no world figure'),
                coalesce(round(u.share_pct, 2)::text, '?'))
  FROM c
  CROSS JOIN LATERAL (
    SELECT a.* FROM metrics.jp_car_export_units_at(as_of, c.vintage_stage) a
    WHERE a.partner = c.series ->> 'partner' AND a.group_id = c.series ->> 'group' AND a.year_kind = c.year_kind
      AND a.period = c.period AND a.dataset = ANY (c.datasets)
      AND (c.id = 'jp_car_units_to_us' OR a.share_pct IS NOT NULL)
    ORDER BY array_position(c.datasets, a.dataset)
    LIMIT 1) u
  WHERE c.id IN ('jp_car_units_to_us', 'jp_car_units_share');
  -- US imports of passenger cars from a country, in the pinned series, with its rank.
  RETURN QUERY
  WITH c AS (SELECT cl.*, ARRAY(SELECT jsonb_array_elements_text(cl.series -> 'datasets')) AS datasets FROM metrics.claim cl WHERE cl.covered),
  -- Read once: the row, its country count and the other series all come from it.
  cars AS MATERIALIZED (SELECT * FROM metrics.us_car_imports_by_country_at(as_of))
  SELECT c.id, v.value_usd / c.unit_factor, (CASE WHEN v.rank_is_certain THEN v.rank END)::numeric, NULL::boolean,
         v.dataset, v.classification, v.release_id, v.published_on, v.stage, ARRAY[v.release_id],
         format('%s %s, %s, %s: %s %s bn $, rank %s%s of %s countries loaded, %s%% of all countries (%s bn $)%s',
                v.dataset, v.file_name, v.series, v.period, v.partner_name, round(v.value_usd / 1e9, 3),
                v.rank, CASE WHEN v.rank_is_certain THEN '' ELSE ' (not certain: the answer does not list enough countries)' END,
                (SELECT count(*) FROM cars k
                 WHERE k.dataset = v.dataset AND k.classification = v.classification AND k.commodity_code = v.commodity_code
                   AND k.period = v.period AND k.partner_kind = 'country'),
                coalesce(round(v.share_of_world_pct, 1)::text, '?'), coalesce(round(v.world_value_usd / 1e9, 3)::text, '?'),
                coalesce((SELECT '. Other series: ' || string_agg(format('%s %s bn $', o.series, round(o.value_usd / 1e9, 3)), '; ')
                          FROM cars o
                          WHERE o.partner = v.partner AND o.period = v.period AND o.frequency = v.frequency
                            AND (o.classification, o.commodity_code) IS DISTINCT FROM (v.classification, v.commodity_code)), ''))
  FROM c
  JOIN cars v
    ON v.dataset = c.series ->> 'dataset' AND v.classification = c.series ->> 'classification'
   AND v.commodity_code = c.series ->> 'commodity_code' AND v.partner = c.series ->> 'partner'
   AND v.frequency = 'A' AND v.period = c.period
  WHERE c.id IN ('us_car_imports_mexico', 'us_car_imports_japan');
  -- The US goods deficit with a partner (minus the balance).
  RETURN QUERY
  WITH c AS (SELECT cl.*, ARRAY(SELECT jsonb_array_elements_text(cl.series -> 'datasets')) AS datasets FROM metrics.claim cl WHERE cl.covered)
  SELECT c.id, -b.balance_usd / c.unit_factor, NULL::numeric, NULL::boolean,
         b.dataset, b.classification, b.release_id, b.published_on, b.stage, ARRAY[b.release_id],
         format('%s %s (published %s): US exports to %s %s bn $, general imports %s bn $, balance %s bn $',
                b.dataset, b.file_name, b.published_on, b.partner_name, round(b.export_usd / 1e9, 3), round(b.import_usd / 1e9, 3),
                round(b.balance_usd / 1e9, 3))
  FROM c
  CROSS JOIN LATERAL (
    SELECT g.* FROM metrics.us_goods_balance_by_partner_at(as_of) g
    WHERE g.partner = c.series ->> 'partner' AND g.period = c.period AND g.dataset = ANY (c.datasets) AND g.balance_usd IS NOT NULL
    ORDER BY array_position(c.datasets, g.dataset)
    LIMIT 1) b
  WHERE c.id = 'us_deficit_with_japan';
  -- An article amount converted at the exchange rate of the article's date. Exchange rates are
  -- not revised, so the current fx vintage serves every as_of.
  RETURN QUERY
  WITH c AS (SELECT cl.*, ARRAY(SELECT jsonb_array_elements_text(cl.series -> 'datasets')) AS datasets FROM metrics.claim cl WHERE cl.covered)
  SELECT c.id, d.amount, NULL::numeric, NULL::boolean,
         d.dataset, NULL::text, rel.ids[1], rel.published_on, NULL::text, rel.ids,
         format('%s %s at %s %s per %s (%s, %s, %s) = %s %s',
                c.input_value, c.input_unit, round(1 / d.rate, 4), c.series ->> 'from', c.series ->> 'to',
                d.series, d.dataset, d.note, round(d.amount, 4), c.unit)
  FROM c
  CROSS JOIN LATERAL fx.convert_detail(c.input_value, c.series ->> 'from', c.series ->> 'to', c.reference_date) d
  CROSS JOIN LATERAL (
    SELECT array_agg(DISTINCT u.release_id ORDER BY u.release_id) AS ids,
           (SELECT max(r.published_on) FROM fx.rate r
            WHERE r.release_id IN (SELECT u2.release_id FROM fx.usd_daily u2
                                   WHERE u2.date = d.date_used AND u2.currency IN (c.series ->> 'from', c.series ->> 'to'))) AS published_on
    FROM fx.usd_daily u
    WHERE u.date = d.date_used AND u.currency IN (c.series ->> 'from', c.series ->> 'to')) rel
  WHERE c.id IN ('rice_tariff_usd', 'rice_price_cny') AND d.amount IS NOT NULL
    -- As of a date before the article's date, that day's rate did not exist yet.
    AND (as_of IS NULL OR c.reference_date <= as_of);
END
$$;
COMMENT ON FUNCTION metrics.claim_value_trade_at(date) IS 'The value computed for each covered trade and exchange-rate claim, as published on a date (NULL = current). Part of metrics.claim_value_at.';

-- A description without its cross-references, for notes: "Passenger vehicles and light trucks that
-- are products of Japan, with … less than 15 percent".
CREATE FUNCTION metrics.tariff_short(description text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT rtrim(regexp_replace(regexp_replace(description,
           '\s*,?\s*(as (specified|provided for)( in)?|provided for in) (subdivisions? \([a-z]+\)( and \([a-z]+\))?|subdivision \([a-z]+\)) of U\.S\. note \d+ to this subchapter', '', 'g'),
           '\s+', ' ', 'g'), ' .,')
$$;
COMMENT ON FUNCTION metrics.tariff_short(text) IS 'An HTS description without its "as provided for in subdivision (x) of U.S. note 33 to this subchapter" cross-references, for the claim check''s notes.';

-- The tariff claims' values ----------------------------------------------------------------------
CREATE FUNCTION metrics.claim_value_tariff_at(as_of date)
RETURNS TABLE (claim_id text, computed_value numeric, secondary_computed numeric, flag boolean,
               dataset text, classification text, release_id bigint, published_on date, stage text,
               release_ids bigint[], note text)
LANGUAGE sql STABLE AS $$
  WITH c AS (
    SELECT cl.*, (cl.series ->> 'parts_from')::date AS parts_from
    FROM metrics.claim cl WHERE cl.covered AND cl.metric = 'tariff.line_as_of'
  )
  SELECT c.id, v.general_additional_pct, p.general_additional_pct,
         coalesce(v.general_additional_pct = c.article_value AND v.effective_from = c.period::date
                  AND p.general_additional_pct = c.article_value AND p.effective_from = c.parts_from, false),
         c.series ->> 'dataset', 'hts'::text, v.release_id, v.published_on, NULL::text, ARRAY[v.release_id],
         concat_ws('. ',
           format('%s (release %s, published %s) was in force on the article''s date %s: %s "%s" general rate "%s" = +%s %% from %s',
                  rv.title, v.release_id, v.published_on, c.reference_date, v.hts_number, metrics.tariff_short(v.description), v.general_rate,
                  coalesce(v.general_additional_pct::text, '?'), coalesce(v.effective_from::text, '(no date in the text)')),
           format('%s "%s" general rate "%s" = +%s %% from %s', coalesce(p.hts_number, c.series ->> 'parts_heading'), metrics.tariff_short(p.description),
                  coalesce(p.general_rate, 'not in this revision'), coalesce(p.general_additional_pct::text, '?'), coalesce(p.effective_from::text, '(no date)')),
           (SELECT 'Later revisions' || CASE WHEN as_of IS NOT NULL THEN ' published by ' || as_of ELSE '' END || ': ' ||
                   string_agg(format('%s (published %s) %s %s%s: general rate "%s"', x.title, x.from_published_on, x.change, x.hts_number,
                                     CASE WHEN x.change = 'new' THEN ' "' || metrics.tariff_short(x.description) || '"' ELSE '' END, x.general_rate),
                              '; ' ORDER BY x.from_published_on, x.line_key)
            FROM (SELECT lv.*, r2.title,
                         CASE WHEN EXISTS (SELECT 1 FROM tariff.line_vintage o WHERE o.line_key = lv.line_key AND o.from_published_on < lv.from_published_on)
                              THEN 'reworded' ELSE 'new' END AS change
                  FROM tariff.line_vintage lv JOIN tariff.revision r2 ON r2.release_id = lv.release_id
                  WHERE lv.from_published_on > c.reference_date AND (as_of IS NULL OR lv.from_published_on <= as_of)
                    AND (lv.hts_number IN (c.series ->> 'heading', c.series ->> 'parts_heading') OR lv.description ILIKE c.series ->> 'later')) x))
  FROM c
  -- The rows tariff.line_as_of(reference_date) gives for the two headings, read through
  -- tariff.line_vintage so that the HTS-number index is used (the SECURITY DEFINER function is
  -- not inlined and would read the whole schedule twice).
  JOIN LATERAL (SELECT l.*, l.from_published_on AS published_on FROM tariff.line_vintage l
                WHERE l.hts_number = c.series ->> 'heading' AND l.from_published_on <= c.reference_date
                  AND (l.to_published_on IS NULL OR l.to_published_on > c.reference_date)) v ON true
  LEFT JOIN LATERAL (SELECT l.* FROM tariff.line_vintage l
                     WHERE l.hts_number = c.series ->> 'parts_heading' AND l.from_published_on <= c.reference_date
                       AND (l.to_published_on IS NULL OR l.to_published_on > c.reference_date)) p ON true
  LEFT JOIN tariff.revision rv ON rv.release_id = v.release_id
  -- Asked for a date before the article's, the revision in force on the article's date was not out yet.
  WHERE as_of IS NULL OR as_of >= c.reference_date
$$;
COMMENT ON FUNCTION metrics.claim_value_tariff_at(date) IS 'The value of each claim checked against the US tariff schedule (metrics.claim rows with metric tariff.line_as_of), judged with the revision in force on the claim''s reference date; the note lists what revisions published later (up to as_of) changed. Part of metrics.claim_value_at.';
-- metrics.claim_value_at: the union of the trade/fx claims and the tariff claims.
CREATE FUNCTION metrics.claim_value_at(as_of date)
RETURNS TABLE (claim_id text, computed_value numeric, secondary_computed numeric, flag boolean,
               dataset text, classification text, release_id bigint, published_on date, stage text,
               release_ids bigint[], note text)
LANGUAGE sql STABLE AS $$
  SELECT * FROM metrics.claim_value_trade_at(as_of)
  UNION ALL
  SELECT * FROM metrics.claim_value_tariff_at(as_of)
$$;
COMMENT ON FUNCTION metrics.claim_value_at(date) IS 'The value computed from loaded data for each covered claim of metrics.claim, as published on a date (NULL = current), with the dataset and vintage it comes from and a note on how it was computed: trade and exchange-rate claims (metrics.claim_value_trade_at) and tariff claims (metrics.claim_value_tariff_at). A claim whose data is not loaded has no row.';

-- The check ------------------------------------------------------------------------------------
CREATE FUNCTION metrics.claim_check_as_of(as_of date)
RETURNS TABLE (id text, claim_no int, claim text, attribution text, article_text text, article_value numeric,
               unit text, comparison text, tolerance numeric, computed_value numeric, compared_value numeric,
               difference numeric, secondary_label text, secondary_value numeric, secondary_computed numeric,
               verdict text, dataset text, classification text, release_id bigint, published_on date,
               stage text, release_ids bigint[], vintage text, metric text, checked_as_of date, note text)
LANGUAGE sql STABLE AS $$
  WITH j AS (
    SELECT c.*, v.computed_value, v.secondary_computed, v.flag, v.dataset, v.classification AS v_classification,
           v.release_id, v.published_on, v.stage, v.release_ids, v.note AS v_note,
           CASE WHEN c.comparison = 'equals within tolerance' THEN round(v.computed_value, scale(c.article_value)) END AS compared,
           CASE WHEN c.secondary_value IS NOT NULL AND v.secondary_computed IS NOT NULL
                THEN abs(round(v.secondary_computed, scale(c.secondary_value)) - c.secondary_value) <= c.secondary_tolerance END AS secondary_ok
    FROM metrics.claim c
    LEFT JOIN metrics.claim_value_at(as_of) v ON v.claim_id = c.id
  ),
  k AS (
    SELECT j.*,
           CASE
             WHEN NOT j.covered THEN 'not covered by a source'
             WHEN j.computed_value IS NULL AND j.flag IS NULL THEN 'no data loaded'
             WHEN j.comparison = 'equals within tolerance' THEN
               CASE WHEN abs(j.compared - j.article_value) <= j.tolerance AND coalesce(j.secondary_ok, true) THEN 'matches' ELSE 'differs' END
             WHEN j.comparison = 'greater than' THEN
               CASE WHEN j.computed_value > j.article_value THEN 'matches' ELSE 'differs' END
             ELSE CASE WHEN j.flag THEN 'matches' ELSE 'differs' END
           END AS verdict
    FROM j
  )
  SELECT k.id, k.claim_no, k.claim, k.attribution, k.article_text, k.article_value, k.unit, k.comparison, k.tolerance,
         trim_scale(k.computed_value), k.compared,
         CASE WHEN k.comparison <> 'true' THEN trim_scale(k.computed_value - k.article_value) END,
         k.secondary_label, k.secondary_value, k.secondary_computed,
         k.verdict, k.dataset, k.v_classification, k.release_id, k.published_on, k.stage, k.release_ids,
         CASE WHEN k.dataset IS NOT NULL THEN
           k.dataset || coalesce(' release ' || k.release_id, '') || coalesce(' published ' || k.published_on, '') || coalesce(' (' || k.stage || ')', '') END,
         k.metric, as_of,
         CASE k.verdict
           WHEN 'not covered by a source' THEN k.source_note
           WHEN 'no data loaded' THEN 'Nothing loaded to compute it' || CASE WHEN as_of IS NOT NULL THEN ' as of ' || as_of ELSE '' END || '. Load: ' || k.source_note
           ELSE concat_ws('. ',
             CASE k.comparison
               WHEN 'equals within tolerance' THEN
                 format('%s %s rounds to %s at the article''s precision (%s)%s: %s %s',
                        trim_scale(round(k.computed_value, scale(k.article_value) + 3)), k.unit, k.compared,
                        CASE scale(k.article_value) WHEN 0 THEN 'whole numbers' WHEN 1 THEN '1 decimal' ELSE scale(k.article_value) || ' decimals' END,
                        CASE WHEN k.tolerance > 0 THEN format(', accepted within ±%s', k.tolerance) ELSE '' END,
                        CASE WHEN abs(k.compared - k.article_value) <= k.tolerance THEN 'consistent with' ELSE 'not' END,
                        k.article_value)
               WHEN 'greater than' THEN
                 format('%s %s is %s %s', trim_scale(round(k.computed_value, 4)), k.unit,
                        CASE WHEN k.computed_value > k.article_value THEN 'above' ELSE 'not above' END, k.article_value)
               ELSE CASE WHEN k.flag THEN 'The data makes the statement true' ELSE 'The data makes the statement false' END
             END,
             CASE WHEN k.secondary_value IS NOT NULL AND k.secondary_computed IS NULL THEN format('%s not checked (not computable from the loaded data)', k.secondary_label)
                  WHEN k.secondary_value IS NOT NULL THEN format('%s: article %s, computed %s (%s)', k.secondary_label, k.secondary_value,
                                                                 trim_scale(round(k.secondary_computed, scale(k.secondary_value) + 2)),
                                                                 CASE WHEN k.secondary_ok THEN 'consistent' ELSE 'differs' END)
                  WHEN k.secondary_label IS NOT NULL AND k.secondary_computed IS NOT NULL THEN format('%s: %s', k.secondary_label, round(k.secondary_computed, 2)) END,
             k.v_note)
         END
  FROM k
$$;
COMMENT ON FUNCTION metrics.claim_check_as_of(date) IS 'The claim check as it would have come out with the figures published on a date (NULL = current vintages; see the view metrics.claim_check). Example: SELECT id, verdict, note FROM metrics.claim_check_as_of(''2026-10-01'').';

CREATE VIEW metrics.claim_check AS SELECT * FROM metrics.claim_check_as_of(NULL);
COMMENT ON VIEW metrics.claim_check IS 'Each claim of the article (metrics.claim) against the value computed from the newest loaded releases: article value, computed value, difference, verdict (matches, differs, no data loaded, not covered by a source), the vintage the value came from and a note. Values are compared at the article''s precision within the claim''s tolerance. For the check as of a date: metrics.claim_check_as_of(date).';
COMMENT ON COLUMN metrics.claim_check.id IS 'Claim id (metrics.claim.id).';
COMMENT ON COLUMN metrics.claim_check.claim_no IS 'Order in CLAIMS.md.';
COMMENT ON COLUMN metrics.claim_check.claim IS 'The claim in the article''s words.';
COMMENT ON COLUMN metrics.claim_check.attribution IS 'Whom the article attributes it to.';
COMMENT ON COLUMN metrics.claim_check.article_text IS 'The figure as the article writes it.';
COMMENT ON COLUMN metrics.claim_check.article_value IS 'The article''s figure in `unit` (its scale is the article''s precision); NULL for a statement.';
COMMENT ON COLUMN metrics.claim_check.unit IS 'Unit of article_value, computed_value and difference: trn JPY, bn USD, M units, %, USD per kg, CNY…';
COMMENT ON COLUMN metrics.claim_check.comparison IS 'equals within tolerance, greater than, or true.';
COMMENT ON COLUMN metrics.claim_check.tolerance IS 'Accepted difference after rounding, in `unit`.';
COMMENT ON COLUMN metrics.claim_check.computed_value IS 'The value computed from loaded observations, in `unit`, full precision (for a statement: the figure it rests on).';
COMMENT ON COLUMN metrics.claim_check.compared_value IS 'computed_value rounded to the article''s precision: what is compared with article_value (equals comparisons only).';
COMMENT ON COLUMN metrics.claim_check.difference IS 'computed_value − article_value, in `unit` (for greater than: the margin above the threshold).';
COMMENT ON COLUMN metrics.claim_check.secondary_label IS 'A second figure of the claim (y/y growth, rank…).';
COMMENT ON COLUMN metrics.claim_check.secondary_value IS 'The article''s second figure.';
COMMENT ON COLUMN metrics.claim_check.secondary_computed IS 'The second figure computed from the data (growth in %, rank); NULL when not computable.';
COMMENT ON COLUMN metrics.claim_check.verdict IS 'matches, differs, no data loaded (the claim''s source data is not in the database), not covered by a source (no dataset publishes it).';
COMMENT ON COLUMN metrics.claim_check.dataset IS 'Dataset(s) the computed value comes from.';
COMMENT ON COLUMN metrics.claim_check.classification IS 'Commodity classification of the computed value (total, mof_pc_label, hs9, census_enduse…).';
COMMENT ON COLUMN metrics.claim_check.release_id IS 'Release (etl.release id) of the computed value; the newest one when several contribute.';
COMMENT ON COLUMN metrics.claim_check.published_on IS 'Publication date of that release.';
COMMENT ON COLUMN metrics.claim_check.stage IS 'Stage of the figure: preliminary, revised, final (NULL where the source does not say).';
COMMENT ON COLUMN metrics.claim_check.release_ids IS 'All releases that contributed.';
COMMENT ON COLUMN metrics.claim_check.vintage IS 'Dataset, release, publication date and stage in words.';
COMMENT ON COLUMN metrics.claim_check.metric IS 'The view or function that computes the value.';
COMMENT ON COLUMN metrics.claim_check.checked_as_of IS 'The date the check is as of; NULL = the current vintages.';
COMMENT ON COLUMN metrics.claim_check.note IS 'For people: how the value compares at the article''s precision, and how it was computed (figures, files, vintages, alternatives).';
