// Three real `cairn` processes on 127.0.0.1 with peer mutual TLS, driven by the real etcdctl: writes
// through one member are read on the others, the member list and endpoint status agree, a leader
// killed with SIGKILL during acknowledged writes is replaced and loses nothing, all three killed and
// restarted keep every acknowledged write, keep-alives through a follower hold a lease, move-leader
// hands over, and a learner added without starting is refused promotion with etcd's error, then removed.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { CairnProcess, startCairn } from '../cli/cairn-process';
import { etcdctl, hasEtcdctl } from '../server-core/etcdctl';
import { makeTlsCluster, type TlsCluster } from './tls-cluster';
import { keysOn, leaderIndex, pause, putEventually, reconfigure, untilEqual } from './polls';
import { assertHashesAgree } from './partition';

const names = ['p1', 'p2', 'p3'];

test('3 cairn processes with peer mutual TLS replicate, survive SIGKILL and change leader and membership', { skip: !hasEtcdctl() && 'etcdctl is not installed', timeout: 240_000 }, async () => {
  const cluster = await makeTlsCluster(names, 'cairn-process-test');
  const all = [0, 1, 2];
  let procs: (CairnProcess | undefined)[] = [];
  try {
    // One at a time, so that start-up (module loading) of three processes does not compete on a busy machine.
    for (const i of all) procs[i] = await startCairn({ dataDir: cluster.dir, args: cluster.args(i) });
    let leader = await leaderIndex(cluster, all);
    await putEventually(cluster.endpoint(0), 'hello', 'world');
    for (const i of [1, 2]) {
      const run = await etcdctl(cluster.endpoint(i), ['get', 'hello']);
      assert.equal(run.stdout, 'hello\nworld\n', run.stderr);
    }
    // Every member publishes its name and client URL through raft.
    await untilEqual(
      'member list',
      async () => (await etcdctl(cluster.endpoint(0), ['member', 'list'])).stdout.split('\n').filter((l) => l !== '').map((l) => l.split(', ').slice(1).join(', ')).sort(),
      names.map((n, i) => `started, ${n}, ${cluster.peerUrl(i)}, http://127.0.0.1:${cluster.clientPorts[i]}, false`).sort(),
    );
    const endpoints = all.map((i) => cluster.endpoint(i)).join(',');
    const health = await etcdctl(endpoints, ['endpoint', 'health']);
    assert.equal(health.code, 0, health.stderr);
    assert.equal((health.stderr.match(/is healthy/g) ?? []).length, 3, health.stderr);
    const status = await etcdctl(endpoints, ['endpoint', 'status']);
    assert.equal(status.code, 0, status.stderr);
    assert.equal(status.stdout.split('\n').filter((l) => l.split(', ')[4] === 'true').length, 1, status.stdout);

    // Keep-alives through a follower reach the leader, whose clock alone expires leases: a lease of 4 s
    // kept alive there for three TTLs still holds its key.
    const follower = all.find((i) => i !== leader) as number;
    const grant = await etcdctl(cluster.endpoint(follower), ['lease', 'grant', '4']);
    const leaseId = /lease ([0-9a-f]+) granted/.exec(grant.stdout)?.[1];
    assert.ok(leaseId, `${grant.stdout}${grant.stderr}`);
    assert.equal((await etcdctl(cluster.endpoint(follower), ['put', '--lease', leaseId, 'leased', 'v'])).code, 0);
    for (let n = 0; n < 12; n++) {
      const kept = await etcdctl(cluster.endpoint(follower), ['lease', 'keep-alive', '--once', leaseId]);
      assert.match(kept.stdout, /keepalived with TTL\(4\)/, kept.stderr);
      await pause(1000);
    }
    assert.equal((await etcdctl(cluster.endpoint(leader), ['get', 'leased'])).stdout, 'leased\nv\n', 'the lease outlived three TTLs');
    // Its time to live, asked of the follower, is the leader's: by the follower's own clock (which
    // renews nothing) the lease granted three TTLs ago would have 0 s left.
    await etcdctl(cluster.endpoint(follower), ['lease', 'keep-alive', '--once', leaseId]);
    const timeToLive = await etcdctl(cluster.endpoint(follower), ['lease', 'timetolive', '--keys', leaseId]);
    assert.match(timeToLive.stdout, /^lease [0-9a-f]+ granted with TTL\(4s\), remaining\([1-4]s\), attached keys\(\[leased\]\)\n$/, timeToLive.stderr);

    // SIGKILL the leader in the middle of a stream of acknowledged writes through another member.
    const writer = all.find((i) => i !== leader) as number;
    const acknowledged: string[] = [];
    for (let n = 0; n < 40; n++) {
      if (n === 15) await procs[leader]?.stop('SIGKILL');
      const key = `k${String(n).padStart(3, '0')}`;
      await putEventually(cluster.endpoint(writer), key, `v${n}`);
      acknowledged.push(key);
    }
    const survivors = all.filter((i) => i !== leader);
    const newLeader = await leaderIndex(cluster, survivors);
    assert.notEqual(newLeader, leader);
    procs[leader] = await startCairn({ dataDir: cluster.dir, args: cluster.args(leader) });
    for (const i of all) await untilEqual(`keys on member ${i}`, () => keysOn(cluster.endpoint(i)), acknowledged);
    await assertHashesAgree(cluster, all);

    // SIGKILL all three, restart: nothing acknowledged is lost.
    await Promise.all(procs.map((p) => p?.stop('SIGKILL')));
    // One at a time: a restarted member replays its own WAL and serves before it hears from its peers.
    for (const i of all) procs[i] = await startCairn({ dataDir: cluster.dir, args: cluster.args(i) });
    leader = await leaderIndex(cluster, all);
    for (const i of all) await untilEqual(`keys on member ${i} after restart`, () => keysOn(cluster.endpoint(i)), acknowledged);

    // move-leader to another member.
    const target = all.find((i) => i !== leader) as number;
    const targetId = (await etcdctl(cluster.endpoint(target), ['endpoint', 'status'])).stdout.split(', ')[1];
    const moved = await etcdctl(cluster.endpoint(leader), ['move-leader', targetId]);
    assert.equal(moved.code, 0, moved.stderr);
    assert.equal(await leaderIndex(cluster, all), target);

    // A learner added but never started is behind: promotion is refused; then it is removed.
    const added = await reconfigure(cluster.endpoint(target), ['member', 'add', 'p4', '--learner', '--peer-urls', 'https://127.0.0.1:1']);
    assert.equal(added.code, 0, added.stderr);
    const learnerId = /Member\s+([0-9a-f]+) added/.exec(added.stdout)?.[1] as string;
    assert.ok(learnerId, added.stdout);
    const promote = await etcdctl(cluster.endpoint(target), ['member', 'promote', learnerId]);
    assert.match(promote.stderr, /etcdserver: can only promote a learner member which is in sync with leader/);
    const dup = await etcdctl(cluster.endpoint(target), ['member', 'add', 'p5', '--peer-urls', 'https://127.0.0.1:1']);
    assert.match(dup.stderr, /etcdserver: Peer URLs already exists/);
    const removed = await etcdctl(cluster.endpoint(target), ['member', 'remove', learnerId]);
    assert.equal(removed.code, 0, removed.stderr);
    const unknown = await etcdctl(cluster.endpoint(target), ['member', 'remove', learnerId]);
    assert.match(unknown.stderr, /etcdserver: member not found/);
    const notLearner = await etcdctl(cluster.endpoint(target), ['member', 'promote', targetId]);
    assert.match(notLearner.stderr, /etcdserver: can only promote a learner member/);
  } finally {
    await Promise.all(procs.map((p) => p?.stop('SIGKILL')));
    rmSync(cluster.dir, { recursive: true, force: true });
  }
});
