-- The claim auto_tariff ("a 25% tariff applies to imported cars from April 3, parts from May 3")
-- checked against the loaded US tariff schedule (usitc.hts, sql/060_tariff.sql), and clearer
-- notes for the claims no source covers.
--
-- The check is judged as of the article's date (reference_date) with the revision in force
-- then, whatever date the claim check is asked for: a later revision changing the tariff does
-- not make the article wrong about its own day. What later revisions changed is put in the note.
-- The rates and dates come from the loaded lines; the claim row holds only the article's figures
-- (25 %, April 3, May 3) and which headings to read.

UPDATE metrics.claim SET
  comparison = 'true',
  tolerance_note = 'A statement, judged as of the article''s date (reference_date) with the tariff revision in force then: heading series.heading (passenger vehicles) must add article_value percent to the subheading''s rate for entries from the claimed day (period), and series.parts_heading (automobile parts) the same from series.parts_from. The computed value shown is the vehicles'' addition.',
  reference_date = '2025-04-22',
  metric = 'tariff.line_as_of',
  series = '{"dataset": "usitc.hts", "heading": "9903.94.01", "parts_heading": "9903.94.05", "parts_from": "2025-05-03", "later": "Passenger vehicles%products of Japan%"}',
  covered = true,
  source_note = 'usitc.hts, the HTS revision in force on the article''s date (2025 HTS Revision 13, published 2025-04-22): chapter-99 headings 9903.94.01 (passenger vehicles and light trucks) and 9903.94.05 (automobile parts) — Proclamation 10908, 90 FR 14705. Load fixtures/usitc (trade-etl demo), or: trade-etl load hts_2025_revision_13_csv.csv --dataset usitc.hts --published-on 2025-04-22.'
WHERE id = 'auto_tariff';

UPDATE metrics.claim SET source_note =
  'Not covered by a source: the official figure is Japan''s WTO minimum-access commitment of 767,000 t of rice a year, on a brown-rice basis (the article''s "about 770,000 t" rounds it). MAFF publishes it only in PDF documents; there is no machine-readable release to load.'
WHERE id = 'rice_minimum_access';
UPDATE metrics.claim SET source_note =
  'Not covered by a source: new-car registrations by brand come from the Japan Automobile Importers Association (JAIA), a trade body, as Excel workbooks, not an official statistical release (its calendar-2024 figures: Jeep 9,633 + Chevrolet 587 + Cadillac 449 = 10,669; the FY2024 and Q1 2025 split was not found). Not loaded.'
WHERE id = 'us_car_sales_in_japan';
UPDATE metrics.claim SET source_note =
  'Not covered by a source: no official statistic of a "Wagyu-related industry" exists to check the 4.8 trillion yen against (for scale only: auto-industry shipments were about 62.8 trillion yen in 2022, a METI/JAMA figure this project does not load).'
WHERE id = 'wagyu';

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

-- metrics.claim_value_at becomes the union of the trade/fx claims (sql/021, renamed, unchanged)
-- and the tariff claims. Renaming instead of re-creating the 021 body here keeps one copy of it.
ALTER FUNCTION metrics.claim_value_at(date) RENAME TO claim_value_trade_at;
COMMENT ON FUNCTION metrics.claim_value_trade_at(date) IS 'The value computed for each covered trade and exchange-rate claim (sql/021_claims.sql), as published on a date (NULL = current). Part of metrics.claim_value_at.';
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
