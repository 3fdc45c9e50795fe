import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CompareResult, CompareTarget, checkTxnDuplicateKeys } from '../../src/mvcc';
import type { RequestOp, TxnRequest } from '../../src/mvcc';
import { b, openTestStore, show } from './helpers';

const put = (k: string, v: string): RequestOp => ({ put: { key: b(k), value: b(v) } });
const get = (k: string, rangeEnd?: string): RequestOp => ({ range: { key: b(k), rangeEnd: rangeEnd ? b(rangeEnd) : undefined } });
const del = (k: string, rangeEnd?: string): RequestOp => ({ deleteRange: { key: b(k), rangeEnd: rangeEnd ? b(rangeEnd) : undefined } });

test('txn: compares choose the branch; the txn is one revision with sub revisions', async () => {
  const t = openTestStore();
  try {
    t.apply((w) => w.put({ key: b('a'), value: b('1') }));
    const resp = t.apply((w) =>
      w.txn({
        compare: [{ key: b('a'), target: CompareTarget.VALUE, result: CompareResult.EQUAL, value: b('1') }],
        success: [put('b', '2'), put('c', '3'), get('b'), del('a')],
        failure: [put('x', 'no')],
      }),
    );
    assert.equal(resp.succeeded, true);
    assert.equal(resp.revision, 3);
    assert.equal(t.store.currentRevision, 3);
    assert.deepEqual(resp.responses[0].put, { revision: 3 });
    assert.deepEqual(resp.responses[2].range?.kvs.map(show), ['b=2@3/3/1'], 'a range sees earlier ops of the txn');
    assert.equal(resp.responses[2].range?.revision, 3);
    assert.deepEqual([resp.responses[3].deleteRange?.deleted, resp.responses[3].deleteRange?.revision], [1, 3]);
    const failed = t.apply((w) =>
      w.txn({
        compare: [{ key: b('a'), target: CompareTarget.VALUE, result: CompareResult.EQUAL, value: b('1') }],
        success: [put('x', 'no')],
        failure: [get('b')],
      }),
    );
    assert.deepEqual([failed.succeeded, failed.revision, t.store.currentRevision], [false, 3, 3], 'a read-only branch takes no revision');
  } finally {
    await t.cleanup();
  }
});

test('txn compares: version/create/mod/lease on a missing key compare zero; value on a missing key fails', async () => {
  const t = openTestStore();
  try {
    const ok = (compare: TxnRequest['compare']) => t.apply((w) => w.txn({ compare, success: [], failure: [] })).succeeded;
    assert.equal(ok([{ key: b('nope'), target: CompareTarget.VERSION, result: CompareResult.EQUAL, version: 0 }]), true);
    assert.equal(ok([{ key: b('nope'), target: CompareTarget.CREATE, result: CompareResult.EQUAL }]), true);
    assert.equal(ok([{ key: b('nope'), target: CompareTarget.LEASE, result: CompareResult.EQUAL, lease: 0n }]), true);
    assert.equal(ok([{ key: b('nope'), target: CompareTarget.VALUE, result: CompareResult.EQUAL, value: b('') }]), false);
    assert.equal(ok([{ key: b('nope'), target: CompareTarget.VALUE, result: CompareResult.NOT_EQUAL, value: b('x') }]), false);
    t.apply((w) => {
      w.put({ key: b('p1'), value: b('a') });
      w.put({ key: b('p2'), value: b('b') });
    });
    assert.equal(ok([{ key: b('p1'), target: CompareTarget.MOD, result: CompareResult.LESS, modRevision: 3 }]), true);
    assert.equal(ok([{ key: b('p1'), target: CompareTarget.MOD, result: CompareResult.GREATER, modRevision: 0 }]), true);
    // with rangeEnd every key must satisfy the compare
    assert.equal(ok([{ key: b('p'), rangeEnd: b('q'), target: CompareTarget.VERSION, result: CompareResult.EQUAL, version: 1 }]), true);
    assert.equal(ok([{ key: b('p'), rangeEnd: b('q'), target: CompareTarget.MOD, result: CompareResult.LESS, modRevision: 3 }]), false);
    assert.equal(ok([{ key: b('p'), rangeEnd: b('q'), target: CompareTarget.VALUE, result: CompareResult.GREATER, value: b('') }]), true);
    assert.equal(ok([{ key: b('p'), rangeEnd: Buffer.of(0), target: CompareTarget.CREATE, result: CompareResult.GREATER, createRevision: 0 }]), true);
  } finally {
    await t.cleanup();
  }
});

test('txn: nested txns follow their own compares; responses nest', async () => {
  const t = openTestStore();
  try {
    t.apply((w) => w.put({ key: b('flag'), value: b('on') }));
    const isOn = { key: b('flag'), target: CompareTarget.VALUE, result: CompareResult.EQUAL, value: b('on') } as const;
    const isOff = { ...isOn, value: b('off') };
    const resp = t.apply((w) =>
      w.txn({
        compare: [isOn],
        success: [
          { txn: { compare: [isOff], success: [put('n1', 'x')], failure: [put('n2', 'y'), { txn: { compare: [isOn], success: [put('n3', 'z')], failure: [] } }] } },
          put('top', 't'),
        ],
        failure: [],
      }),
    );
    assert.equal(resp.succeeded, true);
    const inner = resp.responses[0].txn;
    assert.equal(inner?.succeeded, false);
    assert.equal(inner?.revision, 0, 'etcd fills only the outermost header');
    assert.equal(inner?.responses[1].txn?.succeeded, true);
    const keys = t.store.range({ key: b('n'), rangeEnd: b('u') }).kvs.map(show);
    assert.deepEqual(keys, ['n2=y@3/3/1', 'n3=z@3/3/1', 'top=t@3/3/1']);
  } finally {
    await t.cleanup();
  }
});

test('txn: errors are found before anything changes', async () => {
  const t = openTestStore({ lease: { exists: () => false, attach: () => undefined, detach: () => undefined, leaseOf: () => 0n } });
  try {
    t.apply((w) => w.put({ key: b('a'), value: b('1') }));
    t.apply((w) => w.put({ key: b('a'), value: b('2') }));
    const run = (success: RequestOp[]) => () => t.apply((w) => w.txn({ compare: [], success, failure: [] }));
    assert.throws(run([put('z', '1'), { put: { key: b('gone'), value: b(''), ignoreValue: true } }]), { message: 'etcdserver: key not found' });
    assert.throws(run([put('z', '1'), { put: { key: b('z2'), value: b(''), lease: 5n } }]), { message: 'lease not found' });
    assert.throws(run([put('z', '1'), { range: { key: b('a'), revision: 10 } }]), { message: 'mvcc: required revision is a future revision' });
    await t.apply((w) => w.compact(3)).physical;
    assert.throws(run([put('z', '1'), { range: { key: b('a'), revision: 2 } }]), { message: 'mvcc: required revision has been compacted' });
    assert.equal(t.store.range({ key: b('z') }).count, 0);
    assert.equal(t.store.currentRevision, 3);
  } finally {
    await t.cleanup();
  }
});

test('duplicate keys in a txn are rejected as etcd does', () => {
  const txn = (success: RequestOp[], failure: RequestOp[] = []): TxnRequest => ({ compare: [], success, failure });
  const dup = { message: 'etcdserver: duplicate key given in txn request' };
  assert.throws(() => checkTxnDuplicateKeys(txn([put('a', '1'), put('a', '2')])), dup);
  assert.throws(() => checkTxnDuplicateKeys(txn([put('b', '1'), del('a', 'c')])), dup);
  assert.throws(() => checkTxnDuplicateKeys(txn([del('a'), put('a', '1')])), dup);
  assert.throws(() => checkTxnDuplicateKeys(txn([put('a', '1'), { txn: txn([put('a', '2')]) }])), dup);
  assert.throws(() => checkTxnDuplicateKeys(txn([del('a', 'z'), { txn: txn([put('m', '2')]) }])), dup);
  // allowed: the same key in then and else of one nested txn, in success and failure, two deletes
  checkTxnDuplicateKeys(txn([{ txn: txn([put('a', '1')], [put('a', '2')]) }]));
  checkTxnDuplicateKeys(txn([put('a', '1')], [put('a', '2')]));
  checkTxnDuplicateKeys(txn([del('a', 'c'), del('b')]));
  checkTxnDuplicateKeys(txn([put('c', '1'), del('a', 'c')]));
});
