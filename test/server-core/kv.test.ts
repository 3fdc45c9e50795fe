import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { status as Status } from '@grpc/grpc-js';
import { etcdserverpb } from '../../src/api';
import { Running, api, removeDir, startCore, tempDataDir } from './harness';

const P = etcdserverpb;
const b = (s: string) => Buffer.from(s);

async function rejectsWith(promise: Promise<unknown>, code: Status, details: string): Promise<void> {
  await assert.rejects(promise, (err: { code?: number; details?: string }) => {
    assert.equal(err.code, code);
    assert.equal(err.details, details);
    return true;
  });
}

describe('KV service', () => {
  let dir: string;
  let running: Running;
  let c: ReturnType<typeof api>;

  before(async () => {
    dir = tempDataDir();
    running = await startCore(dir);
    c = api(running.clients);
  });
  after(async () => {
    await running.stop();
    removeDir(dir);
  });

  test('headers carry etcd default cluster and member IDs and the raft term', async () => {
    const res = await c.put('h', 'v');
    assert.equal(res.header?.clusterId.toString(16), 'cdf818194e3a8c32');
    assert.equal(res.header?.memberId.toString(16), '8e9e05c52164694d');
    assert.equal(res.header?.raftTerm, 2n, 'a new member is elected in term 2, as etcd');
  });

  test('put with prev_kv, range with prefix, limit and count, delete with prev_kv', async () => {
    await c.put('p/a', '1');
    const second = await c.put('p/a', '2', { prevKv: true });
    assert.equal(second.prevKv?.value.toString(), '1');
    await c.put('p/b', '3');
    await c.put('p/c', '4');
    const limited = await c.range('p/', { rangeEnd: b('p0'), limit: 2n });
    assert.deepEqual(limited.kvs.map((kv) => kv.key.toString()), ['p/a', 'p/b']);
    assert.equal(limited.more, true);
    assert.equal(limited.count, 3n);
    assert.equal(limited.kvs[0].version, 2n);
    const serial = await c.range('p/a', { serializable: true });
    assert.equal(serial.kvs[0].value.toString(), '2');
    const deleted = await c.del('p/', { rangeEnd: b('p0'), prevKv: true });
    assert.equal(deleted.deleted, 3n);
    assert.deepEqual(deleted.prevKvs.map((kv) => kv.value.toString()), ['2', '3', '4']);
    assert.equal((await c.range('p/', { rangeEnd: b('p0') })).count, 0n);
  });

  test('txn takes the branch its compares choose, at one revision', async () => {
    const base = await c.put('t', 'x');
    const res = await c.txn(P.TxnRequest.fromPartial({
      compare: [{ key: b('t'), target: P.Compare_CompareTarget.VALUE, result: P.Compare_CompareResult.EQUAL, value: b('x') }],
      success: [{ requestPut: P.PutRequest.fromPartial({ key: b('t1'), value: b('a') }) }, { requestPut: P.PutRequest.fromPartial({ key: b('t2'), value: b('b') }) }, { requestRange: P.RangeRequest.fromPartial({ key: b('t') }) }],
      failure: [],
    }));
    assert.equal(res.succeeded, true);
    assert.equal(res.header?.revision, (base.header?.revision ?? 0n) + 1n);
    assert.equal(res.responses[2].responseRange?.kvs[0].value.toString(), 'x');
    const failed = await c.txn(P.TxnRequest.fromPartial({
      compare: [{ key: b('t'), target: P.Compare_CompareTarget.VERSION, result: P.Compare_CompareResult.GREATER, version: 5n }],
      success: [],
      failure: [{ requestDeleteRange: P.DeleteRangeRequest.fromPartial({ key: b('t1') }) }],
    }));
    assert.equal(failed.succeeded, false);
    assert.equal(failed.responses[0].responseDeleteRange?.deleted, 1n);
  });

  test('bad requests get etcd codes and texts, and the server keeps serving', async () => {
    await rejectsWith(c.put('', 'v'), Status.INVALID_ARGUMENT, 'etcdserver: key is not provided');
    await rejectsWith(c.range(''), Status.INVALID_ARGUMENT, 'etcdserver: key is not provided');
    await rejectsWith(c.put('big', 'x'.repeat(1.5 * 1024 * 1024 + 1)), Status.INVALID_ARGUMENT, 'etcdserver: request is too large');
    const ops = Array.from({ length: 129 }, (_, i) => ({ requestPut: P.PutRequest.fromPartial({ key: b(`k${i}`), value: b('v') }) }));
    await rejectsWith(c.txn(P.TxnRequest.fromPartial({ success: ops })), Status.INVALID_ARGUMENT, 'etcdserver: too many operations in txn request');
    const dup = [ops[0], ops[0]];
    await rejectsWith(c.txn(P.TxnRequest.fromPartial({ success: dup })), Status.INVALID_ARGUMENT, 'etcdserver: duplicate key given in txn request');
    await rejectsWith(c.put('leased', 'v', { lease: 12345n }), Status.NOT_FOUND, 'etcdserver: requested lease not found');
    await rejectsWith(c.put('missing', '', { ignoreValue: true }), Status.INVALID_ARGUMENT, 'etcdserver: key not found');
    await rejectsWith(c.range('h', { revision: 1_000_000n }), Status.OUT_OF_RANGE, 'etcdserver: mvcc: required revision is a future revision');
    assert.equal((await c.range('h')).kvs.length, 1);
  });

  test('compaction: old revisions answer compacted, physical waits for removal', async () => {
    const first = await c.put('cmp', 'old');
    await c.put('cmp', 'new');
    const rev = first.header?.revision ?? 0n;
    await c.compact(rev, true);
    await rejectsWith(c.range('cmp', { revision: rev - 1n }), Status.OUT_OF_RANGE, 'etcdserver: mvcc: required revision has been compacted');
    assert.equal((await c.range('cmp', { revision: rev })).kvs[0].value.toString(), 'old');
    await rejectsWith(c.compact(rev), Status.OUT_OF_RANGE, 'etcdserver: mvcc: required revision has been compacted');
    await rejectsWith(c.compact(10_000_000n), Status.OUT_OF_RANGE, 'etcdserver: mvcc: required revision is a future revision');
  });
});

test('a write past the backend quota raises NOSPACE and is refused until the alarm is cleared', async () => {
  const dir = tempDataDir();
  // An empty store is 64 KiB of LMDB pages; leave room for a little data only.
  const running = await startCore(dir, { quotaBackendBytes: 96 * 1024 });
  try {
    const c = api(running.clients);
    let refused: { code?: number; details?: string } | undefined;
    for (let i = 0; i < 200 && refused === undefined; i++) {
      await c.put(`fill${i}`, 'x'.repeat(4096)).catch((err: { code?: number; details?: string }) => {
        refused = err;
      });
    }
    assert.equal(refused?.code, Status.RESOURCE_EXHAUSTED);
    assert.equal(refused?.details, 'etcdserver: mvcc: database space exceeded');
    const alarms = await c.alarm({ action: P.AlarmRequest_AlarmAction.GET, memberID: 0n, alarm: P.AlarmType.NONE });
    assert.deepEqual(alarms.alarms.map((a) => a.alarm), [P.AlarmType.NOSPACE]);
    const status = await c.status();
    assert.equal(status.errors.length, 1);
    assert.match(status.errors[0], /alarm:NOSPACE/);
    assert.deepEqual(await running.server.health(), { health: false, reason: 'ALARM NOSPACE' });
    assert.equal((await running.server.health({ excludedAlarms: ['NOSPACE'] })).health, true);
    // Deletes still apply while the alarm is raised; puts do not, even small ones.
    await c.del('fill0');
    await rejectsWith(c.put('small', 'v'), Status.RESOURCE_EXHAUSTED, 'etcdserver: mvcc: database space exceeded');
    const memberID = running.server.memberId;
    const cleared = await c.alarm({ action: P.AlarmRequest_AlarmAction.DEACTIVATE, memberID, alarm: P.AlarmType.NOSPACE });
    assert.equal(cleared.alarms.length, 1);
    assert.equal((await c.alarm({ action: P.AlarmRequest_AlarmAction.GET, memberID: 0n, alarm: P.AlarmType.NONE })).alarms.length, 0);
  } finally {
    await running.stop();
    removeDir(dir);
  }
});
