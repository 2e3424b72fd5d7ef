import type { DatasetSummary } from '../engine/refresh.js';

/**
 * Every release outcome of a batch run, one line each (failures with their reason), then the
 * notes about how datasets were walked — what `backfill` and `retry` print at the end.
 * @example process.stdout.write(formatOutcomes(result.summaries, result.notes));
 */
export function formatOutcomes(summaries: DatasetSummary[], notes: Record<string, string[]> = {}): string {
  const lines: string[] = [];
  for (const s of summaries) {
    const ns = notes[s.dataset] ?? [];
    if (!s.releases.length && !s.discoverError && !ns.length) continue;
    lines.push(`${s.dataset}:`);
    if (s.discoverError) lines.push(`  FAILED   discovery: ${s.discoverError}`);
    for (const r of s.releases) {
      const status = r.status === 'failed' ? 'FAILED' : r.status;
      const rows = r.status === 'loaded' ? ` (${r.rowsInserted ?? 0} new rows, ${r.rowsClosed ?? 0} superseded)` : '';
      const err = r.status === 'failed' && r.error ? ` — ${r.error.message}` : '';
      lines.push(`  ${status.padEnd(12)} ${r.label || r.fileName}${rows}${err}${r.url ? `\n               ${r.url}` : ''}`);
    }
    for (const n of ns) lines.push(`  note: ${n}`);
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
}

/**
 * Per dataset counts (seen, new, unchanged, failed, rows) as an aligned table, without the failure
 * lines (formatOutcomes lists those with each release).
 * @example process.stdout.write(formatCounts(result.summaries));
 */
export function formatCounts(summaries: DatasetSummary[]): string {
  const rows = summaries.map((s) => ({
    dataset: s.dataset, seen: String(s.seen), new: String(s.loaded), unchanged: String(s.unchanged), failed: String(s.failed),
    'rows new': String(s.rowsInserted), 'rows superseded': String(s.rowsClosed),
  }));
  if (!rows.length) return '(no dataset)\n';
  const cols = Object.keys(rows[0]!) as Array<keyof typeof rows[number]>;
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => r[c].length)));
  const line = (vals: string[]) => vals.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(cols), line(widths.map((w) => '-'.repeat(w))), ...rows.map((r) => line(cols.map((c) => r[c])))].join('\n') + '\n';
}
