// Raft snapshots with three in-process members over the in-memory link: every --snapshot-count
// applied entries a member saves a snapshot and drops the log behind it; a member cut off while the
// others compacted past it catches up from the leader's store image (its watchers see every event
// in order, its leases and members come with the image); a full restart starts from the snapshots.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Running, api, removeDir, tempDataDir } from '../server-core/harness';
import { TestWatch } from '../server-core/watch-client';
import { MemoryPeers, memberStarter } from './memory-peers';
import { eventually, leaderOf } from './polls';
import { recordGauge } from '../support/gauge-values';

const names = ['s1', 's2', 's3'];
const startMember = memberStarter(names, 'raft-snapshots-test', { snapshotCount: 20, snapshotCatchUpEntries: 10 });

function snapFiles(dataDir: string): string[] {
  return readdirSync(join(dataDir, 'member', 'snap')).filter((n) => n.endsWith('.snap'));
}

/** How many times a member observed a histogram (etcd's snap and backend snapshot metrics). */
async function observed(member: Running, histogram: string): Promise<number> {
  const line = (await member.server.metrics.metrics()).split('\n').find((l) => l.startsWith(`${histogram}_count `));
  return Number(line?.split(' ')[1]);
}

test('members snapshot and compact; a member left behind catches up from the leader image; restart starts from snapshots', async () => {
  const peers = new MemoryPeers();
  const dirs = names.map(() => tempDataDir());
  let members = await Promise.all(dirs.map((d, i) => startMember(peers, d, i)));
  try {
    const leader = await leaderOf(members);
    for (let i = 0; i < 30; i++) await api(leader.clients).put(`a${i}`, `v${i}`);
    await api(leader.clients).compact(10n);
    for (const m of members) {
      await eventually('a snapshot file', async () => (snapFiles(m.dataDir).length > 0 ? true : undefined));
      for (const h of ['etcd_debugging_snap_save_marshalling_duration_seconds', 'etcd_snap_fsync_duration_seconds', 'etcd_debugging_snap_save_total_duration_seconds']) {
        assert.ok((await observed(m, h)) >= 1, `${h} observed the snapshot file's save`);
      }
    }

    // Cut a follower off with a watch open on it, and let the others write well past their catch-up entries.
    const lagging = members.find((m) => m !== leader) as Running;
    const watch = new TestWatch(lagging.clients.watch);
    watch.create({ key: Buffer.from('b'), rangeEnd: Buffer.from('c') });
    const created = await watch.next();
    assert.equal(created.created, true);
    peers.partition(lagging.server.memberId);
    const applying = recordGauge(lagging.server.metrics, 'etcd_server_snapshot_apply_in_progress_total');
    const lease = await api(leader.clients).grant(600n);
    await api(leader.clients).put('leased', 'x', { lease: lease.ID });
    await api(leader.clients).del('a0');
    for (let i = 0; i < 100; i++) await api(leader.clients).put(`b${i}`, `w${i}`);
    peers.heal(lagging.server.memberId);

    await eventually('the lagging member took a snapshot', async () => (peers.snapshotsDelivered > 0 ? true : undefined));
    const all = await eventually('the lagging member caught up', async () => {
      const r = await api(lagging.clients).range('b', { rangeEnd: Buffer.from('c'), serializable: true });
      return r.count === 100n ? r : undefined;
    });
    assert.equal(all.kvs[99].value.toString(), 'w99');
    // The image received, saved and applied; the leader's image timed from its read to its transfer's end.
    await eventually('the snapshot apply ended', async () => (applying.at(-1) === 0 ? true : undefined));
    assert.equal(applying[0], 1, 'in progress while the snapshot was applied');
    for (const h of ['etcd_snap_db_fsync_duration_seconds', 'etcd_snap_db_save_total_duration_seconds']) {
      assert.ok((await observed(lagging, h)) >= 1, `${h} observed the image's save`);
    }
    assert.ok((await observed(leader, 'etcd_disk_backend_snapshot_duration_seconds')) >= 1, 'the leader timed the image it sent');
    assert.equal((await api(lagging.clients).range('a0', { serializable: true })).count, 0n, 'the delete came with the image');
    // (LeaseTimeToLive would go to the leader: the member's own lease list and the key's lease show its state)
    const leases = await api(lagging.clients).leases();
    assert.deepEqual(leases.leases.map((l) => l.ID), [lease.ID], 'the lease came with the image');
    const leased = await api(lagging.clients).range('leased', { serializable: true });
    assert.equal(leased.kvs[0]?.lease, lease.ID, 'its key is attached');
    const list = await api(lagging.clients).memberList();
    assert.equal(list.members.length, 3);

    // The watcher on the lagging member got every put of b0..b99, in order, none twice.
    const seen: string[] = [];
    while (seen.length < 100) {
      const r = await watch.next();
      for (const e of r.events) seen.push(Buffer.from(e.kv?.key ?? []).toString());
    }
    assert.deepEqual(seen, Array.from({ length: 100 }, (_, i) => `b${i}`));
    watch.stream.end();

    const hashes = await eventually('hashKV agrees', async () => {
      const hs = await Promise.all(members.map((m) => api(m.clients).hashKV()));
      return new Set(hs.map((h) => `${h.hash}/${h.header?.revision}`)).size === 1 ? hs : undefined;
    });
    assert.equal(hashes.length, 3);

    // Stop all and restart: each member starts from its newest snapshot and the WAL after it.
    await Promise.all(members.map((m) => m.stop()));
    members = await Promise.all(dirs.map((d, i) => startMember(peers, d, i)));
    const again = await leaderOf(members);
    await api(again.clients).put('after', 'restart');
    for (const m of members) {
      const r = await eventually('read after restart', async () => {
        const got = await api(m.clients).range('\0', { rangeEnd: Buffer.from([0]), serializable: true });
        return got.count === 131n ? got : undefined;
      });
      assert.equal(r.count, 131n, '29 a-keys, the leased key, 100 b-keys and one more');
    }
  } finally {
    await Promise.all(members.map((m) => m.stop().catch(() => undefined)));
    dirs.forEach(removeDir);
  }
});
