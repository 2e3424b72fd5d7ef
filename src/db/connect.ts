import fs from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
// Only types at the top: each backend's driver (and Kysely) is imported when first needed, so a
// command on Postgres never loads PGlite's WebAssembly glue and vice versa — start-up time is
// most of what an already-loaded release costs (docs/performance.md).
import type { Kysely } from 'kysely';
import type pg from 'pg';
import type { Database } from './etl-schema.js';
import { traceSql } from './sql-trace.js';
import { seedFromTemplate } from './pglite-template.js';
import type { PGlite } from '@electric-sql/pglite';
import { redactSecrets, type Config } from '../core/config.js';
import type { Logger } from '../core/logger.js';
import { asConnectionLost, EtlError, fileSystemError, InterruptedError, isConnectionLost, PermanentError, TransientError } from '../core/errors.js';

/** A value COPY can carry: text, or null. */
export type CopyValue = string | null;

/** Queries on one connection, inside or outside a transaction. */
export interface Session {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /**
   * One INSERT, UPDATE or DELETE; returns the rows it wrote, as the server reports them (the
   * loader's counts: a `WITH … RETURNING` count kept every written row in a tuplestore, 0.5 s of
   * a 1.35-million-row insert).
   */
  write(sql: string, params?: unknown[]): Promise<number>;
  /** Runs a script of several statements (no parameters). */
  exec(sql: string): Promise<void>;
  /**
   * Bulk-loads rows into a table with COPY (CSV). Streams on Postgres; on PGlite, where COPY FROM
   * STDIN hangs, sends bounded chunks through `COPY … FROM '/dev/blob'`. Returns rows copied.
   */
  copyIn(table: string, columns: readonly string[], rows: AsyncIterable<readonly CopyValue[]>): Promise<number>;
  /**
   * COPY of text the caller already encoded: chunks of whole CSV lines (each ending in \n), as
   * csvLine writes them. For hot loops that encode without a per-row array (StageEncoder).
   */
  copyInText(table: string, columns: readonly string[], chunks: AsyncIterable<string>): Promise<void>;
}

/** The database: Kysely for typed queries, plus sessions for transactions, COPY and locks. */
export interface Db {
  kind: 'pg' | 'pglite';
  /**
   * Kysely over this database's connections, typed over the declared tables and views (Database,
   * src/db/etl-schema.ts), created on first call. The tool's own queries go through `run(db, query)`
   * instead, which keeps secrets masked, the stop signal and a transaction's session.
   */
  kysely(): Promise<Kysely<Database>>;
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
  /**
   * Set by a command to its stop signal (SIGTERM/SIGINT): once aborted, the transaction in
   * progress stops at its next statement or COPY chunk — on Postgres its running statement is
   * cancelled at once — rolls back, and `transaction()` throws an InterruptedError.
   */
  stopSignal?: AbortSignal;
  /**
   * A connection of its own outside the pool, kept for as long as the caller needs (Postgres
   * only): a run holds its liveness lock on it, so the lock lives exactly as long as the process.
   */
  dedicatedSession?(): Promise<Session & { end(): Promise<void> }>;
}

/** The InterruptedError for an aborted stop signal. */
function interrupted(signal: AbortSignal): InterruptedError {
  const reason = signal.reason as Error | undefined;
  const sig = /\b(SIG[A-Z]+)\b/.exec(reason?.message ?? '')?.[1] ?? 'a stop signal';
  return new InterruptedError(sig);
}

/**
 * Query parameters with the sources' secrets (API keys) masked: whatever path a message takes
 * into the database (a release's error, a run's stats), a key's value is never stored.
 */
function redactParams(params: unknown[], config: Partial<Pick<Config, 'secrets'>>): unknown[] {
  const keys = Object.values(config.secrets ?? {}).filter((k) => k.length >= 8);
  if (!keys.length) return params;
  return params.map((p) => (typeof p === 'string' && keys.some((k) => p.includes(k)) ? keys.reduce((s, k) => s.split(k).join('*****'), p) : p));
}

const CHUNK_BYTES = 4 * 1024 * 1024;

// Characters that force quoting: the delimiter, the quote, line breaks, and a backslash (an
// unquoted `\.` line would end the data). Quoting only when needed keeps the COPY stream small
// (most fields are codes and digits) and skips a regex replace per field.
const NEEDS_QUOTES = /[",\r\n\\]/;

/**
 * One field of CSV COPY text: quoted only where needed; an empty string stays quoted (unquoted
 * is NULL), and null or undefined is NULL.
 * @example csvField('a,b') // '"a,b"'
 */
export function csvField(v: CopyValue | undefined): string {
  if (v === null || v === undefined) return '';
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

/** Throws if the session's stop signal has fired (checked before each statement and COPY chunk). */
type Guard = () => void;
const noGuard: Guard = () => {};

function pgSession(client: pg.PoolClient | pg.Client, copyFrom: typeof import('pg-copy-streams').from, config: Config, where: string, guard: Guard = noGuard): Session {
  /** One statement: its rows for query, its row count for write. */
  const send = async (sql: string, params: unknown[]) => {
    guard();
    const t = performance.now();
    try {
      return await client.query(sql, redactParams(params, config) as unknown[]);
    } catch (err) {
      throw asConnectionLost(err, where);
    } finally {
      traceSql(sql, t);
    }
  };
  return {
    async query<T>(sql: string, params: unknown[] = []) {
      return (await send(sql, params)).rows as T[];
    },
    async write(sql: string, params: unknown[] = []) {
      return (await send(sql, params)).rowCount ?? 0;
    },
    async exec(sql: string) {
      guard();
      try {
        await client.query(sql);
      } catch (err) {
        throw asConnectionLost(err, where);
      }
    },
    async copyIn(table, columns, rows) {
      guard();
      let n = 0;
      const stream = client.query(copyFrom(copySql(table, columns, 'STDIN')));
      async function* lines() {
        let buf = '';
        for await (const row of rows) {
          buf += csvLine(row);
          n++;
          if (buf.length >= 256 * 1024) { guard(); yield buf; buf = ''; }
        }
        if (buf) yield buf;
      }
      const t = performance.now();
      try {
        await pipeline(Readable.from(lines()), stream);
      } catch (err) {
        throw asConnectionLost(err, where);
      }
      traceSql(`COPY ${table} FROM STDIN`, t);
      return n;
    },
    async copyInText(table, columns, chunks) {
      guard();
      const stream = client.query(copyFrom(copySql(table, columns, 'STDIN')));
      async function* guarded() {
        for await (const c of chunks) { guard(); yield c; }
      }
      const t = performance.now();
      try {
        await pipeline(Readable.from(guarded()), stream);
      } catch (err) {
        throw asConnectionLost(err, where);
      }
      traceSql(`COPY ${table} FROM STDIN`, t);
    },
  };
}

async function connectPg(config: Config, logger?: Pick<Logger, 'warn'>): Promise<Db> {
  const url = config.databaseUrl!;
  // Both are CommonJS: their exports are read from `default`, the one export a bundler's chunk of
  // a CommonJS package is sure to have (scripts/build.js), as well as Node's.
  const [{ default: pg }, { default: { from: copyFrom } }] = await Promise.all([import('pg'), import('pg-copy-streams')]);
  const pool = new pg.Pool({ connectionString: url, max: 4, connectionTimeoutMillis: 15_000 });
  // An idle client that loses its server must not crash the process; the next query reports it.
  // Said in the log, so that a later failure has its cause next to it.
  const lost = (what: string) => (err: Error) => logger?.warn({ database: redactSecrets(url, config), err: redactSecrets(err.message, config) }, what);
  pool.on('error', lost('an idle database connection was lost; the next query reconnects'));
  try {
    const c = await pool.connect();
    c.release();
  } catch (err) {
    // The pool never held a connection: ending it cannot fail in a way worth more than the connect error.
    await pool.end().catch(() => {});
    throw new TransientError(
      `cannot connect to Postgres at ${redactSecrets(url, config)}: ${redactSecrets((err as Error).message, config)}. Is the server running, and is DATABASE_URL right?`,
      { database: redactSecrets(url, config) },
    );
  }
  let kysely: Kysely<Database> | undefined;
  const where = `Postgres at ${redactSecrets(url, config)}`;
  const dedicated = new Set<pg.Client>();
  const db: Db = {
    kind: 'pg',
    async kysely() {
      if (!kysely) {
        const { Kysely, PostgresDialect } = await import('kysely');
        kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
      }
      return kysely;
    },
    async query(sql, params = []) {
      try {
        const r = await pool.query(sql, redactParams(params, config) as unknown[]);
        return r.rows;
      } catch (err) {
        throw asConnectionLost(err, where);
      }
    },
    async transaction(fn) {
      const stop = db.stopSignal;
      const guard: Guard = () => { if (stop?.aborted) throw interrupted(stop); };
      guard();
      return withClient(async (client) => {
        const s = pgSession(client, copyFrom, config, where, guard);
        // A long statement would run to its end before the next check: cancel it now instead.
        // The cancel travels on another connection and may land late; it is awaited before this
        // client runs anything else (ROLLBACK, or its next user once released to the pool), or
        // it could cancel that statement instead — e.g. the UPDATE recording the release failed.
        let cancelling: Promise<unknown> | undefined;
        const cancel = () => {
          cancelling = pool.query('SELECT pg_cancel_backend($1)', [(client as unknown as { processID: number }).processID])
            .catch((err: Error) => logger?.warn({ err: redactSecrets(err.message, config) }, 'could not cancel the statement in progress; the transaction rolls back at its next statement'));
        };
        stop?.addEventListener('abort', cancel, { once: true });
        try {
          await s.query('BEGIN');
          const out = await fn(s);
          await s.query('COMMIT');
          return out;
        } catch (err) {
          if (cancelling) await cancelling;
          // A failed ROLLBACK means the connection is gone, and the server rolls back with it;
          // the error that matters is the one that ended the transaction, rethrown below.
          await client.query('ROLLBACK').catch((rbErr: Error) => logger?.warn({ err: redactSecrets(rbErr.message, config) }, 'ROLLBACK failed: the connection is gone and the server rolls the transaction back'));
          if (stop?.aborted && !(err instanceof EtlError && err.kind === 'data')) throw interrupted(stop);
          throw err;
        } finally {
          stop?.removeEventListener('abort', cancel);
          if (cancelling) await cancelling;
        }
      });
    },
    async withSession(fn) {
      return withClient((client) => fn(pgSession(client, copyFrom, config, where)));
    },
    async dedicatedSession() {
      const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 15_000 });
      // A server restart ends this connection; the process learns it at its next query. A run's
      // liveness lock lives on such a connection, so losing it is worth a line in the log.
      client.on('error', lost('a dedicated database connection (a run\'s liveness lock) was lost'));
      try {
        await client.connect();
      } catch (err) {
        throw asConnectionLost(err, where);
      }
      dedicated.add(client);
      return {
        ...pgSession(client, copyFrom, config, where),
        async end() {
          dedicated.delete(client);
          await client.end().catch(() => {});
        },
      };
    },
    describe: () => redactSecrets(url, config),
    async close() {
      for (const c of dedicated) await c.end().catch(() => {});
      dedicated.clear();
      // Kysely ends the pool only if it used it itself; idle clients would keep the process
      // alive for pg's idle time-out (10 s) after every command.
      await kysely?.destroy();
      if (!pool.ended) await pool.end();
    },
  };

  async function withClient<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (err) {
      throw asConnectionLost(err, where);
    }
    let broken = false;
    const onError = () => { broken = true; };
    client.on('error', onError);
    try {
      return await fn(client);
    } catch (err) {
      broken = broken || isConnectionLost(err) || isConnectionLost((err as Error)?.cause);
      throw err;
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  }
  return db;
}

// ---- PGlite --------------------------------------------------------------------------------

type PgliteQueryable = Pick<PGlite, 'query' | 'exec'>;

function pgliteSession(q: PgliteQueryable, onError: (err: unknown) => unknown, guard: Guard = noGuard): Session {
  /**
   * A COPY into `table` sent as '/dev/blob' chunks of about CHUNK_BYTES. Text is encoded straight
   * into one reused buffer rather than kept as strings until the chunk is sent: kept strings
   * outlive the young generation and pile up as old-generation garbage (peak RSS). The Blob copies
   * the bytes, so the buffer can be reused at once. `write` returns a promise only when it flushes
   * (no await per row on the hot path); each text must end on a line boundary.
   */
  function blobCopy(table: string, columns: readonly string[]) {
    let buf = Buffer.allocUnsafe(CHUNK_BYTES + 64 * 1024);
    let used = 0;
    const flush = async () => {
      if (!used) return;
      // PGlite runs each chunk on this thread; between chunks a stop signal gets its turn.
      guard();
      const blob = new Blob([buf.subarray(0, used)], { type: 'text/csv' });
      used = 0;
      try {
        await q.query(copySql(table, columns, `'/dev/blob'`), [], { blob });
      } catch (err) {
        throw onError(err);
      }
    };
    const write = async (text: string, need: number) => {
      await flush();
      if (need > buf.length) buf = Buffer.allocUnsafe(need);
      used += buf.write(text, used);
      if (used >= CHUNK_BYTES) await flush();
    };
    return {
      write(text: string): Promise<void> | undefined {
        const need = text.length * 3; // UTF-8 bytes per UTF-16 unit, at most: no byteLength per text
        if (used + need > buf.length) return write(text, need);
        used += buf.write(text, used);
        return used >= CHUNK_BYTES ? flush() : undefined;
      },
      end: flush,
    };
  }
  /** One statement: its rows for query, its row count for write. */
  const send = async <T>(sql: string, params: unknown[]) => {
    // PGlite runs statements on this thread and its promises settle without a turn of the
    // event loop, so a stop signal was not seen until a load's statements were all done (a
    // load that parses while it copies reads the file, which gives the signal its turn).
    if (guard !== noGuard) await new Promise((r) => setImmediate(r));
    guard();
    const t = performance.now();
    try {
      return await q.query<T>(sql, params as unknown[]);
    } catch (err) {
      throw onError(err);
    } finally {
      traceSql(sql, t);
    }
  };
  return {
    async query<T>(sql: string, params: unknown[] = []) {
      return (await send<T>(sql, params)).rows;
    },
    async write(sql: string, params: unknown[] = []) {
      return (await send(sql, params)).affectedRows ?? 0;
    },
    async exec(sql: string) {
      guard();
      try {
        await q.exec(sql);
      } catch (err) {
        throw onError(err);
      }
    },
    async copyIn(table, columns, rows) {
      const t = performance.now();
      const out = blobCopy(table, columns);
      let n = 0;
      for await (const row of rows) {
        const flushing = out.write(csvLine(row));
        if (flushing) await flushing;
        n++;
      }
      await out.end();
      traceSql(`COPY ${table} FROM '/dev/blob' (in pieces)`, t);
      return n;
    },
    async copyInText(table, columns, chunks) {
      const t = performance.now();
      const out = blobCopy(table, columns);
      // Chunks are whole lines, so a flush between chunks never splits a line.
      for await (const text of chunks) {
        const flushing = out.write(text);
        if (flushing) await flushing;
      }
      await out.end();
      traceSql(`COPY ${table} FROM '/dev/blob' (in pieces)`, t);
    },
  };
}

/**
 * A PGlite failure that comes from a full disk as a terminal error saying so ("disk full at
 * DIR"): Postgres's own 53100, or — when the file system is full — whatever PGlite made of it
 * (an abort of its runtime, "cannot drop active portal"). Other errors are returned unchanged.
 */
export function pgliteError(err: unknown, dir?: string): unknown {
  if (err instanceof EtlError) return err;
  const e = err as Error & { code?: string };
  const full = e?.code === '53100' || (dir !== undefined && diskFull(dir));
  if (!full) return err;
  return new PermanentError(`disk full at ${dir ?? 'the embedded database'}: ${e?.message || String(err)}. Free space there; the transaction in progress was rolled back`, { code: 'ENOSPC', path: dir }, { cause: err });
}

/** Less than 1 MiB left for us on the file system of `dir`. */
function diskFull(dir: string): boolean {
  try {
    const st = fs.statfsSync(dir);
    return st.bavail * st.bsize < 1024 * 1024;
  } catch {
    return false;
  }
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

/** Wraps an open PGlite instance (tests share one per file; the CLI opens DATA_DIR/pglite, `dir`). */
export function pgliteDb(pglite: PGlite, where: string, onClose?: () => Promise<void>, dir?: string): Db {
  const mutex = new Mutex();
  let kysely: Kysely<Database> | undefined;
  const onError = (err: unknown) => pgliteError(err, dir);
  const db: Db = {
    kind: 'pglite',
    async kysely() {
      if (!kysely) {
        const [{ Kysely }, { PGliteDialect }] = await Promise.all([import('kysely'), import('kysely-pglite-dialect')]);
        kysely = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
      }
      return kysely;
    },
    pglite,
    async query(sql, params = []) {
      const t = performance.now();
      try {
        const r = await pglite.query(sql, params as unknown[]);
        traceSql(sql, t);
        return r.rows as any[];
      } catch (err) {
        throw onError(err);
      }
    },
    transaction(fn) {
      const stop = db.stopSignal;
      // noGuard without a stop signal: the session then has no reason to yield before statements.
      const guard: Guard = stop ? () => { if (stop.aborted) throw interrupted(stop); } : noGuard;
      return mutex.run(async () => {
        guard();
        try {
          return await pglite.transaction(async (tx) => {
            const out = await fn(pgliteSession(tx as unknown as PgliteQueryable, onError, guard));
            // Stopped during the last statement: roll back rather than commit.
            guard();
            return out;
          });
        } catch (err) {
          if (stop?.aborted && !(err instanceof EtlError && err.kind === 'data')) throw interrupted(stop);
          throw onError(err);
        }
      });
    },
    withSession(fn) {
      return mutex.run(() => fn(pgliteSession(pglite, onError)));
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
  return db;
}

/**
 * `smallData`: every statement of the command is over small data (the demo's bundled files), so
 * the embedded database's WebAssembly is never recompiled by V8's optimizing compiler (see
 * tuneForPglite). Ignored on a server.
 */
export interface ConnectOptions { smallData?: boolean }

async function connectPglite(config: Config, opts: ConnectOptions = {}): Promise<Db> {
  const dir = path.join(config.dataDir, 'pglite');
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw fileSystemError(err, config.dataDir) ?? err;
  }
  const release = acquireDirLock(config.dataDir);
  // A new database: a copy of the build's freshly initialized one, not PGlite's initdb here.
  seedFromTemplate(dir);
  tuneForPglite(opts.smallData === true);
  let pglite: PGlite;
  const opening = performance.now();
  try {
    const { PGlite } = await import('@electric-sql/pglite');
    pglite = await PGlite.create(dir, { startParams: pgliteStartParams(PGlite.defaultStartParams, config) });
  } catch (err) {
    release();
    const full = pgliteError(err, dir);
    if (full !== err) throw new PermanentError(`cannot open the embedded database: ${(full as Error).message}`, { dataDir: dir, code: 'ENOSPC' });
    const why = (err as Error)?.message || (err as NodeJS.ErrnoException)?.code || String(err);
    throw new PermanentError(`cannot open the embedded database in ${dir}: ${why}`, { dataDir: dir });
  }
  traceSql(`PGlite opened ${dir}`, opening);
  return pgliteDb(pglite, `embedded PGlite in ${dir}`, async () => {
    const closing = performance.now();
    await pglite.close();
    traceSql('PGlite closed', closing);
    release();
  }, dir);
}

/**
 * V8 settings for a process that holds PGlite, set before PGlite compiles its WebAssembly (flags
 * read when code is compiled are honoured at run time).
 * - A small heap (`--optimize-for-size`): PGlite's database lives in this process (about 190 MB
 *   once open), and V8 otherwise lets a streaming load's short-lived garbage pile up to ~150 MB
 *   before a full collection — a Census load at 0.1 peaked at 457 MB, 283 MB with this. A
 *   heuristic, unlike --max-old-space-size, so a genuinely large working set cannot crash the
 *   command. On a server the process holds no database and has room: without it the full Census
 *   file loads 10 % faster (the parser's garbage collection) at 190 instead of 110–130 MB.
 * - Postgres's WebAssembly runs as its baseline (Liftoff) code until a function has used up a
 *   budget of work a thousand times V8's default: only then is it recompiled by the optimizing
 *   compiler, on other threads. At the default budget (and at ten times it, set by
 *   bin/trade-etl.js before) Postgres's start-up alone queued enough recompilations to hold 50–90
 *   MB (glibc arenas of the compile threads) and one of this machine's two cores, and a process
 *   waits for them before it exits. Measured side by side at 0.1 (docs/performance.md, "ninth
 *   pass"): an unchanged reload 1.36–1.69 → 1.00–1.15 s at 137–140 instead of 186–200 MB, loads
 *   at 202–232 instead of 246–264 MB and no slower. Liftoff alone (`--liftoff-only`) saved as
 *   much memory, but made a MOF first load 0.81 × as fast: a long load needs its hot functions
 *   optimized.
 * - `smallData` (the demo): Liftoff alone. Its statements are many and small, so functions used
 *   up the budget in the claim check and their recompilation set its peak (264–298 MB; 220–230
 *   with Liftoff alone, as fast).
 */
function tuneForPglite(smallData: boolean): void {
  v8.setFlagsFromString('--optimize-for-size');
  v8.setFlagsFromString(smallData ? '--liftoff-only' : '--wasm-tiering-budget=1800000000');
}

/**
 * PGlite's own start parameters plus a smaller buffer pool. Passing startParams replaces
 * PGlite's defaults (a single-user backend, fsync off, no parallel workers), so they are kept.
 */
export function pgliteStartParams(defaults: readonly string[], config: Pick<Config, 'pgliteSharedBuffersMb'>): string[] {
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
export async function connect(config: Config, logger?: Pick<Logger, 'warn'>, opts: ConnectOptions = {}): Promise<Db> {
  return config.databaseUrl ? connectPg(config, logger) : connectPglite(config, opts);
}
