/**
 * Runs a command as a child process and measures it from the outside: wall time and the peak
 * resident set size of the process. The peak comes from GNU time (`/usr/bin/time -v`, exact:
 * the kernel's ru_maxrss of the waited child) when it is installed; otherwise /proc/<pid>/status
 * VmHWM is polled every 50 ms (the high-water mark the kernel keeps, so a late poll still sees
 * an earlier peak; only the last few ms before exit can be missed).
 */
import fs from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';

export interface Measured {
  code: number | null;
  wallMs: number;
  /** Peak RSS in MB, or null when it could not be measured. */
  peakRssMb: number | null;
  rssSource: 'gnu-time' | 'proc-vmhwm' | 'none';
  stdout: string;
  stderr: string;
}

const GNU_TIME = '/usr/bin/time';

/** Does /usr/bin/time understand -v (GNU time)? Checked once. */
let gnuTime: boolean | undefined;
function hasGnuTime(): boolean {
  if (gnuTime === undefined) {
    gnuTime = false;
    try {
      if (fs.existsSync(GNU_TIME)) {
        const r = spawnSync(GNU_TIME, ['-v', 'true'], { encoding: 'utf8' });
        gnuTime = /Maximum resident set size/.test(r.stderr);
      }
    } catch { gnuTime = false; }
  }
  return gnuTime;
}

function vmHwmKb(pid: number): number | null {
  try {
    const m = /VmHWM:\s+(\d+)\s+kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/**
 * Spawns `cmd args` with env, waits, and returns its exit code, wall time, peak RSS and output.
 * @example const m = await measureChild('node', ['bin/trade-etl.js', 'status'], process.env)
 */
export async function measureChild(cmd: string, args: string[], env: NodeJS.ProcessEnv, opts: { useGnuTime?: boolean } = {}): Promise<Measured> {
  const viaTime = (opts.useGnuTime ?? true) && hasGnuTime();
  const started = process.hrtime.bigint();
  const child = viaTime
    ? spawn(GNU_TIME, ['-v', cmd, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => { stdout += s; });
  child.stderr.setEncoding('utf8').on('data', (s: string) => { stderr += s; if (stderr.length > 1 << 20) stderr = stderr.slice(-(1 << 19)); });
  let polled: number | null = null;
  const timer = viaTime ? undefined : setInterval(() => {
    const kb = vmHwmKb(child.pid!);
    if (kb !== null && (polled === null || kb > polled)) polled = kb;
  }, 50);
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  if (timer) clearInterval(timer);
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  let peakKb: number | null = polled;
  if (viaTime) {
    const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
    peakKb = m ? Number(m[1]) : null;
    // GNU time's own report is not the child's output.
    stderr = stderr.replace(/(Command exited with non-zero status \d+\n)?\tCommand being timed:[\s\S]*$/, '');
  }
  return { code, wallMs, peakRssMb: peakKb === null ? null : peakKb / 1024, rssSource: viaTime ? 'gnu-time' : peakKb === null ? 'none' : 'proc-vmhwm', stdout, stderr };
}
