/**
 * The claim check through the real path: the bundled fixtures loaded by the demo's loader
 * (loadFixtures → loadRelease → parsers → merge) into PGlite and, when TEST_DATABASE_URL is set,
 * into Postgres; then metrics.claim_check and claim_check_as_of are read as analysts read them.
 * Expected verdicts are those of CLAIMS.md; expected computed values are the published figures
 * the fixtures were built from (see fixtures/*\/README.md).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import pg from 'pg';
import { describe, expect, it, beforeAll } from 'vitest';
import { backends, useDb } from '../helpers/db.js';
import { loadConfig } from '../../src/core/config.js';
import { createLogger } from '../../src/core/logger.js';
import { loadFixtures } from '../../src/engine/load-fixtures.js';
import { loadRelease } from '../../src/engine/load-release.js';
import { datasetById } from '../../src/engine/registry.js';
import { storeFile } from '../../src/fetch/raw-store.js';
import { readClaimCheck, type ClaimCheckRow } from '../../src/metrics/claim-check.js';
import type { EngineContext } from '../../src/engine/context.js';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const D41MA = path.join(ROOT, 'fixtures/mof/timeseries/d41ma.csv');

const EXPECTED_VERDICTS: Record<string, string> = {
  jp_exports_2024: 'differs',
  jp_exports_over_100trn_two_years: 'matches',
  jp_exports_record_since_1979: 'matches',
  jp_imports_2024: 'matches',
  jp_us_surplus_2024: 'matches',
  jp_autos_share_of_us_exports: 'matches',
  jp_autos_parts_share_over_third: 'matches',
  jp_car_units_to_us: 'matches',
  jp_car_units_share: 'matches',
  us_car_imports_mexico: 'differs',
  us_car_imports_japan: 'matches',
  us_deficit_with_japan: 'differs',
  auto_tariff: 'matches',
  us_car_sales_in_japan: 'not covered by a source',
  rice_minimum_access: 'not covered by a source',
  rice_tariff_usd: 'differs',
  rice_price_cny: 'matches',
  rice_imports_fy2022: 'not covered by a source',
  wagyu: 'not covered by a source',
};

/**
 * d41ma as it stood in early 2025: the real file with every month after 2024-12 written as 0,
 * which is how Customs writes months not yet published (the parser drops them).
 */
function d41maThrough2024(): Buffer {
  const text = iconv.decode(fs.readFileSync(D41MA), 'cp932');
  const out = text.split('\r\n').map((line) => {
    const m = /^(\d{4})\/\d{2},/.exec(line);
    if (!m || Number(m[1]) <= 2024) return line;
    return line.replace(/^(\d{4}\/\d{2}),[^,]*,[^,]*$/, '$1,0 ,0 ');
  }).join('\r\n');
  return iconv.encode(out, 'cp932');
}

function byId(rows: ClaimCheckRow[]): Record<string, ClaimCheckRow> {
  return Object.fromEntries(rows.map((r) => [r.id, r]));
}

for (const backend of backends()) {
  describe(`claim check on the bundled fixtures (${backend})`, () => {
    const t = useDb(backend);
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'trade-etl-claims-'));
    const ctx = (): EngineContext => ({ db: t.db(), config: loadConfig({ DATA_DIR: dataDir }), logger: createLogger({ logLevel: 'silent' }) });
    let current: Record<string, ClaimCheckRow>;

    beforeAll(async () => {
      // The early-2025 vintage of d41ma first (published 2025-01-31), then everything the demo
      // loads: its d41ma (the 2026 capture, no date in the file → published on the load date)
      // supersedes it, so both vintages are in the history.
      const early = path.join(dataDir, 'd41ma.csv');
      fs.writeFileSync(early, d41maThrough2024());
      const first = await loadRelease(ctx(), datasetById('mof.timeseries'), await storeFile(dataDir, early), { fileName: 'd41ma.csv', hints: { publishedOn: '2025-01-31' } });
      expect(first.status).toBe('loaded');
      const outcomes = await loadFixtures(ctx(), 'manual');
      expect(outcomes.filter((o) => o.status === 'failed').map((o) => `${o.fileName}: ${o.error?.message}`)).toEqual([]);
      current = byId(await readClaimCheck(t.db()));
    }, 300_000);

    it('gives the verdicts of CLAIMS.md for all 19 claims', () => {
      expect(Object.fromEntries(Object.values(current).map((r) => [r.id, r.verdict]))).toEqual(EXPECTED_VERDICTS);
    });

    it('computes the official figures from the loaded releases, in the article\'s units', () => {
      const v = (id: string) => current[id]!.computedValue;
      expect(v('jp_exports_2024')).toBe('107.0913');            // 107,091.3 bn ¥, MOF preliminary
      expect(current.jp_exports_2024!.comparedValue).toBe('107.1');
      expect(current.jp_exports_2024!.secondaryComputed).toBe('6.2');
      expect(v('jp_us_surplus_2024')).toBe('8.6418');           // 8,641.8 bn ¥, preliminary
      expect(current.jp_us_surplus_2024!.comparedValue).toBe('8.64');
      expect(v('jp_autos_share_of_us_exports')).toBe('28.2999'); // 6,026.4 / 21,294.8 (revised)
      expect(v('jp_autos_parts_share_over_third')).toBe('33.7998');
      expect(v('jp_car_units_to_us')).toBe('1.35');
      expect(v('jp_car_units_share')).toBe('32.1429');          // 1.35 M of 4.2 M
      expect(v('us_car_imports_mexico')).toBe('49.743');
      expect(current.us_car_imports_mexico!.secondaryComputed).toBe('1');
      expect(v('us_car_imports_japan')).toBe('39.936');
      expect(current.us_car_imports_japan!.secondaryComputed).toBe('2');
      expect(v('us_deficit_with_japan')).toBe('68.5');
      expect(Number(v('rice_tariff_usd'))).toBeCloseTo(341 / 140.81, 10);
      expect(Number(v('rice_price_cny'))).toBeCloseTo(4217 * 7.2914 / 140.81, 8);
      expect(v('jp_imports_2024')).toBe('112.4238');
      expect(v('jp_exports_over_100trn_two_years')).toBe('100.873049041'); // 2023 from d41ma
      expect(current.auto_tariff!.computedValue).toBe('25');       // 9903.94.01 "+ 25%", 2025 Revision 13
    });

    it('names the dataset, classification and vintage of every computed value', () => {
      const e = current.jp_exports_2024!;
      expect([e.dataset, e.classification, e.stage, e.publishedOn]).toEqual(['mof.press', 'total', 'preliminary', '2025-01-23']);
      expect(e.note).toContain('2024_117e.xml'); // the newer, revised vintage is named too
      expect(e.note).toContain('107.0979');
      const m = current.us_car_imports_mexico!;
      expect([m.dataset, m.classification]).toEqual(['census.api', 'census_enduse']);
      expect(current.us_car_imports_japan!.note).toContain('hs4 8703 (general imports) 41.600 bn $');
      for (const r of Object.values(current).filter((x) => x.verdict === 'matches' || x.verdict === 'differs')) {
        expect(r.dataset, r.id).toBeTruthy();
        expect(r.releaseId, r.id).toBeGreaterThan(0);
        expect(r.publishedOn, r.id).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        expect(r.vintage, r.id).toContain(r.dataset!);
      }
      expect(current.jp_car_units_share!.note).toContain('sum over all destination countries');
    });

    it('without --as-of judges the record at its own time; as of a date it counts every year published by then', async () => {
      expect(current.jp_exports_record_since_1979!.note).toContain('2025 was higher');
      const early = byId(await readClaimCheck(t.db(), '2025-04-22'));
      expect(early.jp_exports_record_since_1979!.verdict).toBe('matches');
      expect(early.jp_exports_record_since_1979!.publishedOn).toBe('2025-01-31');
      const [{ today }] = await t.db().query<{ today: string }>('SELECT current_date::text AS today') as [{ today: string }];
      const late = byId(await readClaimCheck(t.db(), today));
      expect(late.jp_exports_record_since_1979!.verdict).toBe('differs');
      expect(late.jp_exports_record_since_1979!.note).toContain('no longer the record as of');
    });

    it('judges auto_tariff with the revision in force on the article\'s date, and names what later revisions changed', async () => {
      const a = current.auto_tariff!;
      expect([a.dataset, a.publishedOn, a.comparison]).toEqual(['usitc.hts', '2025-04-22', 'true']);
      expect(a.note).toContain('2025 HTS Revision 13');
      expect(a.note).toContain('= +25 % from 2025-04-03');
      expect(a.note).toMatch(/9903\.94\.05 .*= \+25 % from 2025-05-03/);
      expect(a.note).toMatch(/2026 HTS Revision 4 \(published 2026-02-25\) new 9903\.94\.41 "Passenger vehicles and light trucks that are products of Japan[^"]*less than 15 percent": general rate "15%"/);
      // As of a day between the two revisions the later one is not mentioned; the verdict is the same.
      const mid = byId(await readClaimCheck(t.db(), '2025-12-31'));
      expect(mid.auto_tariff!.verdict).toBe('matches');
      expect(mid.auto_tariff!.note).not.toContain('9903.94.41');
    });

    it('as of a date uses only what was published by then', async () => {
      const before = byId(await readClaimCheck(t.db(), '2025-01-22'));
      expect(before.jp_exports_2024!.verdict).toBe('no data loaded');
      expect(before.jp_exports_2024!.note).toContain('mof.press');
      expect(before.rice_tariff_usd!.verdict).toBe('no data loaded'); // the rate of 2025-04-21 did not exist yet
      expect(before.auto_tariff!.verdict).toBe('no data loaded'); // the revision in force on the article's date was not out yet
      const feb = byId(await readClaimCheck(t.db(), '2025-02-10'));
      // Before the revised release (2025-03-13): the autos share comes from the preliminary one.
      expect(feb.jp_autos_share_of_us_exports!.computedValue).toBe('28.3002'); // 6,026.8 / 21,296.0
      expect(feb.jp_autos_share_of_us_exports!.publishedOn).toBe('2025-01-23');
      expect(feb.us_deficit_with_japan!.verdict).toBe('differs');                // country.xlsx of 2025-02-05
    });

    if (backend === 'postgres') {
      it('the read-only analyst role can run the check (and still cannot read etl)', async () => {
        const client = new pg.Client({ connectionString: t.url() });
        await client.connect();
        try {
          await client.query('SET ROLE analyst');
          const r = await client.query(`SELECT id, verdict FROM metrics.claim_check WHERE id IN ('jp_exports_2024', 'jp_us_surplus_2024') ORDER BY id`);
          expect(r.rows).toEqual([{ id: 'jp_exports_2024', verdict: 'differs' }, { id: 'jp_us_surplus_2024', verdict: 'matches' }]);
          const a = await client.query(`SELECT verdict FROM metrics.claim_check_as_of('2025-04-22') WHERE id = 'jp_exports_record_since_1979'`);
          expect(a.rows).toEqual([{ verdict: 'matches' }]);
          await expect(client.query('SELECT count(*) FROM etl.release')).rejects.toThrow(/permission denied/);
        } finally {
          await client.end();
        }
      });
    }

    it('the metrics views keep calendar and fiscal years apart and compute y/y against the newest vintage', async () => {
      const rows = await t.db().query<{ year_kind: string; period: string; value: string; growth: string | null; dataset: string }>(`
        SELECT year_kind, period, value_jpy::text AS value, growth_pct::text AS growth, dataset
        FROM metrics.jp_trade_annual WHERE flow = 'export' AND year = 2024 ORDER BY year_kind, dataset, method`);
      expect(rows).toEqual([
        { year_kind: 'calendar', period: '2024', value: '107097900000000', growth: null, dataset: 'mof.press' },
        { year_kind: 'calendar', period: '2024', value: '107087511087000', growth: '6.1607', dataset: 'mof.timeseries' },
        { year_kind: 'fiscal', period: 'FY2024', value: '108934600000000', growth: null, dataset: 'mof.press' },
        { year_kind: 'fiscal', period: 'FY2024', value: '108937253339000', growth: expect.any(String), dataset: 'mof.timeseries' },
      ]);
      const [us] = await t.db().query<{ balance: string; stage: string }>(
        `SELECT balance_jpy::text AS balance, stage FROM metrics.jp_trade_by_partner WHERE partner = 'US' AND period = 'FY2024'`);
      expect(us).toEqual({ balance: '9005300000000', stage: 'preliminary' }); // FY2024 US surplus 9,005.3 bn ¥
    });
  });
}

describe('changing a fixture value changes the computed value and the verdict', () => {
  const t = useDb('pglite');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'trade-etl-claims-mod-'));
  const ctx = (): EngineContext => ({ db: t.db(), config: loadConfig({ DATA_DIR: dataDir }), logger: createLogger({ logLevel: 'silent' }) });

  it('the calendar-2024 press release with the article\'s 107.9 trillion instead of 107.09 makes jp_exports_2024 match', async () => {
    const original = fs.readFileSync(path.join(ROOT, 'fixtures/mof/press/2024_114e.xml'), 'utf8');
    // The total is printed on pg1, pg2 (Grand Total) and pg3 (Grand Total); the parser refuses
    // pages that disagree, so all three change.
    const modified = original.split('107,091,300').join('107,891,300');
    expect(modified).not.toBe(original);
    const file = path.join(dataDir, '2024_114e.xml');
    fs.writeFileSync(file, modified);
    const out = await loadRelease(ctx(), datasetById('mof.press'), await storeFile(dataDir, file), { fileName: '2024_114e.xml' });
    expect(out.status).toBe('loaded');
    const rows = byId(await readClaimCheck(t.db()));
    expect(rows.jp_exports_2024!.computedValue).toBe('107.8913');
    expect(rows.jp_exports_2024!.verdict).toBe('matches');
    expect(rows.jp_us_surplus_2024!.verdict).toBe('matches');
    // Census data not loaded here: its claims say so instead of guessing.
    expect(rows.us_car_imports_japan!.verdict).toBe('no data loaded');
    expect(rows.jp_exports_record_since_1979!.verdict).toBe('no data loaded');
  }, 120_000);
});
