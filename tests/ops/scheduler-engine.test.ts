/**
 * The scheduler driving the real engine on a manual clock: the configured census job fires at
 * 08:35 New York time and records a 'schedule' run; stopped mid-load (a release's download in
 * flight), the scheduler starts no further release and leaves the database whole.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureServer, fixtureEnv, type FixtureServer } from '../../src/devtools/fixture-server.js';
import { loadConfig } from '../../src/core/config.js';
import { createLogger } from '../../src/core/logger.js';
import type { EngineContext } from '../../src/engine/context.js';
import { ManualClock } from '../../src/ops/clock.js';
import { Scheduler } from '../../src/ops/scheduler.js';
import { contextPool, refreshJobs } from '../../src/ops/schedule-jobs.js';
import { backends, dataCounts, integrityProblems, useDb, type TestDb } from '../helpers/db.js';

let server: FixtureServer;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'trade-etl-sched-engine-'));
beforeAll(async () => { server = await startFixtureServer(); });
afterAll(async () => { await server?.close(); fs.rmSync(dataDir, { recursive: true, force: true }); });

const logger = createLogger({ logLevel: 'silent' });
function schedulerFor(t: TestDb, clock: ManualClock, jobs: Parameters<typeof refreshJobs>[0]) {
  const config = loadConfig({ ...fixtureEnv(server.url), DATA_DIR: dataDir, HTTP_RETRIES: '2' });
  const pool = contextPool(async () => ({ db: t.db(), config, logger, close: async () => {} } satisfies EngineContext & { close(): Promise<void> }));
  return new Scheduler(refreshJobs(jobs, pool, logger), { clock, logger });
}

const HS8703 = '/data/timeseries/intltrade/imports/hs?get=CTY_CODE,CTY_NAME,I_COMMODITY';
const EXPORTS = '/data/timeseries/intltrade/exports/hs';

for (const backend of backends()) {
  describe(`scheduled refresh fires at its cron time (${backend})`, () => {
    const t = useDb(backend);
    it('runs the census job at 08:35 America/New_York and records trigger schedule', async () => {
      const clock = new ManualClock('2025-01-23T13:30:00Z');
      const s = schedulerFor(t, clock, [{ name: 'census', cron: '35 8 * * 1-5', timezone: 'America/New_York', command: 'refresh', source: ['census'] }]);
      s.start();
      await clock.advanceTo('2025-01-23T13:34:59.999Z');
      await s.idle();
      expect(await t.db().query('SELECT id FROM etl.run')).toEqual([]);
      await clock.advanceTo('2025-01-23T13:35:00Z');
      await s.idle();
      await s.stop();
      expect(s.history.map((h) => [h.job, h.at.toISOString(), h.outcome, h.error])).toEqual([['census', '2025-01-23T13:35:00.000Z', 'ran', undefined]]);
      const runs = await t.db().query<{ command: string; trigger: string; status: string; args: Record<string, unknown> }>('SELECT command, trigger, status, args FROM etl.run');
      expect(runs).toEqual([{ command: 'refresh', trigger: 'schedule', status: 'succeeded', args: { job: 'census', source: ['census'] } }]);
      const loaded = await t.db().query<{ dataset: string; n: string }>(`SELECT dataset, count(*) AS n FROM etl.release WHERE status = 'loaded' GROUP BY dataset ORDER BY dataset`);
      expect(loaded.map((r) => [r.dataset, Number(r.n)])).toEqual([['census.api', 4], ['census.country', 1]]);
      expect(await integrityProblems(t.db())).toEqual([]);
    }, 120_000);
  });

  describe(`scheduler stopped mid-load (${backend})`, () => {
    const t = useDb(backend);
    it('finishes or rolls back the release in flight, starts no other, leaves nothing loading', async () => {
      const clock = new ManualClock('2025-01-23T13:34:00Z');
      const s = schedulerFor(t, clock, [{ name: 'census-api', cron: '35 8 * * 1-5', timezone: 'America/New_York', command: 'refresh', dataset: ['census.api'] }]);
      // The second release's download hangs long enough for the stop signal to arrive during it.
      server.fail(HS8703, { delayMs: 8000 });
      const mark = server.requests.length;
      s.start();
      await clock.advanceTo('2025-01-23T13:35:00Z');
      const deadline = Date.now() + 30_000;
      while (!server.requests.slice(mark).some((r) => r.path.startsWith(HS8703))) {
        if (Date.now() > deadline) throw new Error('the delayed request never arrived');
        await new Promise((r) => setTimeout(r, 25));
      }
      const t0 = Date.now();
      await s.stop('SIGTERM');
      // It did not wait for the hanging download.
      expect(Date.now() - t0).toBeLessThan(6000);
      expect(s.running()).toEqual([]);
      // No release after the interrupted one was even requested.
      expect(server.requests.slice(mark).some((r) => r.path.startsWith(EXPORTS))).toBe(false);

      const db = t.db();
      expect(await integrityProblems(db)).toEqual([]);
      const rel = await db.query<{ url: string; status: string; rows_inserted: string | null; error: string | null }>('SELECT url, status, rows_inserted, error FROM etl.release ORDER BY id');
      expect(rel.map((r) => [new URL(r.url).pathname, r.status])).toEqual([
        ['/data/timeseries/intltrade/imports/enduse', 'loaded'],
        ['/data/timeseries/intltrade/imports/hs', 'failed'],
      ]);
      const counts = await dataCounts(db);
      expect(counts.observation_history).toBe(Number(rel[0]!.rows_inserted));
      const [run] = await db.query<{ trigger: string; status: string; error: string; finished: boolean }>('SELECT trigger, status, error, finished_at IS NOT NULL AS finished FROM etl.run');
      expect(run).toMatchObject({ trigger: 'schedule', status: 'partial', finished: true });
      expect(run!.error).toMatch(/^stopped \(scheduler stopping \(SIGTERM\)\) before every release was processed/);
      expect(s.history.map((h) => h.outcome)).toEqual(['failed']);
    }, 120_000);
  });
}
