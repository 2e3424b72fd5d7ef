/**
 * A database password (or the Census API key) never reaches stdout, stderr or a log line: not in
 * connection errors, not in debug logs, not in stack traces (TRADE_ETL_DEBUG=1).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/core/logger.js';
import { createServerDatabase } from '../helpers/db.js';
import { runCli } from '../helpers/cli.js';

const PASSWORD = 'S3cretPassw0rd';
let dataDir: string;
beforeAll(() => { dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'trade-etl-secrets-')); });
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

const verbose = { LOG_LEVEL: 'trace', TRADE_ETL_DEBUG: '1' };

describe('the database password stays out of the output (real CLI)', () => {
  const unreachable = `postgres://postgres:${PASSWORD}@127.0.0.1:1/test`;

  for (const args of [['migrate'], ['status'], ['doctor'], ['runs'], ['refresh']]) {
    it(`\`${args.join(' ')}\` against an unreachable server fails clearly without printing it`, async () => {
      const r = await runCli(args, { DATA_DIR: dataDir, DATABASE_URL: unreachable, ...verbose });
      const all = r.stdout + r.stderr;
      expect(all).not.toContain(PASSWORD);
      expect(r.code).toBe(1);
      expect(all).toContain('cannot connect to Postgres at postgres://postgres:*****@127.0.0.1:1/test');
      expect(all).toMatch(/ECONNREFUSED/);
    });
  }

  it('masks a password with URL-escaped characters, escaped and unescaped', async () => {
    const r = await runCli(['migrate'], { DATA_DIR: dataDir, DATABASE_URL: 'postgres://etl:p%40ss%3Aw0rd%2Fxyz@127.0.0.1:1/test', ...verbose });
    const all = r.stdout + r.stderr;
    expect(r.code).toBe(1);
    expect(all).not.toContain('p%40ss%3Aw0rd%2Fxyz');
    expect(all).not.toContain('p@ss:w0rd/xyz');
    expect(all).toContain('postgres://etl:*****@127.0.0.1:1/test');
  });

  it('`serve` with DATABASE_URL refuses without printing it', async () => {
    const r = await runCli(['serve'], { DATA_DIR: dataDir, DATABASE_URL: unreachable, ...verbose });
    expect(r.code).toBe(2);
    expect(r.stdout + r.stderr).not.toContain(PASSWORD);
  });
});

describe.skipIf(!process.env.TEST_DATABASE_URL)('the password stays out of the output against a reachable server', () => {
  let url: string;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const created = await createServerDatabase();
    drop = created.drop;
    const u = new URL(created.url);
    u.username = u.username || 'postgres';
    u.password = PASSWORD; // trust authentication ignores it; the CLI still holds it
    url = u.toString();
  });
  afterAll(async () => { await drop?.(); });

  for (const args of [['migrate'], ['status'], ['doctor'], ['runs']]) {
    it(`\`${args.join(' ')}\` succeeds and never prints it`, async () => {
      const r = await runCli(args, { DATA_DIR: dataDir, DATABASE_URL: url, ...verbose });
      expect(r.stdout + r.stderr).not.toContain(PASSWORD);
      expect(r.code).toBe(0);
    });
  }

  it('a server error (no such database) is clear and masked', async () => {
    const u = new URL(url);
    u.pathname = '/trade_etl_no_such_database';
    const r = await runCli(['status'], { DATA_DIR: dataDir, DATABASE_URL: u.toString(), ...verbose });
    const all = r.stdout + r.stderr;
    expect(r.code).toBe(1);
    expect(all).not.toContain(PASSWORD);
    expect(all).toMatch(/database "trade_etl_no_such_database" does not exist/);
    expect(all).toContain(':*****@');
  });
});

describe('createLogger masks secrets in every line', () => {
  const databaseUrl = `postgres://etl:${PASSWORD}@db.example:5432/trade`;
  const censusApiKey = 'CensusKey0123456789';

  for (const pretty of [false, true]) {
    it(`${pretty ? 'pretty' : 'JSON'} lines`, () => {
      const lines: string[] = [];
      const logger = createLogger({ logLevel: 'trace', databaseUrl, secrets: { CENSUS_API_KEY: censusApiKey } }, { pretty, destination: { write: (s) => { lines.push(s); } } });
      logger.info({ databaseUrl }, `connecting to ${databaseUrl}`);
      logger.debug({ password: PASSWORD }, 'a field that holds the bare password');
      logger.error({ err: new Error(`cannot connect to ${databaseUrl}`) }, 'failed');
      logger.warn({ url: `https://api.census.gov/data/timeseries/intltrade/imports/enduse?get=CTY_CODE&key=${censusApiKey}` }, 'fetching');
      logger.info(`other dialect postgresql://someone:An0therPass@10.0.0.1/db`);
      expect(lines).toHaveLength(5);
      const all = lines.join('');
      expect(all).not.toContain(PASSWORD);
      expect(all).not.toContain(censusApiKey);
      expect(all).not.toContain('An0therPass');
      expect(all).toContain('postgres://etl:*****@db.example:5432/trade');
      expect(all).toContain('key=*****');
    });
  }
});
