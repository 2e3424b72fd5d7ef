/**
 * usitc.hts's JSON export through the real CLI: a revision loaded as JSON, then the same revision
 * as CSV, changes nothing; a truncated JSON download exits 1 naming the file with the database as
 * it was. The JSON is built from the real CSV (tests/helpers/hts-json.ts). PGlite always; the real
 * server too with TEST_DATABASE_URL.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../src/db/connect.js';
import { loadConfig } from '../../src/core/config.js';
import { runCli, ROOT } from '../helpers/cli.js';
import { backends, createServerDatabase } from '../helpers/db.js';
import { htsCsvToJsonRows, writeHtsJson } from '../helpers/hts-json.js';

const R13_CSV = path.join(ROOT, 'fixtures/usitc/hts_2025_revision_13.csv');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'trade-etl-hts-json-'));
const R13_JSON = writeHtsJson(path.join(work, 'hts_2025_revision_13_json.json'), htsCsvToJsonRows(R13_CSV));

for (const backend of backends()) {
  describe(`usitc.hts JSON export through trade-etl load (${backend})`, () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'trade-etl-hts-json-db-'));
    let dbUrl: string | undefined;
    let drop: (() => Promise<void>) | undefined;
    beforeAll(async () => { if (backend === 'postgres') ({ url: dbUrl, drop } = await createServerDatabase()); }, 60_000);
    afterAll(() => drop?.());
    const env = () => ({ DATA_DIR: dataDir, DATABASE_URL: dbUrl, LOG_LEVEL: 'warn' });
    async function sql<T = Record<string, unknown>>(q: string): Promise<T[]> {
      const db = await connect(loadConfig({ DATA_DIR: dataDir, DATABASE_URL: dbUrl }));
      try { return await db.query<T>(q); } finally { await db.close(); }
    }

    it('loads Revision 13 as JSON; the same revision as CSV then changes no line', async () => {
      const r = await runCli(['load', R13_JSON, '--dataset', 'usitc.hts', '--published-on', '2025-04-22'], env());
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(/loaded hts_2025_revision_13_json\.json as release \d+ \(scope HTSUS\): 35940 observations, 35940 new/);
      const [auto] = await sql(`SELECT general_rate, general_additional_pct::text AS add, effective_from::text AS eff, units, revision FROM tariff.line WHERE hts_number = '9903.94.01'`);
      expect(auto).toEqual({ general_rate: 'The duty provided in the applicable subheading + 25%', add: '25', eff: '2025-04-03', units: [], revision: '2025-r13' });
      const [motorHomes] = await sql<{ units: string[] }>(`SELECT units FROM tariff.line WHERE hts_number = '8703.23.01.10'`);
      expect(motorHomes!.units).toEqual(['No.']);
      const csv = await runCli(['load', R13_CSV, '--dataset', 'usitc.hts', '--published-on', '2025-04-22'], env());
      expect(csv.code, csv.stderr).toBe(0);
      expect(csv.stdout).toMatch(/35940 observations, 0 new, 0 superseded, 35940 unchanged/);
      const [n] = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM tariff.line_history`);
      expect(n!.n).toBe(35940);
    }, 240_000);

    it('refuses a truncated JSON download: exit 1, file named, database as it was', async () => {
      const state = () => sql(`SELECT (SELECT count(*) FROM tariff.line_history)::int AS lines, (SELECT count(*) FROM etl.release WHERE status = 'loaded')::int AS loaded`);
      const before = await state();
      const whole = fs.readFileSync(R13_JSON, 'utf8');
      const cut = path.join(work, 'hts_2026_revision_4_json.json');
      fs.writeFileSync(cut, whole.slice(0, 1_000_000));
      const r = await runCli(['load', cut, '--dataset', 'usitc.hts', '--published-on', '2026-02-25'], env());
      expect(r.code).toBe(1);
      for (const p of [/file:\s+hts_2026_revision_4_json\.json/, /the file ends inside the array/, /database is as it was/]) expect(r.stderr).toMatch(p);
      expect(await state()).toEqual(before);
    }, 120_000);
  });
}
