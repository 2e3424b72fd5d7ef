import type { Command } from 'commander';
import { loadConfig } from '../core/config.js';
import { runHealthChecks } from '../analyst/health.js';
import { EXIT } from './common.js';

export function register(program: Command): void {
  program.command('doctor')
    .description('health check: configuration, database, migrations, analyst role, raw store, stuck/failed releases, freshness (exit 1 on any FAIL)')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const config = loadConfig();
      const checks = await runHealthChecks(config);
      if (opts.json) {
        process.stdout.write(JSON.stringify({ checks }, null, 2) + '\n');
      } else {
        const w = Math.max(...checks.map((c) => c.name.length));
        for (const c of checks) process.stdout.write(`${c.level.padEnd(4)}  ${c.name.padEnd(w)}  ${c.detail}\n`);
        const count = (l: string) => checks.filter((c) => c.level === l).length;
        process.stdout.write(`\n${count('OK')} OK, ${count('WARN')} WARN, ${count('FAIL')} FAIL\n`);
      }
      if (checks.some((c) => c.level === 'FAIL')) process.exitCode = EXIT.failure;
    });
}
