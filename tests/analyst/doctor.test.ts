import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../src/db/connect.js';
import { migrate } from '../../src/db/migrate.js';
import { loadConfig } from '../../src/core/config.js';
import { createServerDatabase } from '../helpers/db.js';
import { seedVintages } from './seed.js';
import { runCli } from '../helpers/cli.js';

interface Line { level: string; name: string; detail: string }
const parse = (stdout: string): Line[] => (JSON.parse(stdout) as { checks: Line[] }).checks;
const line = (lines: Line[], name: string) => {
  const l = lines.find((x) => x.name === name);
  if (!l) throw new Error(`no ${name} line in ${JSON.stringify(lines)}`);
  return l;
};

describe('trade-etl doctor on the embedded database (real CLI)', () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'trade-etl-doctor-'));
    const db = await connect(loadConfig({ DATA_DIR: dataDir }));
    try {
      await migrate(db);
      const { revised } = await seedVintages(db);
      // The raw file of one loaded release is in the store; the others' are not.
      const [r] = await db.query<{ sha256: string }>('SELECT sha256 FROM etl.release WHERE id = $1', [revised]);
      fs.mkdirSync(path.join(dataDir, 'raw'), { recursive: true });
      fs.writeFileSync(path.join(dataDir, 'raw', r!.sha256), '<xml/>');
      // What a killed refresh leaves behind, and what a bad file leaves.
      const [run] = await db.query<{ id: string }>(`INSERT INTO etl.run (command, trigger) VALUES ('refresh', 'cron') RETURNING id`);
      await db.query(`INSERT INTO etl.release (source, dataset, file_name, sha256, bytes, status, run_id)
        VALUES ('mof', 'mof.press', '2025014e.xml', repeat('a', 64), 10, 'loading', $1)`, [run!.id]);
      await db.query(`INSERT INTO etl.release (source, dataset, file_name, sha256, bytes, status, error)
        VALUES ('census', 'census.country', 'country.xlsx', repeat('b', 64), 10, 'failed', 'bad input: row 7, column CTYNAME')`);
    } finally {
      await db.close();
    }
  });
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('reports OK/WARN per line and exits 0 when nothing FAILs', async () => {
    const r = await runCli(['doctor'], { DATA_DIR: dataDir, CENSUS_API_KEY: 'MyCensusKey12345' });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^OK +backend +embedded PGlite/m);
    expect(r.stdout).toMatch(/^OK +migrations +level \d+ of \d+, up to date/m);
    expect(r.stdout).toMatch(/^OK +census api key +CENSUS_API_KEY is set \(value not shown\)/m);
    expect(r.stdout).not.toContain('MyCensusKey12345');
    // The killed refresh (no process of its own any more) is marked failed (interrupted) by the
    // check itself, its 'loading' release with it; both are then reported as what they are.
    expect(r.stdout).toMatch(/^WARN +interrupted runs +1 run\(s\) of the last 7 days were interrupted .*#\d+ refresh/m);
    expect(r.stdout).toMatch(/^OK +stuck releases +no release left in 'loading'/m);
    expect(r.stdout).toMatch(/^OK +unfinished runs +no run left running/m);
    expect(r.stdout).toMatch(/^WARN +failed releases 7d +2 failed .*census\.country country\.xlsx: bad input: row 7/m);
    expect(r.stdout).toMatch(/^WARN +raw store +.*1 file\(s\), 6 B; 2 loaded release\(s\) have no raw file/m);
    // With config/schedule.json cadences and registered datasets the verdict is theirs (our 2025 rows
    // are then stale); without, when each dataset was last looked at.
    expect(r.stdout).toMatch(/^(OK +freshness +frb\.fred newest 2025-07-01, checked 0d ago; mof\.press newest 2025-03-13|WARN +freshness +\d+ dataset\(s\) stale by schedule\.json: )/m);
    expect(r.stdout).not.toMatch(/analyst role/); // server only
    expect(r.stdout).toMatch(/, 0 FAIL\n$/);
  });

  it('FAILs (exit 1) on a broken configuration: DATA_DIR not a directory, a base URL that is not a URL', async () => {
    const file = path.join(dataDir, 'not-a-dir');
    fs.writeFileSync(file, '');
    const r = await runCli(['doctor', '--json'], { DATA_DIR: file, MOF_BASE_URL: 'customs.go.jp' });
    expect(r.code).toBe(1);
    const lines = parse(r.stdout);
    expect(line(lines, 'data dir')).toMatchObject({ level: 'FAIL' });
    expect(line(lines, 'base url mof')).toMatchObject({ level: 'FAIL', detail: 'not a URL: "customs.go.jp"' });
    expect(line(lines, 'base url frb')).toMatchObject({ level: 'OK' });
    expect(line(lines, 'census api key')).toMatchObject({ level: 'WARN' });
  });

  it('FAILs when an applied migration was edited afterwards', async () => {
    const db = await connect(loadConfig({ DATA_DIR: dataDir }));
    await db.query(`UPDATE etl.schema_migration SET checksum = 'edited' WHERE version = 1`);
    await db.close();
    try {
      const r = await runCli(['doctor', '--json'], { DATA_DIR: dataDir });
      expect(r.code).toBe(1);
      expect(line(parse(r.stdout), 'migrations')).toMatchObject({ level: 'FAIL' });
      expect(line(parse(r.stdout), 'migrations').detail).toMatch(/1 were edited after being applied/);
    } finally {
      const again = await connect(loadConfig({ DATA_DIR: dataDir }));
      const { listMigrations } = await import('../../src/db/migrate.js');
      await again.query(`UPDATE etl.schema_migration SET checksum = $1 WHERE version = 1`, [listMigrations()[0]!.checksum]);
      await again.close();
    }
  });

  it('does not create an embedded database that is not there', async () => {
    const empty = path.join(dataDir, 'fresh');
    const r = await runCli(['doctor', '--json'], { DATA_DIR: empty });
    expect(r.code).toBe(0);
    expect(line(parse(r.stdout), 'database')).toMatchObject({ level: 'WARN' });
    expect(fs.existsSync(path.join(empty, 'pglite'))).toBe(false);
  });
});

describe.skipIf(!process.env.TEST_DATABASE_URL)('trade-etl doctor on the server (real CLI)', () => {
  it('checks the analyst role and FAILs on an unreachable server', async () => {
    const { url, drop } = await createServerDatabase();
    try {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'trade-etl-doctor-'));
      expect((await runCli(['migrate'], { DATA_DIR: dataDir, DATABASE_URL: url })).code).toBe(0);
      const ok = await runCli(['doctor', '--json'], { DATA_DIR: dataDir, DATABASE_URL: url });
      expect(ok.code).toBe(0);
      expect(line(parse(ok.stdout), 'analyst role')).toMatchObject({ level: 'OK' });
      expect(line(parse(ok.stdout), 'database').detail).toMatch(/^reachable: postgres:/);
      const down = await runCli(['doctor', '--json'], { DATA_DIR: dataDir, DATABASE_URL: 'postgres://postgres@127.0.0.1:1/test' });
      expect(down.code).toBe(1);
      expect(line(parse(down.stdout), 'database')).toMatchObject({ level: 'FAIL' });
      fs.rmSync(dataDir, { recursive: true, force: true });
    } finally {
      await drop();
    }
  });
});
