/**
 * `trade-etl serve`: the embedded PGlite database on a local TCP port, over the Postgres wire
 * protocol, so analysts can use psql and any Postgres client.
 *
 * pglite-socket 0.1.6 does the protocol work. In front of it sits a small TCP relay that:
 * - answers libpq's SSLRequest/GSSENCRequest with 'N' (pglite-socket does not, and psql with its
 *   default sslmode=prefer would hang forever);
 * - limits connections itself and refuses extra ones with a real FATAL error (SQLSTATE 53300)
 *   that psql prints, where pglite-socket would drop the socket (its Node server maxConnections)
 *   or write a bare "Too many connections" line that no client understands;
 * - puts the single database session into the analyst guard (SET ROLE analyst, read-only) each
 *   time a first client connects, because PGlite has ONE session that every client shares and
 *   that survives disconnects.
 * pglite-socket itself listens on a Unix socket in a private temporary directory, so the relay
 * is the only way in.
 *
 * Several clients (`maxConnections` > 1): pglite-socket queues their protocol messages onto the
 * one session; while one client is inside a transaction the others wait. They share every
 * session setting (SET, temp tables, prepared statement names), which is why the default is 1.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { classifyOpening, fatalError } from './pg-wire.js';

/** analyst: read-only as the analyst role (the default); owner: full access, read-write. */
export type ServeMode = 'analyst' | 'owner';

export interface ServeOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  maxConnections: number;
  mode: ServeMode;
  /** Called on connection events, for the log. */
  onEvent?: (event: { type: 'connected' | 'disconnected' | 'refused'; remote: string; open: number }) => void;
}

export interface EmbeddedServer {
  host: string;
  port: number;
  /** What clients get: role analyst read-only, read-only as owner (no analyst role), or owner. */
  access: 'analyst, read-only' | 'owner, read-only' | 'owner, read-write';
  maxConnections: number;
  openConnections(): number;
  stop(): Promise<void>;
}

/**
 * Serves an open PGlite on host:port until `stop()`; the caller still owns (and closes) the PGlite.
 * @example const s = await serveEmbedded(db.pglite!, { host: '127.0.0.1', port: 5433, maxConnections: 1, mode: 'analyst' });
 */
export async function serveEmbedded(pglite: PGlite, opts: ServeOptions): Promise<EmbeddedServer> {
  const hasAnalyst = (await pglite.query(`SELECT 1 FROM pg_roles WHERE rolname = 'analyst'`)).rows.length > 0;
  const access: EmbeddedServer['access'] = opts.mode === 'owner' ? 'owner, read-write' : hasAnalyst ? 'analyst, read-only' : 'owner, read-only';
  const guard = access === 'analyst, read-only'
    ? 'RESET ROLE; SET ROLE analyst; SET default_transaction_read_only = on;'
    : access === 'owner, read-only'
      ? 'RESET ROLE; SET default_transaction_read_only = on;'
      : 'RESET ROLE; SET default_transaction_read_only = off;';
  const applyGuard = async () => {
    // A client that vanished inside a transaction leaves it open on the shared session.
    if (pglite.isInTransaction()) await pglite.exec('ROLLBACK');
    await pglite.exec(guard);
  };
  await applyGuard();

  const innerDir = fs.mkdtempSync(path.join(os.tmpdir(), 'trade-etl-serve-'));
  fs.chmodSync(innerDir, 0o700);
  const innerPath = process.platform === 'win32' ? undefined : path.join(innerDir, '.s.PGSQL');
  // Handlers of closed relays are released a tick later, so allow a little slack inside.
  const inner = new PGLiteSocketServer({ db: pglite, path: innerPath, host: '127.0.0.1', port: 0, maxConnections: opts.maxConnections + 4 });
  await inner.start();
  const innerTarget = (): net.NetConnectOpts => (innerPath
    ? { path: innerPath }
    : { host: '127.0.0.1', port: Number(inner.getServerConn().split(':').pop()) });

  const clients = new Set<net.Socket>();
  let active = true;

  async function accept(client: net.Socket): Promise<void> {
    const remote = `${client.remoteAddress ?? '?'}:${client.remotePort ?? '?'}`;
    client.on('error', () => { /* a client going away is not our error */ });
    let first: Buffer;
    try {
      first = await negotiate(client);
    } catch {
      client.destroy();
      return;
    }
    if (!active) { client.destroy(); return; }
    // Query cancellation needs a second backend; PGlite has none. Close it as Postgres does.
    if (classifyOpening(first) === 'cancel-request') { client.end(); return; }
    if (clients.size >= opts.maxConnections) {
      opts.onEvent?.({ type: 'refused', remote, open: clients.size });
      client.end(fatalError('53300',
        `trade-etl serve: the embedded database accepts ${opts.maxConnections} connection${opts.maxConnections === 1 ? '' : 's'} at a time and ${opts.maxConnections === 1 ? 'one is' : 'all are'} in use`,
        'PGlite has a single session. Close the other client, or restart `trade-etl serve --max-connections N` (clients then share one session and wait for each other\'s transactions).'));
      return;
    }
    clients.add(client);
    const upstream = net.connect(innerTarget());
    upstream.on('error', () => client.destroy());
    upstream.on('close', () => client.destroy());
    client.on('close', () => {
      clients.delete(client);
      upstream.destroy();
      opts.onEvent?.({ type: 'disconnected', remote, open: clients.size });
    });
    try {
      if (clients.size === 1) await applyGuard();
    } catch {
      client.destroy();
      return;
    }
    upstream.write(first);
    client.pipe(upstream);
    upstream.pipe(client);
    opts.onEvent?.({ type: 'connected', remote, open: clients.size });
  }

  const relay = net.createServer((socket) => { void accept(socket); });
  try {
    await new Promise<void>((resolve, reject) => {
      relay.once('error', reject);
      relay.listen(opts.port, opts.host, () => { relay.off('error', reject); resolve(); });
    });
  } catch (err) {
    await inner.stop();
    fs.rmSync(innerDir, { recursive: true, force: true });
    throw err;
  }
  const address = relay.address() as net.AddressInfo;

  return {
    host: opts.host,
    port: address.port,
    access,
    maxConnections: opts.maxConnections,
    openConnections: () => clients.size,
    async stop() {
      if (!active) return;
      active = false;
      const closed = new Promise<void>((resolve) => relay.close(() => resolve()));
      for (const c of clients) c.destroy();
      await closed;
      await inner.stop();
      // Leave the session as a later user of this PGlite expects it: the owner, no transaction.
      if (pglite.isInTransaction()) await pglite.exec('ROLLBACK').catch(() => {});
      await pglite.exec('RESET ROLE; SET default_transaction_read_only = off;').catch(() => {});
      fs.rmSync(innerDir, { recursive: true, force: true });
    },
  };
}

/**
 * Reads a new connection's first message, answering encryption requests with 'N' (no SSL/GSS:
 * the client then continues in plain text, as against a server without SSL). Resolves with the
 * bytes of the startup (or cancel) message, the socket paused.
 */
function negotiate(socket: net.Socket): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => fail(new Error('no startup message')), 30_000);
    const cleanup = () => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
    };
    const fail = (err: Error) => { cleanup(); reject(err); };
    const onClose = () => fail(new Error('closed before the startup message'));
    const onData = (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        const kind = classifyOpening(buf);
        if (kind === 'incomplete') return;
        if (kind === 'encryption-request') {
          socket.write('N');
          buf = buf.subarray(8);
          continue;
        }
        socket.pause();
        cleanup();
        resolve(buf);
        return;
      }
    };
    socket.on('data', onData);
    socket.on('close', onClose);
  });
}
