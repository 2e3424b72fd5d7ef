import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { backends, useDb } from './helpers/db.js';
import { migrate, listMigrations, SQL_DIR } from '../src/db/migrate.js';

for (const backend of backends()) {
  describe(`migrations on ${backend}`, () => {
    const t = useDb(backend);

    it('creates the schemas of DESIGN.md', async () => {
      const rows = await t.db().query<{ nspname: string }>(
        `SELECT nspname FROM pg_namespace WHERE nspname IN ('etl','ref','trade','fx','metrics','tariff') ORDER BY 1`);
      expect(rows.map((r) => r.nspname)).toEqual(['etl', 'fx', 'metrics', 'ref', 'tariff', 'trade']);
    });

    it('is idempotent: a second migrate applies nothing and changes no table', async () => {
      const before = await t.db().query(`SELECT count(*)::int AS n FROM information_schema.columns WHERE table_schema IN ('etl','ref','trade','fx','metrics','tariff')`);
      const again = await migrate(t.db());
      expect(again.applied).toEqual([]);
      const after = await t.db().query(`SELECT count(*)::int AS n FROM information_schema.columns WHERE table_schema IN ('etl','ref','trade','fx','metrics','tariff')`);
      expect(after).toEqual(before);
      expect(again.level).toBe(Math.max(...listMigrations().map((m) => m.version)));
    });

    it('documents every table, view and column with COMMENT ON', async () => {
      const missing = await t.db().query<{ what: string }>(`
        SELECT c.relnamespace::regnamespace::text || '.' || c.relname AS what
        FROM pg_class c
        WHERE c.relnamespace::regnamespace::text IN ('etl','ref','trade','fx','metrics','tariff')
          AND c.relkind IN ('r','v','m') AND obj_description(c.oid, 'pg_class') IS NULL
        UNION ALL
        SELECT c.relnamespace::regnamespace::text || '.' || c.relname || '.' || a.attname
        FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
        WHERE c.relnamespace::regnamespace::text IN ('etl','ref','trade','fx','metrics','tariff')
          AND c.relkind IN ('r','v','m') AND c.relname <> 'schema_migration'
          AND col_description(c.oid, a.attnum) IS NULL
        ORDER BY 1`);
      expect(missing.map((m) => m.what)).toEqual([]);
    });

    it('raises a broken sql/grants.sql, naming the file (it used to be skipped silently)', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'grants-'));
      try {
        for (const f of fs.readdirSync(SQL_DIR)) if (f.endsWith('.sql')) fs.copyFileSync(path.join(SQL_DIR, f), path.join(dir, f));
        fs.appendFileSync(path.join(dir, 'grants.sql'), '\nGRANT SELECT ON trade.no_such_view TO analyst;\n');
        await expect(migrate(t.db(), dir)).rejects.toThrow(/grants\.sql could not be applied: .*no_such_view/);
        // The grants run in one transaction: the good ones before the bad line are not half-applied.
        expect((await migrate(t.db())).rolesCreated).toBe(true);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it('re-applies sql/grants.sql only when it changed, the schema changed or the role is gone; `trade-etl migrate` always', async () => {
      const db = t.db();
      const canRead = async () => (await db.query<{ ok: boolean }>(`SELECT has_table_privilege('analyst', 'trade.series', 'SELECT') AS ok`))[0]!.ok;
      // A grant revoked by hand stays revoked while grants.sql is current: nothing re-applies it.
      await db.query('REVOKE SELECT ON trade.series FROM analyst');
      expect((await migrate(db)).rolesCreated).toBe(true);
      expect(await canRead()).toBe(false);
      // `trade-etl migrate` re-applies it whatever the record says (doctor points there).
      await migrate(db, undefined, { grants: 'always' });
      expect(await canRead()).toBe(true);
      // A changed grants.sql is applied by the next command's migrate, and recorded.
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'grants-'));
      try {
        for (const f of fs.readdirSync(SQL_DIR)) if (f.endsWith('.sql')) fs.copyFileSync(path.join(SQL_DIR, f), path.join(dir, f));
        fs.appendFileSync(path.join(dir, 'grants.sql'), '\n-- a changed file\n');
        await db.query('REVOKE SELECT ON trade.series FROM analyst');
        await migrate(db, dir);
        expect(await canRead()).toBe(true);
        const [row] = await db.query<{ checksum: string }>('SELECT checksum FROM etl.schema_grants');
        expect(row!.checksum).toBe(crypto.createHash('sha256').update(fs.readFileSync(path.join(dir, 'grants.sql'))).digest('hex'));
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
      // Back to the real file: not the one recorded, so applied again.
      await db.query('REVOKE SELECT ON trade.series FROM analyst');
      await migrate(db);
      expect(await canRead()).toBe(true);
    });

    // The server's analyst role is shared by the other test files running at the same time.
    it.skipIf(backend !== 'pglite')('re-creates the analyst role when it is gone, though grants.sql is current', async () => {
      const db = t.db();
      await db.query('DROP OWNED BY analyst');
      await db.query('DROP ROLE analyst');
      await migrate(db);
      const [r] = await db.query<{ ok: boolean }>(`SELECT has_table_privilege('analyst', 'trade.series', 'SELECT') AS ok`);
      expect(r!.ok).toBe(true);
    });

    it.skipIf(backend !== 'postgres')('grants re-applied while another session creates a dataset\'s partition: both go through, in either order', async () => {
      // Two commands started at once (tests/ops/refresh-twice.test.ts): one re-applies the grants
      // at the end of its migrate while the other's first load creates a partition. Whichever
      // committed second failed with "tuple concurrently updated"; grants.sql now locks the
      // parent table as creating a partition does, so the second waits instead.
      const { default: pg } = await import('pg');
      const grants = fs.readFileSync(path.join(SQL_DIR, 'grants.sql'), 'utf8');
      const [a, b] = [new pg.Client({ connectionString: t.url() }), new pg.Client({ connectionString: t.url() })];
      await Promise.all([a.connect(), b.connect()]);
      const settle = () => new Promise((r) => setTimeout(r, 300));
      try {
        await a.query('BEGIN');
        await a.query(grants);
        const made = b.query(`SELECT etl.trade_dataset_id('race.grants_first') AS id`);
        await settle();
        await a.query('COMMIT');
        expect((await made).rows).toHaveLength(1);

        await b.query('BEGIN');
        await b.query(`SELECT etl.trade_dataset_id('race.partition_first')`);
        const granted = a.query(grants);
        await settle();
        await b.query('COMMIT');
        await expect(granted).resolves.toBeDefined();
        const parts = await t.db().query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_class WHERE relname IN ('observation_fact_race_grants_first', 'observation_fact_race_partition_first')`);
        expect(parts).toEqual([{ n: 2 }]);
      } finally {
        await Promise.all([a.end(), b.end()]);
      }
    });
  });
}
