import path from 'node:path';
import { ConfigError } from './errors.js';
import type { SourceDescriptor } from './source.js';
import { SOURCES } from '../../pipelines/sources.js';

/** Everything configurable, read once from the environment. */
export interface Config {
  /** Real Postgres when set; otherwise the embedded PGlite in `dataDir/pglite`. */
  databaseUrl?: string;
  dataDir: string;
  logLevel: string;
  /**
   * Base URL of every host the registered sources declare, by host key, each from its variable
   * (`MOF_BASE_URL`…) or the publisher's real URL, so tests (and mirrors) can point them elsewhere.
   */
  baseUrls: Record<string, string>;
  /** The sources' secrets that are set, by variable (`CENSUS_API_KEY`); masked in every output. */
  secrets: Record<string, string>;
  http: {
    timeoutMs: number;
    maxBytes: number;
    retries: number;
    /** Longest Retry-After we honour before giving up on that attempt's wait. */
    maxRetryAfterMs: number;
    userAgent: string;
  };
  /** How long a run waits for another run's per-dataset lock before giving up. */
  lockWaitMs: number;
  /**
   * shared_buffers of the embedded database, in MB. PGlite runs Postgres inside this process, so
   * its buffer pool is part of our memory; Postgres's 128 MB default made every command start at
   * ~300 MB RSS (docs/performance.md). Ignored on a server.
   */
  pgliteSharedBuffersMb: number;
  /**
   * Largest share (0–1) of its scope's current keys a whole-series release (d41ma,
   * country.xlsx) may drop without `--allow-shrink`; more is refused as a file cut short.
   */
  maxShrinkShare: number;
}

function int(env: Record<string, string | undefined>, name: string, dflt: number, min = 0): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw.trim());
  if (!/^\s*\d+(\.\d+)?\s*$/.test(raw) || !Number.isFinite(n) || n < min) {
    throw new ConfigError(`${name} must be a ${min > 0 ? `number of at least ${min}` : 'non-negative number'}, got ${JSON.stringify(raw)}`, { variable: name });
  }
  return n;
}

function share(env: Record<string, string | undefined>, name: string, dflt: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0 || n > 1) {
    throw new ConfigError(`${name} must be a share between 0 and 1 (0.05 = 5 %), got ${JSON.stringify(raw)}`, { variable: name });
  }
  return n;
}

/** pino's levels; anything else is a typo that would otherwise surface as a stack trace. */
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function logLevel(raw: string | undefined): string {
  if (raw === undefined || raw === '') return 'info';
  const level = raw.trim().toLowerCase();
  if (!LOG_LEVELS.includes(level)) throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(raw)}`, { variable: 'LOG_LEVEL' });
  return level;
}

/** Base URLs of the sources' hosts, by host key, from an environment. */
export function sourceBaseUrls(env: Record<string, string | undefined>, sources: readonly SourceDescriptor[] = SOURCES): Record<string, string> {
  return Object.fromEntries(sources.flatMap((s) => s.hosts.map((h) => [h.key, env[h.env] || h.default])));
}

/** The sources' secrets set in an environment, by variable. */
export function sourceSecrets(env: Record<string, string | undefined>, sources: readonly SourceDescriptor[] = SOURCES): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of sources) for (const sec of s.secrets ?? []) { const v = env[sec.env]; if (v) out[sec.env] = v; }
  return out;
}

/** Reads the configuration from an environment (defaults to process.env). */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const dataDir = path.resolve(env.DATA_DIR || './data');
  return {
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir,
    logLevel: logLevel(env.LOG_LEVEL),
    baseUrls: sourceBaseUrls(env),
    secrets: sourceSecrets(env),
    http: {
      timeoutMs: int(env, 'HTTP_TIMEOUT_MS', 60_000, 1),
      maxBytes: int(env, 'HTTP_MAX_BYTES', 2 * 1024 * 1024 * 1024),
      retries: int(env, 'HTTP_RETRIES', 4),
      maxRetryAfterMs: int(env, 'HTTP_MAX_RETRY_AFTER_MS', 120_000),
      userAgent: env.HTTP_USER_AGENT || 'trade-etl/0.1 (+https://github.com/trade-etl/trade-etl)',
    },
    lockWaitMs: int(env, 'LOCK_WAIT_MS', 30_000),
    pgliteSharedBuffersMb: int(env, 'PGLITE_SHARED_BUFFERS_MB', 16),
    maxShrinkShare: share(env, 'MAX_SHRINK_SHARE', 0.05),
  };
}

/** A URL with any password replaced, safe to print or log. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '*****';
    for (const k of [...u.searchParams.keys()]) {
      if (/^(key|api_key|apikey|password|token)$/i.test(k)) u.searchParams.set(k, '*****');
    }
    return u.toString();
  } catch {
    return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:*****@');
  }
}

/** Replaces every secret of the configuration that occurs in a text. */
export function redactSecrets(text: string, config?: Partial<Pick<Config, 'databaseUrl' | 'secrets'>>): string {
  let out = text.replace(/(postgres(?:ql)?:\/\/[^:/@\s]+:)[^@\s]*@/g, '$1*****@')
    .replace(/([?&](?:key|api_key|password|token)=)[^&\s"']+/gi, '$1*****');
  const secrets: string[] = [];
  if (config?.databaseUrl) {
    try {
      const p = new URL(config.databaseUrl).password;
      if (p) secrets.push(decodeURIComponent(p), p);
    } catch { /* not a URL: nothing to pick out */ }
  }
  for (const v of Object.values(config?.secrets ?? {})) secrets.push(v);
  for (const s of secrets) if (s.length >= 3) out = out.split(s).join('*****');
  return out;
}
