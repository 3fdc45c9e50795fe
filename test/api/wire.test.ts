import { test } from 'node:test';
import assert from 'node:assert/strict';
import { status } from '@grpc/grpc-js';
import { etcdserverpb, mvccpb, etcdError, wireErrorNamed, wireErrors } from '../../src/api';

test('service paths are etcd\'s, so real clients reach them', () => {
  assert.equal(etcdserverpb.KVService.range.path, '/etcdserverpb.KV/Range');
  assert.equal(etcdserverpb.WatchService.watch.path, '/etcdserverpb.Watch/Watch');
  assert.equal(etcdserverpb.LeaseService.leaseKeepAlive.path, '/etcdserverpb.Lease/LeaseKeepAlive');
  assert.equal(etcdserverpb.MaintenanceService.snapshot.path, '/etcdserverpb.Maintenance/Snapshot');
  assert.equal(etcdserverpb.ClusterService.memberPromote.path, '/etcdserverpb.Cluster/MemberPromote');
  assert.equal(etcdserverpb.AuthService.roleGrantPermission.path, '/etcdserverpb.Auth/RoleGrantPermission');
});

test('a range request round-trips with 64-bit fields intact', () => {
  const req = etcdserverpb.RangeRequest.fromPartial({
    key: Buffer.from('a'),
    rangeEnd: Buffer.from([0]),
    limit: 10n,
    revision: 9007199254740993n,
    sortOrder: etcdserverpb.RangeRequest_SortOrder.DESCEND,
    sortTarget: etcdserverpb.RangeRequest_SortTarget.MOD,
    keysOnly: true,
  });
  const back = etcdserverpb.RangeRequest.decode(etcdserverpb.RangeRequest.encode(req).finish());
  assert.deepEqual(back, req);
});

test('a key-value encodes with mvccpb field numbers', () => {
  const kv = mvccpb.KeyValue.fromPartial({ key: Buffer.from('k'), createRevision: 2n, modRevision: 3n, version: 1n, value: Buffer.from('v'), lease: 0x7fffffffffffffffn });
  const bytes = Buffer.from(mvccpb.KeyValue.encode(kv).finish());
  // field 1 (key), wire type 2: tag byte 0x0a, length 1, 'k'
  assert.deepEqual([...bytes.subarray(0, 3)], [0x0a, 1, 0x6b]);
  assert.deepEqual(mvccpb.KeyValue.decode(bytes), kv);
});

test('wire errors carry etcd\'s code and exact text, and decode back by text', () => {
  const err = etcdError('compacted');
  assert.equal(err.code, status.OUT_OF_RANGE);
  assert.equal(err.message, 'etcdserver: mvcc: required revision has been compacted');
  assert.equal(err.details, err.message);
  assert.equal(wireErrorNamed('etcdserver: requested lease not found'), 'leaseNotFound');
  assert.equal(wireErrors.leaseNotFound.code, status.NOT_FOUND);
  assert.equal(wireErrorNamed('no such error'), undefined);
});
