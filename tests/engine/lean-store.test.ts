/**
 * The lean observation store (sql/050, src/engine/observation-store.ts) on both back-ends:
 * 1. Vintages through the engine: four releases of one Census scope — a first load, a revision,
 *    an older release arriving late, and a release that drops rows and changes others. As of
 *    every date, trade.observation_as_of gives exactly what the newest release published by then
 *    contains (the files are parsed independently, here, as the oracle); the current view gives
 *    the last file.
 * 2. Migration: the same vintages written into a database at migration level 021 (the old wide
 *    table), then migrated to the new store: the as-of answers, the current view, the history
 *    and the stage-pinned vintages read the same before and after, and the same as in the
 *    database the new engine filled.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { backends, useDb } from '../helpers/db.js';
import { loadConfig } from '../../src/core/config.js';
import { createLogger } from '../../src/core/logger.js';
import { datasetById } from '../../src/engine/registry.js';
import { openRaw, storeStream, type RawFile } from '../../src/fetch/raw-store.js';
import { knownSeries, loadRelease } from '../../src/engine/load-release.js';
import { migrate, migrationLevel } from '../../src/db/migrate.js';
import type { EngineContext } from '../../src/engine/context.js';
import type { Db } from '../../src/db/connect.js';
import type { Observation, ReleaseFacts } from '../../src/core/vocabulary.js';
import { censusFileChunks, type CensusFileStats } from '../../bench/census-api-file.js';
import { periodCode, periodInWords, stageRow } from '../../src/engine/observation-store.js';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'trade-etl-lean-'));
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));
const SCOPE = 'test:census-imports-2024';

function censusFile(revise?: { share: number; seed: number }, drop = 0): Buffer {
  const stats: CensusFileStats = { rows: 0, observations: 0, changedObservations: 0, bytes: 0 };
  const bytes = Buffer.concat([...censusFileChunks({ rows: 120, seed: 16, revise }, stats)]);
  if (!drop) return bytes;
  const rows = JSON.parse(bytes.toString('utf8')) as unknown[];
  return Buffer.from(JSON.stringify(rows.slice(0, rows.length - drop)));
}

// Published on these dates; loaded in the order of the list (v3 before v2: v2 arrives late).
const RELEASES = [
  { name: 'v1.json', published: '2025-02-01', stage: 'preliminary', bytes: () => censusFile() },
  { name: 'v3.json', published: '2025-04-01', stage: 'revised', bytes: () => censusFile({ share: 0.05, seed: 1 }) },
  { name: 'v2.json', published: '2025-03-01', stage: 'revised', bytes: () => censusFile({ share: 0.05, seed: 2 }) },
  { name: 'v4.json', published: '2025-05-01', stage: 'final', bytes: () => censusFile({ share: 0.05, seed: 3 }, 15) },
];
const DATES = ['2025-01-31', '2025-02-01', '2025-02-20', '2025-03-01', '2025-03-31', '2025-04-01', '2025-04-30', '2025-05-01', '2026-01-01'];

const keyOf = (o: { reporter: string; partner: string; flow: string; period: string; frequency: string; classification: string; commodity_code: string; measure: string }) =>
  [o.reporter, o.partner, o.flow, o.period, o.frequency, o.classification, o.commodity_code, o.measure].join('|');

/** The file's observations as `key → value`, read by the parser alone. */
async function parsed(raw: RawFile, fileName: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const facts: ReleaseFacts = {};
  const input = { dataset: 'census.api', fileName, stream: () => openRaw(raw), bytes: raw.bytes, hints: { scopeKey: SCOPE } };
  for await (const o of datasetById('census.api').parse(input, facts) as AsyncIterable<Observation>) {
    out.set(keyOf({ ...o, commodity_code: o.commodityCode }), o.value);
  }
  return out;
}

async function asOf(db: Db, date: string | null): Promise<Map<string, string>> {
  const rows = await db.query<Record<string, string>>(date === null
    ? `SELECT * , value::text AS v FROM trade.observation`
    : `SELECT *, value::text AS v FROM trade.observation_as_of($1)`, date === null ? [] : [date]);
  return new Map(rows.map((r) => [keyOf(r as never), r.v!]));
}

/** Everything an analyst reads about trade vintages, in a comparable form. */
async function readings(db: Db) {
  const order = 'ORDER BY dataset, reporter, partner, flow, period, frequency, classification, commodity_code, measure';
  const cols = `dataset, reporter, partner, partner_source_code, flow, period, frequency, classification, commodity_code, commodity_label,
    measure, value::text, unit, source_value, source_unit, basis, scope_key`;
  const out: Record<string, unknown> = {};
  out.current = await db.query(`SELECT ${cols}, release_id::int, published_on::text, stage, file_name FROM trade.observation ${order}`);
  for (const d of DATES) out[`as_of ${d}`] = await db.query(`SELECT ${cols}, release_id::int, published_on::text, stage FROM trade.observation_as_of($1) ${order}`, [d]);
  out.history = await db.query(`SELECT ${cols}, valid_from_release::int, valid_to_release::int FROM trade.observation_history ${order}, valid_from_release`);
  out.preliminary = await db.query(`SELECT ${cols}, release_id::int FROM metrics.observation_of_stage(NULL, 'preliminary') ${order}`);
  out.revised_at = await db.query(`SELECT ${cols}, release_id::int FROM metrics.observation_of_stage('2025-03-15', 'revised') ${order}`);
  out.at_via_metrics = await db.query(`SELECT ${cols}, release_id::int FROM metrics.observation_at('2025-03-15') ${order}`);
  return out;
}

const RELEASE_COLS = ['id', 'source', 'dataset', 'file_name', 'sha256', 'bytes', 'published_on', 'stage', 'scope_key', 'status', 'rows_parsed', 'rows_inserted', 'rows_closed', 'rows_unchanged'];
const HISTORY_COLS = ['dataset', 'scope_key', 'reporter', 'partner', 'partner_source_code', 'flow', 'period', 'frequency', 'classification', 'commodity_code',
  'commodity_label', 'measure', 'value', 'unit', 'source_value', 'source_unit', 'basis', 'valid_from_release', 'valid_to_release'];

for (const backend of backends()) {
  describe(`lean observation store on ${backend}`, () => {
    const t = useDb(backend);
    const old = useDb(backend, { migrate: false });
    const ctx = (): EngineContext => ({ db: t.db(), config: loadConfig({ DATA_DIR: dataDir, LOCK_WAIT_MS: '20000' }), logger: createLogger({ logLevel: 'silent' }) });
    const files = new Map<string, Map<string, string>>();
    /** For a test that runs late: the dataset emptied, fingerprints too (its partition made if the test runs alone). */
    const emptyDataset = async () => {
      await t.db().query(`SELECT etl.trade_dataset_id('census.api')`);
      await t.db().query(`TRUNCATE trade.observation_fact_census_api`);
      await t.db().query(`DELETE FROM etl.series_fingerprint`);
    };
    /** Loads a Census answer into the scope `scopeKey`; returns the outcome and the file's observations as the parser reads them. */
    const put = async (bytes: Buffer, name: string, scopeKey: string, publishedOn: string) => {
      const raw = await storeStream(dataDir, Readable.from([bytes]));
      const out = await loadRelease(ctx(), datasetById('census.api'), raw, { fileName: name, hints: { scopeKey, publishedOn } });
      expect(out.error).toBeUndefined();
      return { out, obs: await parsed(raw, name) };
    };

    it('keeps every vintage: as of each date, what the newest release published by then says', async () => {
      const outcomes = [];
      for (const r of RELEASES) {
        const raw = await storeStream(dataDir, Readable.from([r.bytes()]));
        files.set(r.name, await parsed(raw, r.name));
        const out = await loadRelease(ctx(), datasetById('census.api'), raw, { fileName: r.name, hints: { scopeKey: SCOPE, publishedOn: r.published } });
        expect(out.error).toBeUndefined();
        expect(out.status).toBe('loaded');
        outcomes.push(out);
        await t.db().query(`UPDATE etl.release SET stage = $2 WHERE id = $1`, [out.releaseId, r.stage]);
      }
      const [v1, v3, v2, v4] = outcomes;
      const f = (n: string) => files.get(n)!;
      const differ = (a: Map<string, string>, b: Map<string, string>) => [...b].filter(([k, v]) => a.get(k) !== v).length;
      expect(v1!.rowsInserted).toBe(f('v1.json').size);
      expect(v3!.rowsInserted).toBe(differ(f('v1.json'), f('v3.json')));
      expect(v3!.rowsInserted).toBeGreaterThan(0);
      expect(v3!.rowsClosed).toBe(v3!.rowsInserted);
      expect(v2!.late).toBe(true);
      // On PGlite a revision leaves out the series whose lines match their stored fingerprint; a
      // late release compares every series, so v2 was staged again in full. A server stages all.
      if (backend === 'pglite') {
        expect(v3!.seriesSkipped).toBeGreaterThan(0);
        expect(v2!.restaged).toMatch(/late release/);
      } else {
        expect([v3!.seriesSkipped, v2!.restaged]).toEqual([undefined, undefined]);
      }
      const vanished = [...f('v3.json').keys()].filter((k) => !f('v4.json').has(k)).length;
      expect(vanished).toBeGreaterThan(0);
      expect(v4!.rowsClosed).toBe(differ(f('v3.json'), f('v4.json')) + vanished);

      const newest = (d: string) => [...RELEASES].filter((r) => r.published <= d).sort((a, b) => b.published.localeCompare(a.published))[0];
      for (const d of DATES) {
        const want = newest(d) ? f(newest(d)!.name) : new Map();
        expect(await asOf(t.db(), d), `as of ${d}`).toEqual(want);
      }
      expect(await asOf(t.db(), null)).toEqual(f('v4.json'));

      // The same bytes again: nothing to do.
      const again = await loadRelease(ctx(), datasetById('census.api'), await storeStream(dataDir, Readable.from([RELEASES[3]!.bytes()])), { fileName: 'v4-again.json' });
      expect(again.status).toBe('unchanged');
      // Rows sit in the dataset's own partition, with one current row per key.
      const [p] = await t.db().query<{ n: number; cur: number; keys: number }>(`SELECT count(*)::int AS n, count(*) FILTER (WHERE valid_to_release IS NULL)::int AS cur,
        count(DISTINCT (series_id, period)) FILTER (WHERE valid_to_release IS NULL)::int AS keys FROM trade.observation_fact_census_api`);
      expect(p!.cur).toBe(f('v4.json').size);
      expect(p!.keys).toBe(p!.cur);
    });

    it('period codes: the loader (TypeScript) and the database agree, and they decode to the same period', async () => {
      const periods: Array<[string, string]> = [['M', '2024-01'], ['M', '1979-12'], ['A', '2024'], ['A', '0999'], ['FY', 'FY2024'], ['H', '2024H1'],
        ['H', '2023H2'], ['YTD', '2024-11'], ['D', '2025-04-18'], ['D', '2000-02-29']];
      for (const [f, p] of periods) {
        const [r] = await t.db().query<{ code: number; p: string; f: string }>(
          `SELECT trade.period_code($1, $2) AS code, trade.period_text(trade.period_code($1, $2)) AS p, trade.period_frequency(trade.period_code($1, $2)) AS f`, [f, p]);
        expect([Number(r!.code), r!.p, r!.f]).toEqual([periodCode(f, p), p, f]);
        expect(periodInWords(periodCode(f, p))).toBe(`${p} (${f})`);
      }
    });

    it('refuses codes and labels holding the key separators (U+001E, U+001F), in the loader and through the view', async () => {
      const row = ['JP', 'US', 'export', '2024', 'A', 'total', 'TOTAL', 'value', '304', 'Cars\u001fparts', '1', 'JPY', '1', 'yen', 'FOB'];
      expect(stageRow(row)).toMatch(/control characters/);
      expect(stageRow(row.map((v, i) => (i === 9 ? 'Cars' : v)))).toEqual(['JP\u001fUS\u001fexport\u001ftotal\u001fTOTAL\u001fvalue', '304\u001fCars\u001fJPY\u001fyen\u001fFOB', '200002024', '1', '1']);
      await expect(t.db().query(`INSERT INTO trade.observation_history (dataset, scope_key, reporter, partner, partner_source_code, flow, period, frequency,
        classification, commodity_code, measure, value, unit, valid_from_release) VALUES ('x.test', 's', 'JP', 'US', '304', 'export', '2024', 'A', 'total', chr(30), 'value', 1, 'JPY', 1)`))
        .rejects.toThrow(/chr\(30\)/);
    });

    it('migrates a database of level 021 to the new store without losing a vintage', async () => {
      const before = await readings(t.db());
      // The old database: level 021, the same releases and history rows in the wide table.
      const o = old.db();
      await migrate(o, undefined, { upTo: 21 });
      expect(await migrationLevel(o)).toBe(21);
      expect((await o.query<{ k: string }>(`SELECT relkind::text AS k FROM pg_class WHERE oid = 'trade.observation_history'::regclass`))[0]!.k).toBe('r');
      const releases = await t.db().query<Record<string, string | null>>(`SELECT ${RELEASE_COLS.map((c) => `${c}::text AS ${c}`).join(', ')} FROM etl.release ORDER BY id`);
      const history = await t.db().query<Record<string, string | null>>(`SELECT ${HISTORY_COLS.map((c) => (c === 'value' ? 'value::text' : c)).join(', ')} FROM trade.observation_history`);
      await o.transaction(async (tx) => {
        await tx.copyIn('etl.release', RELEASE_COLS, (async function* () { for (const r of releases) yield RELEASE_COLS.map((c) => (r[c] === null ? null : String(r[c]))); })());
        await tx.query(`SELECT setval('etl.release_id_seq', (SELECT max(id) FROM etl.release))`);
        await tx.copyIn('trade.observation_history', HISTORY_COLS, (async function* () { for (const r of history) yield HISTORY_COLS.map((c) => (r[c] === null ? null : String(r[c]))); })());
      });
      const oldReadings = await readings(o);
      expect(oldReadings).toEqual(before);

      const { applied } = await migrate(o);
      expect(applied).toContain('050_lean_observation_store.sql');
      expect((await o.query<{ k: string }>(`SELECT relkind::text AS k FROM pg_class WHERE oid = 'trade.observation_history'::regclass`))[0]!.k).toBe('v');
      expect(await readings(o)).toEqual(oldReadings);
      const [n] = await o.query<{ n: number }>(`SELECT count(*)::int AS n FROM trade.observation_fact_census_api`);
      expect(n!.n).toBe(history.length);

      // The migrated database goes on loading: the next release merges into the moved rows.
      const next = censusFile({ share: 0.05, seed: 4 });
      const octx: EngineContext = { db: o, config: loadConfig({ DATA_DIR: dataDir, LOCK_WAIT_MS: '20000' }), logger: createLogger({ logLevel: 'silent' }) };
      const out = await loadRelease(octx, datasetById('census.api'), await storeStream(dataDir, Readable.from([next])), { fileName: 'v5.json', hints: { scopeKey: SCOPE, publishedOn: '2025-06-01' } });
      expect(out.status).toBe('loaded');
      const want = await parsed(await storeStream(dataDir, Readable.from([next])), 'v5.json');
      expect(await asOf(o, null)).toEqual(want);
      expect(await asOf(o, '2025-05-15')).toEqual(files.get('v4.json'));
    });

    it('a key carried by a release of another scope moves to that scope: a later release of its old scope does not close it', async () => {
      // Runs last: the dataset starts empty again (the files share their keys with the first test's).
      await t.db().query(`TRUNCATE trade.observation_fact_census_api`);
      const a = await put(censusFile({ share: 0.02, seed: 7 }), 'a.json', 'scope:A', '2025-07-01');
      const b = await put(censusFile({ share: 0.05, seed: 8 }), 'b.json', 'scope:B', '2025-08-01');
      expect(b.out.rowsClosed).toBe(b.out.rowsInserted);
      // Series of B matched A's fingerprints, which are of scope A: B was staged again in full.
      if (backend === 'pglite') expect(b.out.restaged).toMatch(/another scope/);
      const c = await put(censusFile({ share: 0.02, seed: 7 }, 15), 'c.json', 'scope:A', '2025-09-01');
      const changed = [...c.obs].filter(([k, v]) => b.obs.get(k) !== v).length;
      expect(changed).toBeGreaterThan(0);
      // Only values that differ from B's are superseded; the 15 rows C lacks are B's now, not vanished.
      expect(c.out.rowsClosed).toBe(changed);
      expect(c.out.rowsInserted).toBe(changed);
      const want = new Map([...b.obs, ...c.obs]);
      expect(await asOf(t.db(), null)).toEqual(want);
      const scopes = await t.db().query<{ scope_key: string; n: number }>(`SELECT scope_key, count(*)::int AS n FROM trade.observation GROUP BY 1 ORDER BY 1`);
      expect(scopes.map((r) => r.scope_key)).toEqual(['scope:A', 'scope:B']);
      expect(scopes.find((r) => r.scope_key === 'scope:B')!.n).toBe(want.size - c.obs.size);
    });
    it('a series left out of a revision that turns up again further on: the release is staged again, nothing lost', async () => {
      // Runs late, on an emptied dataset (as the tests above; its partition made if it runs alone).
      await emptyDataset();
      const [header, ...rows] = JSON.parse(censusFile().toString('utf8')) as string[][];
      const [code, time] = ['I_COMMODITY', 'time'].map((c) => header!.indexOf(c));
      // Series S: January to November stored; December comes after 1,400 rows of three new series
      // each, more than the 4,096 local ids the encoder keeps, so S's lids have left by then.
      const s = rows.filter((r) => r[code!] === rows[0]![code!] && r[0] === rows[0]![0]).slice(0, 12);
      expect(s.map((r) => r[time!])).toEqual(Array.from({ length: 12 }, (_, i) => `2024-${String(i + 1).padStart(2, '0')}`));
      const others = Array.from({ length: 1400 }, (_, i) => rows[0]!.map((v, c) => (c === code ? String(1_000_000_000 + i) : c === time ? '2024-01' : v)));
      const a = await put(Buffer.from(JSON.stringify([header, ...s.slice(0, 11), ...others])), 's1.json', 'scope:S', '2026-09-01');
      const b = await put(Buffer.from(JSON.stringify([header, ...s.slice(0, 11), ...others, s[11]])), 's2.json', 'scope:S', '2026-10-01');
      if (backend === 'pglite') expect(b.out.restaged).toMatch(/given again/);
      expect([b.out.rowsInserted, b.out.rowsClosed, b.out.rowsUnchanged]).toEqual([b.obs.size - a.obs.size, 0, a.obs.size]);
      expect(b.obs.size - a.obs.size).toBe(3);
      expect(await asOf(t.db(), null)).toEqual(b.obs);
    });

    it('a release with a few series and attribute sets not known yet creates just those; a mostly new one as a first load does', async () => {
      const seriesKeys = async () => new Set((await t.db().query<{ key: string }>(
        `SELECT key FROM trade.series WHERE dataset_id = etl.trade_dataset_id('census.api')`)).map((r) => r.key));
      // Runs late, on an emptied dataset (as the tests above; its partition made if it runs alone).
      await emptyDataset();
      const [header, ...rows] = JSON.parse(censusFile({ share: 0.02, seed: 11 }).toString('utf8')) as string[][];
      const col = (name: string) => header!.indexOf(name);
      const file = (rs: string[][]) => Buffer.from(JSON.stringify([header, ...rs]));
      await put(file(rows), 'g1.json', 'scope:G', '2026-01-01');
      const known = await seriesKeys();
      // The same file, but one row under a partner not seen before (new series) and one
      // partner's rows of a commodity with another label (new attribute sets of known series).
      const relabelled = rows[5]![col('I_COMMODITY')]!;
      // A partner the first row's commodity has no row for: its series are new.
      const partner = ['5880', '5700', '4280', '2010', '1220', '5800', '4120', '3570'].find((p) =>
        !rows.some((r) => r[col('CTY_CODE')] === p && r[col('I_COMMODITY')] === rows[0]![col('I_COMMODITY')]))!;
      const b = await put(file(rows.map((r, i) => r.map((v, c) =>
        i === 0 && c === col('CTY_CODE') ? partner
          : i === 5 && c === col('GEN_VAL_MO') ? String(Number(v) + 1)
            : r[col('I_COMMODITY')] === relabelled && r[col('CTY_CODE')] === rows[5]![col('CTY_CODE')] && c === col('I_COMMODITY_SDESC') ? `${v} (RELABELLED)` : v))),
      'g2.json', 'scope:G', '2026-02-01');
      const added = [...await seriesKeys()].filter((k) => !known.has(k));
      expect(added.length).toBeGreaterThan(0);
      expect(added.length).toBeLessThan(known.size / 5);
      expect(new Set(added.map((k) => `${k.split('\x1f')[4]} ${k.split('\x1f')[1]}`)).size).toBe(1);
      expect(added[0]!.split('\x1f')[4]).toBe(rows[0]![col('I_COMMODITY')]);
      expect(await asOf(t.db(), null)).toEqual(b.obs);
      // Labels ride along with a new vintage: the changed value carries the new label.
      const [changed] = await t.db().query<{ commodity_label: string; v: string }>(`SELECT commodity_label, value::text AS v FROM trade.observation
        WHERE commodity_code = $1 AND measure = 'value' AND classification = 'hs10' AND period = $2 AND partner_source_code = $3`,
      [relabelled, rows[5]![col('time')], rows[5]![col('CTY_CODE')]]);
      expect(changed).toEqual({ commodity_label: expect.stringMatching(/\(RELABELLED\)$/), v: String(Number(rows[5]![col('GEN_VAL_MO')]) + 1) });
      expect(b.out.rowsInserted).toBeGreaterThanOrEqual(2);
      // Every series once: the new ones were created once each.
      const [dup] = await t.db().query<{ n: number }>(`SELECT count(*)::int AS n FROM (SELECT key FROM trade.series GROUP BY dataset_id, key HAVING count(*) > 1) d`);
      expect(dup!.n).toBe(0);
      // Another scope whose commodities are all new: most of its series are unknown.
      const c = await put(file(rows.map((r) => r.map((v, i) => (i === col('I_COMMODITY') ? `9${v.slice(1)}` : v)))), 'h.json', 'scope:H', '2026-03-01');
      expect(c.out.rowsInserted).toBe(c.obs.size);
      expect(await asOf(t.db(), null)).toEqual(new Map([...b.obs, ...c.obs]));
      const seriesOf = (k: string) => k.split('|').filter((_, i) => i !== 3 && i !== 4).join('|');
      expect((await seriesKeys()).size).toBe(known.size + added.length + new Set([...c.obs.keys()].map(seriesOf)).size);
    });

    it('revisions skip series whose fingerprint is unchanged, and a hand correction through the view drops the fingerprint of its series', async () => {
      // Runs last, on an emptied dataset. A TRUNCATE bypasses the loader, so the fingerprints go too.
      await t.db().query(`TRUNCATE trade.observation_fact_census_api`);
      await t.db().query(`DELETE FROM etl.series_fingerprint`);
      const x = await put(censusFile({ share: 0.02, seed: 9 }), 'x.json', 'scope:F', '2025-10-01');
      const [fp] = await t.db().query<{ n: number; obs: number }>(`SELECT count(*)::int AS n, sum(n)::int AS obs FROM etl.series_fingerprint`);
      expect(fp!.n).toBeGreaterThan(0);
      expect(fp!.obs).toBe(x.obs.size);
      // What a PGlite revision reads first: every fingerprint, by series key — or nothing past the most series it takes.
      const [{ id }] = await t.db().query<{ id: number }>(`SELECT etl.trade_dataset_id('census.api') AS id`) as [{ id: number }];
      const known = await t.db().withSession((s) => knownSeries(s, Number(id)));
      expect(known!.size).toBe(fp!.n);
      const [one] = await t.db().query<{ key: string; series_id: number; h1: string; n: number }>(
        `SELECT x.key, p.series_id::int, p.h1::text, p.n::int FROM etl.series_fingerprint p JOIN trade.series x ON x.id = p.series_id ORDER BY p.series_id DESC LIMIT 1`);
      const k = known!.find(one!.key);
      expect([known!.series[k], known!.h1[k], known!.n[k]]).toEqual([one!.series_id, Number(one!.h1), one!.n]);
      expect(await t.db().withSession((s) => knownSeries(s, Number(id), fp!.n - 1))).toBeUndefined();
      // A hand correction of one current value, through the view.
      const [row] = await t.db().query<Record<string, string>>(
        `SELECT reporter, partner, flow, period, frequency, classification, commodity_code, measure, value::text AS v FROM trade.observation ORDER BY commodity_code, partner, period LIMIT 1`);
      await t.db().query(`UPDATE trade.observation_history SET value = value + 1
        WHERE dataset = 'census.api' AND reporter = $1 AND partner = $2 AND flow = $3 AND period = $4 AND frequency = $5 AND classification = $6
          AND commodity_code = $7 AND measure = $8 AND valid_to_release IS NULL`,
      [row!.reporter, row!.partner, row!.flow, row!.period, row!.frequency, row!.classification, row!.commodity_code, row!.measure]);
      expect((await asOf(t.db(), null)).get(keyOf(row as never))).not.toBe(row!.v);
      // The same content in other bytes: only the corrected key differs from what is stored.
      const again = await put(Buffer.concat([censusFile({ share: 0.02, seed: 9 }), Buffer.from('\n')]), 'x-again.json', 'scope:F', '2025-11-01');
      expect([again.out.rowsInserted, again.out.rowsClosed, again.out.rowsUnchanged]).toEqual([1, 1, x.obs.size - 1]);
      // PGlite staged only the corrected series; a server staged them all and compared fingerprints there.
      expect(again.out.seriesSkipped).toBe(backend === 'pglite' ? fp!.n - 1 : undefined);
      expect(await asOf(t.db(), null)).toEqual(x.obs);
      // A revision writes exactly what changed, and rows the file no longer carries are closed.
      const y = await put(censusFile({ share: 0.05, seed: 10 }, 15), 'y.json', 'scope:F', '2025-12-01');
      const changed = [...y.obs].filter(([k, v]) => x.obs.get(k) !== v).length;
      expect(changed).toBeGreaterThan(0);
      expect(y.out.rowsInserted).toBe(changed);
      expect(y.out.rowsClosed).toBe(changed + [...x.obs.keys()].filter((k) => !y.obs.has(k)).length);
      expect(await asOf(t.db(), null)).toEqual(y.obs);
    });

    it('a revision with few changes next to an analyzed partition closes them by index probes, with the same result', async () => {
      // Runs last, on an emptied dataset (as the tests above; its partition made if it runs alone).
      await emptyDataset();
      const [header, ...rows] = JSON.parse(censusFile({ share: 0.02, seed: 12 }).toString('utf8')) as string[][];
      const value = header!.indexOf('GEN_VAL_MO');
      const p = await put(Buffer.from(JSON.stringify([header, ...rows])), 'p1.json', 'scope:P', '2026-04-01');
      await t.db().query(`ANALYZE trade.observation_fact_census_api`);
      // Three values revised, the last row gone.
      const revised = rows.slice(0, -1).map((r, i) => (i % 40 === 7 ? r.map((v, c) => (c === value ? String(Number(v) + 1) : v)) : r));
      const q = await put(Buffer.from(JSON.stringify([header, ...revised])), 'p2.json', 'scope:P', '2026-05-01');
      const changed = [...q.obs].filter(([k, v]) => p.obs.has(k) && p.obs.get(k) !== v).length;
      const vanished = [...p.obs.keys()].filter((k) => !q.obs.has(k)).length;
      expect(changed).toBeGreaterThan(0);
      expect(vanished).toBeGreaterThan(0);
      // What storeSql.fewChanges sees: the rows to touch are fewer than a twentieth of the partition.
      const [{ reltuples }] = await t.db().query<{ reltuples: number }>(`SELECT reltuples FROM pg_class WHERE oid = 'trade.observation_fact_census_api'::regclass`) as [{ reltuples: number }];
      expect((changed + vanished) * 20).toBeLessThan(Number(reltuples));
      expect([q.out.rowsInserted, q.out.rowsClosed]).toEqual([changed, changed + vanished]);
      expect(await asOf(t.db(), null)).toEqual(q.obs);
      expect(await asOf(t.db(), '2026-04-15')).toEqual(p.obs);
      // The planner settings were for those statements only: the transaction's end reset them.
      expect(await t.db().query(`SHOW enable_hashjoin`)).toEqual([{ enable_hashjoin: 'on' }]);
    });

    it('a series a release no longer carries, carried again with its old figures, is current again', async () => {
      // Runs last, on an emptied dataset (as the tests above). Its fingerprint must have gone with
      // its rows: kept, it would match the returning figures and the series would be skipped.
      await emptyDataset();
      const [header, ...rows] = JSON.parse(censusFile().toString('utf8')) as string[][];
      const [code, cty] = ['I_COMMODITY', 'CTY_CODE'].map((c) => header!.indexOf(c));
      const gone = (r: string[]) => r[code!] === rows[0]![code!] && r[cty!] === rows[0]![cty!];
      const a = await put(Buffer.from(JSON.stringify([header, ...rows])), 'g1.json', 'scope:G', '2026-06-01');
      const b = await put(Buffer.from(JSON.stringify([header, ...rows.filter((r) => !gone(r))])), 'g2.json', 'scope:G', '2026-07-01');
      expect(b.obs.size).toBeLessThan(a.obs.size);
      expect(await asOf(t.db(), null)).toEqual(b.obs);
      await put(Buffer.from(`${JSON.stringify([header, ...rows])}\n`), 'g3.json', 'scope:G', '2026-08-01');
      expect(await asOf(t.db(), null)).toEqual(a.obs);
    });

    it('a unit changed alone makes a new vintage; a label changed alone rides along', async () => {
      // Runs last, on an emptied dataset (as the tests above).
      await emptyDataset();
      const [header, ...rows] = JSON.parse(censusFile().toString('utf8')) as string[][];
      const [unit, label, code, cty, time] = ['UNIT_QY1', 'I_COMMODITY_SDESC', 'I_COMMODITY', 'CTY_CODE', 'time'].map((c) => header!.indexOf(c));
      const u = rows.findIndex((r) => r[unit!] === 'KG');
      const l = rows.findIndex((r) => r[cty!] !== rows[u]![cty!]);
      expect(Math.min(u, l)).toBeGreaterThanOrEqual(0);
      // (Bytes of their own: the same bytes as a loaded release would be skipped as already loaded.)
      await put(Buffer.from(`${JSON.stringify([header, ...rows])}\n\n`), 'u1.json', 'scope:U', '2026-06-01');
      const revised = rows.map((r, i) => (i === u ? r.map((v, c) => (c === unit ? 'T' : v)) : i === l ? r.map((v, c) => (c === label ? `${v} (RENAMED)` : v)) : r));
      const w = await put(Buffer.from(JSON.stringify([header, ...revised])), 'u2.json', 'scope:U', '2026-07-01');
      // The quantity of row u, same figure in another unit: one row closed, one written.
      expect([w.out.rowsInserted, w.out.rowsClosed]).toEqual([1, 1]);
      const current = (r: string[], measure: string) => t.db().query<{ unit: string; commodity_label: string; value: string }>(
        `SELECT unit, commodity_label, value::text FROM trade.observation WHERE dataset = 'census.api' AND commodity_code = $1 AND partner_source_code = $2
           AND period = $3 AND measure = $4`, [r[code!], r[cty!], r[time!], measure]);
      expect((await current(rows[u]!, 'quantity'))[0]!.unit).toBe('T');
      // Row l's label is new in the file, its figures are not: its rows keep the label they had.
      expect((await current(rows[l]!, 'value'))[0]!.commodity_label).toBe(rows[l]![label!]);
    });
  });
}
