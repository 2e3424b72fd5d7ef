-- Re-applied after every migrate (idempotent): the read-only analyst role.
-- It reads ref, trade, fx and metrics; it cannot see etl or write anywhere.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'analyst') THEN
    CREATE ROLE analyst LOGIN;
  END IF;
END
$$;
GRANT USAGE ON SCHEMA ref, trade, fx, metrics TO analyst;
GRANT SELECT ON ALL TABLES IN SCHEMA ref, trade, fx, metrics TO analyst;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA ref, trade, fx, metrics TO analyst;
REVOKE ALL ON SCHEMA etl FROM analyst;
-- Views in trade/metrics read etl.release as their owner, so analysts see vintages without etl access.
