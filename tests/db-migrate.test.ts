import { describe, expect, it } from 'vitest';
import { backends, useDb } from './helpers/db.js';
import { migrate, listMigrations } from '../src/db/migrate.js';

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
  });
}
