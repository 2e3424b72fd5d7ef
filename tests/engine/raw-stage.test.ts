/**
 * The raw staging of mof.hs_country (stageHsCountryRaw + the SQL unpivot of hs-country-raw.ts)
 * against the per-observation path (parseHsCountry + StageEncoder): the same sequence of
 * releases loaded both ways into two databases gives the same history, the same series ids, the
 * same release rows and counts, and the same DataErrors.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import iconv from 'iconv-lite';
import { afterAll, describe, expect, it } from 'vitest';
import { backends, useDb, type TestDb } from '../helpers/db.js';
import { loadConfig } from '../../src/core/config.js';
import { createLogger } from '../../src/core/logger.js';
import { storeStream } from '../../src/fetch/raw-store.js';
import { loadRelease, type ReleaseOrigin } from '../../src/engine/load-release.js';
import { hsCountryDataset } from '../../pipelines/mof/hs-country.js';
import type { Dataset } from '../../src/core/vocabulary.js';
import { mofFileChunks, type MofFileStats } from '../../bench/mof-hs-country-file.js';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'trade-etl-raw-stage-'));
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));
const FIXTURES = path.join(import.meta.dirname, '..', '..', 'fixtures', 'mof');
const perObservation: Dataset = { ...hsCountryDataset, stageRaw: undefined };

function generated(revise?: { share: number; seed: number }): Buffer {
  const stats: MofFileStats = { rows: 0, observations: 0, changedObservations: 0, bytes: 0 };
  return Buffer.concat([...mofFileChunks({ rows: 120, seed: 31, revise }, stats)]);
}

/** The file without some of its data rows (vanished series), CP932 kept. */
function without(bytes: Buffer, every: number): Buffer {
  const lines = iconv.decode(bytes, 'cp932').split('\r\n');
  return iconv.encode(lines.filter((l, i) => i === 0 || l === '' || i % every !== 0).join('\r\n'), 'cp932');
}

/** The file with one figure replaced: line (1-based), column (1-based). */
function withFigure(bytes: Buffer, line: number, column: number, value: string): Buffer {
  const lines = iconv.decode(bytes, 'cp932').split('\r\n');
  const f = lines[line - 1]!.split(',');
  f[column - 1] = value;
  lines[line - 1] = f.join(',');
  return iconv.encode(lines.join('\r\n'), 'cp932');
}

/** The file with every fourth data row written the long way: a padded flow, padded figures, leading zeros. */
function padded(bytes: Buffer): Buffer {
  const lines = iconv.decode(bytes, 'cp932').split('\r\n');
  return iconv.encode(lines.map((l, i) => {
    if (i === 0 || l === '' || i % 4 !== 0) return l;
    const f = l.split(',');
    f[0] = ` ${f[0]}`;
    for (let c = 6; c < f.length; c++) f[c] = c % 2 === 0 ? `0${f[c]}` : ` ${f[c]} `;
    return f.join(',');
  }).join('\r\n'), 'cp932');
}

const HISTORY = `SELECT dataset, scope_key, reporter, partner, partner_source_code, flow, period, frequency, classification, commodity_code,
    commodity_label, measure, value::text AS value, unit, source_value, source_unit, basis, valid_from_release, valid_to_release
  FROM trade.observation_history ORDER BY dataset, reporter, partner, flow, classification, commodity_code, measure, period, valid_from_release`;

for (const backend of backends()) {
  describe(`raw staging of mof.hs_country equals the per-observation path on ${backend}`, () => {
    const raw = useDb(backend);
    const obs = useDb(backend);
    const load = async (t: TestDb, dataset: Dataset, bytes: Buffer, origin: ReleaseOrigin) =>
      loadRelease({ db: t.db(), config: loadConfig({ DATA_DIR: dataDir, LOCK_WAIT_MS: '20000' }), logger: createLogger({ logLevel: 'silent' }) },
        dataset, await storeStream(dataDir, Readable.from([bytes])), origin);
    const both = async (bytes: Buffer, origin: ReleaseOrigin) => {
      const a = await load(raw, hsCountryDataset, bytes, origin);
      const b = await load(obs, perObservation, bytes, origin);
      // How each path staged the release (series left out of a revision's staging on PGlite) is its own; what it loaded is not.
      const strip = ({ ms, error, seriesSkipped, restaged, ...rest }: typeof a) => ({ ...rest, error: error?.message });
      expect(strip(a)).toEqual(strip(b));
      return a;
    };
    const same = async () => {
      for (const q of [HISTORY, 'SELECT id, dataset_id, key FROM trade.series ORDER BY id', 'SELECT key FROM trade.attribute_set ORDER BY key',
        `SELECT id, status, scope_key, scope, stage, source_stage, rows_parsed, rows_inserted, rows_closed, rows_unchanged, error FROM etl.release ORDER BY id`]) {
        expect(await raw.db().query(q)).toEqual(await obs.db().query(q));
      }
    };

    it('first loads, revisions, vanished rows, a revision back, a late release, coverage from hints and from data', async () => {
      const world = fs.readFileSync(path.join(FIXTURES, 'hs_country', 'estat_000040494506_world_export_2026-07_excerpt.csv'));
      const s17 = fs.readFileSync(path.join(FIXTURES, 'hs_country', 'hs9_country_export_2024_s17.csv'));
      const base = generated();
      const revised = generated({ share: 0.02, seed: 7 });
      expect((await both(world, { fileName: 'world.csv' })).status).toBe('loaded');
      expect((await both(s17, { fileName: 's17.csv', hints: { title: '2024年12月分 品別国別表 (輸出 1-12月：確報)', hsScope: 's17', publishedOn: '2025-01-30' } })).status).toBe('loaded');
      expect((await both(base, { fileName: 'base.csv', hints: { publishedOn: '2025-02-01' } })).rowsInserted).toBeGreaterThan(1000);
      const rev = await both(revised, { fileName: 'revised.csv', hints: { publishedOn: '2025-03-01' } });
      expect(rev.rowsInserted).toBeGreaterThan(0);
      expect(rev.rowsClosed).toBe(rev.rowsInserted);
      const shrunk = await both(without(base, 9), { fileName: 'shrunk.csv', hints: { publishedOn: '2025-04-01' } });
      expect(shrunk.rowsClosed).toBeGreaterThan(rev.rowsInserted!);
      await both(base, { fileName: 'base-again.csv', hints: { publishedOn: '2025-05-01' } });
      // Published before the newest release of its scope: joins the history, current values kept.
      expect((await both(generated({ share: 0.02, seed: 8 }), { fileName: 'late.csv', hints: { publishedOn: '2025-02-15' } })).late).toBe(true);
      // base-again.csv had base's bytes, so it was "already loaded": base's rows come back here
      // with other bytes (a blank last line).
      expect((await both(Buffer.concat([base, Buffer.from('\r\n')]), { fileName: 'again.csv', hints: { publishedOn: '2025-06-01' } })).rowsClosed).toBe(0);
      // Rows off the quick path (parseRow reads them): the same figures, so nothing changes.
      expect(await both(padded(base), { fileName: 'padded.csv', hints: { publishedOn: '2025-07-01' } })).toMatchObject({ status: 'loaded', rowsInserted: 0, rowsClosed: 0 });
      await same();
    });

    it('the same DataErrors, and nothing written', async () => {
      const world = fs.readFileSync(path.join(FIXTURES, 'hs_country', 'estat_000040494506_world_export_2026-07_excerpt.csv'));
      // A blank last line: other bytes than the file loaded above, the same rows.
      const late = await both(Buffer.concat([world, Buffer.from('\r\n')]), { fileName: 'world-may.csv', hints: { coverageTo: '2026-05', hsScope: 'world' } });
      expect(late.error?.message).toMatch(/line 3, column "25 \(Quantity2-Jun\)"\): found "\d+"; expected 0: the file covers 2026-01..2026-05/);
      const bad = await both(withFigure(generated(), 40, 20, '12x4'), { fileName: 'bad.csv' });
      expect(bad.error?.message).toMatch(/bad\.csv \(line 40, column "20 \(Quantity2-Apr\)"\): found "12x4"; expected a non-negative whole number/);
      const flow = await both(withFigure(generated(), 50, 1, '2'), { fileName: 'flow.csv' });
      expect(flow.error?.message).toMatch(/flow\.csv \(line 50, column "1 \(Exp or Imp\)"\): found "2"; expected the same flow and year on every row/);
      const lines = iconv.decode(generated(), 'cp932').split('\r\n');
      const twice = await both(iconv.encode([...lines.slice(0, 30), lines[12], ...lines.slice(30)].join('\r\n'), 'cp932'), { fileName: 'twice.csv', hints: { publishedOn: '2026-01-01' } });
      // Line 13 given again as line 31: the message names both (read again from the file).
      expect(twice.error?.message).toMatch(/twice\.csv \(line 13\): found "JP \/ [^"]+"; expected each observation once per release, but this key occurs (2 times|more than once) \(lines 13 and 31\)/);
      const empty = await both(iconv.encode(lines.slice(0, 1).join('\r\n') + '\r\n', 'cp932'), { fileName: 'header-only.csv' });
      expect(empty.error?.message).toMatch(/at least one data row/);
      await same();
    });
  });
}
