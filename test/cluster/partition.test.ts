// A partitioned minority, with three real `cairn` processes (peer mutual TLS) whose peer traffic goes
// through cut-proxies, driven by the real etcdctl: the member cut off refuses linearizable reads and
// writes with what etcd 3.4 answers in the same setup (checked by running real etcd 3.4 behind the same
// proxies), still serves serializable reads and says it has no leader, while the other two keep
// writing; once healed it catches up without disturbing the leader (PreVote, CheckQuorum), every
// acknowledged write is on every member and HashKV agrees. Then the same with the leader cut off.
// Real etcd 3.4, run with the same flags behind the same proxies, is held to the same assertions.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { CairnProcess, startCairn } from '../cli/cairn-process';
import { etcdctl, hasEtcdctl } from '../server-core/etcdctl';
import { hasRealEtcd } from '../support/real-etcd';
import { makeTlsCluster, type TlsCluster } from './tls-cluster';
import { keysOn, leaderIndex, putEventually, untilEqual } from './polls';
import { assertHashesAgree, heal, isolate, metric, statusOf, untilConnected } from './partition';

const all = [0, 1, 2];

/** What the member cut off answers, as etcd 3.4 does (etcdctl's own output). */
async function assertRefusesLinearizable(cluster: TlsCluster, isolated: number): Promise<void> {
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
async function assertRefusesReconfiguration(cluster: TlsCluster, leader: number, other: number): Promise<void> {
  const added = await etcdctl(cluster.endpoint(leader), ['member', 'add', 'p4', '--learner', '--peer-urls', 'https://127.0.0.1:1']);
  assert.match(added.stderr, /\nError: etcdserver: unhealthy cluster\n$/, `${added.stdout}${added.stderr}`);
  const otherId = (await etcdctl(cluster.endpoint(other), ['endpoint', 'status'])).stdout.split(', ')[1];
  const removed = await etcdctl(cluster.endpoint(leader), ['member', 'remove', otherId]);
  assert.match(removed.stderr, /\nError: etcdserver: unhealthy cluster\n$/, `${removed.stdout}${removed.stderr}`);
}

test('a member cut off from the other two refuses linearizable work with etcd\'s errors and catches up once healed', { skip: !hasEtcdctl() && 'etcdctl is not installed', timeout: 300_000 }, async () => {
  const cluster = await makeTlsCluster(['p1', 'p2', 'p3'], 'cairn-partition-test', { viaProxies: true });
  const procs: CairnProcess[] = [];
  const pid = (i: number): number => procs[i].child.pid ?? assert.fail(`member ${i} has no pid`);
  try {
    for (const i of all) procs[i] = await startCairn({ dataDir: cluster.dir, args: cluster.args(i) });
    // Cut only once every stream is up: a leader that cannot reach the third member yet would lose its quorum.
    await untilConnected(cluster, all);
    const leader = await leaderIndex(cluster, all);
    for (let n = 0; n < 5; n++) await putEventually(cluster.endpoint(leader), `k${n}`, `before-${n}`);
    const isolated = all.find((i) => i !== leader) as number;
    const other = all.find((i) => i !== leader && i !== isolated) as number;
    await untilEqual('the follower has the first writes', () => keysOn(cluster.endpoint(isolated)), ['k0', 'k1', 'k2', 'k3', 'k4']);

    // A follower cut off; the majority writes on, through the leader and through the other follower.
    const termBefore = (await statusOf(cluster, leader)).header.raft_term;
    isolate(cluster, isolated, pid(isolated));
    await assertRefusesLinearizable(cluster, isolated);
    await assertRefusesReconfiguration(cluster, leader, other);
    const acknowledged = ['k0', 'k1', 'k2', 'k3', 'k4'];
    for (let n = 5; n < 15; n++) {
      const put = await etcdctl(cluster.endpoint(n % 2 === 0 ? leader : other), ['put', `k${n}`, `during-${n}`]);
      assert.equal(put.code, 0, put.stderr);
      acknowledged.push(`k${n}`);
    }
    assert.deepEqual(await keysOn(cluster.endpoint(isolated)), ['k0', 'k1', 'k2', 'k3', 'k4'], 'nothing reached the member cut off');
    const changesBefore = await metric(cluster, leader, 'etcd_server_leader_changes_seen_total');

    // Healed: it catches up, and its return changed neither the leader nor the term.
    heal(cluster);
    await untilEqual('the member catches up', () => keysOn(cluster.endpoint(isolated)), [...acknowledged].sort());
    await assertHashesAgree(cluster, all);
    const after = await statusOf(cluster, isolated);
    assert.equal(after.leader, (await statusOf(cluster, leader)).header.member_id, 'the same leader');
    assert.equal(after.header.raft_term, termBefore, 'no new term: PreVote kept the returning member from calling an election');
    assert.equal(await metric(cluster, leader, 'etcd_server_leader_changes_seen_total'), changesBefore);
    const back = await etcdctl(cluster.endpoint(isolated), ['put', 'k15', 'back']);
    assert.equal(back.code, 0, back.stderr);
    acknowledged.push('k15');
    await untilConnected(cluster, all);

    // The leader cut off: CheckQuorum makes it step down, the other two elect one of themselves and
    // write on, and the old leader refuses linearizable work until the cut heals.
    isolate(cluster, leader, pid(leader));
    const survivors = all.filter((i) => i !== leader);
    const newLeader = await leaderIndex(cluster, survivors);
    await putEventually(cluster.endpoint(newLeader), 'k16', 'new-leader');
    acknowledged.push('k16');
    await assertRefusesLinearizable(cluster, leader);
    heal(cluster);
    for (const i of all) await untilEqual(`member ${i} has every acknowledged write`, () => keysOn(cluster.endpoint(i)), [...acknowledged].sort());
    assert.equal(await leaderIndex(cluster, all), newLeader, 'the old leader came back as a follower');
    await assertHashesAgree(cluster, all);
  } finally {
    await Promise.all(procs.map((p) => p.stop('SIGKILL')));
    await Promise.all(cluster.proxies.map((p) => p.close()));
    rmSync(cluster.dir, { recursive: true, force: true });
  }
});

test('real etcd 3.4 with the same flags behind the same proxies answers the same', { skip: !(hasEtcdctl() && hasRealEtcd()) && 'etcd 3.4 is not installed', timeout: 180_000 }, async () => {
  const cluster = await makeTlsCluster(['e1', 'e2', 'e3'], 'etcd-partition-test', { viaProxies: true });
  const procs: ChildProcess[] = all.map((i) => spawn('etcd', cluster.args(i), { stdio: 'ignore' }));
  try {
    await untilConnected(cluster, all);
    const leader = await leaderIndex(cluster, all);
    await putEventually(cluster.endpoint(leader), 'k0', 'before-0');
    const isolated = all.find((i) => i !== leader) as number;
    const other = all.find((i) => i !== leader && i !== isolated) as number;
    await untilEqual('the follower has the first write', () => keysOn(cluster.endpoint(isolated)), ['k0']);
    isolate(cluster, isolated, procs[isolated].pid ?? assert.fail('etcd has no pid'));
    await assertRefusesLinearizable(cluster, isolated);
    await assertRefusesReconfiguration(cluster, leader, other);
  } finally {
    for (const p of procs) {
      if (p.exitCode !== null || p.signalCode !== null) continue;
      const exited = once(p, 'exit');
      p.kill('SIGKILL');
      await exited;
    }
    await Promise.all(cluster.proxies.map((p) => p.close()));
    rmSync(cluster.dir, { recursive: true, force: true });
  }
});
