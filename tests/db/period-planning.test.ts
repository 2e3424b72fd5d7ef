/**
 * What migrations 092 and 093 give the planner, on both back-ends: the period functions inline
 * into the views (no SQL function call per row), a partition's frequency statistic lets it
 * estimate a filter on the frequency, which every metric has, and series are found by code. Without them the claim check read every fact
 * of a large dataset and probed its series one fact at a time (docs/performance.md).
 */
import { describe, expect, it } from 'vitest';
import { backends, useDb } from '../helpers/db.js';

for (const backend of backends()) {
  describe(`period functions and frequency statistics on ${backend}`, () => {
    const t = useDb(backend);

    it('decode as before, NULL for NULL, and inline into trade.observation', async () => {
      const db = t.db();
      expect(await db.query(`SELECT trade.period_text(c) AS p, trade.period_frequency(c) AS f
        FROM unnest(ARRAY[100202401, 200002024, 300002024, 400020241, 500202411, 620250418, 720240110, NULL]::int[]) WITH ORDINALITY u(c, n) ORDER BY n`)).toEqual([
        { p: '2024-01', f: 'M' }, { p: '2024', f: 'A' }, { p: 'FY2024', f: 'FY' }, { p: '2024H1', f: 'H' },
        { p: '2024-11', f: 'YTD' }, { p: '2025-04-18', f: 'D' }, { p: '2024-01-10', f: 'MTD' }, { p: null, f: null },
      ]);
      const plan = (await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN (VERBOSE) SELECT period, frequency FROM trade.observation WHERE frequency = 'A'`))
        .map((r) => r['QUERY PLAN']).join('\n');
      expect(plan).not.toMatch(/period_(text|frequency)\(/);
      expect(plan).toMatch(/lpad\(/);
    });

    it('a new partition gets a frequency statistic, and ANALYZE makes a filter on the frequency estimable', async () => {
      const db = t.db();
      const [{ id }] = await db.query<{ id: number }>(`SELECT etl.trade_dataset_id('test.frequency') AS id`) as [{ id: number }];
      const part = 'trade.observation_fact_test_frequency';
      expect(await db.query(`SELECT stxname FROM pg_statistic_ext WHERE stxrelid = '${part}'::regclass`)).toEqual([{ stxname: 'observation_fact_test_frequency_frequency' }]);
      // 4,000 monthly facts (40 series × 100 months), none of another frequency.
      await db.query(`INSERT INTO ${part} (series_id, period, attr_id, scope_id, valid_from_release, dataset_id, value)
        SELECT s, 100000000 + (2000 + m / 12) * 100 + m % 12 + 1, 1, 1, 1, $1, 1 FROM generate_series(1, 40) s, generate_series(0, 99) m`, [id]);
      await db.query(`ANALYZE ${part}`);
      const estimate = async () => {
        const [row] = await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN SELECT * FROM ${part} WHERE valid_to_release IS NULL AND trade.period_frequency(period) IN ('A', 'YTD', 'M')`);
        return Number(/rows=(\d+)/.exec(row!['QUERY PLAN'])![1]);
      };
      // Without the statistic the planner takes an expression's IN for 1.5 % of the rows (60).
      expect(await estimate()).toBeGreaterThan(3000);
      await db.query(`DROP STATISTICS trade.observation_fact_test_frequency_frequency`);
      await db.query(`ANALYZE ${part}`);
      expect(await estimate()).toBeLessThan(400);
    });

    it('finds series by commodity code through an index (migration 093), as every metric asks for them', async () => {
      const db = t.db();
      const [{ id }] = await db.query<{ id: number }>(`SELECT etl.trade_dataset_id('test.codes') AS id`) as [{ id: number }];
      await db.query(`INSERT INTO trade.series (dataset_id, reporter, partner, flow, classification, commodity_code, measure, key)
        SELECT $1, 'JP', 'P' || (i % 200), 'export', 'hs9', lpad((i / 200)::text, 9, '0'), 'value', 'k' || i FROM generate_series(1, 20000) i`, [id]);
      await db.query('ANALYZE trade.series');
      const plan = (await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN SELECT id FROM trade.series WHERE commodity_code = 'TOTAL'`)).map((r) => r['QUERY PLAN']).join('\n');
      expect(plan).toMatch(/series_commodity_code/);
    });
  });
}
