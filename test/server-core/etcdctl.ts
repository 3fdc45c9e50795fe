// Runs the real etcdctl (API v3) against an endpoint, without blocking this process's event loop (the
// server under test may live in it), and normalises what differs between any two servers: IDs,
// revisions, terms, indexes, sizes, ports and times.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

export interface Run {
  stdout: string;
  stderr: string;
  code: number | null;
}

export function hasEtcdctl(): boolean {
  return spawnSync('etcdctl', ['version'], { env: { ...process.env, ETCDCTL_API: '3' } }).status === 0;
}

export function etcdctl(endpoint: string, args: string[], input?: string | Buffer): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn('etcdctl', ['--endpoints', endpoint, '--dial-timeout', '3s', '--command-timeout', '10s', ...args], {
      env: { ...process.env, ETCDCTL_API: '3' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code });
    });
    child.stdin.end(input ?? '');
  });
}

/** A long-running etcdctl (watch, keep-alive); its output so far, and a way to stop it. */
export interface Background {
  output(): string;
  /** resolves once the output contains `text`, or rejects after `timeoutMs` */
  waitFor(text: string, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export function etcdctlBackground(endpoint: string, args: string[]): Background {
  const child: ChildProcess = spawn('etcdctl', ['--endpoints', endpoint, ...args], { env: { ...process.env, ETCDCTL_API: '3' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    output: () => out,
    async waitFor(text, timeoutMs = 10_000) {
      for (let waited = 0; !out.includes(text); waited += 50) {
        if (waited >= timeoutMs) throw new Error(`etcdctl ${args.join(' ')} never printed ${JSON.stringify(text)}; got ${JSON.stringify(out)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

const numericJsonKeys = [
  'cluster_id', 'member_id', 'revision', 'raft_term', 'create_revision', 'mod_revision', 'ID', 'id', 'TTL', 'grantedTTL',
  'leader', 'raftIndex', 'raftTerm', 'raftAppliedIndex', 'dbSize', 'dbSizeInUse', 'compact_revision',
];

/** Replaces what legitimately differs between two servers with placeholders. */
export function normalize(text: string, endpoint: string): string {
  let t = text.replace(/http:\/\/(localhost|127\.0\.0\.1):\d+/g, 'http://<host>').split(endpoint).join('<endpoint>');
  for (const key of numericJsonKeys) t = t.replace(new RegExp(`"${key}":-?\\d+`, 'g'), `"${key}":<n>`);
  return t
    .replace(/\b[0-9a-f]{16}\b/g, '<id>')
    .replace(/\b[0-9a-f]{14,15}\b/g, '<id>')
    .replace(/took = [0-9.]+[µnm]?s/g, 'took = <t>')
    .replace(/remaining\(\d+s\)/g, 'remaining(<n>s)')
    .replace(/revision \d+/g, 'revision <n>')
    .replace(/\b3\.4\.\d+\b/g, '3.4.<x>')
    .replace(/\d+(\.\d+)? [kMG]?B\b/g, '<size>')
    .replace(/[ -]{2,}/g, ' ')
    // raft term and indexes in `endpoint status` (simple and table): etcd's log holds bootstrap entries ours does not
    .replace(/(true|false)(,| \|) (true|false)(,| \|) \d+(,| \|) \d+(,| \|) \d+/g, '$1$2 $3$4 <n>$5 <n>$6 <n>');
}

/** etcdctl prints a JSON warning line with a timestamp before an error; keep only the lines people read. */
export function errorLines(stderr: string): string {
  return stderr
    .split('\n')
    .filter((line) => line.startsWith('Error') || line.startsWith('Failed') || line.startsWith('watch was'))
    .join('\n');
}
