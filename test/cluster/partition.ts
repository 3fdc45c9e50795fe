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

/** What the member cut off answers, as etcd 3.4 does (etcdctl's own output). */
export async function assertRefusesLinearizable(cluster: TlsCluster, isolated: number): Promise<void> {
  // An election timeout after the cut it knows no leader, and Status says so as etcd's does.
  await untilEqual('the member cut off loses its leader', async () => (await statusOf(cluster, isolated)).errors ?? [], ['etcdserver: no leader']);
  assert.equal((await statusOf(cluster, isolated)).leader, undefined, 'leader 0, which etcdctl leaves out');
  assert.equal(await metric(cluster, isolated, 'etcd_server_has_leader'), 0);
  // Without a leader a proposal waits the request timeout (5 s + 2 election timeouts) for one, then
  // etcd passes the bare context error through (UNKNOWN), which etcdctl does not retry.
  const put = await etcdctl(cluster.endpoint(isolated), ['put', 'cut', 'x']);
  assert.equal(put.code, 1);
  assert.match(put.stderr, /\nError: rpc error: code = Unknown desc = context deadline exceeded\n$/, put.stderr);
  // A linearizable read's ReadIndex times out (UNAVAILABLE), which etcdctl retries until its own
  // deadline; whether etcdctl's deadline or the server's (the same instant, sent as grpc-timeout)
  // ends the retry is a race, in etcd too, so the last line is one of two.
  const get = await etcdctl(cluster.endpoint(isolated), ['--command-timeout', '8s', 'get', 'k0']);
  assert.equal(get.code, 1);
  assert.match(get.stderr, /"attempt":0,"error":"rpc error: code = Unavailable desc = etcdserver: request timed out"/, get.stderr);
  assert.match(get.stderr, /\nError: (rpc error: code = Unknown desc = )?context deadline exceeded\n$/, get.stderr);
  // A serializable read is answered from what it has.
  const local = await etcdctl(cluster.endpoint(isolated), ['get', 'k0', '--consistency', 's']);
  assert.equal(local.stdout, 'k0\nbefore-0\n', local.stderr);
}

/**
 * The leader, no longer connected to every voter, refuses a member add (a learner's too) and the
 * removal of the follower still with it (the rest would lose their quorum): etcd 3.4's strict
 * reconfiguration check.
 */
export async function assertRefusesReconfiguration(cluster: TlsCluster, leader: number, other: number): Promise<void> {
  const added = await etcdctl(cluster.endpoint(leader), ['member', 'add', 'p4', '--learner', '--peer-urls', 'https://127.0.0.1:1']);
  assert.match(added.stderr, /\nError: etcdserver: unhealthy cluster\n$/, `${added.stdout}${added.stderr}`);
  const otherId = (await etcdctl(cluster.endpoint(other), ['endpoint', 'status'])).stdout.split(', ')[1];
  const removed = await etcdctl(cluster.endpoint(leader), ['member', 'remove', otherId]);
  assert.match(removed.stderr, /\nError: etcdserver: unhealthy cluster\n$/, `${removed.stdout}${removed.stderr}`);
}
