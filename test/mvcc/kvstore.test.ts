import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MvccError, SortOrder, SortTarget } from '../../src/mvcc';
import { b, openTestStore, show } from './helpers';

test('put creates and updates a key: create/mod revision and version as etcd', async () => {
  const t = openTestStore();
  try {
    assert.equal(t.store.currentRevision, 1, 'an empty store is at revision 1, as etcd');
    assert.equal(t.store.compactRevision, -1);
    assert.equal(t.apply((w) => w.put({ key: b('foo'), value: b('bar') })).revision, 2);
    assert.equal(t.apply((w) => w.put({ key: b('foo'), value: b('baz') })).revision, 3);
    const r = t.store.range({ key: b('foo') });
    assert.equal(r.revision, 3);
    assert.equal(r.count, 1);
    assert.deepEqual(r.kvs.map(show), ['foo=baz@2/3/2']);
    assert.deepEqual(t.store.range({ key: b('foo'), revision: 2 }).kvs.map(show), ['foo=bar@2/2/1']);
  } finally {
    await t.cleanup();
  }
});

test('delete writes a tombstone; a re-put starts a new generation at version 1', async () => {
  const t = openTestStore();
  try {
    t.apply((w) => w.put({ key: b('a'), value: b('1') }));
    const d = t.apply((w) => w.deleteRange({ key: b('a'), prevKv: true }));
    assert.equal(d.revision, 3);
    assert.equal(d.deleted, 1);
    assert.deepEqual(d.prevKvs.map(show), ['a=1@2/2/1']);
    assert.equal(t.store.range({ key: b('a') }).count, 0);
    // deleting nothing does not move the revision
    const none = t.apply((w) => w.deleteRange({ key: b('a') }));
    assert.deepEqual([none.revision, none.deleted, t.store.currentRevision], [3, 0, 3]);
    t.apply((w) => w.put({ key: b('a'), value: b('2') }));
    assert.deepEqual(t.store.range({ key: b('a') }).kvs.map(show), ['a=2@4/4/1']);
    assert.deepEqual(t.store.range({ key: b('a'), revision: 3 }).kvs, []);
  } finally {
    await t.cleanup();
  }
});

test('range: prefix, from-key, limit with more and count, keys-only, count-only', async () => {
  const t = openTestStore();
  try {
    t.apply((w) => {
      for (const k of ['a', 'b1', 'b2', 'b3', 'c']) w.put({ key: b(k), value: b(`v-${k}`) });
    });
    assert.equal(t.store.currentRevision, 6, 'each put in a batch is its own revision');
    const prefix = t.store.range({ key: b('b'), rangeEnd: b('c') });
    assert.deepEqual(prefix.kvs.map((kv) => kv.key.toString()), ['b1', 'b2', 'b3']);
    const fromKey = t.store.range({ key: b('b2'), rangeEnd: Buffer.of(0) });
    assert.deepEqual(fromKey.kvs.map((kv) => kv.key.toString()), ['b2', 'b3', 'c']);
    const all = t.store.range({ key: Buffer.of(0), rangeEnd: Buffer.of(0) });
    assert.equal(all.count, 5);
    const limited = t.store.range({ key: b('a'), rangeEnd: Buffer.of(0), limit: 2 });
    assert.deepEqual([limited.kvs.length, limited.more, limited.count], [2, true, 5]);
    const exact = t.store.range({ key: b('a'), rangeEnd: Buffer.of(0), limit: 5 });
    assert.deepEqual([exact.kvs.length, exact.more], [5, false]);
    const keysOnly = t.store.range({ key: b('a'), keysOnly: true });
    assert.equal(keysOnly.kvs[0].value.length, 0);
    const countOnly = t.store.range({ key: b('b'), rangeEnd: b('c'), countOnly: true });
    assert.deepEqual([countOnly.kvs.length, countOnly.count], [0, 3]);
    assert.equal(t.store.range({ key: b('c'), rangeEnd: b('a') }).count, 0, 'key >= rangeEnd selects nothing');
  } finally {
    await t.cleanup();
  }
});

test('range: sort by target and order, ascending by default for a non-key target', async () => {
  const t = openTestStore();
  try {
    t.apply((w) => {
      w.put({ key: b('k1'), value: b('z') });
      w.put({ key: b('k2'), value: b('y') });
      w.put({ key: b('k3'), value: b('x') });
      w.put({ key: b('k1'), value: b('w') });
    });
    const keys = (sortOrder: SortOrder, sortTarget: SortTarget, limit = 0) =>
      t.store
        .range({ key: b('k'), rangeEnd: b('l'), sortOrder, sortTarget, limit })
        .kvs.map((kv) => kv.key.toString())
        .join(',');
    assert.equal(keys(SortOrder.DESCEND, SortTarget.KEY), 'k3,k2,k1');
    assert.equal(keys(SortOrder.NONE, SortTarget.VALUE), 'k1,k3,k2');
    assert.equal(keys(SortOrder.DESCEND, SortTarget.MOD), 'k1,k3,k2');
    assert.equal(keys(SortOrder.ASCEND, SortTarget.CREATE), 'k1,k2,k3');
    assert.equal(keys(SortOrder.DESCEND, SortTarget.VERSION), 'k1,k2,k3');
    const r = t.store.range({ key: b('k'), rangeEnd: b('l'), sortOrder: SortOrder.DESCEND, sortTarget: SortTarget.MOD, limit: 1 });
    assert.deepEqual([r.kvs.map(show), r.more, r.count], [['k1=w@2/5/2'], true, 3]);
  } finally {
    await t.cleanup();
  }
});

test('range: min/max mod and create revision filters', async () => {
  const t = openTestStore();
  try {
    t.apply((w) => {
      for (const k of ['a', 'b', 'c', 'd']) w.put({ key: b(k), value: b('v') });
      w.put({ key: b('a'), value: b('v2') });
    });
    const keys = (f: object) =>
      t.store
        .range({ key: b('a'), rangeEnd: b('z'), ...f })
        .kvs.map((kv) => kv.key.toString())
        .join(',');
    assert.equal(keys({ minModRevision: 4 }), 'a,c,d');
    assert.equal(keys({ maxModRevision: 4 }), 'b,c');
    assert.equal(keys({ minCreateRevision: 3, maxCreateRevision: 4 }), 'b,c');
    const r = t.store.range({ key: b('a'), rangeEnd: b('z'), minModRevision: 4, limit: 2 });
    assert.deepEqual([r.kvs.length, r.more, r.count], [2, true, 4], 'count is before the filters, as etcd');
  } finally {
    await t.cleanup();
  }
});

test('range at a future revision or below the compact revision fails with etcd errors', async () => {
  const t = openTestStore();
  try {
    for (let i = 0; i < 5; i++) t.apply((w) => w.put({ key: b('k'), value: b(String(i)) }));
    assert.throws(() => t.store.range({ key: b('k'), revision: 7 }), {
      message: 'mvcc: required revision is a future revision',
    });
    await t.apply((w) => w.compact(4)).physical;
    assert.throws(() => t.store.range({ key: b('k'), revision: 3 }), (err: unknown) => {
      assert.ok(err instanceof MvccError);
      assert.equal(err.message, 'mvcc: required revision has been compacted');
      assert.equal(err.code, 'compacted');
      return true;
    });
    assert.deepEqual(t.store.range({ key: b('k'), revision: 4 }).kvs.map(show), ['k=2@2/4/3']);
  } finally {
    await t.cleanup();
  }
});

test('put: prevKv, ignoreValue, ignoreLease; key not found when the key is absent', async () => {
  const leases = new Map<bigint, Set<string>>([[7n, new Set()]]);
  const t = openTestStore({
    lease: {
      exists: (id) => leases.has(id),
      attach: (id, key) => leases.get(id)?.add(key.toString()),
      detach: (id, key) => leases.get(id)?.delete(key.toString()),
      leaseOf: (key) => [...leases].find(([, keys]) => keys.has(key.toString()))?.[0] ?? 0n,
    },
  });
  try {
    assert.throws(() => t.apply((w) => w.put({ key: b('x'), value: b(''), ignoreValue: true })), {
      message: 'etcdserver: key not found',
    });
    assert.throws(() => t.apply((w) => w.put({ key: b('x'), value: b('v'), lease: 9n })), { message: 'lease not found' });
    assert.equal(t.store.currentRevision, 1, 'failed requests change nothing');
    const p1 = t.apply((w) => w.put({ key: b('x'), value: b('v1'), lease: 7n, prevKv: true }));
    assert.equal(p1.prevKv, undefined);
    assert.deepEqual([...(leases.get(7n) ?? [])], ['x']);
    const p2 = t.apply((w) => w.put({ key: b('x'), value: b('ignored'), ignoreValue: true, prevKv: true }));
    assert.equal(show(p2.prevKv), 'x=v1@2/2/1 lease=7');
    assert.deepEqual(t.store.range({ key: b('x') }).kvs.map(show), ['x=v1@2/3/2'], 'lease dropped: no ignoreLease');
    assert.deepEqual([...(leases.get(7n) ?? [])], []);
    t.apply((w) => w.put({ key: b('x'), value: b('v3'), lease: 7n }));
    t.apply((w) => w.put({ key: b('x'), value: b('v4'), ignoreLease: true }));
    assert.deepEqual(t.store.range({ key: b('x') }).kvs.map(show), ['x=v4@2/5/4 lease=7']);
    t.apply((w) => w.deleteRange({ key: b('x') }));
    assert.deepEqual([...(leases.get(7n) ?? [])], [], 'delete detaches');
  } finally {
    await t.cleanup();
  }
});

test('a failed request inside a batch leaves the others applied', async () => {
  const t = openTestStore();
  try {
    const errors: string[] = [];
    t.apply((w) => {
      w.put({ key: b('a'), value: b('1') });
      try {
        w.put({ key: b('missing'), value: b(''), ignoreValue: true });
      } catch (err) {
        errors.push((err as Error).message);
      }
      w.put({ key: b('b'), value: b('2') });
    });
    assert.deepEqual(errors, ['etcdserver: key not found']);
    assert.equal(t.store.currentRevision, 3);
    assert.equal(t.store.consistentIndex, 1);
  } finally {
    await t.cleanup();
  }
});

test('an exception thrown out of a batch aborts it and memory matches disk', async () => {
  const t = openTestStore();
  try {
    t.apply((w) => w.put({ key: b('a'), value: b('1') }));
    assert.throws(() =>
      t.apply((w) => {
        w.put({ key: b('a'), value: b('2') });
        w.put({ key: b('c'), value: b('3') });
        throw new Error('boom');
      }),
    );
    assert.equal(t.store.currentRevision, 2);
    assert.equal(t.store.consistentIndex, 1);
    assert.deepEqual(t.store.range({ key: b('a'), rangeEnd: Buffer.of(0) }).kvs.map(show), ['a=1@2/2/1']);
  } finally {
    await t.cleanup();
  }
});

test('restart replays lease attachments of live keys into the lessor', async () => {
  const attached = new Map<string, bigint>();
  const lease = {
    exists: () => true,
    attach: (id: bigint, key: Buffer) => void attached.set(key.toString(), id),
    detach: (_id: bigint, key: Buffer) => void attached.delete(key.toString()),
    leaseOf: (key: Buffer) => attached.get(key.toString()) ?? 0n,
  };
  const t = openTestStore({ lease });
  try {
    t.apply((w) => w.put({ key: b('a'), value: b('1'), lease: 0x694d7a8b2c3e4f10n }));
    t.apply((w) => w.put({ key: b('b'), value: b('1'), lease: 5n }));
    t.apply((w) => w.put({ key: b('b'), value: b('2') }));
    t.apply((w) => w.put({ key: b('c'), value: b('1'), lease: 5n }));
    t.apply((w) => w.deleteRange({ key: b('c') }));
    assert.deepEqual([...attached], [['a', 0x694d7a8b2c3e4f10n]]);
    attached.clear();
    await t.reopen({ lease });
    assert.deepEqual([...attached], [['a', 0x694d7a8b2c3e4f10n]]);
  } finally {
    await t.cleanup();
  }
});

test('range with sort options outside the enums does not throw (the server rejects them first)', async () => {
  const t = openTestStore();
  try {
    t.apply((w) => w.put({ key: b('a'), value: b('1') }));
    const r = t.store.range({ key: b('a'), sortOrder: 7 as SortOrder, sortTarget: 9 as SortTarget });
    assert.equal(r.count, 1);
    const s = t.store.range({ key: b('a'), sortOrder: SortOrder.ASCEND, sortTarget: 9 as SortTarget });
    assert.equal(s.kvs.length, 1);
  } finally {
    await t.cleanup();
  }
});
