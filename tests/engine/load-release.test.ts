/**
 * The release engine on a real dataset (frb.fred: FRED's CSV layout) and real databases:
 * idempotent loads, revisions that keep the old vintage queryable, failures that leave the
 * database as it was, a connection killed mid-merge, and concurrent loads of one dataset.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { backends, useDb } from '../helpers/db.js';
import { loadConfig } from '../../src/core/config.js';
import { createLogger } from '../../src/core/logger.js';
import { datasetById } from '../../src/engine/registry.js';
import { storeStream } from '../../src/fetch/raw-store.js';
import { loadRelease } from '../../src/engine/load-release.js';
import type { EngineContext } from '../../src/engine/context.js';
import type { Db } from '../../src/db/connect.js';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'trade-etl-engine-'));

/** A FRED daily CSV (`observation_date,DEXJPUS`) for consecutive weekdays from a start date. */
function fredCsv(days: number, start = '2024-01-02', tweak?: (date: string, v: string) => string): string {
  const lines = ['observation_date,DEXJPUS'];
  const d = new Date(`${start}T00:00:00Z`);
  let i = 0;
  while (i < days) {
    const dow = d.getUTCDay();
    if (dow !== 0 && dow !== 6) {
      const date = d.toISOString().slice(0, 10);
      const v = (140 + (i % 1000) / 100).toFixed(2);
      lines.push(`${date},${tweak ? tweak(date, v) : v}`);
      i++;
    }
    d.setUTCDate(d.getUTCDate() + 1);
  }
  return `${lines.join('\n')}\n`;
}

async function load(ctx: EngineContext, text: string, fileName: string, publishedOn?: string) {
  const raw = await storeStream(ctx.config.dataDir, (async function* () { yield Buffer.from(text); })());
  return loadRelease(ctx, datasetById('frb.fred'), raw, { fileName, hints: publishedOn ? { publishedOn } : undefined });
}

async function snapshot(db: Db) {
  const rates = await db.query(`SELECT series, frequency, period, rate::text, valid_from_release::int AS vf, valid_to_release::int AS vt FROM fx.rate_history ORDER BY series, period, id`);
  const loaded = await db.query(`SELECT id::int, status, rows_inserted::int FROM etl.release WHERE status = 'loaded' ORDER BY id`);
  return { rates, loaded };
}

for (const backend of backends()) {
  describe(`release engine on ${backend}`, () => {
    const t = useDb(backend);
    const ctx = (): EngineContext => ({ db: t.db(), config: loadConfig({ DATA_DIR: dataDir, LOCK_WAIT_MS: '20000' }), logger: createLogger({ logLevel: 'silent' }) });

    it('loads a release once: the same bytes again change nothing', async () => {
      const text = fredCsv(30);
      const first = await load(ctx(), text, 'DEXJPUS.csv', '2024-02-20');
      expect(first.status).toBe('loaded');
      expect(first.rowsParsed).toBe(30);
      expect(first.rowsInserted).toBe(30);
      const before = await snapshot(t.db());
      const again = await load(ctx(), text, 'DEXJPUS-copy.csv', '2024-02-21');
      expect(again.status).toBe('unchanged');
      expect(again.releaseId).toBe(first.releaseId);
      expect(await snapshot(t.db())).toEqual(before);
    });

    it('a revised release of the same scope supersedes the old vintage, which stays queryable as of its date', async () => {
      const revisedText = fredCsv(30, '2024-01-02', (date, v) => (date === '2024-01-03' ? '141.23' : v));
      const revised = await load(ctx(), revisedText, 'DEXJPUS-revised.csv', '2024-03-01');
      expect(revised.status).toBe('loaded');
      expect(revised.rowsInserted).toBe(1);
      expect(revised.rowsClosed).toBe(1);
      expect(revised.rowsUnchanged).toBe(29);
      const [cur] = await t.db().query<{ rate: string }>(`SELECT rate::text FROM fx.rate WHERE series = 'DEXJPUS' AND period = '2024-01-03'`);
      expect(Number(cur!.rate)).toBe(141.23);
      const hist = await t.db().query<{ rate: string; open: boolean }>(
        `SELECT rate::text, valid_to_release IS NULL AS open FROM fx.rate_history WHERE series = 'DEXJPUS' AND period = '2024-01-03' ORDER BY id`);
      expect(hist.map((h) => [Number(h.rate), h.open])).toEqual([[140.01, false], [141.23, true]]);
    });

    it('a bad file fails with file, line, column and value, and leaves every table as it was', async () => {
      const before = await snapshot(t.db());
      const bad = fredCsv(40).replace('2024-01-15,140.09', '2024-01-15,14O.09');
      const out = await load(ctx(), bad, 'DEXJPUS-bad.csv');
      expect(out.status).toBe('failed');
      expect(out.error!.message).toContain('DEXJPUS-bad.csv');
      expect(out.error!.message).toMatch(/line 11\b/);
      expect(out.error!.message).toContain('14O.09');
      expect(await snapshot(t.db())).toEqual(before);
      const [rel] = await t.db().query<{ status: string; error: string }>(`SELECT status, error FROM etl.release WHERE id = $1`, [out.releaseId]);
      expect(rel!.status).toBe('failed');
      expect(rel!.error).toContain('14O.09');
    });

    it('an older release arriving after a newer one joins the history at its publication date; current values stay', async () => {
      const old = fredCsv(30, '2024-01-02', (date, v) => (date === '2024-01-03' ? '139.99' : v));
      const current = await t.db().query(`SELECT series, period, rate::text FROM fx.rate ORDER BY series, period`);
      const out = await load(ctx(), old, 'DEXJPUS-old.csv', '2024-02-25');
      expect(out.status).toBe('loaded');
      expect(out.late).toBe(true);
      expect(out.rowsInserted).toBe(1);
      expect(await t.db().query(`SELECT series, period, rate::text FROM fx.rate ORDER BY series, period`)).toEqual(current);
      const asOf = async (d: string) => Number((await t.db().query<{ rate: string }>(
        `SELECT rate::text FROM fx.rate_as_of($1) WHERE series = 'DEXJPUS' AND period = '2024-01-03'`, [d]))[0]?.rate);
      expect(await asOf('2024-02-21')).toBe(140.01);
      expect(await asOf('2024-02-26')).toBe(139.99);
      expect(await asOf('2024-03-02')).toBe(141.23);
      // An unchanged day keeps one row: the late release confirms it and writes nothing.
      const n = await t.db().query<{ n: number }>(`SELECT count(*)::int AS n FROM fx.rate_history WHERE series = 'DEXJPUS' AND period = '2024-01-04'`);
      expect(n[0]!.n).toBe(1);
    });

    it('a late value that was later restored: the interrupted value resumes at the next release', async () => {
      // Scope 2023: v1 (Jan 10) 150.00 → v3 (Mar 10) unchanged; then v2 (Feb 10) arrives late with 151.00.
      const base = (v: string) => `observation_date,DEXJPUS\n2023-06-01,${v}\n2023-06-02,150.50\n`;
      expect((await load(ctx(), base('150.00'), 'v1.csv', '2023-01-10')).status).toBe('loaded');
      expect((await load(ctx(), `${base('150.00')}`.replace('150.50', '150.51'), 'v3.csv', '2023-03-10')).status).toBe('loaded');
      const late = await load(ctx(), base('151.00'), 'v2.csv', '2023-02-10');
      expect(late.late).toBe(true);
      const asOf = async (d: string) => Number((await t.db().query<{ rate: string }>(
        `SELECT rate::text FROM fx.rate_as_of($1) WHERE series = 'DEXJPUS' AND period = '2023-06-01'`, [d]))[0]?.rate);
      expect([await asOf('2023-01-11'), await asOf('2023-02-11'), await asOf('2023-03-11')]).toEqual([150, 151, 150]);
      const [cur] = await t.db().query<{ rate: string }>(`SELECT rate::text FROM fx.rate WHERE series = 'DEXJPUS' AND period = '2023-06-01'`);
      expect(Number(cur!.rate)).toBe(150);
    });

    it('two concurrent loads of one dataset do not interleave', async () => {
      const a = fredCsv(300, '2010-01-04');
      const b = fredCsv(300, '2012-01-02');
      const [ra, rb] = await Promise.all([load(ctx(), a, 'A.csv', '2013-01-01'), load(ctx(), b, 'B.csv', '2013-01-02')]);
      expect([ra.status, rb.status]).toEqual(['loaded', 'loaded']);
      const rows = await t.db().query<{ id: number; started: string; done: string }>(
        `SELECT id::int, fetched_at AS started, loaded_at AS done FROM etl.release WHERE id IN ($1, $2) ORDER BY fetched_at`, [ra.releaseId, rb.releaseId]);
      // The second release row is only written once the first has committed: the lock covers both.
      expect(new Date(rows[1]!.started).getTime()).toBeGreaterThanOrEqual(new Date(rows[0]!.done).getTime());
    });

    if (backend === 'postgres') {
      it('a connection killed in the middle of a merge leaves the previous state, and the next run succeeds', async () => {
        const before = await snapshot(t.db());
        const big = fredCsv(20000, '1950-01-02');
        const admin = new pg.Client({ connectionString: t.url() });
        await admin.connect();
        let killed = 0;
        const killer = (async () => {
          for (let i = 0; i < 4000 && !killed; i++) {
            const r = await admin.query(
              `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity
               WHERE datname = current_database() AND pid <> pg_backend_pid()
                 AND (query ILIKE 'COPY _stage%' OR query ILIKE '%INSERT INTO fx.rate_history%' OR query ILIKE 'UPDATE fx.rate_history%')`);
            killed += r.rowCount ?? 0;
            await new Promise((res) => setTimeout(res, 2));
          }
        })();
        const out = await load(ctx(), big, 'DEXJPUS-big.csv', '2025-01-01');
        await killer;
        await admin.end();
        expect(killed).toBeGreaterThan(0);
        expect(out.status).toBe('failed');
        expect(await snapshot(t.db())).toEqual(before);
        const retry = await load(ctx(), big, 'DEXJPUS-big.csv', '2025-01-01');
        expect(retry.status).toBe('loaded');
        expect(retry.rowsParsed).toBe(20000);
      });
    }
  });
}
