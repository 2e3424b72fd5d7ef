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
-- A load creating a dataset's partition in another process (etl.trade_dataset_id) updates the
-- catalog rows this GRANT rewrites, and one of the two then failed with "tuple concurrently
-- updated" (two `refresh` started at once, tests/ops/refresh-twice.test.ts). Creating a
-- partition locks the parent table; so does this, and whichever comes second waits.
LOCK TABLE trade.observation_fact IN SHARE UPDATE EXCLUSIVE MODE;
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
-- Nothing to write anywhere, temporary tables and large objects included (issue 15). Both are
-- granted to PUBLIC by Postgres, so a revoke from analyst alone would change nothing: they are
-- revoked from PUBLIC and given back to the role that migrates (which stages its loads in a
-- temporary table). Other roles of this database lose them too — trade-etl has no others; a
-- site that does can grant them back by name. Needs the owner or a superuser: skipped otherwise
-- (doctor's analyst check then says what the analyst can still do).
DO $$
DECLARE
  f regprocedure;
BEGIN
  BEGIN
    EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
    EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM analyst', current_database());
    EXECUTE format('GRANT TEMPORARY ON DATABASE %I TO %I', current_database(), current_user);
  EXCEPTION WHEN insufficient_privilege THEN NULL;
  END;
  -- Every large-object function that creates, writes or removes one (lo_import/lo_export are
  -- superuser-only already; reading stays, there is nothing analysts could read).
  FOR f IN SELECT p.oid::regprocedure FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
           WHERE n.nspname = 'pg_catalog'
             AND p.proname IN ('lo_creat', 'lo_create', 'lo_from_bytea', 'lo_put', 'lo_open', 'lowrite',
                               'lo_truncate', 'lo_truncate64', 'lo_unlink', 'lo_import', 'lo_export')
  LOOP
    BEGIN
      EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', f);
    EXCEPTION WHEN insufficient_privilege THEN NULL;
    END;
  END LOOP;
END
$$;
