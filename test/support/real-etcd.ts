// Runs Debian's real etcd 3.4 on loopback with a temp data dir, for side-by-side tests.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts } from './ports';

export interface RealEtcd {
  readonly endpoint: string;
  readonly clientPort: number;
  readonly dataDir: string;
  readonly process: ChildProcess;
  stop(): Promise<void>;
}

export interface RealEtcdOptions {
  readonly extraArgs?: readonly string[];
  readonly dataDir?: string;
  readonly name?: string;
}

export function hasRealEtcd(): boolean {
  return spawnSync('etcd', ['--version']).status === 0;
}

export async function startRealEtcd(options: RealEtcdOptions = {}): Promise<RealEtcd> {
  const [clientPort, peerPort] = await freePorts(2);
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'real-etcd-'));
  const name = options.name ?? 'default';
  const child = spawn('etcd', [
    '--name', name,
    '--data-dir', dataDir,
    '--listen-client-urls', `http://127.0.0.1:${clientPort}`,
    '--advertise-client-urls', `http://127.0.0.1:${clientPort}`,
    '--listen-peer-urls', `http://127.0.0.1:${peerPort}`,
    '--initial-advertise-peer-urls', `http://127.0.0.1:${peerPort}`,
    '--initial-cluster', `${name}=http://127.0.0.1:${peerPort}`,
    ...(options.extraArgs ?? []),
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr?.on('data', (d: Buffer) => { log = (log + d.toString()).slice(-20000); });
  const endpoint = `http://127.0.0.1:${clientPort}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 15000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`real etcd exited with ${child.exitCode}:\n${log}`);
    const probe = spawnSync('etcdctl', ['--endpoints', endpoint, '--dial-timeout', '1s', 'endpoint', 'health'], {
      env: { ...process.env, ETCDCTL_API: '3' }, encoding: 'utf8', timeout: 5000,
    });
    if (probe.status === 0) return { endpoint, clientPort, dataDir, process: child, stop };
    await new Promise((r) => setTimeout(r, 200));
  }
  await stop();
  throw new Error(`real etcd did not become healthy in 15 s:\n${log}`);
}
