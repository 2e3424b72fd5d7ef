import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { open, UsageError } from './common.js';
import { verdictSummary } from '../metrics/claim-check.js';

/** Where `trade-etl report` writes when --out is not given. */
export const DEFAULT_REPORT_FILE = 'report.html';

export function register(program: Command): void {
  program.command('report')
    .description('write the analyst report: one self-contained HTML page (claim check table and charts as inline SVG) built from the database')
    .option('-o, --out <file>', 'HTML file to write', DEFAULT_REPORT_FILE)
    .action(async (opts: { out: string }) => {
      if (!opts.out.trim()) throw new UsageError('--out needs a file name');
      const out = path.resolve(opts.out);
      if (fs.existsSync(out) && fs.statSync(out).isDirectory()) throw new UsageError(`--out ${opts.out} is a directory; give a file name such as ${path.join(opts.out, DEFAULT_REPORT_FILE)}`);
      // vega and vega-lite take about 0.4 s to import: only this command pays for them.
      const { buildReport } = await import('../report/build-report.js');
      const ctx = await open();
      try {
        const report = await buildReport(ctx.db, { database: ctx.db.describe() });
        // Write next to the target and rename, so a reader never sees half a page.
        fs.mkdirSync(path.dirname(out), { recursive: true });
        const tmp = `${out}.${process.pid}.tmp`;
        fs.writeFileSync(tmp, report.html);
        fs.renameSync(tmp, out);
        const drawn = report.charts.filter((c) => c.svg).length;
        process.stdout.write(`Wrote ${out} (${Math.round(report.html.length / 1024)} KiB): claim check (${verdictSummary(report.claims)}), ${drawn} of ${report.charts.length} charts drawn.\n`);
        for (const c of report.charts.filter((x) => !x.svg)) process.stdout.write(`  no data for "${c.title}": load ${c.metrics[0]}'s datasets (trade-etl demo loads the bundled ones)\n`);
        process.exitCode = 0;
      } finally {
        await ctx.close();
      }
    });
}
