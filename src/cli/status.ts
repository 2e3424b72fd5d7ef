import type { Command } from 'commander';
import { open, table } from './common.js';
import { migrationLevel, listMigrations } from '../db/migrate.js';
import { allDatasets } from '../engine/registry.js';
import { DEFAULT_SCHEDULE_FILE, loadScheduleConfig } from '../ops/schedule-config.js';
import { analystSchemas } from '../engine/registry.js';
import { etlQueries, run } from '../db/etl-schema.js';
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
  const q = await etlQueries();
  const { sql } = await import('kysely');
  const query = q.selectFrom(sql<{ dataset: string }>`(SELECT unnest(${allDatasets().map((d) => d.id)}::text[]) AS dataset)`.as('d'))
    .leftJoinLateral((eb) => eb.selectFrom('etl.release as r').selectAll()
      .whereRef('r.dataset', '=', 'd.dataset').where('r.status', '=', 'loaded')
      .orderBy(sql`r.published_on DESC NULLS LAST`).orderBy('r.id', 'desc').limit(1).as('l'), (join) => join.onTrue())
    .leftJoinLateral((eb) => eb.selectFrom('etl.release as r').select(['r.status', 'r.error'])
      .whereRef('r.dataset', '=', 'd.dataset').orderBy('r.id', 'desc').limit(1).as('f'), (join) => join.onTrue())
    .leftJoinLateral((eb) => eb.selectFrom('etl.run as x').select(['x.id', 'x.command', 'x.status', 'x.started_at'])
      .where((w) => w.or([
        sql<boolean>`x.stats->'datasets' @> jsonb_build_array(jsonb_build_object('dataset', d.dataset))`,
        w.exists(w.selectFrom('etl.release as r').select(sql`1`.as('one')).whereRef('r.run_id', '=', 'x.id').whereRef('r.dataset', '=', 'd.dataset')),
      ]))
      .orderBy('x.id', 'desc').limit(1).as('lr'), (join) => join.onTrue())
    .select((eb) => [
      'd.dataset',
      eb.selectFrom('etl.release as r').select(sql<number>`count(*)::int`.as('n'))
        .whereRef('r.dataset', '=', 'd.dataset').where('r.status', '=', 'loaded').as('releases'),
      'l.file_name as latest_file', 'l.stage', sql<string | null>`l.published_on::text`.as('published_on'),
      sql<string | null>`to_char(l.fetched_at, 'YYYY-MM-DD HH24:MI')`.as('fetched_at'),
      'f.status as last_attempt', 'f.error as last_error',
      'lr.id as last_run', 'lr.command as last_run_command', 'lr.status as last_run_status',
      sql<string | null>`to_char(lr.started_at, 'YYYY-MM-DD HH24:MI')`.as('last_run_at'),
    ])
    .orderBy('d.dataset');
  return run(db, query);
}
