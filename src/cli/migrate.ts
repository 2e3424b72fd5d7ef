import type { Command } from 'commander';
import { open } from './common.js';
import { migrate } from '../db/migrate.js';

export function register(program: Command): void {
  program.command('migrate')
    .description('create or upgrade the database schema (idempotent)')
    .action(async () => {
      const ctx = await open({ migrate: false });
      try {
        // Always re-applies grants.sql: the way to restore grants changed by hand (doctor says so).
        const r = await migrate(ctx.db, undefined, { grants: 'always' });
        process.stdout.write(r.applied.length
          ? `applied ${r.applied.length} migration(s) to ${ctx.db.describe()}: ${r.applied.join(', ')}\n`
          : `${ctx.db.describe()} is up to date (migration level ${r.level})\n`);
        if (r.repeatable.length) process.stdout.write(`re-applied the views and functions of sql/repeatable/: ${r.repeatable.join(', ')}\n`);
        if (!r.rolesCreated) process.stdout.write(`note: this backend did not accept the analyst role; grants skipped (${r.grantsSkipped ?? 'no reason given'})\n`);
      } finally {
        await ctx.close();
      }
    });
}
