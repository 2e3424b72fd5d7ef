/** Runs the real CLI (`node bin/trade-etl.js …`) as a child process, for end-to-end tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(ROOT, 'bin/trade-etl.js');

export interface CliResult { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

/** The environment for a child: this one without any database settings, plus `env`. */
export function childEnv(env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = { ...process.env };
  delete base.DATABASE_URL;
  delete base.CENSUS_API_KEY;
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete base[k];
    else base[k] = v;
  }
  return base;
}

/** Starts the CLI and collects its output. */
export function startCli(args: string[], env: Record<string, string | undefined>): { child: ChildProcess; out: () => CliResult; done: Promise<CliResult> } {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => { stdout += d.toString('utf8'); });
  child.stderr!.on('data', (d: Buffer) => { stderr += d.toString('utf8'); });
  const done = new Promise<CliResult>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, out: () => ({ code: child.exitCode, signal: child.signalCode, stdout, stderr }), done };
}

/** Runs the CLI to completion (killed after timeoutMs). */
export async function runCli(args: string[], env: Record<string, string | undefined>, timeoutMs = 90_000): Promise<CliResult> {
  const run = startCli(args, env);
  const timer = setTimeout(() => run.child.kill('SIGKILL'), timeoutMs);
  try {
    return await run.done;
  } finally {
    clearTimeout(timer);
  }
}

/** Waits until `test` holds on the output so far, or fails after timeoutMs. */
export async function waitFor(run: ReturnType<typeof startCli>, test: (r: CliResult) => boolean, timeoutMs = 90_000): Promise<void> {
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
