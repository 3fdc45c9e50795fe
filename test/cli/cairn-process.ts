// Runs the real `cairn` program as a child process: the compiled one (dist/src/cli/cairn.js, as
// bin/cairn does) when the tests run compiled, the TypeScript source through tsx while iterating.
import { spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { freePorts } from '../support/ports';

export function repoRoot(): string {
  let dir = __dirname;
  for (let i = 0; i < 10 && !existsSync(join(dir, 'package.json')); i++) dir = dirname(dir);
  return dir;
}

/** node arguments that start cairn from the same tree these tests run from. */
export function cairnCommand(): string[] {
  const root = repoRoot();
  return __filename.endsWith('.ts')
    ? ['--import', pathToFileURL(join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href, join(root, 'src', 'cli', 'cairn.ts')]
    : [join(root, 'dist', 'src', 'cli', 'cairn.js')];
}

/** Runs cairn to completion (for --version, --help and start-up errors). */
export function runCairnSync(args: readonly string[], env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [...cairnCommand(), ...args], {
    cwd: repoRoot(),
    env: { PATH: process.env.PATH, ...env },
    encoding: 'utf8',
    timeout: 30000,
  });
}

export interface CairnProcess {
  readonly child: ChildProcess;
  readonly dataDir: string;
  /** Everything cairn wrote to stderr so far (its log). */
  log(): string;
  /** Sends the signal and waits for the exit (SIGKILL after 20 s). */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Removes the data dir (when this helper made it). */
  cleanup(): void;
}

export interface StartOptions {
  readonly args?: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  /** Default: a new temp dir, passed as --data-dir unless `args` or `env` set one. */
  readonly dataDir?: string;
}

const readyLine = '"msg":"ready to serve client requests"';

/** Starts cairn and waits (20 s at most) until it logs that it serves clients. */
export async function startCairn(options: StartOptions = {}): Promise<CairnProcess> {
  const ownDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'cairn-e2e-'));
  const args = [...(options.args ?? [])];
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, ...options.env };
  if (!args.some((a) => a.startsWith('--data-dir') || a.startsWith('--config-file')) && env.ETCD_DATA_DIR === undefined) {
    args.push('--data-dir', join(dataDir, 'data'));
  }
  const child = spawn(process.execPath, [...cairnCommand(), ...args], { cwd: dataDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (d: string) => { stderr += d; });
  child.stdout?.resume();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const proc: CairnProcess = {
    child,
    dataDir,
    log: () => stderr,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 20000);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
    cleanup: () => {
      if (ownDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
  const deadline = Date.now() + 20000;
  while (!stderr.includes(readyLine)) {
    if (child.exitCode !== null || child.signalCode !== null) {
      proc.cleanup();
      throw new Error(`cairn exited (${child.exitCode ?? child.signalCode}) before serving:\n${stderr}`);
    }
    if (Date.now() > deadline) {
      await proc.stop('SIGKILL');
      proc.cleanup();
      throw new Error(`cairn did not get ready within 20 s:\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return proc;
}

export interface LoneCairn {
  /** host:port, as etcdctl's --endpoints takes it */
  readonly endpoint: string;
  /** http://host:port */
  readonly url: string;
  readonly process: CairnProcess;
  /** Stops cairn and removes its data dir; a second call does nothing. */
  stop(): Promise<void>;
}

/** A one-member cairn on free loopback ports, with a data dir of its own. */
export async function startLoneCairn(): Promise<LoneCairn> {
  const [client, peer] = await freePorts(2);
  const url = `http://127.0.0.1:${client}`;
  const p = `http://127.0.0.1:${peer}`;
  const proc = await startCairn({ args: ['--listen-client-urls', url, '--advertise-client-urls', url, '--listen-peer-urls', p, '--initial-advertise-peer-urls', p, '--initial-cluster', `default=${p}`, '--name', 'default'] });
  let stopping: Promise<void> | undefined;
  return {
    endpoint: `127.0.0.1:${client}`,
    url,
    process: proc,
    stop: () => (stopping ??= proc.stop().then(() => proc.cleanup())),
  };
}

export function hasEtcdctl(): boolean {
  return spawnSync('etcdctl', ['version'], { env: { ETCDCTL_API: '3', PATH: process.env.PATH } }).status === 0;
}

/** Runs the real etcdctl (API v3) against endpoints, with a bounded time. */
export function etcdctl(endpoints: string, args: readonly string[], input?: string): SpawnSyncReturns<string> {
  return spawnSync('etcdctl', ['--endpoints', endpoints, '--dial-timeout', '5s', '--command-timeout', '10s', ...args], {
    env: { PATH: process.env.PATH, ETCDCTL_API: '3' },
    encoding: 'utf8',
    timeout: 30000,
    input,
  });
}
