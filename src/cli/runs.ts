import type { Command } from 'commander';
import { open, table } from './common.js';
import { wholeNumber } from './arguments.js';

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
        const rows = await ctx.db.query<Record<string, unknown>>(`
          SELECT id, command, trigger, status, retry_of, to_char(started_at, 'YYYY-MM-DD HH24:MI:SS') AS started,
                 round(extract(epoch FROM (finished_at - started_at))::numeric, 1) AS seconds, left(error, 100) AS error
          FROM etl.run ${opts.failed ? `WHERE status IN ('failed', 'partial')` : ''}
          ORDER BY id DESC LIMIT $1`, [limit]);
        process.stdout.write(opts.json ? `${JSON.stringify(rows, null, 2)}\n` : table(rows));
      } finally {
        await ctx.close();
      }
    });
}
