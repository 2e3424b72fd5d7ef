import type { DatasetSummary } from '../engine/refresh.js';

type Entry = DatasetSummary['releases'][number];

function describe(r: Entry): string {
  const what = r.label || r.fileName;
  const rows = r.status === 'loaded' && r.rowsInserted !== undefined ? ` (${r.rowsInserted} new rows)` : '';
  const err = r.status === 'failed' && r.error ? `: ${r.error.message.split('\n')[0]}` : '';
  return `${r.status} ${what}${rows}${err}`;
}

/**
 * Per-release progress for batch commands: on a terminal one redrawn bar per dataset; otherwise
 * (cron, CI, a pipe) one plain line per release, so logs show each outcome as it happens.
 * @example const p = progressReporter(process.stderr); await refreshDatasets(ctx, ds, { onRelease: p.onRelease }); p.done();
 */
export function progressReporter(stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number }, opts: { tty?: boolean } = {}) {
  const tty = opts.tty ?? Boolean(stream.isTTY);
  let open = false;
  const onRelease = (dataset: string, r: Entry, index: number, total: number) => {
    if (!tty) {
      stream.write(`${dataset} [${index}/${total}] ${describe(r)}\n`);
      return;
    }
    const width = 24;
    const filled = total ? Math.round((index / total) * width) : width;
    const line = `${dataset} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${index}/${total} ${describe(r)}`;
    const cols = Math.max(40, (stream.columns ?? 100) - 1);
    stream.write(`\r\x1b[K${line.slice(0, cols)}`);
    open = true;
    // Keep the finished bar, and every failure, on screen.
    if (index === total || r.status === 'failed') {
      stream.write('\n');
      open = false;
    }
  };
  return {
    onRelease,
    done: () => { if (open) stream.write('\n'); open = false; },
  };
}
