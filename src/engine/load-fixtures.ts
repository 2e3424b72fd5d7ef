import path from 'node:path';
import { fixtureRoutes } from '../devtools/fixture-routes.js';
import { storeFile } from '../fetch/raw-store.js';
import { datasetById } from './registry.js';
import { loadRelease, type ReleaseOutcome } from './load-release.js';
import { startRun, finishRun, type Trigger } from './runs.js';
import type { EngineContext } from './context.js';

/** Loads every bundled fixture (fixtures/<source>/routes.json, in order) through the local-file path. */
export async function loadFixtures(ctx: EngineContext, trigger: Trigger): Promise<ReleaseOutcome[]> {
  const routes = fixtureRoutes().filter((r) => r.role !== 'listing');
  ctx.runId = await startRun(ctx.db, 'demo', { fixtures: routes.length }, trigger);
  const out: ReleaseOutcome[] = [];
  for (const r of routes) {
    const raw = await storeFile(ctx.config.dataDir, r.file);
    out.push(await loadRelease(ctx, datasetById(r.dataset), raw, { fileName: path.basename(r.file), hints: r.hints }));
  }
  const failed = out.filter((o) => o.status === 'failed');
  await finishRun(ctx.db, ctx.runId, failed.length ? (failed.length === out.length ? 'failed' : 'partial') : 'succeeded',
    { releases: out.map((o) => ({ dataset: o.dataset, file: o.fileName, status: o.status, rows: o.rowsInserted })) }, failed[0]?.error?.message);
  return out;
}
