-- A country's code in each source becomes a row of ref.country_code instead of a column of
-- ref.country (issue 17): a new source adds a code system and its rows, not a column.
-- ref.country keeps iso2, iso3 and the names; ref.country_source_codes (sql/repeatable/05_ref.sql)
-- shows the former columns for queries written against them.

CREATE TABLE ref.country_code_system (
  code_system text PRIMARY KEY CHECK (code_system ~ '^[a-z][a-z0-9_]*$'),
  description text NOT NULL
);
COMMENT ON TABLE ref.country_code_system IS 'The sources'' country code systems: mof, census, mof_press.';
COMMENT ON COLUMN ref.country_code_system.code_system IS 'Code system id, lower case: mof, census, mof_press.';
COMMENT ON COLUMN ref.country_code_system.description IS 'What the codes are and who publishes them.';

CREATE TABLE ref.country_code (
  code_system text NOT NULL REFERENCES ref.country_code_system,
  code        text NOT NULL,
  iso2        text NOT NULL REFERENCES ref.country,
  PRIMARY KEY (code_system, code),
  -- One code per country and system, as the parsers map codes (src/ref/countries.ts).
  UNIQUE (code_system, iso2)
);
CREATE INDEX country_code_iso2 ON ref.country_code (iso2);
COMMENT ON TABLE ref.country_code IS 'The code of each country in each source''s code system: (mof, 304) → US, (census, 5880) → JP, (mof_press, R KOREA) → KR. Codes are text (leading zeros kept).';
COMMENT ON COLUMN ref.country_code.code_system IS 'Code system (ref.country_code_system): mof = Japan Customs / MOF 3-digit country code; census = US Census Schedule C code; mof_press = abbreviation in MOF English press releases.';
COMMENT ON COLUMN ref.country_code.code IS 'The code as the source writes it (text: 304, 5880, R KOREA).';
COMMENT ON COLUMN ref.country_code.iso2 IS 'The country (ref.country.iso2).';

INSERT INTO ref.country_code_system (code_system, description) VALUES
  ('mof', 'Japan Customs / MOF 3-digit country code (text: 304 = USA).'),
  ('census', 'US Census Schedule C country code (text: 5880 = Japan).'),
  ('mof_press', 'Abbreviation used in MOF English press releases (USA, R KOREA, HG KONG…).');

INSERT INTO ref.country_code (code_system, code, iso2)
SELECT 'mof', mof_code, iso2 FROM ref.country WHERE mof_code IS NOT NULL
UNION ALL
SELECT 'census', census_code, iso2 FROM ref.country WHERE census_code IS NOT NULL
UNION ALL
SELECT 'mof_press', mof_press_abbr, iso2 FROM ref.country WHERE mof_press_abbr IS NOT NULL;

ALTER TABLE ref.country DROP COLUMN mof_code, DROP COLUMN census_code, DROP COLUMN mof_press_abbr;
COMMENT ON TABLE ref.country IS 'Countries (ISO 3166-1) with their names. Their code in each source is in ref.country_code. Regions and groupings are not here: they stay <scheme>:<code> partners.';
