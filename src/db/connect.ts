import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
// Only types at the top: each backend's driver (and Kysely) is imported when first needed, so a
// command on Postgres never loads PGlite's WebAssembly glue and vice versa — start-up time is
// most of what an already-loaded release costs (docs/performance.md).
import type { Kysely } from 'kysely';
import type pg from 'pg';
import type { PGlite } from '@electric-sql/pglite';
import { redactSecrets, type Config } from '../core/config.js';
import { PermanentError, TransientError } from '../core/errors.js';

/** A value COPY can carry: text, or null. */
export type CopyValue = string | null;

/** Queries on one connection, inside or outside a transaction. */
export interface Session {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Runs a script of several statements (no parameters). */
  exec(sql: string): Promise<void>;
  /**
   * Bulk-loads rows into a table with COPY (CSV). Streams on Postgres; on PGlite, where COPY FROM
   * STDIN hangs, sends bounded chunks through `COPY … FROM '/dev/blob'`. Returns rows copied.
   */
  copyIn(table: string, columns: readonly string[], rows: AsyncIterable<readonly CopyValue[]>): Promise<number>;
}

/** The database: Kysely for typed queries, plus sessions for transactions, COPY and locks. */
export interface Db {
  kind: 'pg' | 'pglite';
  /** Kysely over this database's connections for typed queries, created on first call. */
  kysely(): Promise<Kysely<any>>;
  /** A one-off query on any connection. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Runs fn inside one transaction on one connection; rolls back if fn throws. */
  transaction<T>(fn: (tx: Session) => Promise<T>): Promise<T>;
  /** Runs fn on one dedicated connection (advisory locks are per connection). */
  withSession<T>(fn: (s: Session) => Promise<T>): Promise<T>;
  /** Where the embedded database lives, or the server URL with the password masked. */
  describe(): string;
  close(): Promise<void>;
  /** The PGlite instance (embedded backend only), for `trade-etl serve`. */
  pglite?: PGlite;
}

const CHUNK_BYTES = 4 * 1024 * 1024;

// Characters that force quoting: the delimiter, the quote, line breaks, and a backslash (an
// unquoted `\.` line would end the data). Quoting only when needed keeps the COPY stream small
// (most fields are codes and digits) and skips a regex replace per field.
const NEEDS_QUOTES = /[",\r\n\\]/;

function csvField(v: CopyValue): string {
  if (v === null) return '';
  // An unquoted empty field is NULL in CSV COPY, so the empty string stays quoted.
  if (v !== '' && !NEEDS_QUOTES.test(v)) return v;
  return `"${v.replace(/"/g, '""')}"`;
}

export function csvLine(row: readonly CopyValue[]): string {
  let s = '';
  for (let i = 0; i < row.length; i++) s += (i ? ',' : '') + csvField(row[i]!);
  return `${s}\n`;
}

function copySql(table: string, columns: readonly string[], from: string): string {
  return `COPY ${table} (${columns.map((c) => `"${c}"`).join(', ')}) FROM ${from} WITH (FORMAT csv)`;
}

// ---- Postgres (pg) ------------------------------------------------------------------------

function pgSession(client: pg.PoolClient | pg.Client, copyFrom: typeof import('pg-copy-streams').from): Session {
  return {
    async query<T>(sql: string, params: unknown[] = []) {
      const r = await client.query(sql, params as unknown[]);
      return r.rows as T[];
    },
    async exec(sql: string) {
      await client.query(sql);
    },
    async copyIn(table, columns, rows) {
      let n = 0;
      const stream = client.query(copyFrom(copySql(table, columns, 'STDIN')));
      async function* lines() {
        let buf = '';
        for await (const row of rows) {
          buf += csvLine(row);
          n++;
          if (buf.length >= 256 * 1024) { yield buf; buf = ''; }
        }
        if (buf) yield buf;
      }
      await pipeline(Readable.from(lines()), stream);
      return n;
    },
  };
}

async function connectPg(config: Config): Promise<Db> {
  const url = config.databaseUrl!;
  const [{ default: pg }, { from: copyFrom }] = await Promise.all([import('pg'), import('pg-copy-streams')]);
  const pool = new pg.Pool({ connectionString: url, max: 4, connectionTimeoutMillis: 15_000 });
  // An idle client that loses its server must not crash the process; the next query reports it.
  pool.on('error', () => {});
  try {
    const c = await pool.connect();
    c.release();
  } catch (err) {
    await pool.end().catch(() => {});
    throw new TransientError(
      `cannot connect to Postgres at ${redactSecrets(url, config)}: ${redactSecrets((err as Error).message, config)}. Is the server running, and is DATABASE_URL right?`,
      { database: redactSecrets(url, config) },
    );
  }
  let kysely: Kysely<any> | undefined;
  const db: Db = {
    kind: 'pg',
    async kysely() {
      if (!kysely) {
        const { Kysely, PostgresDialect } = await import('kysely');
        kysely = new Kysely<any>({ dialect: new PostgresDialect({ pool }) });
      }
      return kysely;
    },
    async query(sql, params = []) {
      const r = await pool.query(sql, params as unknown[]);
      return r.rows;
    },
    async transaction(fn) {
      return db.withSession(async (s) => {
        await s.query('BEGIN');
        try {
          const out = await fn(s);
          await s.query('COMMIT');
          return out;
        } catch (err) {
          await s.query('ROLLBACK').catch(() => {});
          throw err;
        }
      });
    },
    async withSession(fn) {
      const client = await pool.connect();
      let broken = false;
      const onError = () => { broken = true; };
      client.on('error', onError);
      try {
        return await fn(pgSession(client, copyFrom));
      } catch (err) {
        broken = broken || isConnectionError(err);
        throw err;
      } finally {
        client.off('error', onError);
        client.release(broken);
      }
    },
    describe: () => redactSecrets(url, config),
    async close() {
      // Kysely ends the pool only if it used it itself; idle clients would keep the process
      // alive for pg's idle time-out (10 s) after every command.
      await kysely?.destroy();
      if (!pool.ended) await pool.end();
    },
  };
  return db;
}

function isConnectionError(err: unknown): boolean {
  const code = (err as { code?: string })?.code ?? '';
  return code.startsWith('08') || code === '57P01' || /Connection terminated|ECONNRESET/i.test(String((err as Error)?.message));
}

// ---- PGlite --------------------------------------------------------------------------------

type PgliteQueryable = Pick<PGlite, 'query' | 'exec'>;

function pgliteSession(q: PgliteQueryable): Session {
  return {
    async query<T>(sql: string, params: unknown[] = []) {
      const r = await q.query<T>(sql, params as unknown[]);
      return r.rows;
    },
    async exec(sql: string) {
      await q.exec(sql);
    },
    async copyIn(table, columns, rows) {
      let n = 0;
      // Lines are encoded straight into one reused buffer rather than kept as strings until the
      // chunk is sent: kept strings outlive the young generation and pile up as old-generation
      // garbage (peak RSS). The Blob copies the bytes, so the buffer can be reused at once.
      let buf = Buffer.allocUnsafe(CHUNK_BYTES + 64 * 1024);
      let used = 0;
      const flush = async () => {
        if (!used) return;
        const blob = new Blob([buf.subarray(0, used)], { type: 'text/csv' });
        used = 0;
        await q.query(copySql(table, columns, `'/dev/blob'`), [], { blob });
      };
      for await (const row of rows) {
        const line = csvLine(row);
        const need = line.length * 3; // UTF-8 bytes per UTF-16 unit, at most: no byteLength per line
        if (used + need > buf.length) {
          await flush();
          if (need > buf.length) buf = Buffer.allocUnsafe(need);
        }
        used += buf.write(line, used);
        n++;
        if (used >= CHUNK_BYTES) await flush();
      }
      await flush();
      return n;
    },
  };
}

/** Serializes transactions and sessions: PGlite has one connection, so they must take turns. */
class Mutex {
  private tail: Promise<void> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn);
    this.tail = result.then(() => {}, () => {});
    return result;
  }
}

/** Wraps an open PGlite instance (tests share one per file; the CLI opens DATA_DIR/pglite). */
export function pgliteDb(pglite: PGlite, where: string, onClose?: () => Promise<void>): Db {
  const mutex = new Mutex();
  let kysely: Kysely<any> | undefined;
  return {
    kind: 'pglite',
    async kysely() {
      if (!kysely) {
        const [{ Kysely }, { PGliteDialect }] = await Promise.all([import('kysely'), import('kysely-pglite-dialect')]);
        kysely = new Kysely<any>({ dialect: new PGliteDialect(pglite) });
      }
      return kysely;
    },
    pglite,
    async query(sql, params = []) {
      const r = await pglite.query(sql, params as unknown[]);
      return r.rows as any[];
    },
    transaction(fn) {
      return mutex.run(() => pglite.transaction((tx) => fn(pgliteSession(tx as unknown as PgliteQueryable))));
    },
    withSession(fn) {
      return mutex.run(() => fn(pgliteSession(pglite)));
    },
    describe: () => where,
    async close() {
      // Closing PGlite ends its Emscripten runtime, which resets process.exitCode to 0: a failed
      // command would exit 0 without this.
      const code = process.exitCode;
      try {
        await onClose?.();
      } finally {
        process.exitCode = code;
      }
    },
  };
}

async function connectPglite(config: Config): Promise<Db> {
  const dir = path.join(config.dataDir, 'pglite');
  fs.mkdirSync(dir, { recursive: true });
  const release = acquireDirLock(config.dataDir);
  let pglite: PGlite;
  try {
    const { PGlite } = await import('@electric-sql/pglite');
    pglite = await PGlite.create(dir, { startParams: pgliteStartParams(PGlite.defaultStartParams, config) });
  } catch (err) {
    release();
    throw new PermanentError(`cannot open the embedded database in ${dir}: ${(err as Error).message}`, { dataDir: dir });
  }
  return pgliteDb(pglite, `embedded PGlite in ${dir}`, async () => {
    await pglite.close();
    release();
  });
}

/**
 * PGlite's own start parameters plus a smaller buffer pool. Passing startParams replaces
 * PGlite's defaults (a single-user backend, fsync off, no parallel workers), so they are kept.
 */
function pgliteStartParams(defaults: readonly string[], config: Config): string[] {
  return [...defaults, '-c', `shared_buffers=${Math.max(1, Math.round(config.pgliteSharedBuffersMb))}MB`];
}

/**
 * One process at a time may open an embedded database directory: PGlite is single-process and
 * two writers would corrupt it. A stale lock (its process gone) is taken over.
 */
function acquireDirLock(dataDir: string): () => void {
  const file = path.join(dataDir, 'pglite.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => { try { fs.unlinkSync(file); } catch { /* already gone */ } };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number(fs.readFileSync(file, 'utf8'));
      if (pid && pid !== process.pid && processAlive(pid)) {
        throw new PermanentError(
          `the embedded database in ${dataDir} is in use by another trade-etl process (pid ${pid}). ` +
          'Wait for it to finish, or use a Postgres server (DATABASE_URL) for concurrent runs.',
          { dataDir, pid },
        );
      }
      fs.unlinkSync(file);
    }
  }
  throw new PermanentError(`cannot lock ${file}`, { dataDir });
}

function processAlive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (err) { return (err as NodeJS.ErrnoException).code === 'EPERM'; }
}

/**
 * Opens the configured database: Postgres when DATABASE_URL is set, else embedded PGlite.
 * @example const db = await connect(loadConfig()); await db.query('select 1'); await db.close();
 */
export async function connect(config: Config): Promise<Db> {
  return config.databaseUrl ? connectPg(config) : connectPglite(config);
}
