/**
 * The H.10 scope design through the real release engine: downloads of overlapping ranges are
 * separate scopes, yet there is one current rate per day; a revised value supersedes the old
 * one whatever its scope; a re-download of the same range closes only what it no longer carries.
 * The files are cut from the constructed 2024–2025 fixture (one value altered to act as a revision).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { backends, useDb } from '../../helpers/db.js';
import { loadConfig } from '../../../src/core/config.js';
import { createLogger } from '../../../src/core/logger.js';
import { storeStream } from '../../../src/fetch/raw-store.js';
import { loadRelease } from '../../../src/engine/load-release.js';
import type { EngineContext } from '../../../src/engine/context.js';
import { h10Dataset } from '../../../pipelines/frb/index.js';
import { FRB_FIXTURES } from './fixture-input.js';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'trade-etl-frb-'));
const lines = fs.readFileSync(path.join(FRB_FIXTURES, 'h10_daily_JPY_CNY_2024-01-01_2025-05-09_constructed.csv'), 'utf8').split('\r\n');
const header = lines.slice(0, 6);
const body = lines.slice(6);

/** An H.10 download of [from, to], optionally edited row by row. */
function download(from: string, to: string, edit: (row: string) => string | null = (r) => r): string {
  const rows = body.filter((r) => r.slice(0, 10) >= from && r.slice(0, 10) <= to).map(edit).filter((r): r is string => r !== null);
  return [...header, ...rows].join('\r\n');
}

for (const backend of backends()) {
  describe(`H.10 scopes through the engine on ${backend}`, () => {
    const t = useDb(backend);
    const ctx = (): EngineContext => ({ db: t.db(), config: loadConfig({ DATA_DIR: dataDir }), logger: createLogger({ logLevel: 'silent' }) });
    const load = async (text: string, fileName: string, publishedOn: string) => {
      const raw = await storeStream(dataDir, (async function* () { yield Buffer.from(text); })());
      return loadRelease(ctx(), h10Dataset, raw, { fileName, hints: { publishedOn } });
    };
    const jpy = async (date: string) => (await t.db().query<{ rate: string; scope_key: string }>(
      `SELECT h.rate::text, h.scope_key FROM fx.rate_history h WHERE h.series = 'RXI_N.B.JA' AND h.period = $1 AND h.valid_to_release IS NULL`, [date]));

    it('overlapping downloads: one current rate per day, revisions win, re-downloads close only their own range', async () => {
      const a = await load(download('2024-01-01', '2024-03-29'), 'H10_q1.csv', '2024-04-01');
      expect(a).toMatchObject({ status: 'loaded', scopeKey: 'RXI_N.B.CH,RXI_N.B.JA:D:2024-01-01..2024-03-29' });

      // B overlaps March and revises the yen of 2024-03-15 (149.0000 in the file → 149.5000).
      const original = (await jpy('2024-03-15'))[0]!.rate;
      const b = await load(download('2024-03-01', '2024-04-30', (r) => (r.startsWith('2024-03-15,') ? r.replace(/^2024-03-15,[^,]+/, '2024-03-15,149.5000') : r)), 'H10_mar_apr.csv', '2024-05-06');
      expect(b).toMatchObject({ status: 'loaded', scopeKey: 'RXI_N.B.CH,RXI_N.B.JA:D:2024-03-01..2024-04-30' });
      expect(original).not.toBe('149.5');
      expect(await jpy('2024-03-15')).toEqual([{ rate: '149.5', scope_key: b.scopeKey }]);
      expect(await jpy('2024-01-10')).toEqual([{ rate: expect.any(String), scope_key: a.scopeKey }]);
      const [closed] = await t.db().query<{ n: number }>(
        `SELECT count(*)::int AS n FROM fx.rate_history WHERE period = '2024-03-15' AND series = 'RXI_N.B.JA' AND valid_to_release = $1`, [b.releaseId]);
      expect(closed!.n).toBe(1);
      const [daily] = await t.db().query<{ rate: string }>(`SELECT rate::text FROM fx.daily WHERE base = 'USD' AND quote = 'JPY' AND date = '2024-03-15'`);
      expect(daily!.rate).toBe('149.5');

      // A again, same range, downloaded after the revision (so it carries 149.5 too) and without
      // 2024-01-10: closes that day (yen and yuan) only; the revised day stays as it is.
      const a2 = await load(download('2024-01-01', '2024-03-29', (r) => (r.startsWith('2024-01-10,') ? null
        : r.startsWith('2024-03-15,') ? r.replace(/^2024-03-15,[^,]+/, '2024-03-15,149.5000') : r)), 'H10_q1_again.csv', '2024-05-13');
      expect(a2).toMatchObject({ status: 'loaded', scopeKey: a.scopeKey, rowsClosed: 2 });
      expect(await jpy('2024-01-10')).toEqual([]);
      expect(await jpy('2024-03-15')).toEqual([{ rate: '149.5', scope_key: a.scopeKey }]); // carried again: re-scoped, not rewritten
      const [lookup] = await t.db().query<{ date_used: string }>(`SELECT date_used::text FROM fx.lookup('USD', 'JPY', '2024-01-10')`);
      expect(lookup!.date_used).toBe('2024-01-09');
    });
  });
}
