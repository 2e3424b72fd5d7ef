/**
 * The bookkeeping tables (etl.*) as a Kysely database interface, and a way to run typed Kysely
 * queries through the Db's own query path. Going through `db.query` (rather than a second
 * Kysely connection) keeps what that path guarantees: the sources' secrets masked in
 * parameters, PGlite's one-at-a-time queue, the stop signal and connection-lost messages, and
 * the session of a transaction. Kysely is imported on first use, not at start-up.
 */
import type { ColumnType, Compilable, InferResult, Kysely } from 'kysely';
import type { Db, Session } from './connect.js';
import type { AnalystDatabase } from './trade-schema.js';

/**
 * A bigint column: pg returns it as a string, PGlite as a number (ids and row counts stay far
 * below 2^53, so `Number()` at the edge is exact).
 */
type Int8 = ColumnType<string | number, string | number, string | number>;
/** A bigserial column: generated on insert. */
type Int8Serial = ColumnType<string | number, string | number | undefined, string | number>;
/** A jsonb column: read as the parsed value, written as JSON text. */
type Jsonb<T = unknown> = ColumnType<T, string, string>;
type Timestamptz = ColumnType<Date, Date | string | undefined, Date | string>;

/** etl.run (sql/001_schemas.sql, sql/040_run_liveness.sql). */
export interface EtlRunTable {
  id: Int8Serial;
  command: string;
  args: ColumnType<unknown, string | undefined, string>;
  trigger: 'cron' | 'manual' | 'backfill' | 'schedule' | 'retry';
  started_at: ColumnType<Date, Date | string | undefined, Date | string>;
  finished_at: Timestamptz | null;
  status: ColumnType<'running' | 'succeeded' | 'failed' | 'partial', 'running' | 'succeeded' | 'failed' | 'partial' | undefined>;
  error: string | null;
  stats: ColumnType<unknown, string | undefined, string>;
  retry_of: Int8 | null;
  pid: number | null;
  host: string | null;
}

/** etl.release (sql/001_schemas.sql). */
export interface EtlReleaseTable {
  id: Int8Serial;
  source: string;
  dataset: string;
  url: string | null;
  file_name: string;
  sha256: string;
  bytes: Int8;
  content_type: string | null;
  etag: string | null;
  last_modified: string | null;
  fetched_at: ColumnType<Date, Date | string | undefined, Date | string>;
  published_on: ColumnType<Date | string, Date | string | null | undefined, Date | string | null> | null;
  stage: 'preliminary' | 'revised' | 'final' | null;
  source_stage: string | null;
  scope_key: string | null;
  scope: ColumnType<unknown, string | undefined, string>;
  title: string | null;
  status: 'loading' | 'loaded' | 'failed' | 'stale';
  rows_parsed: Int8 | null;
  rows_inserted: Int8 | null;
  rows_closed: Int8 | null;
  rows_unchanged: Int8 | null;
  error: string | null;
  error_detail: Jsonb | null;
  run_id: Int8 | null;
  loaded_at: Timestamptz | null;
}

/** etl.watermark (sql/001_schemas.sql). */
export interface EtlWatermarkTable {
  dataset: string;
  last_period: string | null;
  last_release_id: Int8 | null;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

/** etl.http_cache (sql/001_schemas.sql). */
export interface EtlHttpCacheTable {
  url: string;
  dataset: string;
  etag: string | null;
  last_modified: string | null;
  sha256: string;
  checked_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

/** etl.schema_migration (src/db/migrate.ts). */
export interface EtlSchemaMigrationTable {
  version: number;
  name: string;
  checksum: string;
  applied_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

/** etl.schema_repeatable (src/db/migrate.ts): the files of sql/repeatable/ as last applied. */
export interface EtlSchemaRepeatableTable {
  file: string;
  checksum: string;
  objects: string[];
  inputs: string;
  applied_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

/** The bookkeeping schema as Kysely sees it. */
export interface EtlDatabase {
  'etl.run': EtlRunTable;
  'etl.release': EtlReleaseTable;
  'etl.watermark': EtlWatermarkTable;
  'etl.http_cache': EtlHttpCacheTable;
  'etl.schema_migration': EtlSchemaMigrationTable;
  'etl.schema_repeatable': EtlSchemaRepeatableTable;
}

/** Everything the tool queries through Kysely: the bookkeeping, and the analyst views the report reads. */
export interface Database extends EtlDatabase, AnalystDatabase {}

let builder: Promise<Kysely<Database>> | undefined;

/**
 * A Kysely that only builds and compiles queries (Postgres dialect, no connection of its own),
 * over the bookkeeping tables and the analyst views (src/db/trade-schema.ts).
 * @example const q = (await etlQueries()).selectFrom('etl.run').select(['id', 'status']).where('id', '=', 42); await run(db, q)
 */
export function etlQueries(): Promise<Kysely<Database>> {
  return (builder ??= import('kysely').then(({ Kysely, DummyDriver, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler }) => new Kysely<Database>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (k) => new PostgresIntrospector(k),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
  })));
}

/**
 * The query builder and Kysely's `sql` for expressions, for a module that needs both (Kysely is
 * imported on first use: the CLI starts without it).
 * @example const { q, sql } = await etlBuilder(); await run(db, q.selectNoFrom(sql<number>`1`.as('one')))
 */
export async function etlBuilder(): Promise<{ q: Kysely<Database>; sql: typeof import('kysely')['sql'] }> {
  const [q, { sql }] = await Promise.all([etlQueries(), import('kysely')]);
  return { q, sql };
}

/**
 * Runs a typed query on a Db or a transaction's Session; the rows have the query's own type.
 * @example const rows = await run(db, q.selectFrom('etl.run').select(['id']).where('status', '=', 'running'))
 */
export async function run<Q extends Compilable>(db: Pick<Db | Session, 'query'>, query: Q): Promise<InferResult<Q>> {
  const c = query.compile();
  return (await db.query(c.sql, c.parameters as unknown[])) as InferResult<Q>;
}
