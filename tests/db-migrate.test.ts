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
  });
}
