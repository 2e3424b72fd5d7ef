import type { Command } from 'commander';
import { open, table, UsageError } from './common.js';
import { AS_OF_PATTERN, claimTableRows, readClaimCheck, verdictSummary } from '../metrics/claim-check.js';
import type { EngineContext } from '../engine/context.js';

export interface PrintClaimsOptions {
  json?: boolean;
  /** 'YYYY-MM-DD': the check with the figures as published on that date. */
  asOf?: string;
  /** Also print each claim's note (how the value was computed, alternatives, vintages). */
  notes?: boolean;
  out?: NodeJS.WritableStream;
}

/**
 * Prints the claim check (metrics.claim_check or claim_check_as_of) as a table or JSON. Claims
 * that differ are findings, not failures: this never sets a failing exit code.
 * @example await printClaims(ctx, { asOf: '2025-04-22' });
 */
export async function printClaims(ctx: Pick<EngineContext, 'db'>, opts: PrintClaimsOptions = {}): Promise<void> {
  const out = opts.out ?? process.stdout;
  if (opts.asOf !== undefined && !validDate(opts.asOf)) throw new UsageError(`--as-of must be a date YYYY-MM-DD, got ${JSON.stringify(opts.asOf)}`);
  const rows = await readClaimCheck(ctx.db, opts.asOf);
  if (opts.json) {
    out.write(JSON.stringify({ asOf: opts.asOf ?? null, claims: rows }, null, 2) + '\n');
    return;
  }
  out.write(opts.asOf
    ? `Claim check with the figures as published on ${opts.asOf} (metrics.claim_check_as_of('${opts.asOf}')):\n`
    : 'Claim check with the newest loaded figures (metrics.claim_check):\n');
  out.write(table(claimTableRows(rows), ['id', 'article', 'computed', 'difference', 'verdict', 'vintage']));
  out.write(`\n${verdictSummary(rows)}. Values are compared at the article's precision; a difference is a finding, not an error.\n`);
  if (opts.notes) {
    out.write('\nNotes:\n');
    for (const r of rows) out.write(`- ${r.id}: ${r.note}\n`);
  } else {
    out.write('Details per claim: `trade-etl claims --notes`, or SELECT id, note FROM metrics.claim_check;\n');
  }
}

function validDate(s: string): boolean {
  if (!AS_OF_PATTERN.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

export function register(program: Command): void {
  program.command('claims')
    .description('check the article\'s figures against the loaded releases: article value, computed value, difference, verdict, vintage')
    .option('--json', 'print JSON (every column, numbers as exact decimal strings)')
    .option('--as-of <date>', 'the check with the figures as published on this date (YYYY-MM-DD)')
    .option('--notes', 'print how each value was computed')
    .action(async (opts: { json?: boolean; asOf?: string; notes?: boolean }) => {
      if (opts.asOf !== undefined && !validDate(opts.asOf)) throw new UsageError(`--as-of must be a date YYYY-MM-DD, got ${JSON.stringify(opts.asOf)}`);
      const ctx = await open();
      try {
        await printClaims(ctx, opts);
        process.exitCode = 0;
      } finally {
        await ctx.close();
      }
    });
}
