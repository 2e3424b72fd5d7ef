import { redactSecrets, sourceSecrets } from '../core/config.js';
import { printable, table } from '../core/text.js';
import type { DatasetSummary } from './refresh.js';

/**
 * etl.run.stats of every run that refreshes (refresh, backfill, retry, a scheduled job): per
 * dataset counts and each release's outcome with its URL, the run's notes, and whether a stop
 * signal cut it short. One shape, so `runs` and `retry` read any run the same way.
 */
export interface RunStats {
  datasets: Array<{
    dataset: string; seen: number; loaded: number; unchanged: number; failed: number;
    rowsInserted: number; rowsClosed: number; discoverError?: string;
    releases: Array<{ file: string; url?: string; label?: string; status: string; releaseId?: number; rows?: number; error?: string }>;
  }>;
  /** What the user should know about the run (backfill: per dataset; retry: what cannot be re-run). */
  notes: Record<string, string[]> | string[];
  interrupted: boolean;
}

/** The stats of a run from its summaries. */
export function statsOf(summaries: DatasetSummary[], notes: RunStats['notes'] = [], interrupted = false): RunStats {
  return {
    datasets: summaries.map((s) => ({
      dataset: s.dataset, seen: s.seen, loaded: s.loaded, unchanged: s.unchanged, failed: s.failed,
      rowsInserted: s.rowsInserted, rowsClosed: s.rowsClosed, discoverError: s.discoverError,
      releases: s.releases.map((r) => ({ file: r.fileName, url: r.url, label: r.label, status: r.status, releaseId: r.releaseId, rows: r.rowsInserted, error: r.error?.message })),
    })),
    notes,
    interrupted,
  };
}

/** The first failure of a run, for etl.run.error. */
export function firstErrorOf(summaries: DatasetSummary[]): string | undefined {
  for (const s of summaries) {
    if (s.discoverError) return `${s.dataset}: discovery: ${s.discoverError}`;
    const r = s.releases.find((x) => x.error);
    if (r) return `${s.dataset}: ${r.fileName}: ${r.error!.message}`;
  }
  return undefined;
}

/** The one-screen summary: per dataset releases seen, new, unchanged, failed, rows; then each failure. */
export function formatSummary(summaries: DatasetSummary[]): string {
  const rows = summaries.map((s) => ({ dataset: s.dataset, seen: s.seen, new: s.loaded, unchanged: s.unchanged, failed: s.failed, 'rows new': s.rowsInserted, 'rows superseded': s.rowsClosed }));
  let out = table(rows);
  for (const s of summaries) {
    if (s.discoverError) out += `\nFAILED ${s.dataset}: discovery: ${s.discoverError}`;
    for (const r of s.releases) if (r.status === 'failed') out += `\nFAILED ${s.dataset}: ${r.fileName}: ${r.error?.message}`;
  }
  // Error texts come from servers and files: no control characters, no secrets on the screen.
  out = printable(redactSecrets(out, { secrets: sourceSecrets(process.env), databaseUrl: process.env.DATABASE_URL }), true);
  return out.endsWith('\n') ? out : `${out}\n`;
}
