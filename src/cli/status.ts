import type { Command } from 'commander';
import { open, table } from './common.js';
import { migrationLevel, listMigrations } from '../db/migrate.js';
import { allDatasets } from '../engine/registry.js';

export function register(program: Command): void {
  program.command('status')
    .description('schemas, migration level, and per dataset the latest release and last run')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const ctx = await open({ migrate: false });
      try {
        const level = await migrationLevel(ctx.db);
        const latest = Math.max(...listMigrations().map((m) => m.version));
        const schemas = (await ctx.db.query<{ nspname: string }>(
          `SELECT nspname FROM pg_namespace WHERE nspname IN ('etl','ref','trade','fx','metrics') ORDER BY 1`)).map((r) => r.nspname);
        const datasets = level ? await datasetStatus(ctx.db) : [];
        if (opts.json) {
          process.stdout.write(JSON.stringify({ database: ctx.db.describe(), schemas, migrationLevel: level, latestMigration: latest, datasets }, null, 2) + '\n');
          return;
        }
        process.stdout.write(`database:   ${ctx.db.describe()}\n`);
        process.stdout.write(`schemas:    ${schemas.join(', ') || '(none — run `trade-etl migrate`)'}\n`);
        process.stdout.write(`migrations: level ${level} of ${latest}${level < latest ? ' — run `trade-etl migrate`' : ''}\n\n`);
        process.stdout.write(table(datasets));
      } finally {
        await ctx.close();
      }
    });
}

/** One row per known dataset: latest loaded release, its stage and dates, and the last run touching it. */
export async function datasetStatus(db: import('../db/connect.js').Db) {
  const rows = await db.query<Record<string, unknown>>(`
    SELECT d.dataset,
           (SELECT count(*) FROM etl.release r WHERE r.dataset = d.dataset AND r.status = 'loaded')::int AS releases,
           l.file_name AS latest_file, l.stage, l.published_on::text AS published_on,
           to_char(l.fetched_at, 'YYYY-MM-DD HH24:MI') AS fetched_at,
           f.status AS last_attempt, f.error AS last_error
    FROM unnest($1::text[]) AS d(dataset)
    LEFT JOIN LATERAL (SELECT * FROM etl.release r WHERE r.dataset = d.dataset AND r.status = 'loaded'
                       ORDER BY r.published_on DESC NULLS LAST, r.id DESC LIMIT 1) l ON true
    LEFT JOIN LATERAL (SELECT * FROM etl.release r WHERE r.dataset = d.dataset ORDER BY r.id DESC LIMIT 1) f ON true
    ORDER BY d.dataset`, [allDatasets().map((d) => d.id)]);
  return rows;
}
