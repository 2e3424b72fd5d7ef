-- Re-applied after every migrate (idempotent): the read-only analyst role.
-- It reads ref, trade, fx and metrics; it cannot see etl or write anywhere.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'analyst') THEN
    CREATE ROLE analyst LOGIN;
  END IF;
  -- Hardening that needs more rights than the grants below: done where the migrating role may.
  BEGIN
    -- A plain login, whatever someone did to it by hand.
    ALTER ROLE analyst LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
  EXCEPTION WHEN insufficient_privilege THEN NULL;
  END;
  BEGIN
    -- Where CONNECT was revoked from PUBLIC, analysts still need it on this database.
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO analyst', current_database());
  EXCEPTION WHEN insufficient_privilege THEN NULL;
  END;
  -- Read-only means no CREATE anywhere: Postgres 15+ no longer lets PUBLIC create in schema
  -- public, but older servers (and clusters upgraded from them) still do.
  IF EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'public') THEN
    REVOKE CREATE ON SCHEMA public FROM PUBLIC;
  END IF;
END
$$;
GRANT USAGE ON SCHEMA ref, trade, fx, metrics TO analyst;
GRANT SELECT ON ALL TABLES IN SCHEMA ref, trade, fx, metrics TO analyst;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA ref, trade, fx, metrics TO analyst;
-- Objects a later migration creates (as the role that runs migrate) are readable at once, even
-- before this file is re-run at the end of that migrate.
ALTER DEFAULT PRIVILEGES IN SCHEMA ref, trade, fx, metrics GRANT SELECT ON TABLES TO analyst;
ALTER DEFAULT PRIVILEGES IN SCHEMA ref, trade, fx, metrics GRANT EXECUTE ON FUNCTIONS TO analyst;
REVOKE ALL ON SCHEMA etl FROM analyst;
REVOKE ALL ON ALL TABLES IN SCHEMA etl FROM analyst;
-- Views in trade/metrics read etl.release as their owner (a view runs with its owner's rights
-- unless created WITH (security_invoker)), and trade.observation_as_of is SECURITY DEFINER, so
-- analysts see vintages without etl access. tests/analyst/analyst-role.test.ts checks both.
-- The tariff schedule (sql/060_tariff.sql): read like trade and fx.
GRANT USAGE ON SCHEMA tariff TO analyst;
GRANT SELECT ON ALL TABLES IN SCHEMA tariff TO analyst;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA tariff TO analyst;
ALTER DEFAULT PRIVILEGES IN SCHEMA tariff GRANT SELECT ON TABLES TO analyst;
ALTER DEFAULT PRIVILEGES IN SCHEMA tariff GRANT EXECUTE ON FUNCTIONS TO analyst;
