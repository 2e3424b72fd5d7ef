-- Which exchange-rate dataset wins when several publish the same pair and day (or period).
-- The views of sql/repeatable/20_fx.sql read this table; its rows are not written here but by
-- migrate, from DATASET_PREFERENCE of src/fx/policy.ts, so the TypeScript policy (docs, CLI
-- text, checks) and the SQL computation read one list.

CREATE TABLE fx.dataset_preference (
  dataset    text PRIMARY KEY,
  preference integer NOT NULL UNIQUE CHECK (preference >= 0)
);
COMMENT ON TABLE fx.dataset_preference IS 'Exchange-rate datasets in order of preference when several publish the same pair and day or period (frb.h10 before frb.fred); a dataset not listed comes after all of them. Written by migrate from src/fx/policy.ts (DATASET_PREFERENCE).';
COMMENT ON COLUMN fx.dataset_preference.dataset IS 'Dataset id: frb.h10, frb.fred.';
COMMENT ON COLUMN fx.dataset_preference.preference IS 'Position in the preference list, 0 = preferred.';
