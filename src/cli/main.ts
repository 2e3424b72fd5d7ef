import { Command, CommanderError } from 'commander';
import { EXIT, reportError } from './common.js';
import * as migrate from './migrate.js';
import * as status from './status.js';
import * as load from './load.js';
import * as refresh from './refresh.js';
import * as runs from './runs.js';
import * as demo from './demo.js';
import * as backfill from './backfill.js';
import * as schedule from './schedule.js';
import * as retry from './retry.js';
import * as serve from './serve.js';
import * as doctor from './doctor.js';
import * as claims from './claims.js';
import * as report from './report.js';

/** The `trade-etl` command line. Exit codes: 0 ok, 1 failure, 2 usage. */
export function buildProgram(): Command {
  const program = new Command('trade-etl')
    .description('Official trade statistics (Japan MOF/Customs, US Census, Federal Reserve) into Postgres, with a check of a 2025 US–Japan trade article.\n' +
      'Database: DATABASE_URL (Postgres) or, when unset, the embedded PGlite in DATA_DIR (default ./data).')
    .exitOverride()
    .showHelpAfterError();
  for (const m of [demo, migrate, status, load, refresh, backfill, runs, retry, schedule, serve, doctor, claims, report]) m.register(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.exitCode === 0 || err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return EXIT.ok;
      return EXIT.usage;
    }
    return reportError(err);
  }
}
