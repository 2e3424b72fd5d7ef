-- Repeatable SQL (docs/migrations.md): the current definition of these views and functions.
-- migrate drops and re-creates every object of sql/repeatable/ when a file here or a versioned
-- migration changed; edit in place, never copy into a numbered migration.

-- Views over the US tariff schedule (tables: sql/060_tariff.sql).

-- The revisions loaded ---------------------------------------------------------------------
CREATE VIEW tariff.revision AS
SELECT r.id AS release_id, r.scope ->> 'revision' AS revision, r.scope ->> 'releaseName' AS release_name, r.title,
       r.published_on, r.file_name, r.rows_parsed AS lines, r.rows_inserted AS lines_new_or_changed, r.rows_closed AS lines_superseded,
       lead(r.published_on) OVER (ORDER BY r.published_on, r.id) AS superseded_on
FROM etl.release r
WHERE r.dataset = 'usitc.hts' AND r.status = 'loaded';
COMMENT ON VIEW tariff.revision IS 'The HTS revisions loaded (one release each), in force from their publication date until the next loaded revision''s.';
COMMENT ON COLUMN tariff.revision.release_id IS 'Release id (etl.release).';
COMMENT ON COLUMN tariff.revision.revision IS 'Revision: 2025-r13 (2025 Revision 13), 2026-basic.';
COMMENT ON COLUMN tariff.revision.release_name IS 'USITC''s release name: 2025HTSRev13.';
COMMENT ON COLUMN tariff.revision.title IS '2025 HTS Revision 13.';
COMMENT ON COLUMN tariff.revision.published_on IS 'Publication date of the revision (USITC release list''s releaseStartDate, or given at load).';
COMMENT ON COLUMN tariff.revision.file_name IS 'File the revision was loaded from.';
COMMENT ON COLUMN tariff.revision.lines IS 'Lines in the revision.';
COMMENT ON COLUMN tariff.revision.lines_new_or_changed IS 'Lines this revision added or changed when it was loaded.';
COMMENT ON COLUMN tariff.revision.lines_superseded IS 'Lines of earlier revisions it changed or dropped when it was loaded.';
COMMENT ON COLUMN tariff.revision.superseded_on IS 'Publication date of the next loaded revision; NULL for the newest.';

-- Current lines ----------------------------------------------------------------------------
CREATE VIEW tariff.line AS
SELECT h.line_key, h.hts_number,
       CASE length(h.hts_number) WHEN 4 THEN 'heading' WHEN 7 THEN 'subheading' WHEN 10 THEN 'tariff line' WHEN 13 THEN 'statistical line' ELSE 'label' END AS level,
       h.indent, h.parent_key, h.description,
       ARRAY(SELECT jsonb_array_elements_text(h.unit_of_quantity::jsonb)) AS units,
       h.general_rate, h.special_rate, h.column2_rate, h.quota_quantity, h.additional_duties,
       h.general_ad_valorem_pct, h.general_additional_pct, h.effective_from, h.effective_before,
       h.valid_from_release AS release_id, r.scope ->> 'revision' AS revision, r.published_on
FROM tariff.line_history h
JOIN etl.release r ON r.id = h.valid_from_release
WHERE h.valid_to_release IS NULL;
COMMENT ON VIEW tariff.line IS 'The tariff schedule as of the newest loaded revision: every line with its rate texts and the numbers read from them. Order by line_key for schedule order. Example: SELECT hts_number, general_rate FROM tariff.line WHERE hts_number LIKE ''8703.23%''.';
COMMENT ON COLUMN tariff.line.line_key IS 'HTS number, or <number above>+n for a label line.';
COMMENT ON COLUMN tariff.line.hts_number IS 'HTS number (text); NULL for a label line.';
COMMENT ON COLUMN tariff.line.level IS 'heading (4 digits), subheading (6), tariff line (8, where rates are set), statistical line (10, units only), label (unnumbered).';
COMMENT ON COLUMN tariff.line.indent IS 'Indent level (0 = heading).';
COMMENT ON COLUMN tariff.line.parent_key IS 'line_key of the line it belongs to.';
COMMENT ON COLUMN tariff.line.description IS 'Article description as written.';
COMMENT ON COLUMN tariff.line.units IS 'Units of quantity (No., kg, doz.…); empty when none.';
COMMENT ON COLUMN tariff.line.general_rate IS 'Column 1 General rate, as written.';
COMMENT ON COLUMN tariff.line.special_rate IS 'Column 1 Special rate(s), as written.';
COMMENT ON COLUMN tariff.line.column2_rate IS 'Column 2 rate, as written.';
COMMENT ON COLUMN tariff.line.quota_quantity IS 'Quota quantity, as written.';
COMMENT ON COLUMN tariff.line.additional_duties IS 'Additional duties, as written.';
COMMENT ON COLUMN tariff.line.general_ad_valorem_pct IS 'General rate as a percent when it is a plain N% or Free (0); NULL otherwise.';
COMMENT ON COLUMN tariff.line.general_additional_pct IS 'Chapter-99 addition in percentage points ("… + 25%" → 25); NULL otherwise.';
COMMENT ON COLUMN tariff.line.effective_from IS 'First day of entries it applies to, from the description; NULL when not stated.';
COMMENT ON COLUMN tariff.line.effective_before IS 'First day it no longer applies, when stated.';
COMMENT ON COLUMN tariff.line.release_id IS 'Release (revision) this version of the line comes from.';
COMMENT ON COLUMN tariff.line.revision IS 'Revision that published this version of the line (2025-r13…).';
COMMENT ON COLUMN tariff.line.published_on IS 'Publication date of that revision.';

-- Lines as published on a date ---------------------------------------------------------------
CREATE FUNCTION tariff.line_as_of(as_of date)
RETURNS TABLE (line_key text, hts_number text, indent int, parent_key text, description text, unit_of_quantity text,
               general_rate text, special_rate text, column2_rate text, quota_quantity text, additional_duties text,
               general_ad_valorem_pct numeric, general_additional_pct numeric, effective_from date, effective_before date,
               release_id bigint, revision text, published_on date)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT h.line_key, h.hts_number, h.indent, h.parent_key, h.description, h.unit_of_quantity,
         h.general_rate, h.special_rate, h.column2_rate, h.quota_quantity, h.additional_duties,
         h.general_ad_valorem_pct, h.general_additional_pct, h.effective_from, h.effective_before,
         h.valid_from_release, r.scope ->> 'revision', r.published_on
  FROM tariff.line_history h
  JOIN etl.release r ON r.id = h.valid_from_release
  LEFT JOIN etl.release t ON t.id = h.valid_to_release
  WHERE r.published_on <= as_of
    AND (h.valid_to_release IS NULL OR t.published_on > as_of)
$$;
COMMENT ON FUNCTION tariff.line_as_of(date) IS 'The tariff schedule as published on a date: each line from the newest revision published on or before it. Example: SELECT general_rate, effective_from FROM tariff.line_as_of(''2025-04-22'') WHERE hts_number = ''9903.94.01''.';

-- Every version of every line -----------------------------------------------------------------
CREATE VIEW tariff.line_vintage AS
SELECT h.line_key, h.hts_number, h.description, h.general_rate, h.general_additional_pct, h.general_ad_valorem_pct,
       h.effective_from, h.effective_before,
       f.scope ->> 'revision' AS from_revision, f.published_on AS from_published_on,
       t.scope ->> 'revision' AS to_revision, t.published_on AS to_published_on,
       h.valid_from_release AS release_id
FROM tariff.line_history h
JOIN etl.release f ON f.id = h.valid_from_release
LEFT JOIN etl.release t ON t.id = h.valid_to_release;
COMMENT ON VIEW tariff.line_vintage IS 'Every version of every line: which revision published it and which one changed or dropped it — what a revision changed. Example: SELECT * FROM tariff.line_vintage WHERE hts_number LIKE ''9903.94.%'' ORDER BY line_key, from_published_on.';
COMMENT ON COLUMN tariff.line_vintage.line_key IS 'HTS number, or <number above>+n for a label line.';
COMMENT ON COLUMN tariff.line_vintage.hts_number IS 'HTS number (text).';
COMMENT ON COLUMN tariff.line_vintage.description IS 'Description in this version.';
COMMENT ON COLUMN tariff.line_vintage.general_rate IS 'Column 1 General rate in this version, as written.';
COMMENT ON COLUMN tariff.line_vintage.general_additional_pct IS 'Chapter-99 addition in percentage points, when the rate is "… + N%".';
COMMENT ON COLUMN tariff.line_vintage.general_ad_valorem_pct IS 'General rate as a percent when plain N% or Free.';
COMMENT ON COLUMN tariff.line_vintage.effective_from IS 'Effective date read from the description.';
COMMENT ON COLUMN tariff.line_vintage.effective_before IS 'End (exclusive) read from the description.';
COMMENT ON COLUMN tariff.line_vintage.from_revision IS 'Revision that published this version.';
COMMENT ON COLUMN tariff.line_vintage.from_published_on IS 'Its publication date.';
COMMENT ON COLUMN tariff.line_vintage.to_revision IS 'Revision that changed or dropped it; NULL while current.';
COMMENT ON COLUMN tariff.line_vintage.to_published_on IS 'Its publication date.';
COMMENT ON COLUMN tariff.line_vintage.release_id IS 'Release id of this version.';

-- Chapter 99: the temporary additions -----------------------------------------------------------
CREATE VIEW tariff.additional_duty AS
SELECT l.hts_number, l.description, l.general_rate, l.general_additional_pct, l.general_ad_valorem_pct,
       l.effective_from, l.effective_before, l.revision, l.published_on, l.release_id
FROM tariff.line l
WHERE l.hts_number LIKE '99__.%';
COMMENT ON VIEW tariff.additional_duty IS 'Current chapter-99 provisions (temporary legislation and additional duties such as Section 232 and 301 measures): what they add (general_additional_pct) or set (general_ad_valorem_pct) and from when. Example: SELECT hts_number, general_rate, effective_from FROM tariff.additional_duty WHERE hts_number LIKE ''9903.94.%''.';
COMMENT ON COLUMN tariff.additional_duty.hts_number IS 'Chapter-99 heading (9903.94.01…).';
COMMENT ON COLUMN tariff.additional_duty.description IS 'What it covers, as written (often with its effective date).';
COMMENT ON COLUMN tariff.additional_duty.general_rate IS 'Column 1 General rate text, as written.';
COMMENT ON COLUMN tariff.additional_duty.general_additional_pct IS 'Percentage points added to the subheading''s rate ("… + 25%" → 25); NULL otherwise.';
COMMENT ON COLUMN tariff.additional_duty.general_ad_valorem_pct IS 'A rate set outright (15% → 15); NULL otherwise.';
COMMENT ON COLUMN tariff.additional_duty.effective_from IS 'First day of entries it applies to, from the description.';
COMMENT ON COLUMN tariff.additional_duty.effective_before IS 'First day it no longer applies, when stated.';
COMMENT ON COLUMN tariff.additional_duty.revision IS 'Revision that published this version.';
COMMENT ON COLUMN tariff.additional_duty.published_on IS 'Publication date of that revision.';
COMMENT ON COLUMN tariff.additional_duty.release_id IS 'Release of that revision.';
