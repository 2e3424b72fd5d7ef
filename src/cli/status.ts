import type { Command } from 'commander';
import { open, table } from './common.js';
import { migrationLevel, listMigrations } from '../db/migrate.js';
import { allDatasets } from '../engine/registry.js';
import { DEFAULT_SCHEDULE_FILE, loadScheduleConfig } from '../ops/schedule-config.js';
import { analystSchemas } from '../engine/registry.js';
import { checkFreshness } from '../ops/freshness.js';

export function register(program: Command): void {
  program.command('status')
    .description('schemas, migration level, and per dataset the latest release and last run')
    .option('--json', 'print JSON')
    .option('--check-freshness', 'exit 1 when a dataset is older than its expected cadence (freshness in the schedule file)')
    .option('-c, --config <file>', 'schedule file with the freshness cadences', DEFAULT_SCHEDULE_FILE)
    .action(async (opts: { json?: boolean; checkFreshness?: boolean; config: string }) => {
      // Read the cadences before opening the database: a bad file is a usage error either way.
      const cadences = opts.checkFreshness ? loadScheduleConfig(opts.config).freshness : undefined;
      const ctx = await open({ migrate: false });
      try {
        if (cadences) {
          const level = await migrationLevel(ctx.db);
          if (!level) throw new Error(`${ctx.db.describe()} has no schema yet: nothing is loaded, so nothing is fresh (run \`trade-etl refresh\`)`);
          const { rows, stale } = await checkFreshness(ctx.db, cadences);
          if (opts.json) process.stdout.write(JSON.stringify({ database: ctx.db.describe(), freshness: rows, stale }, null, 2) + '\n');
          else {
            process.stdout.write(table(rows.map((r) => ({ ...r }))));
            process.stdout.write(stale.length ? `\nSTALE: ${stale.join(', ')} (older than the cadence in ${opts.config})\n` : '\nall checked datasets are fresh\n');
          }
          process.exitCode = stale.length ? 1 : 0;
          return;
        }
        const level = await migrationLevel(ctx.db);
        const latest = Math.max(...listMigrations().map((m) => m.version));
        const schemas = (await ctx.db.query<{ nspname: string }>(
          `SELECT nspname FROM pg_namespace WHERE nspname = ANY($1) ORDER BY 1`, [['etl', ...analystSchemas()]])).map((r) => r.nspname);
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
           f.status AS last_attempt, f.error AS last_error,
           lr.id AS last_run, lr.command AS last_run_command, lr.status AS last_run_status,
           to_char(lr.started_at, 'YYYY-MM-DD HH24:MI') AS last_run_at
    FROM unnest($1::text[]) AS d(dataset)
    LEFT JOIN LATERAL (SELECT * FROM etl.release r WHERE r.dataset = d.dataset AND r.status = 'loaded'
                       ORDER BY r.published_on DESC NULLS LAST, r.id DESC LIMIT 1) l ON true
    LEFT JOIN LATERAL (SELECT * FROM etl.release r WHERE r.dataset = d.dataset ORDER BY r.id DESC LIMIT 1) f ON true
    LEFT JOIN LATERAL (SELECT * FROM etl.run x
                       WHERE x.stats->'datasets' @> jsonb_build_array(jsonb_build_object('dataset', d.dataset))
                          OR EXISTS (SELECT 1 FROM etl.release r WHERE r.run_id = x.id AND r.dataset = d.dataset)
                       ORDER BY x.id DESC LIMIT 1) lr ON true
    ORDER BY d.dataset`, [allDatasets().map((d) => d.id)]);
  return rows;
}
