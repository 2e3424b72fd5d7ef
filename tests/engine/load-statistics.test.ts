/**
 * A load samples its temporary tables small (3,000 rows) for speed, but the statistics it leaves
 * on tables that outlive it are the server's own: analysts' queries and later loads are planned
 * from them until autovacuum replaces them. PGlite keeps the small sample everywhere (it has no
 * autovacuum; its default sample cost a tenth of a load in the wasm build).
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
import { storeStream } from '../../src/fetch/raw-store.js';
import { loadRelease } from '../../src/engine/load-release.js';
import { partitionOf } from '../../src/engine/observation-store.js';
import { censusFileChunks, type CensusFileStats } from '../../bench/census-api-file.js';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'trade-etl-stats-'));
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

for (const backend of backends()) {
  describe(`statistics a load leaves on ${backend}`, () => {
    const t = useDb(backend);

    it('the partition and the dimension tables get the default sample on a server, the small one on PGlite', async () => {
      const stats: CensusFileStats = { rows: 0, observations: 0, changedObservations: 0, bytes: 0 };
      // Enough for the load to analyze what it wrote (10,000 observations, 1,000 new series).
      const bytes = Buffer.concat([...censusFileChunks({ rows: 5000, seed: 7 }, stats)]);
      const raw = await storeStream(dataDir, Readable.from([bytes]));
      const ctx = { db: t.db(), config: loadConfig({ DATA_DIR: dataDir }), logger: createLogger({ logLevel: 'silent' }) };
      const out = await loadRelease(ctx, datasetById('census.api'), raw, { fileName: 'stats.json', hints: { scopeKey: 'test:stats' } });
      expect(out.error).toBeUndefined();
      expect(out.rowsInserted).toBe(stats.observations);
      expect(stats.observations).toBeGreaterThan(10_000);
      // A histogram has (target + 1) bounds at most: 101 with the server's default of 100, 11 with 10.
      const bounds = async (schema: string, table: string, column: string) => {
        const [r] = await t.db().query<{ n: number | null }>(
          `SELECT array_length(histogram_bounds::text::text[], 1) AS n FROM pg_stats WHERE schemaname = $1 AND tablename = $2 AND attname = $3`,
          [schema, table, column]);
        return r?.n ?? 0;
      };
      const part = partitionOf('census.api').split('.')[1]!;
      for (const [schema, table, column] of [['trade', part, 'series_id'], ['trade', 'series', 'id'], ['trade', 'attribute_set', 'id']] as const) {
        const n = await bounds(schema, table, column);
        if (backend === 'postgres') expect(n, `${table}.${column}`).toBeGreaterThan(11);
        else expect(n, `${table}.${column}`).toBeGreaterThan(1);
        if (backend === 'pglite') expect(n, `${table}.${column}`).toBeLessThanOrEqual(11);
      }
      // The setting ended with the load's transaction.
      expect(await t.db().query(`SELECT current_setting('default_statistics_target') AS v`)).toEqual([{ v: '100' }]);
    });
  });
}
