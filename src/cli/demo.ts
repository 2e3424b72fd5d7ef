import type { Command } from 'commander';
import { open, table } from './common.js';
import { loadFixtures } from '../engine/load-fixtures.js';
import { printClaims } from './claims.js';

export function register(program: Command): void {
  program.command('demo')
    .description('the main job on bundled data: migrate, load every bundled fixture (offline), print the claim check')
    .action(async () => {
      // Bundled files only: small data (connect.ts, tuneForPglite).
      const ctx = await open({ smallData: true });
      try {
        const outcomes = await loadFixtures(ctx, 'manual');
        process.stdout.write(`Loaded the bundled release files into ${ctx.db.describe()}:\n`);
        process.stdout.write(table(outcomes.map((o) => ({ dataset: o.dataset, file: o.fileName, status: o.status, observations: o.rowsParsed ?? '', new: o.rowsInserted ?? '', superseded: o.rowsClosed ?? '' }))));
        const failed = outcomes.filter((o) => o.status === 'failed');
        for (const f of failed) process.stdout.write(`FAILED ${f.dataset} ${f.fileName}: ${f.error?.message}\n`);
        if (failed.length) process.exitCode = 1;
        process.stdout.write('\n');
        await printClaims(ctx);
      } finally {
        await ctx.close();
      }
    });
}
