/**
 * sql/repeatable/: views and functions re-applied by migrate (docs/migrations.md). Each test
 * migrates a copy of sql/ that it changes, then migrates the real sql/ again so the next test
 * starts from the current definitions.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { backends, createServerDatabase, useDb } from '../helpers/db.js';
import { connect, pgliteDb, type Db } from '../../src/db/connect.js';
import { loadConfig } from '../../src/core/config.js';
import { listMigrations, listRepeatable, managedObjects, migrate, REPEATABLE_SUBDIR, SQL_DIR } from '../../src/db/migrate.js';
import { DATASET_PREFERENCE } from '../../src/fx/policy.js';

const SCHEMAS = `('ref','trade','fx','metrics','tariff')`;

/** Everything a re-apply can change: each view's text and columns, each function's text, and their comments. */
async function definitions(db: Db): Promise<Record<string, string>> {
  const rows = await db.query<{ k: string; v: string }>(`
    SELECT 'view ' || c.oid::regclass::text AS k,
           pg_get_viewdef(c.oid) || coalesce(' -- ' || obj_description(c.oid, 'pg_class'), '') AS v
    FROM pg_class c WHERE c.relkind = 'v' AND c.relnamespace::regnamespace::text IN ${SCHEMAS}
    UNION ALL
    SELECT 'column ' || c.oid::regclass::text || '.' || a.attname, format_type(a.atttypid, a.atttypmod) || coalesce(' -- ' || col_description(c.oid, a.attnum), '')
    FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
    WHERE c.relkind = 'v' AND c.relnamespace::regnamespace::text IN ${SCHEMAS}
    UNION ALL
    SELECT 'function ' || p.oid::regprocedure::text, pg_get_functiondef(p.oid) || coalesce(' -- ' || obj_description(p.oid, 'pg_proc'), '')
    FROM pg_proc p WHERE p.pronamespace::regnamespace::text IN ${SCHEMAS}
    ORDER BY 1`);
  return Object.fromEntries(rows.map((r) => [r.k, r.v]));
}

/** A copy of sql/ (numbered migrations, grants.sql and sql/repeatable/) to change. */
function copySqlDir(opts: { repeatable?: boolean; skip?: (file: string) => boolean } = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'repeatable-'));
  for (const f of fs.readdirSync(SQL_DIR)) {
    if (f.endsWith('.sql') && !opts.skip?.(f)) fs.copyFileSync(path.join(SQL_DIR, f), path.join(dir, f));
  }
  if (opts.repeatable !== false) fs.cpSync(path.join(SQL_DIR, REPEATABLE_SUBDIR), path.join(dir, REPEATABLE_SUBDIR), { recursive: true });
  return dir;
}

function edit(dir: string, file: string, from: string | RegExp, to: string): void {
  const p = path.join(dir, REPEATABLE_SUBDIR, file);
  const text = fs.readFileSync(p, 'utf8');
  const next = text.replace(from, to);
  if (next === text) throw new Error(`${file}: ${String(from)} not found`);
  fs.writeFileSync(p, next);
}

/** A new empty database of the backend, closed (and dropped) after the file. */
const opened: Array<() => Promise<void>> = [];
async function emptyDb(backend: 'pglite' | 'postgres'): Promise<Db> {
  if (backend === 'pglite') {
    const instance = await PGlite.create();
    const db = pgliteDb(instance, 'in-memory PGlite', () => instance.close());
    opened.push(() => db.close());
    return db;
  }
  const created = await createServerDatabase();
  const db = await connect(loadConfig({ DATABASE_URL: created.url }));
  opened.push(async () => { await db.close(); await created.drop(); });
  return db;
}
afterAll(async () => { for (const close of opened.splice(0)) await close(); });

describe('repeatable SQL files', () => {
  it('create only schema-qualified views and functions', () => {
    const files = listRepeatable()!;
    expect(files.map((f) => f.file)).toEqual([...files.map((f) => f.file)].sort());
    expect(files.flatMap((f) => f.objects).length).toBeGreaterThan(40);
    expect(() => managedObjects('CREATE TABLE metrics.x (a int);', 'x.sql')).toThrow(/numbered migration/);
    expect(() => managedObjects('CREATE VIEW x AS SELECT 1;', 'x.sql')).toThrow(/name the schema/);
    expect(managedObjects('CREATE OR REPLACE FUNCTION fx.f(a int) RETURNS int', 'x.sql')).toEqual([{ kind: 'function', schema: 'fx', name: 'f' }]);
  });

  it('no numbered migration after 080 creates a view or function of sql/repeatable/ (the re-apply would silently replace it)', () => {
    const managed = new Set(listRepeatable()!.flatMap((f) => f.objects).map((o) => `${o.schema}.${o.name}`));
    const created = listMigrations().filter((m) => m.version > 80).flatMap((m) =>
      [...m.sql.matchAll(/^[ \t]*CREATE\s+(?:OR\s+REPLACE\s+)?(?:VIEW|FUNCTION)\s+([a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*)/gim)]
        .map((x) => x[1]!).filter((name) => managed.has(name)).map((name) => `${m.file}: ${name}`));
    expect(created).toEqual([]);
  });

  it('the FX dataset preference is written once in SQL (the table migrate fills), nowhere as a CASE', () => {
    const all = listRepeatable()!.map((f) => f.sql).join('\n');
    expect(all).not.toMatch(/WHEN 'frb\.h10' THEN/);
    expect(all.match(/fx\.dataset_preference pref/g)?.length).toBe(4);
  });
});

for (const backend of backends()) {
  describe(`repeatable SQL on ${backend}`, () => {
    const t = useDb(backend);
    const dirs: string[] = [];
    afterEach(async () => {
      for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
      await t.db().query('DROP VIEW IF EXISTS public.my_share');
      await migrate(t.db());
    });

    it('a second migrate re-applies nothing: no view or function is re-created', async () => {
      const oids = `SELECT string_agg(x, ',' ORDER BY x) AS s FROM (
        SELECT c.oid::text AS x FROM pg_class c WHERE c.relkind = 'v' AND c.relnamespace::regnamespace::text IN ${SCHEMAS}
        UNION ALL SELECT p.oid::text FROM pg_proc p WHERE p.pronamespace::regnamespace::text IN ${SCHEMAS}) o`;
      const before = await t.db().query(oids);
      const defs = await definitions(t.db());
      const again = await migrate(t.db());
      expect(again).toMatchObject({ applied: [], repeatable: [] });
      expect(await t.db().query(oids)).toEqual(before);
      expect(await definitions(t.db())).toEqual(defs);
      const recorded = await t.db().query<{ file: string }>('SELECT file FROM etl.schema_repeatable ORDER BY file');
      expect(recorded.map((r) => r.file)).toEqual(listRepeatable()!.map((f) => f.file));
    });

    it('fills fx.dataset_preference from src/fx/policy.ts, and fx.daily prefers frb.h10 over frb.fred', async () => {
      const pref = await t.db().query<{ dataset: string }>('SELECT dataset FROM fx.dataset_preference ORDER BY preference');
      expect(pref.map((p) => p.dataset)).toEqual([...DATASET_PREFERENCE]);
      await t.db().transaction(async (tx) => {
        const rel = async (ds: string) => (await tx.query<{ id: string }>(
          `INSERT INTO etl.release (source, dataset, file_name, sha256, bytes, status, scope_key, published_on)
           VALUES ('frb', $1, 'f', md5(random()::text), 1, 'loaded', 's', '2025-01-10') RETURNING id`, [ds]))[0]!.id;
        const fred = await rel('frb.fred');
        const h10 = await rel('frb.h10');
        await tx.query(`INSERT INTO fx.rate_history (dataset, scope_key, series, base, quote, frequency, period, rate, valid_from_release)
          VALUES ('frb.fred', 's', 'DEXJPUS', 'USD', 'JPY', 'D', '2025-01-09', 158.1, $1), ('frb.h10', 's', 'RXI_N.B.JA', 'USD', 'JPY', 'D', '2025-01-09', 158.2, $2)`, [fred, h10]);
        const [d] = await tx.query<{ dataset: string; rate: string }>(`SELECT dataset, rate::text FROM fx.daily WHERE date = '2025-01-09' AND quote = 'JPY'`);
        expect(d).toEqual({ dataset: 'frb.h10', rate: '158.2' });
        throw Object.assign(new Error('rollback'), { rollback: true });
      }).catch((e: { rollback?: boolean }) => { if (!e.rollback) throw e; });
    });

    it('re-applies every file when one changed, and records the new checksum', async () => {
      const dir = copySqlDir();
      dirs.push(dir);
      edit(dir, '30_metrics.sql', `COMMENT ON FUNCTION metrics.partner_kind(text) IS '`, `COMMENT ON FUNCTION metrics.partner_kind(text) IS 'Changed. `);
      const out = await migrate(t.db(), dir);
      expect(out.applied).toEqual([]);
      expect(out.repeatable).toEqual(listRepeatable(dir)!.map((f) => f.file));
      const [c] = await t.db().query<{ d: string }>(`SELECT obj_description('metrics.partner_kind(text)'::regprocedure, 'pg_proc') AS d`);
      expect(c!.d).toMatch(/^Changed\. /);
      expect((await migrate(t.db(), dir)).repeatable).toEqual([]);
    });

    it('changes a view\'s columns (dropped, renamed), which CREATE OR REPLACE VIEW cannot', async () => {
      const dir = copySqlDir();
      dirs.push(dir);
      edit(dir, '05_ref.sql', /,\n       max\(k\.code\) FILTER \(WHERE k\.code_system = 'mof_press'\) AS mof_press_abbr/, '');
      edit(dir, '05_ref.sql', `'census') AS census_code`, `'census') AS census`);
      edit(dir, '05_ref.sql', /COMMENT ON COLUMN ref\.country_source_codes\.mof_press_abbr [^\n]*\n/, '');
      edit(dir, '05_ref.sql', 'COMMENT ON COLUMN ref.country_source_codes.census_code', 'COMMENT ON COLUMN ref.country_source_codes.census');
      const out = await migrate(t.db(), dir);
      expect(out.repeatable.length).toBeGreaterThan(0);
      const cols = async () => (await t.db().query<{ attname: string }>(
        `SELECT attname FROM pg_attribute WHERE attrelid = 'ref.country_source_codes'::regclass AND attnum > 0 ORDER BY attnum`)).map((c) => c.attname);
      expect(await cols()).toEqual(['iso2', 'iso3', 'name_en', 'name_ja', 'mof_code', 'census']);
      expect(await t.db().query(`SELECT census FROM ref.country_source_codes WHERE iso2 = 'JP'`)).toEqual([{ census: '5880' }]);
      await migrate(t.db());
      expect(await cols()).toEqual(['iso2', 'iso3', 'name_en', 'name_ja', 'mof_code', 'census_code', 'mof_press_abbr']);
    });

    it('stops with a clear error when an object of someone else depends on a managed view, and changes nothing', async () => {
      await t.db().query('CREATE VIEW public.my_share AS SELECT year, flow, value_jpy FROM metrics.jp_trade_annual');
      const defs = await definitions(t.db());
      const recorded = await t.db().query('SELECT file, checksum FROM etl.schema_repeatable ORDER BY file');
      const dir = copySqlDir();
      dirs.push(dir);
      edit(dir, '30_metrics.sql', `COMMENT ON FUNCTION metrics.partner_kind(text) IS '`, `COMMENT ON FUNCTION metrics.partner_kind(text) IS 'Changed. `);
      await expect(migrate(t.db(), dir)).rejects.toThrow(/view public\.my_share depends on view metrics\.jp_trade_annual\b.*Nothing was changed/s);
      expect(await definitions(t.db())).toEqual(defs);
      expect(await t.db().query('SELECT file, checksum FROM etl.schema_repeatable ORDER BY file')).toEqual(recorded);
      expect(await t.db().query('SELECT count(*)::int AS n FROM public.my_share')).toEqual([{ n: 0 }]);
      // Without the change there is nothing to re-apply, and the analyst's view is left alone.
      expect((await migrate(t.db())).repeatable).toEqual([]);
    });

    it('drops a view a file no longer creates', async () => {
      const dir = copySqlDir();
      dirs.push(dir);
      fs.appendFileSync(path.join(dir, REPEATABLE_SUBDIR, '40_tariff.sql'), `\nCREATE VIEW tariff.scratch AS SELECT 1 AS one;\nCOMMENT ON VIEW tariff.scratch IS 'x';\nCOMMENT ON COLUMN tariff.scratch.one IS 'x';\n`);
      await migrate(t.db(), dir);
      expect(await t.db().query(`SELECT to_regclass('tariff.scratch') IS NOT NULL AS ok`)).toEqual([{ ok: true }]);
      await migrate(t.db());
      expect(await t.db().query(`SELECT to_regclass('tariff.scratch') IS NOT NULL AS ok`)).toEqual([{ ok: false }]);
    });

    it('a database built at level 080 with the old layout (views in the migrations) migrates to the same views as a new one', async () => {
      // The old layout: the numbered migrations of that release (001-061 and 080) and no sql/repeatable/.
      const dir = copySqlDir({ repeatable: false, skip: (f) => Number(f.slice(0, 3)) >= 70 && Number(f.slice(0, 3)) !== 80 });
      dirs.push(dir);
      const old = await emptyDb(backend);
      await migrate(old, dir);
      expect(await old.query(`SELECT max(version)::int AS v FROM etl.schema_migration`)).toEqual([{ v: 80 }]);
      // Something loaded: a rate of both FX datasets for one day, and a country looked up by its MOF code.
      const rel = async (ds: string) => (await old.query<{ id: string }>(
        `INSERT INTO etl.release (source, dataset, file_name, sha256, bytes, status, scope_key, published_on)
         VALUES ('frb', $1, 'f', md5($1), 1, 'loaded', 's', '2025-01-10') RETURNING id`, [ds]))[0]!.id;
      const fred = await rel('frb.fred');
      const h10 = await rel('frb.h10');
      await old.query(`INSERT INTO fx.rate_history (dataset, scope_key, series, base, quote, frequency, period, rate, valid_from_release)
        VALUES ('frb.fred', 's', 'DEXJPUS', 'USD', 'JPY', 'D', '2025-01-09', 158.1, $1), ('frb.h10', 's', 'RXI_N.B.JA', 'USD', 'JPY', 'D', '2025-01-09', 158.2, $2)`, [fred, h10]);
      const daily = `SELECT dataset, rate::text FROM fx.daily`;
      const before = await old.query(daily);
      expect(before).toEqual([{ dataset: 'frb.h10', rate: '158.2' }]);
      expect(await old.query(`SELECT iso2 FROM ref.country WHERE mof_code = '304'`)).toEqual([{ iso2: 'US' }]);

      const oldDefs = await definitions(old);
      const out = await migrate(old);
      expect(out.applied).toEqual(listMigrations().filter((m) => m.version >= 70 && m.version !== 80).map((m) => m.file));
      expect(out.applied.slice(0, 2)).toEqual(['070_fx_dataset_preference.sql', '071_country_codes.sql']);
      // The same text, columns and comments as the migrations had written, except what this change
      // meant to change: the FX preference read from fx.dataset_preference, the compatibility view of ref,
      // the claim values planned per claim, the metrics reading only their datasets' partitions
      // (observation_at, observation_of_stage and observation_as_of take the list) and finding their
      // series first, the period functions no longer STRICT (092, inlined).
      const newDefs = await definitions(old);
      const changed = [...new Set([...Object.keys(oldDefs), ...Object.keys(newDefs)])].filter((k) => oldDefs[k] !== newDefs[k]).sort();
      expect(changed.filter((k) => !k.includes('ref.country_source_codes'))).toEqual([
        'function metrics.claim_value_trade_at(date)', 'function metrics.jp_car_export_units_at(date,text)',
        'function metrics.jp_principal_commodity_at(date,text)', 'function metrics.jp_trade_by_partner_at(date,text)',
        'function metrics.jp_trade_yearly_at(date,text)', 'function metrics.observation_at(date,text)', 'function metrics.observation_at(date,text,text[])',
        'function metrics.observation_of_stage(date,text)', 'function metrics.observation_of_stage(date,text,text[])',
        'function metrics.us_car_imports_by_country_at(date,text)', 'function metrics.us_goods_balance_by_partner_at(date,text)',
        'function trade.observation_as_of(date)', 'function trade.observation_as_of(date,text[])',
        'function trade.period_frequency(integer)', 'function trade.period_text(integer)', 'view fx.daily', 'view fx.rate_annual', 'view fx.rate_monthly', 'view fx.usd_daily', 'view metrics.annual_converted']);
      expect(out.repeatable).toEqual(listRepeatable()!.map((f) => f.file));
      expect(await old.query(daily)).toEqual(before);
      expect(await old.query(`SELECT iso2 FROM ref.country_code WHERE code_system = 'mof' AND code = '304'`)).toEqual([{ iso2: 'US' }]);
      expect(await old.query(`SELECT iso2 FROM ref.country_source_codes WHERE mof_code = '304'`)).toEqual([{ iso2: 'US' }]);
      expect(await definitions(old)).toEqual(await definitions(t.db()));
      expect((await migrate(old)).repeatable).toEqual([]);
    });

    it('a database migrated only up to an older level gets no repeatable SQL, then all of it', async () => {
      const db = await emptyDb(backend);
      const out = await migrate(db, undefined, { upTo: 21 });
      expect(out.repeatable).toEqual([]);
      expect(await db.query(`SELECT to_regclass('etl.schema_repeatable') IS NULL AS none`)).toEqual([{ none: true }]);
      await migrate(db);
      expect(await definitions(db)).toEqual(await definitions(t.db()));
    });
  });
}
