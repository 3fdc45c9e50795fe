// What the cairnadm tests over SSH share: a configuration for real sshd test hosts (process
// runtime, free ports), the real etcdctl with the generated client certificate, the client files
// copied out of the CA host, stopping whatever members a test left running, and a three-member
// cluster made by init.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { EtcdClient } from '../../src/client';
import { PRIVATE_DIRS, startSshdHosts, type SshdHosts, type SshdTestHost } from '../support/sshd-hosts';
import { freePorts } from '../support/ports';
import { cairnadm } from './adm-process';

export const ROOT = process.getuid?.() === 0;
// /etc/cairn (config file) and /opt/cairn (bundle) are private too, as on separate machines
export const DIRS = [...PRIVATE_DIRS, '/etc/cairn', '/opt/cairn'];

export interface ClusterConfig {
  file: string;
  /** each host's client URL, in host order */
  endpoints: string[];
}

export async function configFor(hosts: SshdTestHost[], dir: string, knownHosts?: string): Promise<ClusterConfig> {
  const lines = ['apiVersion: cairnadm/v1alpha1', 'kind: ClusterConfiguration', 'clusterName: adm-test', 'runtime: process', 'keyAlgorithm: ecdsa-p256', 'hosts:'];
  const endpoints: string[] = [];
  for (const h of hosts) {
    const [client, peer, metrics] = await freePorts(3);
    lines.push(`- name: ${h.name}`, `  address: ${h.address}`, `  port: ${h.port}`, `  user: ${h.user}`, `  privateKeyFile: ${h.keyFile}`, `  knownHostsFile: ${knownHosts ?? h.knownHosts}`, `  ports: {client: ${client}, peer: ${peer}, metrics: ${metrics}}`);
    endpoints.push(`https://${h.address}:${client}`);
  }
  const file = join(dir, 'cairnadm.yaml');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return { file, endpoints };
}

export function etcdctl(creds: string, endpoint: string, args: string[]): string {
  return execFileSync('etcdctl', [`--endpoints=${endpoint}`, `--cacert=${creds}/ca.crt`, `--cert=${creds}/healthcheck-client.crt`, `--key=${creds}/healthcheck-client.key`, '--command-timeout=10s', ...args], {
    env: { ...process.env, ETCDCTL_API: '3' },
    encoding: 'utf8',
    timeout: 30_000,
  });
}

/** The client files of the CA host, copied out of its private /etc/kubernetes. */
export function copyCreds(host: SshdTestHost, to: string): string {
  const pki = join(host.rootDir, 'etc', 'kubernetes', 'pki', 'etcd');
  for (const f of ['ca.crt', 'healthcheck-client.crt', 'healthcheck-client.key']) execFileSync('cp', [join(pki, f), join(to, f)]);
  return to;
}

/** SIGKILLs the member each host's process runtime left running (reset normally stops them). */
export function killMembers(set: SshdHosts | undefined): void {
  for (const h of set?.hosts ?? []) execFileSync('sh', ['-c', `kill -9 $(cat ${join(h.rootDir, 'opt', 'cairn', 'run', 'cairn.pid')} 2>/dev/null) 2>/dev/null; true`]);
}

export interface InitCluster extends ClusterConfig {
  hosts: SshdHosts;
  /** a directory with the cluster's client files (ca.crt, healthcheck-client.*) */
  creds: string;
  /** a client of every member with those files */
  client: EtcdClient;
}

/**
 * Three sshd test hosts (cp-1..3) and `cairnadm init` of all three as one cluster; everything
 * (members, hosts, client, `dir`) is stopped and removed when the test ends.
 */
export async function initThreeHosts(t: TestContext, dir: string): Promise<InitCluster> {
  let set: SshdHosts | undefined;
  let client: EtcdClient | undefined;
  t.after(async () => {
    client?.close();
    killMembers(set);
    await set?.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  set = await startSshdHosts({ count: 3, names: ['cp-1', 'cp-2', 'cp-3'], privateDirs: DIRS });
  const config = await configFor(set.hosts, dir);
  const init = await cairnadm(['init', '--config', config.file], { timeoutMs: 300_000 });
  assert.equal(init.code, 0, init.stderr + init.stdout);
  const creds = copyCreds(set.hosts[0], dir);
  client = new EtcdClient({ endpoints: config.endpoints, tls: { caFile: `${creds}/ca.crt`, certFile: `${creds}/healthcheck-client.crt`, keyFile: `${creds}/healthcheck-client.key` }, dialTimeoutMs: 3_000, commandTimeoutMs: 10_000 });
  return { ...config, hosts: set, creds, client };
}
