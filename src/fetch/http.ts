import { Readable } from 'node:stream';
import iconv from 'iconv-lite';
import pRetry, { AbortError } from 'p-retry';
import type { Config } from '../core/config.js';
import { redactSecrets, redactUrl } from '../core/config.js';
import { EtlError, isTransient, PermanentError, TransientError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { storeStream, type RawFile } from './raw-store.js';
import { looksLikeHtml } from '../parse/sniff.js';

/** HTTP validators from an earlier fetch of the same URL. */
export interface Validators { etag?: string | null; lastModified?: string | null }

export type FetchOutcome =
  | { status: 'fetched'; raw: RawFile; contentType: string | null; etag: string | null; lastModified: string | null; attempts: number }
  | { status: 'not-modified'; attempts: number }
  | { status: 'no-data'; attempts: number };

export interface FetchOptions {
  /** The secrets, when given, are masked in messages quoting a server's answer. */
  config: Pick<Config, 'http' | 'dataDir'> & Partial<Pick<Config, 'secrets' | 'databaseUrl'>>;
  logger?: Logger;
  validators?: Validators;
  /** What the body should be; an HTML page instead is treated as a transient failure. */
  expect?: 'xml' | 'csv' | 'json' | 'xlsx' | 'html';
  /** Abort everything (graceful stop). */
  signal?: AbortSignal;
}

/** Statuses worth another try: request time-out, rate limit, server errors. */
function retryableStatus(s: number): boolean {
  return s === 408 || s === 429 || s >= 500;
}

/** Milliseconds the server asked us to wait (Retry-After: seconds or an HTTP date), or undefined. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const secs = Number(header);
  if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
  const t = Date.parse(header);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}

class RetryAfter extends TransientError {
  constructor(message: string, context: Record<string, unknown>, readonly waitMs: number | undefined) {
    super(message, context);
  }
}

/**
 * GETs a release into the raw store: conditional (ETag / Last-Modified), retried with backoff on
 * network errors, 408/429/5xx (honouring Retry-After, capped) and HTML-instead-of-data; never on
 * other 4xx. Enforces a time-out, a maximum size and, when Content-Length is given, a complete body.
 * @example const out = await fetchToStore('https://…/d41ma.csv', { config, expect: 'csv' });
 */
export async function fetchToStore(url: string, opts: FetchOptions): Promise<FetchOutcome> {
  const { http } = opts.config;
  const shown = redactUrl(url);
  let attempts = 0;
  let lastWait: number | undefined;
  const attempt = async (): Promise<FetchOutcome> => {
    attempts++;
    if (lastWait !== undefined) {
      await sleep(Math.min(lastWait, http.maxRetryAfterMs), opts.signal);
      lastWait = undefined;
    }
    const headers: Record<string, string> = { 'user-agent': http.userAgent, accept: '*/*' };
    if (opts.validators?.etag) headers['if-none-match'] = opts.validators.etag;
    if (opts.validators?.lastModified) headers['if-modified-since'] = opts.validators.lastModified;
    const timeout = AbortSignal.timeout(http.timeoutMs);
    const signal = opts.signal ? AbortSignal.any([timeout, opts.signal]) : timeout;
    let res: Response;
    try {
      res = await fetch(url, { headers, signal, redirect: 'follow' });
    } catch (err) {
      throw networkError(err, shown, timeout.aborted, http.timeoutMs);
    }
    const ctx = { url: shown, status: res.status, attempt: attempts };
    if (res.status === 304) { await res.body?.cancel(); return { status: 'not-modified', attempts }; }
    if (res.status === 204) { await res.body?.cancel(); return { status: 'no-data', attempts }; }
    if (!res.ok) {
      // An API's error page may quote the request, key and all: mask it before it goes anywhere.
      const text = redactSecrets((await res.text().catch(() => '')).trim(), opts.config).slice(0, 300);
      const detail = text ? `: ${text.replace(/\s+/g, ' ')}` : '';
      if (retryableStatus(res.status)) {
        throw new RetryAfter(`HTTP ${res.status} from ${shown}${detail}`, ctx, retryAfterMs(res.headers.get('retry-after')));
      }
      throw new AbortError(new PermanentError(`HTTP ${res.status} from ${shown}${detail}`, ctx));
    }
    const declared = res.headers.get('content-length');
    const expectedLength = declared !== null && /^\d+$/.test(declared) ? Number(declared) : undefined;
    if (expectedLength !== undefined && expectedLength > http.maxBytes) {
      await res.body?.cancel();
      throw new AbortError(new PermanentError(`${shown} is ${expectedLength} bytes, more than the limit of ${http.maxBytes} (HTTP_MAX_BYTES)`, ctx));
    }
    const contentType = res.headers.get('content-type');
    let raw: RawFile;
    try {
      raw = await storeStream(opts.config.dataDir, Readable.fromWeb(res.body as any), {
        limit: http.maxBytes,
        onLimit: (n) => new AbortError(new PermanentError(`${shown} sent more than ${http.maxBytes} bytes (HTTP_MAX_BYTES); stopped at ${n}`, ctx)),
      });
    } catch (err) {
      if (err instanceof AbortError) throw err;
      throw networkError(err, shown, timeout.aborted, http.timeoutMs);
    }
    if (expectedLength !== undefined && raw.bytes !== expectedLength) {
      throw new TransientError(`incomplete body from ${shown}: got ${raw.bytes} of ${expectedLength} bytes (Content-Length)`, ctx);
    }
    if (opts.expect && opts.expect !== 'html' && raw.bytes > 0) {
      const fs = await import('node:fs');
      const fd = fs.openSync(raw.path, 'r');
      const head = Buffer.alloc(Math.min(512, raw.bytes));
      fs.readSync(fd, head, 0, head.length, 0);
      fs.closeSync(fd);
      if (looksLikeHtml(head) || /text\/html/i.test(contentType ?? '')) {
        throw new TransientError(`${shown} answered with an HTML page where ${opts.expect.toUpperCase()} data was expected (an error or portal page); status ${res.status}`, ctx);
      }
    }
    return { status: 'fetched', raw, contentType, etag: res.headers.get('etag'), lastModified: res.headers.get('last-modified'), attempts };
  };
  try {
    return await pRetry(attempt, {
      retries: http.retries,
      minTimeout: 200,
      factor: 2,
      maxTimeout: 10_000,
      randomize: true,
      signal: opts.signal,
      onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
        if (error instanceof RetryAfter) lastWait = error.waitMs;
        opts.logger?.warn({ url: shown, attempt: attemptNumber, retriesLeft, err: error.message }, 'fetch attempt failed');
      },
      // Only what is known to be transient (network, 5xx, 429, a portal page) is tried again; a
      // full disk or a 404 is terminal.
      shouldRetry: ({ error }) => isTransient(error),
    });
  } catch (err) {
    if (err instanceof EtlError) {
      err.context.attempts = attempts;
      if (err.kind === 'transient') {
        err.message = `${err.message} (gave up after ${attempts} attempts)`;
      }
    }
    throw err;
  }
}

function networkError(err: unknown, url: string, timedOut: boolean, timeoutMs: number): Error {
  if (err instanceof EtlError || err instanceof AbortError) return err as Error;
  if (timedOut) return new TransientError(`no complete answer from ${url} within ${timeoutMs} ms (HTTP_TIMEOUT_MS)`, { url });
  const e = err as Error & { cause?: { code?: string; message?: string } };
  const why = e.cause?.code || e.cause?.message || e.message;
  return new TransientError(`network error fetching ${url}: ${why}`, { url });
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (ms <= 0) return resolve();
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => { clearTimeout(t); reject(signal.reason); }, { once: true });
  });
}

/**
 * GET a small text resource (listing page, index) with the same retry policy, not stored.
 * Decoded by the charset of its Content-Type, or as ISO-8859-1 when none is given.
 */
export async function fetchText(url: string, opts: FetchOptions): Promise<string> {
  const out = await fetchToStore(url, { ...opts, validators: undefined });
  if (out.status !== 'fetched') throw new PermanentError(`no content at ${redactUrl(url)} (HTTP ${out.status === 'no-data' ? 204 : 304})`, { url: redactUrl(url) });
  const fs = await import('node:fs');
  return decodeText(fs.readFileSync(out.raw.path), out.contentType, url);
}

/** The charset parameter of a Content-Type header (unquoted, as given), or undefined. */
export function charsetOf(contentType: string | null): string | undefined {
  const m = /;\s*charset\s*=\s*(?:"([^"]*)"|([^;\s]*))/i.exec(contentType ?? '');
  const cs = (m?.[1] ?? m?.[2])?.trim();
  return cs ? cs : undefined;
}

/** Labels of ISO-8859-1 (Node's 'latin1'); decoded byte for byte, as without a charset. */
const LATIN1 = new Set(['iso-8859-1', 'iso8859-1', 'iso_8859-1', 'latin1', 'l1', 'us-ascii', 'ascii']);
/** Labels of Shift_JIS, decoded as CP932 (its Windows superset) the way browsers do: Japanese servers label CP932 text Shift_JIS. */
const SHIFT_JIS = new Set(['shift_jis', 'shift-jis', 'sjis', 'x-sjis', 'ms_kanji', 'csshiftjis', 'windows-31j', 'cp932', 'ms932']);

/**
 * Decodes a text body by the charset of its Content-Type: UTF-8, ISO-8859-1, Shift_JIS/CP932 or
 * any other encoding iconv-lite knows; ISO-8859-1 when no charset is given (MOF's index pages).
 * An unknown charset is a permanent error naming the URL and the charset, never mojibake.
 */
export function decodeText(bytes: Buffer, contentType: string | null, url: string): string {
  const charset = charsetOf(contentType);
  if (charset === undefined) return bytes.toString('latin1');
  const label = charset.toLowerCase();
  if (LATIN1.has(label)) return bytes.toString('latin1');
  const encoding = SHIFT_JIS.has(label) ? 'cp932' : label;
  if (!iconv.encodingExists(encoding)) {
    const shown = redactUrl(url);
    throw new PermanentError(`${shown} declares charset "${charset}" (Content-Type: ${contentType}), which trade-etl cannot decode`, { url: shown, charset });
  }
  return iconv.decode(bytes, encoding);
}
