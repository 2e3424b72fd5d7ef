/**
 * Runs the real CLI (`node bin/trade-etl.js …`) as a child process, for end-to-end tests: to
 * completion (`runCli`), or in the background to signal it and look at its output (`startCli`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = path.join(ROOT, 'bin/trade-etl.js');

/** How long a CLI run may take before it is killed (SIGKILL) and the wait fails. */
const DEFAULT_TIMEOUT_MS = 120_000;

export interface CliResult { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

/** The child's environment, given to the CLI as `env` of `runCli` / `startCli`: undefined = unset. */
export type CliEnv = Record<string, string | undefined>;

export interface CliOptions {
  /** Kill the process (SIGKILL) and fail the wait after this long; default 120 s. */
  timeoutMs?: number;
}

export interface CliProcess {
  child: ChildProcess;
  /** Its output so far (and exit code / signal once it ended). */
  out(): CliResult;
  /** Waits until it ends; past timeoutMs it is killed and the promise rejects with its output. */
  done(timeoutMs?: number): Promise<CliResult>;
}

/**
 * The environment for a child: this process's, without anything that chooses a database or
 * carries a secret (a test gives those explicitly), plus `env` (an undefined value unsets a
 * variable). LOG_LEVEL is inherited unless `env` sets it.
 */
export function childEnv(env: CliEnv = {}): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = { ...process.env };
  delete base.DATABASE_URL;
  delete base.DATA_DIR;
  delete base.CENSUS_API_KEY;
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete base[k];
    else base[k] = v;
  }
  return base;
}

/** Starts `trade-etl <args>` and collects its output. */
export function startCli(args: string[], env: CliEnv = {}, opts: CliOptions = {}): CliProcess {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
  const out = (): CliResult => ({ code: child.exitCode, signal: child.signalCode, stdout, stderr });
  const closed = new Promise<CliResult>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return {
    child,
    out,
    async done(timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS): Promise<CliResult> {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(new Error(`trade-etl ${args.join(' ')} did not finish in ${timeoutMs} ms\n${stdout}\n${stderr}`));
        }, timeoutMs);
      });
      try {
        return await Promise.race([closed, timedOut]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** Runs `trade-etl <args>` to completion (killed, and the promise rejected, after opts.timeoutMs). */
export function runCli(args: string[], env: CliEnv = {}, opts: CliOptions = {}): Promise<CliResult> {
  return startCli(args, env, opts).done();
}

/** Waits until `test` holds on the output so far; fails if the CLI exits first or after timeoutMs. */
export async function waitFor(run: CliProcess, test: (r: CliResult) => boolean, timeoutMs = 90_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!test(run.out())) {
    if (run.child.exitCode !== null || run.child.signalCode !== null) {
      const r = run.out();
      throw new Error(`the CLI exited (${r.code ?? r.signal}) first:\n${r.stdout}\n${r.stderr}`);
    }
    if (Date.now() > until) throw new Error(`timed out; output so far:\n${run.out().stdout}\n${run.out().stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A TCP port nobody listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}
