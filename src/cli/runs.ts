import type { Command } from 'commander';
import { open, table } from './common.js';
import { wholeNumber } from './arguments.js';
import { etlQueries, run } from '../db/etl-schema.js';

export function register(program: Command): void {
  program.command('runs')
    .description('recent runs and their outcomes')
    .option('--failed', 'only runs with failures')
    .option('-n, --limit <n>', 'how many', '20')
    .option('--json', 'print JSON')
    .action(async (opts: { failed?: boolean; limit: string; json?: boolean }) => {
      const limit = wholeNumber('-n/--limit', opts.limit, 1, 100_000);
      const ctx = await open();
      try {
        const q = await etlQueries();
        const { sql } = await import('kysely');
        let query = q.selectFrom('etl.run').select([
          'id', 'command', 'trigger', 'status', 'retry_of',
          sql<string>`to_char(started_at, 'YYYY-MM-DD HH24:MI:SS')`.as('started'),
          sql<string | null>`round(extract(epoch FROM (finished_at - started_at))::numeric, 1)`.as('seconds'),
          sql<string | null>`left(error, 100)`.as('error'),
        ]).orderBy('id', 'desc').limit(limit);
        if (opts.failed) query = query.where('status', 'in', ['failed', 'partial']);
        const rows = await run(ctx.db, query);
        process.stdout.write(opts.json ? `${JSON.stringify(rows, null, 2)}\n` : table(rows));
      } finally {
        await ctx.close();
      }
    });
}
