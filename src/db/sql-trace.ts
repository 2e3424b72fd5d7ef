import { performance } from 'node:perf_hooks';

/**
 * `TRACE_SQL=1`: each statement's time (and the embedded database's opening and closing) on
 * stderr, for finding where a slow command spends its time — one line per statement, its first
 * 110 characters, never its parameters. Read once, at start-up.
 */
const on = process.env.TRACE_SQL === '1';

/**
 * Prints `what` with the time since `since` (a performance.now() reading) when TRACE_SQL=1.
 * @example const t = performance.now(); await client.query(sql); traceSql(sql, t);
 */
export function traceSql(what: string, since: number): void {
  if (!on) return;
  const now = performance.now();
  process.stderr.write(`trace: at ${now.toFixed(0)} ms, ${(now - since).toFixed(1)} ms: ${what.replace(/\s+/g, ' ').trim().slice(0, 110)}\n`);
}
