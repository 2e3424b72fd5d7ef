/**
 * The analyst role on a real Postgres server (PGlite has roles but one superuser session, so
 * these checks only mean something on a server). Runs when TEST_DATABASE_URL is set; the server
 * must trust local connections (as CI's does) so analyst can log in without a password.
 */
import crypto from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Db } from '../../src/db/connect.js';
import { migrate } from '../../src/db/migrate.js';
import { loadConfig } from '../../src/core/config.js';
import { createServerDatabase } from '../helpers/db.js';
import { seedVintages } from './seed.js';

const ANALYST_SCHEMAS = ['ref', 'trade', 'fx', 'metrics', 'tariff'];

describe.skipIf(!process.env.TEST_DATABASE_URL)('analyst role on the server', () => {
  let owner: Db;
  let drop: () => Promise<void>;
  let analyst: pg.Client;
  let analystUrl: string;

  beforeAll(async () => {
    const created = await createServerDatabase();
    drop = created.drop;
    owner = await connect(loadConfig({ DATABASE_URL: created.url }));
    await migrate(owner);
    await seedVintages(owner);
    const u = new URL(created.url);
    u.username = 'analyst';
    u.password = '';
    analystUrl = u.toString();
    analyst = new pg.Client({ connectionString: analystUrl });
    await analyst.connect();
  });

  afterAll(async () => {
    await analyst?.end();
    await owner?.close();
    await drop?.();
  });

  const q = async (sql: string, params: unknown[] = []) => (await analyst.query(sql, params)).rows;
  const refused = (sql: string) => expect(analyst.query(sql)).rejects.toMatchObject({ code: '42501' });

  it('logs in as analyst, a plain role', async () => {
    expect((await q('SELECT current_user AS u'))[0].u).toBe('analyst');
    const [r] = await q(`SELECT rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls, rolcanlogin FROM pg_roles WHERE rolname = 'analyst'`);
    expect(r).toEqual({ rolsuper: false, rolcreaterole: false, rolcreatedb: false, rolreplication: false, rolbypassrls: false, rolcanlogin: true });
    // Member of nothing: no pg_read_all_data, pg_read_server_files, pg_monitor…
    expect(await q(`SELECT roleid::regrole::text FROM pg_auth_members WHERE member = 'analyst'::regrole`)).toEqual([]);
  });

  it('reads the current vintage through trade.observation, although the view joins etl.release (the view runs as its owner)', async () => {
    const rows = await q(`SELECT value::text, stage, published_on::text, file_name FROM trade.observation
      WHERE dataset = 'mof.press' AND period = '2024' AND flow = 'export' AND partner = 'WORLD'`);
    expect(rows).toEqual([{ value: '107097900000000', stage: 'revised', published_on: '2025-03-13', file_name: '2024_117e.xml' }]);
  });

  it('reads what was published on a date through the SECURITY DEFINER trade.observation_as_of', async () => {
    expect(await q(`SELECT value::text, stage FROM trade.observation_as_of('2025-02-01') WHERE period = '2024'`))
      .toEqual([{ value: '107091300000000', stage: 'preliminary' }]);
    expect(await q(`SELECT value::text FROM trade.observation_as_of('2025-04-01') WHERE period = '2024'`))
      .toEqual([{ value: '107097900000000' }]);
    // …and the history table itself.
    expect((await q(`SELECT count(*)::int AS n FROM trade.observation_history`))[0].n).toBe(2);
  });

  it('reads ref.country and fx.rate', async () => {
    expect((await q(`SELECT name_en, mof_code, census_code FROM ref.country_source_codes WHERE iso2 = 'JP'`))[0]).toMatchObject({ census_code: '5880' });
    expect((await q(`SELECT iso2 FROM ref.country_code WHERE code_system = 'mof' AND code = '304'`))[0].iso2).toBe('US');
    expect(await q(`SELECT rate::text FROM fx.rate WHERE series = 'DEXJPUS' AND date = '2025-04-21'`)).toEqual([{ rate: '140.81' }]);
  });

  it('can SELECT every table and view of ref, trade, fx and metrics (whatever migration created it)', async () => {
    const rels = await q(`SELECT n.nspname || '.' || c.relname AS rel, c.relkind
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = ANY($1) AND c.relkind IN ('r', 'v', 'm', 'p') ORDER BY 1`, [ANALYST_SCHEMAS]);
    expect(rels.map((r) => r.rel)).toContain('trade.observation');
    const failures: string[] = [];
    for (const { rel } of rels) {
      // A view WITH (security_invoker) reading etl would fail here, not at has_table_privilege.
      try { await analyst.query(`SELECT * FROM ${rel} LIMIT 1`); } catch (e) { failures.push(`${rel}: ${(e as Error).message}`); }
    }
    expect(failures).toEqual([]);
  });

  it('can run every function of those schemas, and none of them reads etl with the caller\'s rights', async () => {
    const fns = await q(`SELECT p.oid::regprocedure::text AS fn, p.prosecdef, p.prosrc ~ '\\metl\\.' AS reads_etl,
        has_function_privilege('analyst', p.oid, 'EXECUTE') AS can_execute
      FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = ANY($1) ORDER BY 1`, [ANALYST_SCHEMAS]);
    expect(fns.map((f) => f.fn)).toContain('trade.observation_as_of(date,text[])');
    expect(fns.filter((f) => !f.can_execute).map((f) => f.fn)).toEqual([]);
    expect(fns.filter((f) => f.reads_etl && !f.prosecdef).map((f) => f.fn)).toEqual([]);
  });

  it('a view created later in metrics is readable at once (default privileges), before grants.sql runs again', async () => {
    const name = `metrics.t_${crypto.randomBytes(4).toString('hex')}`;
    await owner.query(`CREATE VIEW ${name} AS SELECT period, value FROM trade.observation`);
    try {
      expect((await q(`SELECT count(*)::int AS n FROM ${name}`))[0].n).toBe(1);
    } finally {
      await owner.query(`DROP VIEW ${name}`);
    }
  });

  it('cannot write: INSERT, UPDATE, DELETE on trade.observation_history, TRUNCATE on the store under it, nor take ids', async () => {
    await refused(`INSERT INTO trade.observation_history (dataset, scope_key, reporter, partner, partner_source_code, flow, period, frequency, classification, commodity_code, measure, value, unit, valid_from_release)
      VALUES ('x', 'x', 'JP', 'US', '304', 'export', '2024', 'A', 'total', 'TOTAL', 'value', 1, 'JPY', 1)`);
    await refused(`UPDATE trade.observation_history SET value = 0`);
    await refused(`DELETE FROM trade.observation_history`);
    // observation_history is a view over trade.observation_fact since migration 050.
    await refused(`TRUNCATE trade.observation_fact`);
    await refused(`INSERT INTO trade.series (dataset_id, reporter, partner, flow, classification, commodity_code, measure) VALUES (1, 'JP', 'US', 'export', 'total', 'TOTAL', 'value')`);
    await refused(`UPDATE ref.country SET name_en = 'x' WHERE iso2 = 'JP'`);
    await refused(`SELECT nextval('trade.series_id_seq')`);
    await refused(`SELECT etl.trade_dataset_id('x')`);
  });

  it('cannot see etl at all', async () => {
    await refused(`SELECT * FROM etl.release`);
    await refused(`SELECT * FROM etl.run`);
    await refused(`SELECT * FROM etl.schema_migration`);
    await refused(`SELECT * FROM etl.http_cache`);
  });

  it('cannot create anything, in any schema', async () => {
    for (const schema of [...ANALYST_SCHEMAS, 'etl', 'public']) await refused(`CREATE TABLE ${schema}.analyst_scratch (a int)`);
    await refused(`CREATE VIEW metrics.analyst_view AS SELECT 1 AS a`);
    await refused(`CREATE FUNCTION trade.f() RETURNS int LANGUAGE sql AS 'SELECT 1'`);
    await refused(`CREATE SCHEMA analyst_own`);
  });

  it('cannot read passwords, server files or other sessions\' queries', async () => {
    const role = `trade_etl_t_pw_${crypto.randomBytes(4).toString('hex')}`;
    await owner.query(`CREATE ROLE ${role} LOGIN PASSWORD 'S3cretPassw0rd'`);
    try {
      await refused(`SELECT rolpassword FROM pg_authid`);
      await refused(`SELECT passwd FROM pg_shadow`);
      const [r] = await q(`SELECT rolpassword FROM pg_roles WHERE rolname = $1`, [role]);
      expect(r.rolpassword).toBe('********');
      expect(JSON.stringify(await q(`SELECT * FROM pg_user WHERE usename = $1`, [role]))).not.toContain('SCRAM');
      expect(JSON.stringify(await q(`SELECT * FROM pg_user_mappings`))).not.toContain('S3cret');
      await refused(`SELECT pg_read_file('PG_VERSION')`);
      await refused(`SELECT pg_ls_dir('.')`);
      await refused(`COPY (SELECT 1) TO PROGRAM 'true'`);
      await refused(`SELECT lo_import('/etc/passwd')`);
      // Another session's statement text (where a secret could appear) stays hidden.
      const busy = owner.query(`SELECT pg_sleep(2), 'S3cretMarker' AS m`);
      await new Promise((res) => setTimeout(res, 500));
      const seen = await q(`SELECT query FROM pg_stat_activity WHERE datname = current_database() AND usename <> 'analyst'`);
      await busy;
      expect(seen.length).toBeGreaterThan(0);
      expect(JSON.stringify(seen)).not.toContain('S3cretMarker');
      expect(seen.every((s) => s.query === '<insufficient privilege>')).toBe(true);
    } finally {
      await owner.query(`DROP ROLE ${role}`);
    }
  });
});
