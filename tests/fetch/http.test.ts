import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureServer, type FixtureServer } from '../../src/devtools/fixture-server.js';
import { fetchText, fetchToStore, retryAfterMs } from '../../src/fetch/http.js';
import { loadConfig } from '../../src/core/config.js';
import { EtlError } from '../../src/core/errors.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trade-etl-http-'));
const body = 'Years/Months,Exp-Total,Imp-Total\n1979/01,1192541404 ,1476341312 \n'.repeat(200);
fs.writeFileSync(path.join(dir, 'd41ma.csv'), body);
let server: FixtureServer;

const config = (over: Record<string, string> = {}) => {
  const c = loadConfig({ DATA_DIR: dir, HTTP_RETRIES: '3', HTTP_TIMEOUT_MS: '2000', ...over });
  return c;
};
const url = () => `${server.url}/toukei/suii/html/data/d41ma.csv`;

beforeAll(async () => {
  server = await startFixtureServer({ routes: [{ source: 'mof', dataset: 'mof.timeseries', file: path.join(dir, 'd41ma.csv'), path: '/toukei/suii/html/data/d41ma.csv', contentType: 'text/csv', label: 't' }] });
});
afterAll(async () => { await server.close(); });

describe('fetchToStore over real HTTP', () => {
  it('stores the body under its sha256 and returns the validators', async () => {
    const out = await fetchToStore(url(), { config: config(), expect: 'csv' });
    expect(out.status).toBe('fetched');
    if (out.status !== 'fetched') return;
    expect(fs.readFileSync(out.raw.path, 'utf8')).toBe(body);
    expect(path.basename(out.raw.path)).toBe(out.raw.sha256);
    expect(out.etag).toMatch(/^"/);
  });

  it('answers a conditional GET with not-modified (one small request)', async () => {
    const first = await fetchToStore(url(), { config: config() });
    if (first.status !== 'fetched') throw new Error('expected fetched');
    const n = server.requests.length;
    const again = await fetchToStore(url(), { config: config(), validators: { etag: first.etag } });
    expect(again.status).toBe('not-modified');
    expect(server.requests.length).toBe(n + 1);
    expect(server.requests.at(-1)!.status).toBe(304);
  });

  it('retries a 500 and then succeeds', async () => {
    server.fail('/toukei/suii/html/data/d41ma.csv', { status: 500 });
    const out = await fetchToStore(url(), { config: config() });
    expect(out.status).toBe('fetched');
    expect(out.attempts).toBe(2);
  });

  it('honours Retry-After on 503 and on 429', async () => {
    server.fail('/toukei/suii/html/data/d41ma.csv', { status: 503, retryAfter: '1' }, { status: 429, retryAfter: '1' });
    const t0 = Date.now();
    const out = await fetchToStore(url(), { config: config() });
    expect(out.status).toBe('fetched');
    expect(out.attempts).toBe(3);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1900);
  });

  it('caps a long Retry-After', async () => {
    server.fail('/toukei/suii/html/data/d41ma.csv', { status: 503, retryAfter: '3600' });
    const t0 = Date.now();
    const out = await fetchToStore(url(), { config: config({ HTTP_MAX_RETRY_AFTER_MS: '300' }) });
    expect(out.status).toBe('fetched');
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it('retries a connection reset mid-body', async () => {
    server.fail('/toukei/suii/html/data/d41ma.csv', { reset: true });
    const out = await fetchToStore(url(), { config: config() });
    expect(out.status).toBe('fetched');
    expect(out.attempts).toBe(2);
  });

  it('treats a body shorter than Content-Length as incomplete and retries', async () => {
    server.fail('/toukei/suii/html/data/d41ma.csv', { truncate: true });
    const out = await fetchToStore(url(), { config: config() });
    expect(out.status).toBe('fetched');
    if (out.status === 'fetched') expect(out.raw.bytes).toBe(Buffer.byteLength(body));
  });

  it('retries an HTML page served with status 200, then gives up with a clear transient error', async () => {
    server.fail('/toukei/suii/html/data/d41ma.csv', { html: true }, { html: true }, { html: true }, { html: true });
    const err = await fetchToStore(url(), { config: config(), expect: 'csv' }).catch((e) => e);
    expect(err).toBeInstanceOf(EtlError);
    expect(err.kind).toBe('transient');
    expect(err.message).toMatch(/HTML page where CSV data was expected/);
    expect(err.message).toMatch(/gave up after 4 attempts/);
  });

  it('does not retry a 404', async () => {
    const n = server.requests.length;
    const err = await fetchToStore(`${server.url}/no/such/file.csv`, { config: config() }).catch((e) => e);
    expect(err.kind).toBe('permanent');
    expect(err.message).toMatch(/HTTP 404/);
    expect(server.requests.length).toBe(n + 1);
  });

  it('times out a slow response and retries', async () => {
    server.fail('/toukei/suii/html/data/d41ma.csv', { delayMs: 1500 });
    const out = await fetchToStore(url(), { config: config({ HTTP_TIMEOUT_MS: '500' }) });
    expect(out.status).toBe('fetched');
    expect(out.attempts).toBe(2);
  });

  it('refuses a body larger than the limit without retrying', async () => {
    const err = await fetchToStore(url(), { config: config({ HTTP_MAX_BYTES: '100' }) }).catch((e) => e);
    expect(err.kind).toBe('permanent');
    expect(err.message).toMatch(/more than the limit of 100/);
  });

  it('reports 204 as no data', async () => {
    server.fail('/toukei/suii/html/data/d41ma.csv', { status: 204 });
    const out = await fetchToStore(url(), { config: config() });
    expect(out.status).toBe('no-data');
  });

  it('reads Retry-After as seconds or as a date', () => {
    expect(retryAfterMs('2')).toBe(2000);
    expect(retryAfterMs(new Date(Date.now() + 5000).toUTCString())).toBeGreaterThan(3000);
    expect(retryAfterMs(null)).toBeUndefined();
  });
});

describe('fetchText decodes by the Content-Type charset, over real HTTP', () => {
  /** Serves `bytes` at a path of its own with the given Content-Type and fetches it as text. */
  const served = (name: string, bytes: Buffer, contentType: string) => {
    server.replace(`/text/${name}`, bytes, contentType);
    return fetchText(`${server.url}/text/${name}`, { config: config() });
  };
  const japanese = '輸出 品別国別表 ① ㈱ 2024年12月分';

  it('charset=utf-8: UTF-8', async () => {
    const text = '<p>Préfecture — 東京都 ①</p>';
    expect(await served('utf8.htm', Buffer.from(text, 'utf8'), 'text/html; charset=utf-8')).toBe(text);
  });

  it('charset=Shift_JIS, quoted "windows-31j", cp932: CP932 (with its NEC extensions such as ① and ㈱)', async () => {
    const bytes = iconv.encode(japanese, 'cp932');
    expect(bytes.length).toBeLessThan(Buffer.byteLength(japanese)); // really double-byte, not UTF-8
    expect(await served('sjis.htm', bytes, 'text/html; charset=Shift_JIS')).toBe(japanese);
    expect(await served('win31j.csv', bytes, 'text/csv; charset="windows-31j"')).toBe(japanese);
    expect(await served('cp932.csv', bytes, 'text/csv;charset=CP932')).toBe(japanese);
  });

  it('no charset: ISO-8859-1, as MOF\'s index page needs; the same for charset=ISO-8859-1', async () => {
    const text = 'Value of Exports · Café © 2025 (¥)';
    const bytes = Buffer.from(text, 'latin1');
    expect(bytes.length).toBe(text.length);
    expect(await served('plain.htm', bytes, 'text/html')).toBe(text);
    expect(await served('latin1.htm', bytes, 'text/html; charset=ISO-8859-1')).toBe(text);
  });

  it('an unknown charset is a permanent error naming the URL and the charset', async () => {
    const err = await served('klingon.htm', Buffer.from('qapla\''), 'text/html; charset=x-klingon').catch((e) => e);
    expect(err).toBeInstanceOf(EtlError);
    expect(err.kind).toBe('permanent');
    expect(err.message).toContain(`${server.url}/text/klingon.htm`);
    expect(err.message).toContain('charset "x-klingon"');
  });
});
