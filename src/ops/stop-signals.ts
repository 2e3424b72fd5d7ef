import type { Logger } from '../core/logger.js';
import { signalExitCode } from '../core/errors.js';

/**
 * Graceful stop for long commands: the first SIGTERM/SIGINT aborts the returned signal (the
 * engine starts no new release; given to `open({ signal })`, the merge in progress rolls back at
 * its next statement), a second one exits at once with 128 + the signal's number (an open
 * transaction then rolls back with the connection). Call `dispose` when done.
 * @example const stop = stopOnSignals(logger); ctx.signal = stop.signal; try { … } finally { stop.dispose(); }
 */
export function stopOnSignals(logger?: Logger, onStop?: (signal: NodeJS.Signals) => void): { signal: AbortSignal; dispose: () => void; received: () => NodeJS.Signals | undefined } {
  const controller = new AbortController();
  let got: NodeJS.Signals | undefined;
  const handler = (sig: NodeJS.Signals) => {
    if (got) {
      logger?.error({ signal: sig }, 'second stop signal: exiting now; an unfinished release rolls back');
      process.stderr.write(`trade-etl: second ${sig}: exiting now; a release not yet committed is not loaded (its run is marked interrupted by the next command)\n`);
      process.exit(signalExitCode(sig));
    }
    got = sig;
    logger?.warn({ signal: sig }, 'stop requested: finishing the release in progress, starting no new one (send again to exit at once)');
    controller.abort(new Error(`stopped by ${sig}`));
    onStop?.(sig);
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
  return {
    signal: controller.signal,
    received: () => got,
    dispose: () => { process.off('SIGTERM', handler); process.off('SIGINT', handler); },
  };
}
