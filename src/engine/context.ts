import type { Config } from '../core/config.js';
import type { Logger } from '../core/logger.js';
import type { Db } from '../db/connect.js';

/** What every engine step needs: the database, the configuration, a logger, and the current run. */
export interface EngineContext {
  db: Db;
  config: Config;
  logger: Logger;
  runId?: number;
  /** Set on SIGTERM/SIGINT: no new release starts; the running one finishes or rolls back. */
  signal?: AbortSignal;
}
