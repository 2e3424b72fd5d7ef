import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { backends, useDb } from '../helpers/db.js';
import { connect, type CopyValue } from '../../src/db/connect.js';
import { loadConfig } from '../../src/core/config.js';
import { migrate } from '../../src/db/migrate.js';
import { makePgliteTemplate, pgliteTemplatePath, seedFromTemplate } from '../../src/db/pglite-template.js';

// COPY is the bulk path of every load; on PGlite it goes through bounded chunks of
// `COPY … FROM '/dev/blob'`, on Postgres through pg-copy-streams. Both must give back exactly
// the strings that went in.
const tricky: CopyValue[] = ['', ' ', '  padded  ', 'a"b', '"', 'a,b', 'line\nbreak', 'cr\r\nlf', '\\.', '\\N', 'NULL', 'back\\slash',
  '日本 輸出 ①', '😀 astral', null];

for (const backend of backends()) {
  describe(`database sessions on ${backend}`, () => {
    const t = useDb(backend, { migrate: false });

    it('COPY round-trips awkward strings and NULL exactly', async () => {
      const db = t.db();
      const got = await db.withSession(async (s) => {
        await s.exec('CREATE TEMP TABLE IF NOT EXISTS copy_rt (id int, v text); TRUNCATE copy_rt');
        const n = await s.copyIn('copy_rt', ['id', 'v'], (async function* () {
          for (let i = 0; i < tricky.length; i++) yield [String(i), tricky[i]!];
        })());
        expect(n).toBe(tricky.length);
        return s.query<{ id: number; v: string | null }>('SELECT id, v FROM copy_rt ORDER BY id');
      });
      expect(got.map((r) => r.v)).toEqual(tricky);
    });

    it('COPY keeps every row across chunk boundaries, including a row larger than a chunk', async () => {
      const db = t.db();
      const big = 'x'.repeat(5 * 1024 * 1024) + 'é';
      const rows = 60_000;
      const got = await db.withSession(async (s) => {
        await s.exec('CREATE TEMP TABLE IF NOT EXISTS copy_many (id int, v text); TRUNCATE copy_many');
        const n = await s.copyIn('copy_many', ['id', 'v'], (async function* () {
          for (let i = 0; i < rows; i++) {
            yield [String(i), i === 30_000 ? big : `値-${i}-${'y'.repeat(i % 200)}`];
          }
        })());
        expect(n).toBe(rows);
        return s.query<{ n: number; ids: number; bytes: string; bigok: boolean }>(
          `SELECT count(*)::int AS n, count(DISTINCT id)::int AS ids, sum(octet_length(v))::text AS bytes,
                  bool_or(v = $1) AS bigok FROM copy_many`, [big]);
      });
      let bytes = 0;
      for (let i = 0; i < rows; i++) bytes += i === 30_000 ? Buffer.byteLength(big) : Buffer.byteLength(`値-${i}-${'y'.repeat(i % 200)}`);
      expect(got[0]).toEqual({ n: rows, ids: rows, bytes: String(bytes), bigok: true });
    });

    it('offers Kysely over the same connections', async () => {
      const k = await t.db().kysely();
      const rows = await k.selectNoFrom((eb) => eb.val('JP').as('code')).execute();
      expect(rows).toEqual([{ code: 'JP' }]);
      expect(await t.db().kysely()).toBe(k);
    });
  });
}

describe('the embedded database opened by connect()', () => {
  it('runs with the configured, smaller buffer pool (it lives in our process)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'connect-'));
    try {
      const db = await connect(loadConfig({ DATA_DIR: dir, PGLITE_SHARED_BUFFERS_MB: '24' }));
      try {
        expect(await db.query('SHOW shared_buffers')).toEqual([{ shared_buffers: '24MB' }]);
        expect(await db.query('SHOW max_parallel_workers')).toEqual([{ max_parallel_workers: '0' }]);
      } finally {
        await db.close();
      }
      expect(loadConfig({}).pgliteSharedBuffersMb).toBe(16);
      expect(() => loadConfig({ PGLITE_SHARED_BUFFERS_MB: 'lots' })).toThrow(/PGLITE_SHARED_BUFFERS_MB must be a non-negative number/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("a new embedded database from the build's template", () => {
  it('is a copy of a freshly initialized cluster, which connect() opens and migrate fills; anything else is left to PGlite', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'template-'));
    try {
      const template = path.join(root, 'template');
      expect(await makePgliteTemplate(template)).toBe('made');
      expect(await makePgliteTemplate(template)).toBe('present');
      expect(fs.readdirSync(root)).toEqual(['template']);
      const dataDir = path.join(root, 'data');
      const dir = path.join(dataDir, 'pglite');
      fs.mkdirSync(dir, { recursive: true });
      expect(seedFromTemplate(dir, template)).toBe(true);
      expect(fs.readFileSync(path.join(dir, 'PG_VERSION'), 'utf8').trim()).toBe('17');
      expect(fs.readdirSync(dataDir)).toEqual(['pglite']);
      // Never over a database, nor into a directory holding something else.
      expect(seedFromTemplate(dir, template)).toBe(false);
      const other = path.join(root, 'other');
      fs.mkdirSync(other);
      fs.writeFileSync(path.join(other, 'notes.txt'), 'mine');
      expect(seedFromTemplate(other, template)).toBe(false);
      expect(fs.readdirSync(other)).toEqual(['notes.txt']);
      expect(seedFromTemplate(path.join(root, 'empty'), path.join(root, 'no-template'))).toBe(false);
      const db = await connect(loadConfig({ DATA_DIR: dataDir }));
      try {
        const { applied } = await migrate(db);
        expect(applied).toContain('050_lean_observation_store.sql');
        expect(await db.query(`SELECT count(*)::int AS n FROM trade.observation_fact`)).toEqual([{ n: 0 }]);
      } finally {
        await db.close();
      }
      // The build's own template is kept per installed PGlite version (where vitest can resolve it).
      const built = pgliteTemplatePath();
      if (built) expect(built).toMatch(/node_modules\/\.cache\/trade-etl\/pglite-\d+\.\d+\.\d+$/);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
