import type { Command } from 'commander';
import { loadConfig, redactSecrets } from '../core/config.js';
import { PermanentError } from '../core/errors.js';
import { serveEmbedded, type ServeMode } from '../analyst/serve-embedded.js';
import { snapshotEmbedded, type Snapshot } from '../analyst/serve-snapshot.js';
import { analystSchemas } from '../engine/registry.js';
import { open, UsageError } from './common.js';

interface ServeOpts { port: string; host: string; maxConnections: string; owner?: boolean }

function positiveInt(name: string, raw: string, max: number): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > max) throw new UsageError(`${name} must be an integer from 0 to ${max}, got ${JSON.stringify(raw)}`);
  return n;
}

export function register(program: Command): void {
  program.command('serve')
    .description('expose the embedded database (PGlite in DATA_DIR) on a local port for psql and other Postgres clients; Ctrl-C stops it')
    .option('--port <port>', 'TCP port (0 = any free port)', '5433')
    .option('--host <host>', 'address to listen on; keep it local: there is no password', '127.0.0.1')
    .option('--max-connections <n>', 'clients at a time; PGlite has ONE session, which more than one client would share', '1')
    .option('--owner', 'full read-write access as the database owner, etl schema included (default: read-only as the analyst role)')
    .addHelpText('after', `
By default analysts get a COPY of the embedded database taken when serve starts (read-only as the
analyst role): DATA_DIR stays free for refresh/load meanwhile, and restarting serve shows newer
loads. PGlite's one session belongs to a superuser, so a client can leave the analyst role; on
the copy that reaches nothing real. --owner serves the database itself, read-write, and holds
DATA_DIR until it stops.
The embedded database is single-connection. By default one client at a time is served and a
second one is refused with "too many connections". With --max-connections N, clients share the one
session: their statements are queued, a client inside a transaction makes the others wait, and
SET / temporary tables / prepared statements are visible to all of them.
PGlite runs queries on the Node thread: while one query runs, nothing else is answered (not even
Ctrl-C, which takes effect when the query ends).
With DATABASE_URL set there is nothing to serve: connect to that server directly.`)
    .action(async (opts: ServeOpts) => {
      const config = loadConfig();
      if (config.databaseUrl) {
        throw new UsageError(
          `DATABASE_URL is set, so the database is the Postgres server at ${redactSecrets(config.databaseUrl, config)}; ` +
          'it is already reachable: connect to it directly (analysts as the read-only role, e.g. psql "postgres://analyst@HOST:PORT/DBNAME"). ' +
          '`serve` only exposes the embedded database; unset DATABASE_URL to serve DATA_DIR.');
      }
      const port = positiveInt('--port', opts.port, 65535);
      const maxConnections = Math.max(1, positiveInt('--max-connections', opts.maxConnections, 64));
      const mode: ServeMode = opts.owner ? 'owner' : 'analyst';
      const ctx = await open({ config });
      let server: Awaited<ReturnType<typeof serveEmbedded>> | undefined;
      let snapshot: Snapshot | undefined;
      let ctxOpen = true;
      try {
        if (mode === 'analyst') {
          // Analysts never touch the real database: see src/analyst/serve-snapshot.ts.
          snapshot = await snapshotEmbedded(ctx.db, config);
          ctxOpen = false;
          await ctx.close();
        }
        try {
          server = await serveEmbedded(snapshot?.pglite ?? ctx.db.pglite!, {
            host: opts.host, port, maxConnections, mode,
            onEvent: (e) => ctx.logger.info({ remote: e.remote, open: e.open }, `client ${e.type}`),
          });
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (code === 'EADDRINUSE') throw new PermanentError(`port ${port} on ${opts.host} is already in use; choose another with --port`, { port });
          if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new PermanentError(`cannot listen on ${opts.host}: no such local address`, { host: opts.host });
          throw err;
        }
        // Listening before the banner: a Ctrl-C right after "Press Ctrl-C" must not kill the process.
        const stopped = new Promise<NodeJS.Signals>((resolve) => {
          const on = (s: NodeJS.Signals) => {
            process.off('SIGINT', on);
            process.off('SIGTERM', on);
            resolve(s);
          };
          process.on('SIGINT', on);
          process.on('SIGTERM', on);
        });
        const hostArg = server.host.includes(':') ? `[${server.host}]` : server.host;
        const user = server.access.startsWith('analyst') ? 'analyst' : 'postgres';
        process.stdout.write([
          snapshot
            ? `Serving a copy of ${ctx.db.describe()} taken at ${snapshot.takenAt.toISOString().slice(0, 19).replace('T', ' ')} UTC on ${server.host}:${server.port} (${server.access}; ${maxConnections} connection${maxConnections === 1 ? '' : 's'} at a time).`
            : `Serving ${ctx.db.describe()} on ${server.host}:${server.port} (${server.access}; ${maxConnections} connection${maxConnections === 1 ? '' : 's'} at a time).`,
          snapshot ? `DATA_DIR stays free for refresh and load; restart serve to see what they load.` : '',
          'Connect with:',
          `  psql -h ${server.host} -p ${server.port} -U ${user} -d trade`,
          `  postgres://${user}@${hostArg}:${server.port}/trade   (any user/database name is accepted; there is no password)`,
          server.access === 'analyst, read-only' ? `Schemas: ${analystSchemas().join(', ')} (read-only). Use --owner for read-write access including etl.` : '',
          /^(127\.|::1$|localhost$)/.test(server.host) ? '' : `warning: listening on ${server.host} — anyone who can reach this port can read the database.`,
          'Press Ctrl-C to stop.',
          '',
        ].filter((l, i, all) => l !== '' || i === all.length - 1).join('\n'));
        const signal = await stopped;
        process.stdout.write(`${signal}: stopping; ${server.openConnections()} client(s) disconnected.\n`);
      } finally {
        await server?.stop();
        await snapshot?.close();
        if (ctxOpen) await ctx.close();
      }
      process.stdout.write(snapshot ? 'Stopped; the copy is closed and deleted.\n' : 'Stopped; the embedded database is closed and DATA_DIR is free.\n');
    });
}
