import { test } from 'node:test';
import assert from 'node:assert/strict';
import { b, openTestStore } from './helpers';

// The expected hashes were read from etcd 3.4 (`etcdctl endpoint hashkv`) after the same
// requests on a fresh member: our `key` records are etcd's bytes, so hashkv agrees.
test('hashkv equals etcd 3.4 for the same history, before and after compaction', async () => {
  const t = openTestStore();
  try {
    t.apply((w) => w.put({ key: b('a'), value: b('1') }));
    t.apply((w) => w.put({ key: b('b'), value: b('2') }));
    t.apply((w) => w.deleteRange({ key: b('a') }));
    t.apply((w) => w.put({ key: b('b'), value: b('5') }));
    t.apply((w) => w.put({ key: b('e'), value: b('6') }));
    t.apply((w) => w.deleteRange({ key: b('b'), rangeEnd: b('e') }));
    assert.deepEqual(t.store.hashKV(0), { hash: 2921276006, compactRevision: -1, hashRevision: 7, revision: 7 });
    assert.equal(t.store.hashKV(5).hash, 148003898);
    await t.apply((w) => w.compact(6)).physical;
    assert.deepEqual(t.store.hashKV(0), { hash: 259931069, compactRevision: 6, hashRevision: 7, revision: 7 });
    assert.equal(t.store.hashKV(7).hash, 259931069);
  } finally {
    await t.cleanup();
  }
});

test('hashkv of the first example in etcd', async () => {
  const t = openTestStore();
  try {
    for (const [k, v] of [['k1', 'z'], ['k2', 'y'], ['k3', 'x'], ['k1', 'w']]) t.apply((w) => w.put({ key: b(k), value: b(v) }));
    assert.equal(t.store.hashKV(0).hash, 2004699453);
  } finally {
    await t.cleanup();
  }
});
