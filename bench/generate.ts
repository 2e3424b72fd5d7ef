/**
 * `npm run bench:data [-- --scale 2] [--only mof|census] [--force]`: writes the benchmark's
 * full-size input files into bench/data (git-ignored): an e-Stat HS-9 × country CSV (500,000
 * rows × scale, CP932) and a Census API JSON answer (1,000,000 rows × scale), and — at scale 1,
 * or with --revised — their revised twins (1 % of the observations changed). Deterministic: the
 * same bytes every time.
 */
import { parseArgs } from 'node:util';
import { benchFiles, ensureFiles, type BenchFileKind } from './bench-files.js';

const { values } = parseArgs({
  options: {
    scale: { type: 'string', default: '1' },
    only: { type: 'string' },
    force: { type: 'boolean', default: false },
    revised: { type: 'boolean' },
  },
});
const scale = Number(values.scale);
if (!Number.isFinite(scale) || scale <= 0) {
  process.stderr.write(`--scale must be a positive number, got ${values.scale}\n`);
  process.exit(2);
}
if (values.only && values.only !== 'mof' && values.only !== 'census') {
  process.stderr.write(`--only must be mof or census, got ${values.only}\n`);
  process.exit(2);
}
const kinds: BenchFileKind[] = values.only ? [values.only as BenchFileKind] : ['mof', 'census'];
ensureFiles(benchFiles(scale, { kinds, revised: values.revised ?? scale === 1 }), { force: values.force, log: (s) => process.stdout.write(`${s}\n`) });
