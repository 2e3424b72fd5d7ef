-- Repeatable SQL (docs/migrations.md): the current definition of these views and functions.
-- migrate drops and re-creates every object of sql/repeatable/ when a file here or a versioned
-- migration changed; edit in place, never copy into a numbered migration.

-- Reference lookups over ref.country and ref.country_code (tables: sql/003, sql/071).

-- The former columns of ref.country (before sql/071), for queries written against them. A source
-- added later has its codes in ref.country_code only: this view keeps the three it had.
CREATE VIEW ref.country_source_codes AS
SELECT c.iso2, c.iso3, c.name_en, c.name_ja,
       max(k.code) FILTER (WHERE k.code_system = 'mof') AS mof_code,
       max(k.code) FILTER (WHERE k.code_system = 'census') AS census_code,
       max(k.code) FILTER (WHERE k.code_system = 'mof_press') AS mof_press_abbr
FROM ref.country c
LEFT JOIN ref.country_code k ON k.iso2 = c.iso2
GROUP BY c.iso2, c.iso3, c.name_en, c.name_ja;
COMMENT ON VIEW ref.country_source_codes IS 'ref.country with the MOF, Census and MOF-press codes as columns, as ref.country had them before the codes moved to ref.country_code (one row per country and code system). For old queries: replace ref.country by ref.country_source_codes.';
COMMENT ON COLUMN ref.country_source_codes.iso2 IS 'ISO 3166-1 alpha-2; the partner code used in trade.observation.';
COMMENT ON COLUMN ref.country_source_codes.iso3 IS 'ISO 3166-1 alpha-3.';
COMMENT ON COLUMN ref.country_source_codes.name_en IS 'English name.';
COMMENT ON COLUMN ref.country_source_codes.name_ja IS 'Japanese name (as in MOF/Customs publications where known).';
COMMENT ON COLUMN ref.country_source_codes.mof_code IS 'Japan Customs / MOF 3-digit country code (text: 304 = USA): ref.country_code, code system mof.';
COMMENT ON COLUMN ref.country_source_codes.census_code IS 'US Census Schedule C country code (text: 5880 = Japan): ref.country_code, code system census.';
COMMENT ON COLUMN ref.country_source_codes.mof_press_abbr IS 'Abbreviation used in MOF English press releases (USA, R KOREA, HG KONG…): ref.country_code, code system mof_press.';
