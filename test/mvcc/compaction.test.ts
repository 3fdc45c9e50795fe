import { test } from 'node:test';
import assert from 'node:assert/strict';
import { revisionsOnDisk } from './disk';
import { MetaKey, revToBytes } from '../../src/mvcc';
import { b, openTestStore, show } from './helpers';

test('compaction keeps the newest revision of each key at or below it unless it is a tombstone', async () => {
  const t = openTestStore();
  try {
    t.apply((w) => w.put({ key: b('a'), value: b('1') })); // 2
    t.apply((w) => w.put({ key: b('a'), value: b('2') })); // 3
    t.apply((w) => w.put({ key: b('b'), value: b('1') })); // 4
    t.apply((w) => w.deleteRange({ key: b('b') })); // 5 (tombstone)
    t.apply((w) => w.put({ key: b('c'), value: b('1') })); // 6
    t.apply((w) => w.put({ key: b('a'), value: b('3') })); // 7
    const resp = t.apply((w) => w.compact(6));
    assert.equal(resp.revision, 7);
    await resp.physical;
    assert.deepEqual(revisionsOnDisk(t.store), ['3.0', '6.0', '7.0']);
    assert.deepEqual(t.store.range({ key: b('a'), revision: 6 }).kvs.map(show), ['a=2@2/3/2']);
    assert.deepEqual(t.store.range({ key: Buffer.of(0), rangeEnd: Buffer.of(0), revision: 6 }).kvs.map(show), ['a=2@2/3/2', 'c=1@6/6/1']);
    assert.equal(t.store.compactRevision, 6);
  } finally {
    await t.cleanup();
  }
});

test('compacting at or below the compact revision, or above the current one, gives etcd errors', async () => {
  const t = openTestStore();
  try {
    for (let i = 0; i < 3; i++) t.apply((w) => w.put({ key: b('k'), value: b(String(i)) }));
    assert.throws(() => t.apply((w) => w.compact(5)), { message: 'mvcc: required revision is a future revision' });
    await t.apply((w) => w.compact(3)).physical;
    assert.throws(() => t.apply((w) => w.compact(3)), { message: 'mvcc: required revision has been compacted' });
    assert.throws(() => t.apply((w) => w.compact(2)), { message: 'mvcc: required revision has been compacted' });
    await t.apply((w) => w.compact(4)).physical;
    assert.equal(t.store.compactRevision, 4);
  } finally {
    await t.cleanup();
  }
});

test('restart keeps data, revision, compact revision and consistent index', async () => {
  const t = openTestStore();
  try {
    t.apply((w) => w.put({ key: b('x'), value: b('1') }));
    t.apply((w) => w.put({ key: b('y'), value: b('2') }));
    t.apply((w) => w.put({ key: b('x'), value: b('3') }));
    t.apply((w) => w.deleteRange({ key: b('y') }));
    await t.apply((w) => w.compact(3)).physical;
    const before = t.store.hashKV(0);
    await t.reopen();
    assert.equal(t.store.currentRevision, 5);
    assert.equal(t.store.compactRevision, 3);
    assert.equal(t.store.consistentIndex, 5);
    assert.deepEqual(t.store.range({ key: b('x') }).kvs.map(show), ['x=3@2/4/2']);
    assert.equal(t.store.range({ key: b('y') }).count, 0);
    assert.deepEqual(t.store.hashKV(0), before);
    t.apply((w) => w.put({ key: b('x'), value: b('4') }));
    assert.deepEqual(t.store.range({ key: b('x') }).kvs.map(show), ['x=4@2/6/3'], 'version continues after restart');
  } finally {
    await t.cleanup();
  }
});

test('a restart after compacting away a trailing delete keeps the revision', async () => {
  const t = openTestStore();
  try {
    t.apply((w) => w.put({ key: b('x'), value: b('1') }));
    t.apply((w) => w.deleteRange({ key: b('x') }));
    await t.apply((w) => w.compact(3)).physical;
    assert.deepEqual(revisionsOnDisk(t.store), []);
    await t.reopen();
    assert.equal(t.store.currentRevision, 3);
    assert.equal(t.apply((w) => w.put({ key: b('x'), value: b('2') })).revision, 4);
  } finally {
    await t.cleanup();
  }
});

test('an interrupted compaction (scheduled, never finished) is finished on open', async () => {
  const t = openTestStore();
  try {
    for (let i = 0; i < 10; i++) t.apply((w) => w.put({ key: b('k'), value: b(String(i)) }));
    // what a crash right after the Compact request applied leaves: the mark, no removal
    t.apply((w) => w.backend.put('meta', MetaKey.scheduledCompactRev, revToBytes({ main: 8, sub: 0 })));
    assert.equal(revisionsOnDisk(t.store).length, 10);
    await t.reopen();
    assert.equal(t.store.compactRevision, 8);
    await t.store.compactionsIdle();
    assert.deepEqual(revisionsOnDisk(t.store), ['8.0', '9.0', '10.0', '11.0']);
    const finished = t.store.snapshot();
    try {
      assert.deepEqual(finished.get('meta', MetaKey.finishedCompactRev), revToBytes({ main: 8, sub: 0 }));
    } finally {
      finished.close();
    }
  } finally {
    await t.cleanup();
  }
});

test('a compaction cut off after some chunks by close resumes on the next open', async () => {
  const t = openTestStore({ compaction: { batchLimit: 3 } });
  try {
    t.apply((w) => {
      for (let i = 0; i < 30; i++) w.put({ key: b('k'), value: b(String(i)) });
    });
    const { physical } = t.apply((w) => w.compact(25));
    const closing = t.store.close();
    await assert.rejects(physical, { message: 'mvcc: closed' });
    await closing;
    await t.reopen();
    assert.equal(t.store.compactRevision, 25);
    await t.store.compactionsIdle();
    assert.deepEqual(revisionsOnDisk(t.store), ['25.0', '26.0', '27.0', '28.0', '29.0', '30.0', '31.0']);
  } finally {
    await t.cleanup();
  }
});

test('hashkv is the same whether or not the physical removal has run', async () => {
  const build = () => {
    const t = openTestStore({ compaction: { batchLimit: 2 } });
    for (let i = 0; i < 12; i++) t.apply((w) => w.put({ key: b(`k${i % 3}`), value: b(String(i)) }));
    t.apply((w) => w.deleteRange({ key: b('k1') }));
    return t;
  };
  const done = build();
  const pending = build();
  try {
    await done.apply((w) => w.compact(9)).physical;
    pending.apply((w) => w.compact(9)); // removal still queued
    assert.ok(revisionsOnDisk(pending.store).length > revisionsOnDisk(done.store).length);
    assert.deepEqual(pending.store.hashKV(0), done.store.hashKV(0));
    assert.deepEqual(pending.store.hashKV(11), done.store.hashKV(11));
    assert.notEqual(done.store.hashKV(11).hash, done.store.hashKV(12).hash);
    assert.throws(() => done.store.hashKV(8), { message: 'mvcc: required revision has been compacted' });
    assert.throws(() => done.store.hashKV(99), { message: 'mvcc: required revision is a future revision' });
    await pending.store.compactionsIdle();
    assert.equal(pending.store.hash().hash, done.store.hash().hash);
  } finally {
    await done.cleanup();
    await pending.cleanup();
  }
});

test('an aborted batch while a compaction is being removed keeps the compaction in force', async () => {
  const t = openTestStore({ compaction: { batchLimit: 2 } });
  try {
    t.apply((w) => {
      for (let i = 0; i < 20; i++) w.put({ key: b('k'), value: b(String(i)) });
    });
    const { physical } = t.apply((w) => w.compact(15));
    assert.throws(() =>
      t.apply((w) => {
        w.put({ key: b('k'), value: b('x') });
        throw new Error('boom');
      }),
    );
    assert.equal(t.store.compactRevision, 15);
    assert.throws(() => t.store.range({ key: b('k'), revision: 14 }), { message: 'mvcc: required revision has been compacted' });
    await physical;
    assert.deepEqual(revisionsOnDisk(t.store), ['15.0', '16.0', '17.0', '18.0', '19.0', '20.0', '21.0']);
  } finally {
    await t.cleanup();
  }
});

test('the compaction observer hears the index pause, each full chunk but the last, and the records removed', async () => {
  const heard = { index: 0, chunks: 0, ended: [] as number[] };
  const observer = {
    indexCompacted: (ms: number) => { assert.ok(Number.isInteger(ms) && ms >= 0); heard.index++; },
    chunkRemoved: (ms: number) => { assert.ok(Number.isInteger(ms) && ms >= 0); heard.chunks++; },
    removalEnded: (ms: number, keys: number) => { assert.ok(Number.isInteger(ms) && ms >= 0); heard.ended.push(keys); },
  };
  const t = openTestStore({ compaction: { batchLimit: 4, observer } });
  try {
    for (let i = 0; i < 10; i++) t.apply((w) => w.put({ key: b('k'), value: b(String(i)) })); // 2..11
    // Revisions 2..11 are 10 records: chunks of 4, 4 and 2; the revisions 2..9 below the kept 10 go.
    await t.apply((w) => w.compact(10)).physical;
    assert.deepEqual(heard, { index: 1, chunks: 2, ended: [8] });
  } finally {
    await t.cleanup();
  }
});
