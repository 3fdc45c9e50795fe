import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { status as Status } from '@grpc/grpc-js';
import { etcdserverpb } from '../../src/api';
import { openSnapshot } from '../../src/snapshot';
import { Running, api, call, removeDir, startCore, tempDataDir } from './harness';

describe('Maintenance, Cluster and Auth services', () => {
  let dir: string;
  let running: Running;
  let c: ReturnType<typeof api>;

  before(async () => {
    dir = tempDataDir();
    running = await startCore(dir, { name: 'm1', advertiseClientUrls: ['http://127.0.0.1:2379'] });
    c = api(running.clients);
    await c.put('s1', 'v1');
    await c.put('s2', 'v2');
  });
  after(async () => {
    await running.stop();
    removeDir(dir);
  });

  test('status reports version, sizes, leader, indexes and term', async () => {
    const status = await c.status();
    assert.equal(status.version, running.server.versions().etcdserver);
    assert.match(status.version, /^3\.4\.\d+$/);
    assert.ok(status.dbSize > 0n && status.dbSizeInUse > 0n && status.dbSizeInUse <= status.dbSize);
    assert.equal(status.leader, running.server.memberId);
    assert.ok(status.raftIndex >= 2n);
    assert.equal(status.raftAppliedIndex, status.raftIndex);
    assert.equal(status.raftTerm, 2n);
    assert.equal(status.isLearner, false);
    assert.deepEqual(status.errors, []);
  });

  test('hashkv is stable for the same state and changes with a write; hash answers', async () => {
    const one = await c.hashKV();
    const two = await c.hashKV();
    assert.equal(one.hash, two.hash);
    await c.put('s3', 'v3');
    assert.notEqual((await c.hashKV()).hash, one.hash);
    assert.equal(typeof (await c.hash()).hash, 'number');
  });

  test('defragment shrinks the database after deletes and compaction, and the data stays', async () => {
    const value = 'x'.repeat(4096);
    for (let i = 0; i < 150; i++) await c.put(`bulk/${i}`, value);
    const del = await c.del('bulk/', { rangeEnd: Buffer.from('bulk0') });
    await c.compact(del.header?.revision ?? 0n, true);
    const before = (await c.status()).dbSize;
    await c.defragment();
    const after = (await c.status()).dbSize;
    assert.ok(after < before, `db size ${before} -> ${after}`);
    assert.equal((await c.range('s1')).kvs[0].value.toString(), 'v1');
    await c.put('after-defrag', 'ok');
    assert.equal((await c.range('after-defrag')).kvs.length, 1);
  });

  test('snapshot streams 512-aligned chunks and a SHA-256 trailer; the image holds the keys', async () => {
    const stream = running.clients.maintenance.snapshot({});
    const blobs: etcdserverpb.SnapshotResponse[] = [];
    await new Promise<void>((resolve, reject) => {
      stream.on('data', (r: etcdserverpb.SnapshotResponse) => blobs.push(r));
      stream.on('end', resolve);
      stream.on('error', reject);
    });
    const trailer = blobs[blobs.length - 1];
    const image = Buffer.concat(blobs.slice(0, -1).map((r) => r.blob));
    assert.equal(image.length % 512, 0);
    assert.ok(blobs.slice(0, -1).every((r) => r.blob.length <= 32 * 1024));
    assert.equal(blobs[blobs.length - 2].remainingBytes, 0n);
    assert.deepEqual(trailer.blob, createHash('sha256').update(image).digest());
    const file = join(dir, 'image.db');
    writeFileSync(file, image);
    const reader = await openSnapshot(file);
    const buckets = new Map<string, Buffer[]>();
    try {
      for await (const bucket of reader.buckets()) {
        const values: Buffer[] = [];
        for await (const [, value] of bucket.entries) values.push(Buffer.from(value));
        buckets.set(bucket.name, values);
      }
    } finally {
      await reader.close();
    }
    assert.ok(buckets.get('key')?.some((v) => v.includes('s1') && v.includes('v1')));
    assert.equal(buckets.get('members')?.length, 1);
  });

  test('member list shows this member with etcd-derived ID, name and URLs', async () => {
    const list = await c.memberList();
    assert.equal(list.members.length, 1);
    const [m] = list.members;
    assert.equal(m.ID, running.server.memberId);
    assert.equal(m.name, 'm1');
    assert.deepEqual(m.peerURLs, ['http://localhost:2380']);
    assert.deepEqual(m.clientURLs, ['http://127.0.0.1:2379']);
    assert.equal(list.header?.clusterId, running.server.clusterId);
  });

  test('move-leader to itself is done, to anyone else is refused', async () => {
    const m = running.clients.maintenance;
    await call(m, m.moveLeader, { targetID: running.server.memberId });
    await assert.rejects(call(m, m.moveLeader, { targetID: 42n }), { code: Status.FAILED_PRECONDITION, details: 'etcdserver: bad leader transferee' });
  });

  test('auth is disabled and says so', async () => {
    const a = running.clients.auth;
    const status = await call<etcdserverpb.AuthStatusRequest, etcdserverpb.AuthStatusResponse>(a, a.authStatus, {});
    assert.equal(status.enabled, false);
    await assert.rejects(call(a, a.authenticate, { name: 'root', password: 'x' }), { code: Status.FAILED_PRECONDITION, details: 'etcdserver: authentication is not enabled' });
    await assert.rejects(call(a, a.authEnable, {}), { code: Status.FAILED_PRECONDITION, details: 'etcdserver: root user does not exist' });
    const users = await call<etcdserverpb.AuthUserListRequest, etcdserverpb.AuthUserListResponse>(a, a.userList, {});
    assert.deepEqual(users.users, []);
  });

  test('health and readiness, versions, and etcd metric names in the registry', async () => {
    assert.deepEqual(await running.server.health(), { health: true, reason: '' });
    assert.deepEqual(await running.server.health({ serializable: true }), { health: true, reason: '' });
    assert.equal(running.server.isReady(), true);
    const versions = running.server.versions();
    assert.match(versions.cairn, /^\d+\.\d+\.\d+/);
    assert.equal(versions.etcdcluster, '3.4.0');
    const text = await running.server.metrics.metrics();
    for (const name of [
      'etcd_server_has_leader 1',
      'etcd_server_is_leader 1',
      'etcd_server_proposals_committed_total',
      'etcd_server_proposals_applied_total',
      'etcd_server_proposals_pending 0',
      'etcd_disk_wal_fsync_duration_seconds_bucket',
      'etcd_disk_backend_commit_duration_seconds_bucket',
      'etcd_mvcc_db_total_size_in_bytes',
      'etcd_debugging_mvcc_keys_total',
      `etcd_server_version{server_version="${versions.etcdserver}"} 1`,
      'grpc_server_handled_total{grpc_code="OK",grpc_method="Put",grpc_service="etcdserverpb.KV",grpc_type="unary"}',
    ]) {
      assert.ok(text.includes(name), `metrics lack ${name}`);
    }
  });
});
