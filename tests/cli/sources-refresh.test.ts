/**
 * The source issues' "done when": `trade-etl refresh --source X` against the local fixture
 * server (real HTTP, real URL paths) loads every dataset of the source, and plain SQL gives the
 * published figures. Runs the real CLI on the embedded database and, with TEST_DATABASE_URL, on
 * the real server.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureServer, fixtureEnv, type FixtureServer } from '../../src/devtools/fixture-server.js';
import { connect, type Db } from '../../src/db/connect.js';
import { loadConfig } from '../../src/core/config.js';
import { runCli } from '../helpers/cli.js';
import { backends, createServerDatabase } from '../helpers/db.js';

let server: FixtureServer;
beforeAll(async () => { server = await startFixtureServer(); });
afterAll(async () => { await server.close(); });

for (const backend of backends()) {
  describe(`refresh each source over HTTP (${backend})`, () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'trade-etl-refresh-'));
    let dbUrl: string | undefined;
    let drop: (() => Promise<void>) | undefined;
    const env = () => ({ ...fixtureEnv(server.url), DATA_DIR: dataDir, DATABASE_URL: dbUrl, LOG_LEVEL: 'warn' });
    async function sql<T = Record<string, unknown>>(q: string, params: unknown[] = []): Promise<T[]> {
      const db: Db = await connect(loadConfig({ DATA_DIR: dataDir, DATABASE_URL: dbUrl }));
      try { return await db.query<T>(q, params); } finally { await db.close(); }
    }
    beforeAll(async () => {
      if (backend === 'postgres') ({ url: dbUrl, drop } = await createServerDatabase());
    });
    afterAll(async () => { await drop?.(); });

    it('refresh --source mof loads the press XML, the HS-9 CSV and the time series', async () => {
      const r = await runCli(['refresh', '--source', 'mof'], env());
      expect(r.stderr).not.toMatch(/"level":50/);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/mof\.press\s+\d+\s+[1-9]/);
      expect(r.stdout).toMatch(/mof\.hs_country\s+\d+\s+[1-9]/);
      expect(r.stdout).toMatch(/mof\.timeseries\s+\d+\s+[1-9]/);
      const rows = await sql<{ flow: string; partner: string; value: string; stage: string }>(
        `SELECT flow, partner, value::text, stage FROM trade.observation
         WHERE dataset = 'mof.press' AND frequency = 'A' AND period = '2024' AND classification = 'total' AND measure = 'value'
         ORDER BY partner, flow`);
      const v = Object.fromEntries(rows.map((x) => [`${x.partner}:${x.flow}`, x.value]));
      // Calendar 2024 as now published (the revised stage supersedes the provisional).
      expect(v['WORLD:export']).toBe('107097900000000');
      expect(v['US:export']).toBe('21294800000000');
      expect(v['US:balance']).toBe('8628100000000');
      // Refresh takes only the newest release of each kind: the revised stage, not the provisional.
      expect(new Set(rows.map((x) => x.stage))).toEqual(new Set(['revised']));
      // Autos' share of exports to the USA, from values (not the published share column).
      const [share] = await sql<{ autos: string; autos_parts: string; units: string }>(`
        WITH us AS (SELECT commodity_code, measure, value FROM trade.observation
                    WHERE dataset = 'mof.press' AND period = '2024' AND frequency = 'A' AND partner = 'US' AND flow = 'export')
        SELECT round(100 * (SELECT value FROM us WHERE commodity_code = 'MOTOR VEHICLES' AND measure = 'value')
                     / (SELECT value FROM us WHERE commodity_code = 'TOTAL' AND measure = 'value'), 1)::text AS autos,
               round(100 * (SELECT sum(value) FROM us WHERE commodity_code IN ('MOTOR VEHICLES', 'PARTS OF MOTOR VEHICLES') AND measure = 'value')
                     / (SELECT value FROM us WHERE commodity_code = 'TOTAL' AND measure = 'value'), 1)::text AS autos_parts,
               (SELECT value FROM us WHERE commodity_code = '(CAR)' AND measure = 'quantity')::text AS units`);
      expect(share).toEqual({ autos: '28.3', autos_parts: '33.8', units: '1350000' });
      // d41ma: complete-year sums, thousand yen → yen, 2024 / 2023 growth 6.2 %.
      const [ts] = await sql<{ y2024: string; growth: string }>(`
        SELECT (sum(value) FILTER (WHERE period LIKE '2024-%'))::text AS y2024,
               round(100 * (sum(value) FILTER (WHERE period LIKE '2024-%') / sum(value) FILTER (WHERE period LIKE '2023-%') - 1), 1)::text AS growth
        FROM trade.observation WHERE dataset = 'mof.timeseries' AND classification = 'total' AND flow = 'export'`);
      expect(Math.round(Number(ts!.y2024) / 1e8) / 10).toBe(107087.5); // billions of yen
      expect(ts!.growth).toBe('6.2');
    });

    it('refresh --source census loads the API responses and country.xlsx', async () => {
      const r = await runCli(['refresh', '--source', 'census'], env());
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/census\.api\s+\d+\s+[1-9]/);
      expect(r.stdout).toMatch(/census\.country\s+\d+\s+[1-9]/);
      const ranking = await sql<{ partner: string; musd: string; rank: string }>(`
        SELECT partner, (value / 1e6)::bigint::text AS musd, rank() OVER (ORDER BY value DESC)::text AS rank
        FROM trade.observation
        WHERE dataset = 'census.api' AND reporter = 'US' AND flow = 'import' AND classification = 'census_enduse'
          AND commodity_code = '30000' AND frequency = 'A' AND period = '2024' AND partner ~ '^[A-Z]{2}$'
        ORDER BY value DESC LIMIT 5`);
      expect(ranking.map((x) => [x.partner, x.musd])).toEqual([['MX', '49743'], ['JP', '39936'], ['KR', '37386'], ['CA', '28262'], ['DE', '25326']]);
      const [bal] = await sql<{ balance_busd: string }>(`
        SELECT round((sum(value) FILTER (WHERE flow = 'export') - sum(value) FILTER (WHERE flow = 'import')) / 1e9, 1)::text AS balance_busd
        FROM trade.observation WHERE dataset = 'census.country' AND partner = 'JP' AND frequency = 'A' AND period = '2024'`);
      expect(bal!.balance_busd).toBe('-68.5');
    });

    it('refresh --source frb loads the H.10 and FRED rates; 341 yen on 2025-04-21 is about $2.42', async () => {
      const r = await runCli(['refresh', '--source', 'frb'], env());
      expect(r.code).toBe(0);
      const [c] = await sql<{ usd: string; date_used: string }>(
        `SELECT round(amount, 2)::text AS usd, date_used::text FROM fx.convert_detail(341, 'JPY', 'USD', '2025-04-21')`);
      expect(c).toEqual({ usd: '2.42', date_used: '2025-04-21' });
    });

    it('refresh --source usitc asks the release list for the current revision and loads its CSV export', async () => {
      const r = await runCli(['refresh', '--source', 'usitc'], env());
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/usitc\.hts\s+\d+\s+[1-9]/);
      expect(server.requests.some((q) => q.path === '/reststop/releaseList')).toBe(true);
      const [rel] = await sql<Record<string, string>>(`SELECT revision, release_name, published_on::text AS published_on, file_name, lines::text AS lines FROM tariff.revision`);
      // The date and the revision come from the release list: the CSV names neither.
      expect(rel).toEqual({ revision: '2026-r4', release_name: '2026HTSRev4', published_on: '2026-02-25', file_name: 'hts_2026_revision_4_csv.csv', lines: '35733' });
      const lines = await sql<{ hts_number: string; general_rate: string; pct: string | null }>(
        `SELECT hts_number, general_rate, coalesce(general_additional_pct, general_ad_valorem_pct)::text AS pct FROM tariff.line
         WHERE hts_number IN ('8703.23.01', '9903.94.01', '9903.94.41') ORDER BY hts_number`);
      expect(lines).toEqual([
        { hts_number: '8703.23.01', general_rate: '2.5%', pct: '2.5' },
        { hts_number: '9903.94.01', general_rate: 'The duty provided in the applicable subheading + 25%', pct: '25' },
        { hts_number: '9903.94.41', general_rate: '15%', pct: '15' },
      ]);
      const [url] = await sql<{ url: string }>(`SELECT url FROM etl.release WHERE dataset = 'usitc.hts'`);
      expect(url!.url).toBe(`${server.url}/reststop/exportList?from=0101&to=9999&format=CSV&styles=false`);
    });

    it('a second refresh fetches conditionally and loads nothing new', async () => {
      const count = `SELECT (SELECT count(*) FROM trade.observation_history)::text AS n, (SELECT count(*) FROM tariff.line_history)::text AS tariff`;
      const before = await sql<{ n: string }>(count);
      const n = server.requests.length;
      const r = await runCli(['refresh'], env());
      expect(r.code).toBe(0);
      const after = await sql<{ n: string }>(count);
      expect(after).toEqual(before);
      const releaseRequests = server.requests.slice(n).filter((q) => !q.path.endsWith('.htm') && q.path !== '/reststop/releaseList');
      expect(releaseRequests.length).toBeGreaterThan(0);
      expect(releaseRequests.every((q) => q.status === 304)).toBe(true);
    });
  });
}
