// Starts the systems under test with equivalent settings on loopback: real etcd (Debian's
// etcd-server) and cairn, 1 or 3 members, data dirs on the same filesystem, fsync on for both.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:net';

export type SystemName = 'etcd' | 'cairn';

export interface RunningCluster {
  readonly system: SystemName;
  /** Client endpoints, the leader's last: clients go round-robin, so a lone client talks to a follower, on either system. */
  readonly targets: readonly string[];
  readonly dataDirs: readonly string[];
  /** Sum of the members' resident set sizes, bytes. */
  /** Resident memory of the members: RSS (VmRSS), PSS (shared pages divided among the processes mapping them) and anonymous memory, in bytes. */
  memory(): MemoryUse;
  /** CPU time (user + system) the members have used so far, seconds. */
  cpuSeconds(): number;
  dataBytes(): number;
  /** Stops every member (SIGTERM, then SIGKILL after 10 s); keeps the data dirs when asked. */
  stop(keepData?: boolean): Promise<void>;
}

export interface ClusterSpec {
  readonly system: SystemName;
  readonly members: 1 | 3 | 5;
  readonly dataRoot: string;
  /** Reuse these data dirs (restart measurements). */
  readonly dataDirs?: readonly string[];
  readonly repoRoot: string;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** Extra node flags for cairn members, e.g. BENCH_CAIRN_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof". */
export const CAIRN_NODE_ARGS_ENV = 'BENCH_CAIRN_NODE_ARGS';
/** Another cairn entry script (say a second build kept for an A/B comparison) instead of bin/cairn. */
export const CAIRN_ENTRY_ENV = 'BENCH_CAIRN_ENTRY';

function command(system: SystemName, repoRoot: string): [string, string[]] {
  if (system === 'etcd') return ['etcd', []];
  const extra = (process.env[CAIRN_NODE_ARGS_ENV] ?? '').split(/\s+/).filter(Boolean);
  return [process.execPath, [...extra, process.env[CAIRN_ENTRY_ENV] || join(repoRoot, 'bin', 'cairn')]];
}

/** Installs Debian's etcd-server when the etcd binary is missing; throws when that is not possible. */
export function ensureEtcdInstalled(): void {
  if (spawnSync('etcd', ['--version']).status === 0) return;
  const asRoot = process.getuid?.() === 0 ? [] : ['sudo', '-n'];
  const install = (args: string[]) => spawnSync(asRoot[0] ?? 'apt-get', [...asRoot.slice(1), ...(asRoot.length ? ['apt-get'] : []), ...args],
    { stdio: 'inherit', timeout: 600_000, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  install(['update']);
  install(['install', '-y', 'etcd-server', 'etcd-client']);
  if (spawnSync('etcd', ['--version']).status !== 0) throw new Error('bench: etcd is not installed and apt-get install etcd-server failed');
}

export async function startCluster(spec: ClusterSpec): Promise<RunningCluster> {
  const ports = await Promise.all(Array.from({ length: spec.members * 2 }, freePort));
  const names = Array.from({ length: spec.members }, (_, i) => `m${i}`);
  const peer = (i: number) => `http://127.0.0.1:${ports[2 * i + 1]}`;
  const client = (i: number) => `http://127.0.0.1:${ports[2 * i]}`;
  const initialCluster = names.map((n, i) => `${n}=${peer(i)}`).join(',');
  const dataDirs = spec.dataDirs ?? names.map((n) => mkdtempSync(join(spec.dataRoot, `${spec.system}-${n}-`)));
  const [bin, prefix] = command(spec.system, spec.repoRoot);
  const children: ChildProcess[] = names.map((name, i) => spawn(bin, [...prefix,
    '--name', name, '--data-dir', dataDirs[i],
    '--listen-client-urls', client(i), '--advertise-client-urls', client(i),
    '--listen-peer-urls', peer(i), '--initial-advertise-peer-urls', peer(i),
    '--initial-cluster', initialCluster, '--initial-cluster-token', 'bench',
    '--initial-cluster-state', 'new', '--log-level', 'error',
    '--quota-backend-bytes', String(8 * 1024 ** 3),
  ], { stdio: ['ignore', 'ignore', 'pipe'] }));
  const logs = children.map(() => ({ text: '' }));
  children.forEach((c, i) => c.stderr?.on('data', (d: Buffer) => { logs[i].text = (logs[i].text + d).slice(-4000); }));
  const stop = async (keepData = false): Promise<void> => {
    await Promise.all(children.map(async (c) => {
      if (c.exitCode !== null || c.signalCode !== null) return;
      const exited = new Promise((r) => c.once('exit', r));
      c.kill('SIGTERM');
      const timer = setTimeout(() => c.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }));
    if (!keepData) for (const d of dataDirs) rmSync(d, { recursive: true, force: true });
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    const dead = children.findIndex((c) => c.exitCode !== null);
    if (dead >= 0) { await stop(); throw new Error(`${spec.system} member ${names[dead]} exited:\n${logs[dead].text}`); }
    const healthy = names.every((_, i) => spawnSync('etcdctl', ['--endpoints', client(i), '--dial-timeout', '1s', '--command-timeout', '2s', 'endpoint', 'health'],
      { env: { ...process.env, ETCDCTL_API: '3' }, timeout: 5000 }).status === 0);
    if (healthy) break;
    if (Date.now() > deadline) { await stop(); throw new Error(`${spec.system} did not become healthy in 60 s:\n${logs.map((l) => l.text).join('\n')}`); }
    await new Promise((r) => setTimeout(r, 250));
  }
  const endpoints = names.map((_, i) => `127.0.0.1:${ports[2 * i]}`);
  const leader = leaderIndex(names.map((_, i) => client(i)));
  const targets = [...endpoints.filter((_, i) => i !== leader), ...endpoints.filter((_, i) => i === leader)];
  return {
    system: spec.system,
    targets,
    dataDirs,
    memory: () =>
      children.map((c) => memoryOf(c.pid)).reduce((a, m) => ({ rss: a.rss + m.rss, pss: a.pss + m.pss, anonymous: a.anonymous + m.anonymous }), { rss: 0, pss: 0, anonymous: 0 }),
    cpuSeconds: () => children.reduce((sum, c) => sum + cpuOf(c.pid), 0),
    dataBytes: () => dataDirs.reduce((sum, d) => sum + Number(spawnSync('du', ['-sb', d], { encoding: 'utf8' }).stdout.split('\t')[0] || 0), 0),
    stop,
  };
}

/** Which of the endpoints leads, by the real etcdctl's `endpoint status`; -1 when it cannot tell. */
function leaderIndex(endpoints: readonly string[]): number {
  const status = spawnSync('etcdctl', ['--endpoints', endpoints.join(','), '--command-timeout', '5s', 'endpoint', 'status', '-w', 'json'],
    { env: { ...process.env, ETCDCTL_API: '3' }, encoding: 'utf8', timeout: 10_000 });
  try {
    const rows = JSON.parse(status.stdout) as Array<{ Endpoint: string; Status: { header: { member_id: number }; leader: number } }>;
    const leading = rows.find((r) => r.Status.header.member_id === r.Status.leader);
    return leading ? endpoints.indexOf(leading.Endpoint) : -1;
  } catch {
    return -1;
  }
}

/** utime + stime from /proc/<pid>/stat (fields 14 and 15, in clock ticks of 1/100 s on Linux). */
function cpuOf(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

export interface MemoryUse {
  rss: number;
  pss: number;
  anonymous: number;
}

/** From /proc/<pid>/smaps_rollup: a Node member's RSS counts Node's binary (~40 MiB, shared with every node process), which PSS divides. */
function memoryOf(pid: number | undefined): MemoryUse {
  const none = { rss: 0, pss: 0, anonymous: 0 };
  if (!pid) return none;
  try {
    const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0) * 1024;
    return { rss: kb('Rss'), pss: kb('Pss'), anonymous: kb('Anonymous') };
  } catch {
    return none;
  }
}
