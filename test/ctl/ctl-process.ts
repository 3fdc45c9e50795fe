// cairnctl and the real etcdctl as child processes, for tests that run both through the same steps
// and compare what they print. etcdctl's client library logs JSON lines on stderr; they are dropped.
import type { TestContext } from 'node:test';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '../cli/cairn-process';

export type Tool = 'etcdctl' | 'cairnctl';

export const WAIT_MS = 15_000;

/** cairnctl from the same tree the tests run from (compiled, or the source through tsx). */
export function cairnctlCommand(): string[] {
  const root = repoRoot();
  return __filename.endsWith('.ts')
    ? ['--import', pathToFileURL(join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href, join(root, 'src', 'cli', 'cairnctl.ts')]
    : [join(root, 'dist', 'src', 'cli', 'cairnctl.js')];
}

export interface Running {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Waits (bounded) until stdout matches. */
  waitFor(pattern: RegExp): Promise<void>;
  /** Waits for the exit (SIGKILL after WAIT_MS). */
  ended(): Promise<{ code: number | null; stdout: string; stderr: string }>;
  /** Sends the signal (if still running) and waits for the exit (SIGKILL after WAIT_MS). */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; stdout: string; stderr: string }>;
}

export function start(t: TestContext, tool: Tool, endpoint: string, args: readonly string[]): Running {
  const flags = ['--endpoints', endpoint, '--dial-timeout=2s'];
  const child = tool === 'etcdctl'
    ? spawn('etcdctl', [...flags, ...args], { env: { PATH: process.env.PATH, ETCDCTL_API: '3' } })
    : spawn(process.execPath, [...cairnctlCommand(), ...flags, ...args], { env: { PATH: process.env.PATH } });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => { stdout += d.toString(); });
  // etcdctl's client library logs JSON lines on stderr: noise here.
  child.stderr?.on('data', (d: Buffer) => { stderr += d.toString().split('\n').filter((l) => !l.startsWith('{"level"')).join('\n'); });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const running: Running = {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    waitFor: async (pattern) => {
      const deadline = Date.now() + WAIT_MS;
      while (!pattern.test(stdout)) {
        if (Date.now() > deadline) throw new Error(`${tool} ${args.join(' ')}: no ${pattern} within ${WAIT_MS} ms; stdout ${JSON.stringify(stdout)}, stderr ${JSON.stringify(stderr)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    ended: async () => {
      const timer = setTimeout(() => child.kill('SIGKILL'), WAIT_MS);
      const code = await exited;
      clearTimeout(timer);
      return { code, stdout, stderr };
    },
    stop: (signal = 'SIGINT') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return running.ended();
    },
  };
  t.after(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); });
  return running;
}

/** Runs to the end (bounded). */
export async function run(t: TestContext, tool: Tool, endpoint: string, args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const r = start(t, tool, endpoint, args);
  const timer = setTimeout(() => r.child.kill('SIGKILL'), WAIT_MS);
  const code = await new Promise<number | null>((resolve) => r.child.once('exit', (c) => resolve(c)));
  clearTimeout(timer);
  // Let the pipes drain.
  await new Promise((r2) => setImmediate(r2));
  return { code, stdout: r.stdout(), stderr: r.stderr() };
}

