/**
 * `trade-etl demo` and `trade-etl claims` end to end: the real CLI in a child process, on the
 * embedded database (DATA_DIR in a temp dir) and, when TEST_DATABASE_URL is set, on a fresh
 * server database. A modified copy of one fixture loaded with `trade-etl load` changes the
 * computed value and the verdict.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, createServerDatabase } from '../helpers/db.js';

const run = promisify(execFile);
const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

interface Cli { (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> }

/** A CLI bound to one database: PGlite in its own DATA_DIR, or a throw-away server database. */
async function cliFor(backend: 'pglite' | 'postgres'): Promise<{ cli: Cli; drop: () => Promise<void> }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'trade-etl-claims-cli-'));
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'error' };
  delete env.DATABASE_URL;
  let drop = async () => {};
  if (backend === 'postgres') {
    const created = await createServerDatabase();
    env.DATABASE_URL = created.url;
    drop = created.drop;
  }
  const cli: Cli = async (args) => {
    try {
      const { stdout, stderr } = await run('node', [path.join(ROOT, 'bin/trade-etl.js'), ...args], { cwd: ROOT, env, maxBuffer: 32 * 1024 * 1024 });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code?: number; stdout?: string; stderr?: string };
      return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
    }
  };
  return { cli, drop };
}

function verdicts(stdout: string): Record<string, string> {
  const parsed = JSON.parse(stdout) as { claims: Array<{ id: string; verdict: string }> };
  return Object.fromEntries(parsed.claims.map((c) => [c.id, c.verdict]));
}

for (const backend of backends()) {
  describe(`trade-etl demo / claims (${backend})`, () => {
    let env: Awaited<ReturnType<typeof cliFor>>;
    beforeAll(async () => { env = await cliFor(backend); }, 60_000);
    afterAll(async () => { await env?.drop(); });

    it('demo loads the bundled releases and prints the claim check; claims exits 0 although claims differ', async () => {
      const demo = await env.cli(['demo']);
      expect(demo.stderr).toBe('');
      expect(demo.code).toBe(0);
      expect(demo.stdout).toContain('Claim check with the newest loaded figures');
      expect(demo.stdout).toMatch(/jp_exports_2024\s+107\.9 trn JPY\s+107\.091\s+-0\.809\s+differs\s+mof\.press #\d+ 2025-01-23 preliminary/);
      expect(demo.stdout).toMatch(/us_car_imports_japan\s+39\.9 bn USD\s+39\.936\s+\+0\.036\s+matches/);
      expect(demo.stdout).toContain('matches 11, differs 4, no data loaded 0, not covered by a source 4');

      const json = await env.cli(['claims', '--json']);
      expect(json.code).toBe(0);
      const v = verdicts(json.stdout);
      expect(v).toMatchObject({ jp_exports_2024: 'differs', us_car_imports_mexico: 'differs', rice_tariff_usd: 'differs', us_deficit_with_japan: 'differs', jp_us_surplus_2024: 'matches', jp_exports_record_since_1979: 'matches', auto_tariff: 'matches', wagyu: 'not covered by a source' });
      const row = (JSON.parse(json.stdout) as { claims: Array<Record<string, unknown>> }).claims.find((c) => c.id === 'jp_us_surplus_2024')!;
      expect(row).toMatchObject({ computedValue: '8.6418', comparedValue: '8.64', dataset: 'mof.press', publishedOn: '2025-01-23', stage: 'preliminary' });
    }, 300_000);

    it('--as-of shows the claim check with what was published by then', async () => {
      const early = await env.cli(['claims', '--json', '--as-of', '2025-01-22']);
      expect(early.code).toBe(0);
      expect(verdicts(early.stdout)).toMatchObject({ jp_exports_2024: 'no data loaded', auto_tariff: 'no data loaded' });
      const later = await env.cli(['claims', '--as-of', '2099-12-31']);
      expect(later.code).toBe(0);
      // d41ma (loaded today) has 2025 above 2024: no longer the record once 2025 is published.
      expect(later.stdout).toMatch(/jp_exports_record_since_1979\s+record high since 1979\s+false \(107\.09 trn JPY\)\s+differs/);
      const notes = await env.cli(['claims', '--notes']);
      expect(notes.stdout).toContain('- jp_exports_2024: 107.0913 trn JPY rounds to 107.1 at the article\'s precision (1 decimal): not 107.9');
    }, 120_000);

    it('refuses a malformed --as-of with the usage exit code', async () => {
      const bad = await env.cli(['claims', '--as-of', '2025-02-30']);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('--as-of must be a date YYYY-MM-DD');
    }, 60_000);
  });

  describe(`a modified fixture loaded with trade-etl load changes the verdict (${backend})`, () => {
    let env: Awaited<ReturnType<typeof cliFor>>;
    beforeAll(async () => { env = await cliFor(backend); }, 60_000);
    afterAll(async () => { await env?.drop(); });

    it('US surplus in the calendar-2024 release changed from 8,641.8 to 8,751.8 bn yen: computed 8.7518, differs', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trade-etl-modified-'));
      const original = fs.readFileSync(path.join(ROOT, 'fixtures/mof/press/2024_114e.xml'), 'utf8');
      const modified = original.replace('<sashihikikagakue>8,641,800</sashihikikagakue>', '<sashihikikagakue>8,751,800</sashihikikagakue>');
      expect(modified).not.toBe(original);
      const file = path.join(dir, '2024_114e.xml');
      fs.writeFileSync(file, modified);
      const loaded = await env.cli(['load', file, '--dataset', 'mof.press']);
      expect(loaded.stderr).toBe('');
      expect(loaded.code).toBe(0);
      const json = await env.cli(['claims', '--json']);
      const rows = (JSON.parse(json.stdout) as { claims: Array<Record<string, unknown>> }).claims;
      expect(rows.find((c) => c.id === 'jp_us_surplus_2024')).toMatchObject({ computedValue: '8.7518', comparedValue: '8.75', verdict: 'differs' });
      expect(rows.find((c) => c.id === 'jp_exports_2024')).toMatchObject({ computedValue: '107.0913', verdict: 'differs' });
    }, 120_000);
  });
}
