/**
 * The SQL of the metrics views, piece by piece, on rows inserted directly into the history
 * tables (the shapes the pipelines emit): completeness of summed years, calendar vs fiscal
 * years, y/y growth against the previous year's newest vintage, stage-pinned vintages, ranks
 * that exclude aggregates, and the rounding rule of the claim check.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { backends, useDb } from '../helpers/db.js';
import type { Db } from '../../src/db/connect.js';

interface Obs {
  dataset: string; reporter?: string; partner?: string; flow: string; period: string; frequency: string;
  classification?: string; commodity?: string; measure?: string; value: string; unit?: string;
}

async function release(db: Db, dataset: string, publishedOn: string, stage: string | null, scopeKey: string): Promise<number> {
  const [r] = await db.query<{ id: string }>(
    `INSERT INTO etl.release (source, dataset, file_name, sha256, bytes, status, published_on, stage, scope_key)
     VALUES (split_part($1, '.', 1), $1, $3 || '.test', md5(random()::text), 0, 'loaded', $2, $4, $3) RETURNING id`,
    [dataset, publishedOn, scopeKey, stage]);
  return Number(r!.id);
}

/** Inserts observations as the merge does: an existing current row of the same key is closed. */
async function observe(db: Db, releaseId: number, rows: Obs[]): Promise<void> {
  for (const o of rows) {
    const key = [o.dataset, o.reporter ?? 'JP', o.partner ?? 'WORLD', o.flow, o.period, o.frequency, o.classification ?? 'total', o.commodity ?? 'TOTAL', o.measure ?? 'value'];
    await db.query(
      `UPDATE trade.observation_history SET valid_to_release = $10
       WHERE dataset = $1 AND reporter = $2 AND partner = $3 AND flow = $4 AND period = $5 AND frequency = $6
         AND classification = $7 AND commodity_code = $8 AND measure = $9 AND valid_to_release IS NULL`, [...key, releaseId]);
    await db.query(
      `INSERT INTO trade.observation_history (dataset, scope_key, reporter, partner, partner_source_code, flow, period, frequency,
         classification, commodity_code, measure, value, unit, valid_from_release)
       VALUES ($1, 'test', $2, $3, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
      [...key, o.value, o.unit ?? 'JPY', releaseId]);
  }
}

const months = (year: number, from = 1, to = 12) => Array.from({ length: to - from + 1 }, (_, i) => `${year}-${String(from + i).padStart(2, '0')}`);

for (const backend of backends()) {
  describe(`metrics SQL on ${backend}`, () => {
    const t = useDb(backend);
    beforeEach(async () => {
      await t.db().query('TRUNCATE trade.observation_fact, etl.release CASCADE');
    });

    it('sums only complete years, and keeps calendar and fiscal years apart', async () => {
      const db = t.db();
      const r = await release(db, 'mof.timeseries', '2025-02-01', 'preliminary', 'd41ma');
      // 2023-01 .. 2024-11: calendar 2023 complete, calendar 2024 not (11 months); FY2023 (Apr 2023–Mar 2024) complete.
      await observe(db, r, [...months(2023), ...months(2024, 1, 11)].map((p) => ({ dataset: 'mof.timeseries', flow: 'export', period: p, frequency: 'M', value: '1000' })));
      const rows = await db.query<{ year_kind: string; period: string; value: string; months: number }>(
        `SELECT year_kind, period, value_jpy::text AS value, months FROM metrics.jp_trade_annual WHERE flow = 'export' ORDER BY year_kind, period`);
      expect(rows).toEqual([
        { year_kind: 'calendar', period: '2023', value: '12000', months: 12 },
        { year_kind: 'fiscal', period: 'FY2023', value: '12000', months: 12 },
      ]);
    });

    it('computes y/y growth against the previous year\'s newest vintage visible at the date', async () => {
      const db = t.db();
      const p23 = await release(db, 'mof.press', '2024-01-25', 'preliminary', 'A:2023');
      await observe(db, p23, [{ dataset: 'mof.press', flow: 'export', period: '2023', frequency: 'A', value: '100' }]);
      const r23 = await release(db, 'mof.press', '2024-03-10', 'revised', 'A:2023');
      await observe(db, r23, [{ dataset: 'mof.press', flow: 'export', period: '2023', frequency: 'A', value: '110' }]);
      const p24 = await release(db, 'mof.press', '2025-01-23', 'preliminary', 'A:2024');
      await observe(db, p24, [
        { dataset: 'mof.press', flow: 'export', period: '2024', frequency: 'A', value: '121' },
        { dataset: 'mof.press', flow: 'export', period: '2024', frequency: 'A', measure: 'value_growth_pct', value: '10.0', unit: 'PCT' },
      ]);
      const [now] = await db.query<{ growth: string; prev: string; prev_release_id: string; published: string }>(
        `SELECT growth_pct::text AS growth, prev_value_jpy::text AS prev, prev_release_id::text, published_growth_pct::text AS published
         FROM metrics.jp_trade_annual WHERE period = '2024'`);
      expect(now).toEqual({ growth: '10.0000', prev: '110', prev_release_id: String(r23), published: '10.0' });
      // Pinned to the preliminary stage, 2024 is still compared with 2023's newest (revised) figure.
      const [pinned] = await db.query<{ growth: string }>(
        `SELECT growth_pct::text AS growth FROM metrics.jp_trade_annual_at(NULL, 'preliminary') WHERE period = '2024'`);
      expect(pinned!.growth).toBe('10.0000');
      // Before the revision of 2023 was published, 2023 was 100.
      const [then] = await db.query<{ v: string; growth: string | null }>(
        `SELECT value_jpy::text AS v, growth_pct::text AS growth FROM metrics.jp_trade_annual_at('2024-02-01') WHERE period = '2023'`);
      expect(then).toEqual({ v: '100', growth: null });
    });

    it('stage-pinned vintages: the preliminary figure stays readable after a revision', async () => {
      const db = t.db();
      const p = await release(db, 'mof.press', '2025-01-23', 'preliminary', 'A:2024');
      await observe(db, p, [{ dataset: 'mof.press', partner: 'US', flow: 'balance', period: '2024', frequency: 'A', value: '8641800000000' }]);
      const r = await release(db, 'mof.press', '2025-03-13', 'revised', 'A:2024');
      await observe(db, r, [{ dataset: 'mof.press', partner: 'US', flow: 'balance', period: '2024', frequency: 'A', value: '8628100000000' }]);
      const q = (sql: string) => db.query<{ v: string; stage: string }>(sql);
      expect(await q(`SELECT balance_jpy::text AS v, stage FROM metrics.jp_trade_by_partner WHERE partner = 'US'`)).toEqual([{ v: '8628100000000', stage: 'revised' }]);
      expect(await q(`SELECT balance_jpy::text AS v, stage FROM metrics.jp_trade_by_partner_at(NULL, 'preliminary') WHERE partner = 'US'`)).toEqual([{ v: '8641800000000', stage: 'preliminary' }]);
      expect(await q(`SELECT balance_jpy::text AS v, stage FROM metrics.jp_trade_by_partner_at('2025-02-01') WHERE partner = 'US'`)).toEqual([{ v: '8641800000000', stage: 'preliminary' }]);
      expect(await q(`SELECT balance_jpy::text AS v, stage FROM metrics.jp_trade_by_partner_at('2025-01-01') WHERE partner = 'US'`)).toEqual([]);
    });

    it('as of a date and pinned to a stage, a list of datasets gives exactly their rows (NULL: all)', async () => {
      // The metrics name their datasets so that only those partitions are read (the full-size
      // MOF HS-9 file otherwise made every stage-pinned claim sort 13 million rows).
      const db = t.db();
      const a = await release(db, 'mof.press', '2025-01-23', 'preliminary', 'A:2024');
      await observe(db, a, [{ dataset: 'mof.press', flow: 'export', period: '2024', frequency: 'A', value: '107091' }]);
      const b = await release(db, 'mof.timeseries', '2025-01-24', 'preliminary', 'd41ma');
      await observe(db, b, [{ dataset: 'mof.timeseries', flow: 'export', period: '2024-12', frequency: 'M', value: '9911' }]);
      const c = await release(db, 'census.api', '2025-02-06', null, 'us');
      await observe(db, c, [{ dataset: 'census.api', reporter: 'US', partner: 'JP', flow: 'import', period: '2024', frequency: 'A', value: '148', unit: 'USD' }]);
      const rows = (sql: string) => db.query<{ dataset: string; value: string }>(`SELECT dataset, value::text AS value FROM ${sql} ORDER BY 1`);
      const press = [{ dataset: 'mof.press', value: '107091' }];
      const mof = [...press, { dataset: 'mof.timeseries', value: '9911' }];
      expect(await rows(`trade.observation_as_of('2025-03-01', ARRAY['mof.press'])`)).toEqual(press);
      expect(await rows(`trade.observation_as_of('2025-03-01', ARRAY['mof.press', 'mof.timeseries', 'not.loaded'])`)).toEqual(mof);
      expect(await rows(`trade.observation_as_of('2025-03-01', NULL)`)).toEqual([...mof, { dataset: 'census.api', value: '148' }].sort((x, y) => x.dataset.localeCompare(y.dataset)));
      expect(await rows(`trade.observation_as_of('2025-03-01', ARRAY['not.loaded'])`)).toEqual([]);
      expect(await rows(`trade.observation_as_of('2025-03-01')`)).toEqual(await rows(`trade.observation_as_of('2025-03-01', NULL)`));
      expect(await rows(`metrics.observation_of_stage(NULL, 'preliminary', ARRAY['mof.timeseries'])`)).toEqual([{ dataset: 'mof.timeseries', value: '9911' }]);
      expect(await rows(`metrics.observation_of_stage(NULL, 'preliminary')`)).toEqual(mof);
      expect(await rows(`metrics.observation_at('2025-01-23', NULL, ARRAY['mof.press', 'mof.timeseries'])`)).toEqual(press);
      expect(await rows(`metrics.observation_at(NULL, NULL, ARRAY['census.api'])`)).toEqual([{ dataset: 'census.api', value: '148' }]);
    });

    it('compares at the article\'s precision: 8.645 trn rounds to 8.65 (differs), 8.6449 to 8.64 (matches)', async () => {
      const db = t.db();
      const check = async (value: string) => {
        await db.query('TRUNCATE trade.observation_fact, etl.release CASCADE');
        const p = await release(db, 'mof.press', '2025-01-23', 'preliminary', 'A:2024');
        await observe(db, p, [{ dataset: 'mof.press', partner: 'US', flow: 'balance', period: '2024', frequency: 'A', value }]);
        const [row] = await db.query<{ computed_value: string; compared_value: string; verdict: string }>(
          `SELECT computed_value::text, compared_value::text, verdict FROM metrics.claim_check WHERE id = 'jp_us_surplus_2024'`);
        return row;
      };
      expect(await check('8645000000000')).toEqual({ computed_value: '8.645', compared_value: '8.65', verdict: 'differs' });
      expect(await check('8644900000000')).toEqual({ computed_value: '8.6449', compared_value: '8.64', verdict: 'matches' });
      expect(await check('8635000000000')).toEqual({ computed_value: '8.635', compared_value: '8.64', verdict: 'matches' });
    });

    it('ranks countries only, and says when a rank is certain', async () => {
      const db = t.db();
      const r = await release(db, 'census.api', '2025-02-05', null, 'imports/enduse:I_ENDUSE=30000:GEN_VAL_YR:2024');
      const car = (partner: string, value: string): Obs => ({ dataset: 'census.api', reporter: 'US', partner, flow: 'import', period: '2024', frequency: 'A', classification: 'census_enduse', commodity: '30000', value, unit: 'USD' });
      await observe(db, r, [car('WORLD', '100'), car('census:0003', '60'), car('MX', '50'), car('JP', '30'), car('KR', '5')]);
      const rows = await db.query<{ partner: string; rank: number | null; certain: boolean | null; share: string }>(
        `SELECT partner, rank, rank_is_certain AS certain, share_of_world_pct::text AS share FROM metrics.us_car_imports_by_country ORDER BY value_usd DESC`);
      // Loaded countries sum to 85, so up to 15 is missing: Korea (5) could be outranked, Japan (30) not.
      expect(rows).toEqual([
        { partner: 'WORLD', rank: null, certain: null, share: '100.0000' },
        { partner: 'census:0003', rank: null, certain: null, share: '60.0000' },
        { partner: 'MX', rank: 1, certain: true, share: '50.0000' },
        { partner: 'JP', rank: 2, certain: true, share: '30.0000' },
        { partner: 'KR', rank: 3, certain: false, share: '5.0000' },
      ]);
    });

    it('a claim whose source is not loaded says so, and no claim is computed from nothing', async () => {
      const rows = await t.db().query<{ id: string; verdict: string; computed_value: string | null }>(
        `SELECT id, verdict, computed_value::text FROM metrics.claim_check ORDER BY claim_no`);
      expect(rows).toHaveLength(19);
      for (const r of rows) {
        expect(['no data loaded', 'not covered by a source'], r.id).toContain(r.verdict);
        expect(r.computed_value, r.id).toBeNull();
      }
    });
  });
}
