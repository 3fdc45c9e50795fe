// A partitioned minority, with three real `cairn` processes (peer mutual TLS) whose peer traffic goes
// through cut-proxies, driven by the real etcdctl: the member cut off refuses linearizable reads and
// writes with what etcd 3.4 answers in the same setup (checked by running real etcd 3.4 behind the same
// proxies), still serves serializable reads and says it has no leader, while the other two keep
// writing; once healed it catches up without disturbing the leader (PreVote, CheckQuorum), every
// acknowledged write is on every member and HashKV agrees. Then the same with the leader cut off.
// Real etcd 3.4, run with the same flags behind the same proxies, is held to the same assertions.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { CairnProcess, startCairn } from '../cli/cairn-process';
import { etcdctl, hasEtcdctl } from '../server-core/etcdctl';
import { makeTlsCluster } from './tls-cluster';
import { keysOn, leaderIndex, putEventually, untilEqual } from './polls';
import { assertHashesAgree, assertRefusesLinearizable, assertRefusesReconfiguration, heal, isolate, metric, statusOf, untilConnected } from './partition';

const all = [0, 1, 2];

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
