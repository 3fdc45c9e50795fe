// Cutting one cairn process off from its peers, for tests on a cluster made with `viaProxies`: every
// peer URL is a cut-proxy, so the proxy in front of the member carries all traffic to it, and in front
// of each other member the connections the member itself dialed (told apart by their owning process)
// carry the rest. Also: reading a member's /metrics, and the member status etcdctl reports.
import * as assert from 'node:assert/strict';
import { etcdctl } from '../server-core/etcdctl';
import { processOwnsConnection } from '../support/socket-owner';
import { untilEqual } from './polls';
import type { TlsCluster } from './tls-cluster';

/** Cuts member i (process `pid`) off from the others, both ways, until heal(). */
export function isolate(cluster: TlsCluster, i: number, pid: number): void {
  assert.equal(cluster.proxies.length, cluster.names.length, 'isolate needs a cluster made with viaProxies');
  cluster.proxies[i].cut();
  for (const [j, proxy] of cluster.proxies.entries()) {
    if (j !== i) proxy.cutClients((client) => processOwnsConnection(pid, client.remotePort ?? 0, proxy.port));
  }
}

export function heal(cluster: TlsCluster): void {
  for (const proxy of cluster.proxies) proxy.heal();
}

/** The samples of one metric family on member i's /metrics: label text ('' when none) -> value. */
export async function metricSamples(cluster: TlsCluster, i: number, name: string): Promise<Map<string, number>> {
  const res = await fetch(`http://${cluster.endpoint(i)}/metrics`);
  const samples = new Map<string, number>();
  for (const line of (await res.text()).split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})? (\S+)$/.exec(line);
    if (m !== null && m[1] === name) samples.set(m[2] ?? '', Number(m[3]));
  }
  return samples;
}

/** The value of an unlabelled metric on member i. */
export async function metric(cluster: TlsCluster, i: number, name: string): Promise<number> {
  const value = (await metricSamples(cluster, i, name)).get('');
  assert.ok(value !== undefined, `member ${i} has no ${name}`);
  return value;
}

/** Waits until each of `members` has a working message stream to every other one. */
export async function untilConnected(cluster: TlsCluster, members: number[]): Promise<void> {
  for (const i of members) {
    await untilEqual(`member ${i} connected to its peers`, async () => {
      // a member that does not answer yet (real etcd still starting) is polled again
      const samples = await metricSamples(cluster, i, 'etcd_network_active_peers').catch(() => undefined);
      if (samples === undefined) return ['not answering'];
      return [String([...samples.values()].filter((v) => v === 1).length)];
    }, [String(members.length - 1)]);
  }
}

export interface MemberStatus {
  header: { member_id: number; raft_term: number };
  /** absent while the member knows no leader (etcdctl leaves 0 out) */
  leader?: number;
  errors?: string[];
}

/** `etcdctl endpoint status -w json` of member i (big ids lose precision alike on every member). */
export async function statusOf(cluster: TlsCluster, i: number): Promise<MemberStatus> {
  const run = await etcdctl(cluster.endpoint(i), ['endpoint', 'status', '-w', 'json']);
  assert.equal(run.code, 0, run.stderr);
  return (JSON.parse(run.stdout) as { Status: MemberStatus }[])[0].Status;
}

/** `endpoint hashkv` of `members`: one hash shared by all. */
export async function assertHashesAgree(cluster: TlsCluster, members: number[]): Promise<void> {
  const run = await etcdctl(members.map((i) => cluster.endpoint(i)).join(','), ['endpoint', 'hashkv']);
  assert.equal(run.code, 0, run.stderr);
  const hashes = run.stdout.split('\n').filter((l) => l !== '').map((l) => l.split(', ')[1]);
  assert.equal(hashes.length, members.length, run.stdout);
  assert.equal(new Set(hashes).size, 1, run.stdout);
}
