import fs from 'node:fs';
import http from 'node:http';
import crypto from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { fixtureRoutes, type FixtureRoute } from './fixture-routes.js';
import { SOURCES } from '../../pipelines/sources.js';

/**
 * A local HTTP server that serves the bundled fixtures under their real URL paths, with ETag and
 * Last-Modified (answering conditional requests with 304) — and, on request, misbehaves the way
 * real publishers' servers do, so tests exercise retries and failures over real HTTP.
 */
export type Fault =
  | { status: number; retryAfter?: string; body?: string; contentType?: string }
  | { reset: true }          // drop the connection half-way through the body
  | { truncate: true }       // declare the full Content-Length, send half, end cleanly
  | { html: true }           // a portal's HTML page with status 200
  | { delayMs: number }      // answer only after a delay (past the client's time-out)
  | { body: Buffer | string; contentType?: string }; // serve other bytes (a revised or broken file)

export interface FixtureServer {
  url: string;
  /** Every request seen: method, path+query, and the conditional headers it carried. */
  requests: Array<{ path: string; ifNoneMatch?: string; ifModifiedSince?: string; status: number }>;
  /** Queue faults for requests whose path starts with `pathPrefix`; each request takes the next one. */
  fail(pathPrefix: string, ...faults: Fault[]): void;
  /** Serve these bytes instead of the fixture, from now on (a new release at the same URL). */
  replace(pathPrefix: string, body: Buffer | string, contentType?: string): void;
  close(): Promise<void>;
}

function matches(route: FixtureRoute, url: URL): boolean {
  if (route.path !== url.pathname) return false;
  for (const [k, v] of Object.entries(route.query ?? {})) {
    const got = url.searchParams.getAll(k);
    if (got.join(',') !== v && !got.includes(v)) return false;
  }
  return true;
}

/** Starts the server on 127.0.0.1 (port 0 = any free port). */
export async function startFixtureServer(opts: { port?: number; routes?: FixtureRoute[] } = {}): Promise<FixtureServer> {
  const routes = opts.routes ?? fixtureRoutes();
  const faults: Array<{ prefix: string; queue: Fault[] }> = [];
  const replacements: Array<{ prefix: string; body: Buffer; contentType?: string }> = [];
  const requests: FixtureServer['requests'] = [];
  const startedAt = new Date(Math.floor(Date.now() / 1000) * 1000);

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const pathAndQuery = url.pathname + url.search;
    const log = { path: pathAndQuery, ifNoneMatch: req.headers['if-none-match'], ifModifiedSince: req.headers['if-modified-since'], status: 0 };
    requests.push(log);
    const send = (status: number, headers: http.OutgoingHttpHeaders, body?: Buffer | string) => {
      log.status = status;
      res.writeHead(status, headers);
      res.end(body);
    };
    const fault = faults.find((f) => pathAndQuery.startsWith(f.prefix) && f.queue.length)?.queue.shift();
    if (fault && 'delayMs' in fault) {
      setTimeout(() => serve(), fault.delayMs);
      return;
    }
    if (fault && ('reset' in fault || 'truncate' in fault)) {
      const body = bodyFor();
      if (!body) return send(404, {});
      log.status = 200;
      res.writeHead(200, { 'content-length': body.bytes.length, 'content-type': body.contentType });
      const half = body.bytes.subarray(0, Math.floor(body.bytes.length / 2));
      // reset: the connection drops mid-body; truncate: it ends cleanly, short of Content-Length.
      if ('reset' in fault) res.write(half, () => req.socket.destroy());
      else { res.write(half); res.socket?.end(); }
      return;
    }
    if (fault && 'html' in fault) {
      return send(200, { 'content-type': 'text/html; charset=utf-8' }, '<!DOCTYPE html><html><head><title>Service unavailable</title></head><body><h1>Maintenance</h1></body></html>');
    }
    if (fault && 'status' in fault) {
      const h: http.OutgoingHttpHeaders = { 'content-type': fault.contentType ?? 'text/plain' };
      if (fault.retryAfter !== undefined) h['retry-after'] = fault.retryAfter;
      return send(fault.status, h, fault.body ?? `error ${fault.status}`);
    }
    serve(fault && 'body' in fault ? { bytes: Buffer.from(fault.body), contentType: fault.contentType ?? 'application/octet-stream' } : undefined);

    function bodyFor(): { bytes: Buffer; contentType: string } | undefined {
      const rep = [...replacements].reverse().find((r) => pathAndQuery.startsWith(r.prefix));
      if (rep) return { bytes: rep.body, contentType: rep.contentType ?? 'application/octet-stream' };
      const route = routes.find((r) => matches(r, url));
      if (!route) return undefined;
      return { bytes: fs.readFileSync(route.file), contentType: route.contentType };
    }

    function serve(override?: { bytes: Buffer; contentType: string }) {
      const body = override ?? bodyFor();
      if (!body) return send(404, { 'content-type': 'text/plain' }, `no fixture for ${pathAndQuery}`);
      const etag = `"${crypto.createHash('sha1').update(body.bytes).digest('hex')}"`;
      const lastModified = startedAt.toUTCString();
      if (req.headers['if-none-match'] === etag) return send(304, { etag, 'last-modified': lastModified });
      send(200, { 'content-type': body.contentType, 'content-length': body.bytes.length, etag, 'last-modified': lastModified }, body.bytes);
    }
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    fail(prefix, ...f) { faults.push({ prefix, queue: f }); },
    replace(prefix, body, contentType) { replacements.push({ prefix, body: Buffer.from(body), contentType }); },
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** Environment variables that point every host of every registered source at a fixture server. */
export function fixtureEnv(url: string): Record<string, string> {
  return Object.fromEntries(SOURCES.flatMap((s) => s.hosts.map((h) => [h.env, url])));
}
