-- migrate re-applied sql/grants.sql at the end of every command's migration check: 13–21 ms on a
-- server, about 0.12 s on PGlite (a tenth of an unchanged reload there), and its catalog writes
-- raced a load creating a dataset's partition in another process (docs/migrations.md). It now
-- records what it applied and re-applies only when that changed (docs/migrations.md, "Grants").
CREATE TABLE etl.schema_grants (
  one        boolean PRIMARY KEY DEFAULT true CHECK (one),
  checksum   text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE etl.schema_grants IS 'sql/grants.sql as last applied to this database (one row): migrate re-applies it when the file, the schema or the analyst role changed, and `trade-etl migrate` always.';
COMMENT ON COLUMN etl.schema_grants.one IS 'Always true: the table has one row.';
COMMENT ON COLUMN etl.schema_grants.checksum IS 'sha256 of sql/grants.sql as applied.';
COMMENT ON COLUMN etl.schema_grants.applied_at IS 'When it was applied.';
