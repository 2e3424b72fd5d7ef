import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { open, UsageError, EXIT } from './common.js';
import { datasetById } from '../engine/registry.js';
import { storeFile } from '../fetch/raw-store.js';
import { loadRelease } from '../engine/load-release.js';
import { startRun, finishRun } from '../engine/runs.js';

export function register(program: Command): void {
  program.command('load')
    .description('load a local file (downloaded by hand) through the same path as a fetched release')
    .argument('<file>', 'the release file')
    .requiredOption('-d, --dataset <id>', 'dataset id, e.g. mof.press, census.country, frb.h10')
    .option('--published-on <date>', 'publication date (YYYY-MM-DD) when the file does not say')
    .option('--allow-shrink', 'load a whole-series release (d41ma, country.xlsx) even if it drops more than MAX_SHRINK_SHARE of the current keys')
    .action(async (file: string, opts: { dataset: string; publishedOn?: string; allowShrink?: boolean }) => {
      const dataset = datasetById(opts.dataset);
      if (!fs.existsSync(file) || !fs.statSync(file).isFile()) throw new UsageError(`no such file: ${file}`);
      if (opts.publishedOn && !/^\d{4}-\d{2}-\d{2}$/.test(opts.publishedOn)) throw new UsageError(`--published-on must be YYYY-MM-DD, got ${opts.publishedOn}`);
      const ctx = await open();
      try {
        ctx.runId = await startRun(ctx.db, 'load', { file: path.basename(file), dataset: dataset.id }, 'manual');
        const raw = await storeFile(ctx.config.dataDir, file);
        const out = await loadRelease(ctx, dataset, raw, { fileName: path.basename(file), hints: opts.publishedOn ? { publishedOn: opts.publishedOn } : undefined, allowShrink: opts.allowShrink });
        await finishRun(ctx.db, ctx.runId, out.status === 'failed' ? 'failed' : 'succeeded', { releases: [summarize(out)] }, out.error?.message);
        if (out.status === 'failed') throw out.error;
        process.stdout.write(out.status === 'unchanged'
          ? `${dataset.id}: ${path.basename(file)} is already loaded (release ${out.releaseId}); nothing to do\n`
          : out.late
            ? `${dataset.id}: loaded ${path.basename(file)} as release ${out.releaseId}, published before the newest release of scope ${out.scopeKey}: ${out.rowsInserted} history rows added at its publication date; current values unchanged\n`
            : `${dataset.id}: loaded ${path.basename(file)} as release ${out.releaseId} (scope ${out.scopeKey}${out.stage ? `, ${out.stage}` : ''}): ${out.rowsParsed} observations, ${out.rowsInserted} new, ${out.rowsClosed} superseded, ${out.rowsUnchanged} unchanged\n`);
        for (const n of out.notices ?? []) process.stdout.write(`  note: ${n}\n`);
        process.exitCode = EXIT.ok;
      } finally {
        await ctx.close();
      }
    });
}

export function summarize(o: { dataset: string; fileName: string; status: string; releaseId?: number; rowsParsed?: number; rowsInserted?: number; rowsClosed?: number; error?: Error }) {
  return { dataset: o.dataset, file: o.fileName, status: o.status, releaseId: o.releaseId, rowsParsed: o.rowsParsed, rowsInserted: o.rowsInserted, rowsClosed: o.rowsClosed, error: o.error?.message };
}
