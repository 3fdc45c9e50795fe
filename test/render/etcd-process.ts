// Runs the real etcd 3.4 with rendered files, and etcdctl against it, for the render tests.
import { spawn, spawnSync, ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export function hasEtcdAndEtcdctl(): boolean {
  return spawnSync('etcd', ['--version']).status === 0 && spawnSync('etcdctl', ['version']).status === 0;
}

export interface Running {
  child: ChildProcess;
  log: () => string;
  stop: () => Promise<void>;
}

export function startEtcd(args: readonly string[]): Running {
  const child = spawn('etcd', args, { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
  let log = '';
  const keep = (chunk: Buffer): void => {
    log = (log + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    log: () => log,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const done = await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]);
      if (!done) {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}

export interface ClientCert {
  cacert: string;
  cert: string;
  key: string;
}

/** The client cert files kubeadm's layout gives: the healthcheck client under etcd/. */
export function healthcheckClient(certificatesDir: string): ClientCert {
  return {
    cacert: path.join(certificatesDir, 'etcd/ca.crt'),
    cert: path.join(certificatesDir, 'etcd/healthcheck-client.crt'),
    key: path.join(certificatesDir, 'etcd/healthcheck-client.key'),
  };
}

export function etcdctl(endpoints: string, tls: ClientCert, args: readonly string[]): { status: number | null; out: string } {
  const r = spawnSync(
    'etcdctl',
    ['--endpoints', endpoints, '--cacert', tls.cacert, '--cert', tls.cert, '--key', tls.key, '--dial-timeout=3s', '--command-timeout=5s', ...args],
    { encoding: 'utf8', timeout: 15_000, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ETCDCTL_API: '3' } },
  );
  return { status: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

/** Polls `endpoint health` until healthy: at most 80 tries, 250 ms apart (about 20 s plus call time). */
export async function waitHealthy(endpoint: string, tls: ClientCert, running: Running): Promise<string> {
  let last = '';
  for (let i = 0; i < 80; i++) {
    if (running.child.exitCode !== null) throw new Error(`etcd exited with ${running.child.exitCode}:\n${running.log()}`);
    const r = etcdctl(endpoint, tls, ['endpoint', 'health']);
    last = r.out;
    if (r.status === 0 && /is healthy/.test(r.out)) return r.out;
    await sleep(250);
  }
  throw new Error(`etcd at ${endpoint} never became healthy: ${last}\n${running.log()}`);
}
