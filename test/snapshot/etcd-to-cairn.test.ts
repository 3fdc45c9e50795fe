// Real etcd 3.4 -> our reader: a snapshot saved by the real etcdctl reads back with the status
// etcdctl reports and with the key bucket holding exactly what etcd serves, now and at old
// revisions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type KeyValuePair,
  checkSnapshotHash,
  decodeLease,
  decodeMember,
  openSnapshot,
  readEtcdSnapshot,
  snapshotStatus,
  writeSnapshot,
} from '../../src/snapshot';
import { hasRealEtcd, startRealEtcd } from '../support/real-etcd';
import { etcdctl, etcdctlSnapshotStatus } from './etcdctl';
import { decodeKeyBucket, parseEtcdctlGet, visibleAt } from './kv-model';

const skip = hasRealEtcd() ? false : 'Debian etcd-server is not installed';

async function readBuckets(path: string): Promise<Map<string, KeyValuePair[]>> {
  const reader = await openSnapshot(path);
  try {
    const out = new Map<string, KeyValuePair[]>();
    for await (const b of reader.buckets()) {
      const pairs: KeyValuePair[] = [];
      for await (const p of b.entries) pairs.push(p);
      out.set(b.name, pairs);
    }
    return out;
  } finally {
    await reader.close();
  }
}

test('a snapshot saved from real etcd 3.4 reads back with its status, keys and history', { skip }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-snap-etcd-'));
  const dataDir = join(dir, 'etcd');
  const etcd = await startRealEtcd({ dataDir });
  try {
    const ctl = (...args: string[]): Promise<string> => etcdctl(['--endpoints', etcd.endpoint, ...args]);
    await ctl('put', 'a', '1');
    await ctl('put', 'a', '2');
    await ctl('put', 'b', 'gone soon');
    await ctl('put', 'p/1', 'x');
    await ctl('put', 'p/2', 'y');
    const compactAt = Number(parseEtcdctlGet(await ctl('get', 'a', '-w', 'json')).revision);
    await ctl('del', 'b');
    await ctl('put', 'a', '3');
    await ctl('del', '--prefix', 'p/'); // one revision, two tombstones (sub revisions 0 and 1)
    const leaseId = /lease ([0-9a-f]+) granted/.exec(await ctl('lease', 'grant', '600'))?.[1];
    assert.ok(leaseId, 'lease granted');
    await ctl('put', '--lease', leaseId, 'leased', 'v');
    await ctl('put', 'binary\u00ff', 'value with\nnewline');
    await ctl('put', 'big', 'v'.repeat(20_000)); // overflow pages in etcd's bbolt
    await ctl('compact', String(compactAt));
    const now = parseEtcdctlGet(await ctl('get', '', '--from-key', '-w', 'json'));

    const path = join(dir, 'snap.db');
    await ctl('snapshot', 'save', path);
    const check = await checkSnapshotHash(path);
    assert.equal(check.verified, true);

    assert.deepEqual(await snapshotStatus(path), await etcdctlSnapshotStatus(path));

    const buckets = await readBuckets(path);
    assert.deepEqual(
      [...buckets.keys()],
      ['alarm', 'auth', 'authRoles', 'authUsers', 'cluster', 'key', 'lease', 'members', 'members_removed', 'meta'],
    );
    const entries = decodeKeyBucket(buckets.get('key') ?? []);
    assert.equal(entries[entries.length - 1].rev.main, now.revision);
    assert.ok(entries.some((e) => e.rev.tombstone && e.rev.sub === 1), 'a prefix delete gives sub revisions');
    assert.deepEqual(visibleAt(entries, now.revision), now.kvs);
    for (let rev = compactAt; rev <= now.revision; rev++) {
      const then = parseEtcdctlGet(await ctl('get', '', '--from-key', '--rev', String(rev), '-w', 'json'));
      assert.deepEqual(visibleAt(entries, rev), then.kvs, `range at revision ${rev}`);
    }

    const leases = (buckets.get('lease') ?? []).map(([, v]) => decodeLease(v));
    assert.deepEqual(leases.map((l) => [l.id, l.ttl]), [[BigInt(`0x${leaseId}`), 600]], 'etcdctl prints the id with leading zeros (%016x)');
    const members = (buckets.get('members') ?? []).map(([, v]) => decodeMember(v));
    const listed = JSON.parse((await ctl('member', 'list', '-w', 'json')).replace(/"ID":(\d+)/g, '"ID":"$1"')) as {
      members: { ID: string; name: string; peerURLs: string[]; clientURLs: string[] }[];
    };
    assert.deepEqual(
      members.map((m) => [m.id.toString(), m.name, m.peerURLs, m.clientURLs]),
      listed.members.map((m) => [m.ID, m.name, m.peerURLs, m.clientURLs]),
    );

    const contents = await readEtcdSnapshot(path);
    assert.equal(contents.keyBucketPairs, entries.length);
    assert.equal(contents.finishedCompactRevision, compactAt);
    assert.equal(contents.scheduledCompactRevision, compactAt);
    assert.ok(contents.consistentIndex > 0n);
    assert.equal(contents.clusterVersion, '3.4.0');
    assert.deepEqual(contents.leases, leases);
    assert.deepEqual(contents.members, members);
    assert.deepEqual(contents.auth, { revision: 1n, users: [], roles: [] }); // auth never switched: no authEnabled key
    assert.deepEqual(contents.otherBuckets, []);

    // Streamed from our reader into our writer, the copy has the same content, so the same hash.
    const copy = join(dir, 'copy.db');
    const reader = await openSnapshot(path);
    try {
      await writeSnapshot(reader.buckets(), copy);
    } finally {
      await reader.close();
    }
    const original = await etcdctlSnapshotStatus(path);
    const copied = await etcdctlSnapshotStatus(copy);
    assert.deepEqual({ ...copied, totalSize: original.totalSize }, original);

    // The live db file of a stopped etcd (what --skip-hash-check is for) reads too.
    await etcd.stop();
    const live = join(dataDir, 'member', 'snap', 'db');
    await assert.rejects(checkSnapshotHash(live), /^SnapshotError: snapshot: missing sha256 trailer/);
    assert.equal((await checkSnapshotHash(live, { skipHashCheck: true })).hasTrailer, false);
    assert.deepEqual(await snapshotStatus(live), await etcdctlSnapshotStatus(live));
  } finally {
    await etcd.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
