import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventType } from '../../src/mvcc';
import { b, openTestStore, show } from './helpers';
import { eventCount, eventLines, nextWithin, readUntil } from './watch-helpers';

test('a synced watcher gets each revision as it commits, a txn in one response', async () => {
  const t = openTestStore();
  try {
    const ws = t.store.watchStream();
    const id = ws.watch({ key: b('a'), rangeEnd: b('c') });
    assert.equal(id, 0);
    t.apply((w) => w.put({ key: b('a'), value: b('1') }));
    t.apply((w) => w.put({ key: b('z'), value: b('outside') }));
    t.apply((w) =>
      w.txn({ compare: [], success: [{ put: { key: b('b'), value: b('2') } }, { deleteRange: { key: b('a') } }], failure: [] }),
    );
    const r1 = await nextWithin(ws);
    assert.deepEqual([r1.watchId, r1.revision, eventLines([r1])], [0, 2, ['PUT a=1@2']]);
    const r2 = await nextWithin(ws);
    assert.equal(r2.revision, 4);
    assert.deepEqual(eventLines([r2]), ['PUT b=2@4', 'DELETE a@4']);
    assert.equal(r2.events[1].type, EventType.DELETE);
    assert.equal(r2.events[1].kv.createRevision, 0, 'a DELETE event carries key and mod revision only');
    ws.close();
  } finally {
    await t.cleanup();
  }
});

test('watch from a past revision replays history, then continues live, nothing twice or missing', async () => {
  const t = openTestStore({ watch: { syncChunkRecords: 7, batchMaxRevisions: 5 } });
  try {
    for (let i = 0; i < 40; i++) t.apply((w) => w.put({ key: b(`k${i % 4}`), value: b(String(i)) }));
    const ws = t.store.watchStream();
    ws.watch({ key: b('k'), rangeEnd: b('l'), startRevision: 10 });
    // writes keep coming while the watcher catches up
    const got = await readUntil(ws, (all) => {
      if (t.store.currentRevision < 70) t.apply((w) => w.put({ key: b(`k${t.store.currentRevision % 4}`), value: b('live') }));
      return eventCount(all) === 70 - 10 + 1 && t.store.currentRevision === 70;
    });
    const mods = got.flatMap((r) => r.events.map((e) => e.kv.modRevision));
    assert.deepEqual(mods, Array.from({ length: 61 }, (_, i) => 10 + i));
    for (const r of got) assert.ok(new Set(r.events.map((e) => e.kv.modRevision)).size <= 5, 'at most batchMaxRevisions per response');
    assert.deepEqual(t.store.watcherCounts(), { synced: 1, unsynced: 0, victims: 0 });
    ws.close();
  } finally {
    await t.cleanup();
  }
});

test('a txn that changes more records than one sync chunk still arrives in one response', async () => {
  const t = openTestStore({ watch: { syncChunkRecords: 3 } });
  try {
    t.apply((w) => w.txn({ compare: [], success: ['a', 'b', 'c', 'd', 'e'].map((k) => ({ put: { key: b(k), value: b('v') } })), failure: [] }));
    t.apply((w) => w.put({ key: b('f'), value: b('v') }));
    const ws = t.store.watchStream();
    ws.watch({ key: Buffer.of(0), rangeEnd: Buffer.of(0), startRevision: 1 });
    const got = await readUntil(ws, (all) => eventCount(all) === 6);
    assert.deepEqual(got.map((r) => r.events.length), [5, 1]);
    ws.close();
  } finally {
    await t.cleanup();
  }
});

test('a watch from a compacted revision gets the compact revision', async () => {
  const t = openTestStore();
  try {
    for (let i = 0; i < 5; i++) t.apply((w) => w.put({ key: b('k'), value: b(String(i)) }));
    await t.apply((w) => w.compact(4)).physical;
    const ws = t.store.watchStream();
    const id = ws.watch({ key: b('k'), startRevision: 2 });
    const r = await nextWithin(ws);
    assert.deepEqual([r.watchId, r.compactRevision, r.events.length], [id, 4, 0]);
    // from the compact revision itself is fine
    ws.watch({ key: b('k'), startRevision: 4 });
    const r2 = await readUntil(ws, (all) => eventCount(all) === 3);
    assert.deepEqual(eventLines(r2), ['PUT k=2@4', 'PUT k=3@5', 'PUT k=4@6']);
    ws.close();
  } finally {
    await t.cleanup();
  }
});

test('filters and prev_kv', async () => {
  const t = openTestStore();
  try {
    const ws = t.store.watchStream();
    ws.watch({ key: b('k'), filters: { noPut: true }, prevKv: true });
    const puts = ws.watch({ key: b('k'), filters: { noDelete: true } });
    t.apply((w) => w.put({ key: b('k'), value: b('1') }));
    t.apply((w) => w.put({ key: b('k'), value: b('2') }));
    t.apply((w) => w.deleteRange({ key: b('k') }));
    const got = await readUntil(ws, (all) => eventCount(all) === 3);
    assert.deepEqual(
      got.map((r) => `${r.watchId}: ${eventLines([r]).join(' ')}`),
      [`${puts}: PUT k=1@2`, `${puts}: PUT k=2@3`, `0: DELETE k@4`],
    );
    assert.equal(show(got[2].events[0].prevKv), 'k=2@2/3/2');
    ws.close();
  } finally {
    await t.cleanup();
  }
});

test('watch IDs: chosen, duplicate, auto; empty range; cancel stops events', async () => {
  const t = openTestStore();
  try {
    const ws = t.store.watchStream();
    assert.equal(ws.watch({ key: b('a'), watchId: 1 }), 1);
    assert.throws(() => ws.watch({ key: b('a'), watchId: 1 }), { message: 'mvcc: duplicate watch ID provided on the WatchStream' });
    assert.equal(ws.watch({ key: b('a') }), 0);
    assert.equal(ws.watch({ key: b('a') }), 2);
    assert.throws(() => ws.watch({ key: b('b'), rangeEnd: b('a') }), { message: 'mvcc: watcher range is empty' });
    assert.equal(ws.cancel(1), true);
    assert.equal(ws.cancel(1), false);
    t.apply((w) => w.put({ key: b('a'), value: b('x') }));
    const got = await readUntil(ws, (all) => all.length === 2);
    assert.deepEqual(got.map((r) => r.watchId).sort(), [0, 2]);
    ws.close();
    assert.equal(await ws.next(), undefined);
  } finally {
    await t.cleanup();
  }
});

test('progress: per watcher when synced, stream-wide only when every watcher is synced', async () => {
  const t = openTestStore({ watch: { syncIntervalMs: 60000 } });
  try {
    for (let i = 0; i < 5; i++) t.apply((w) => w.put({ key: b('k'), value: b(String(i)) }));
    const ws = t.store.watchStream();
    const live = ws.watch({ key: b('k') });
    ws.requestProgress(live);
    assert.deepEqual(await nextWithin(ws), { watchId: live, events: [], revision: 6, compactRevision: 0 });
    assert.equal(ws.requestProgressAll(), true);
    assert.deepEqual(await nextWithin(ws), { watchId: -1, events: [], revision: 6, compactRevision: 0 });
    const behind = ws.watch({ key: b('k'), startRevision: 2 });
    assert.equal(ws.requestProgressAll(), false, 'a watcher is still catching up');
    ws.requestProgress(behind); // unsynced: etcd sends nothing
    const history = await readUntil(ws, (all) => eventCount(all) === 5);
    assert.ok(history.every((r) => r.watchId === behind));
    assert.equal(ws.requestProgressAll(), true);
    assert.equal((await nextWithin(ws)).watchId, -1);
    ws.close();
  } finally {
    await t.cleanup();
  }
});

test('a slow consumer: the queue stays bounded, watchers become victims, and every event arrives later in order', async () => {
  const t = openTestStore({ watch: { syncChunkRecords: 50, batchMaxRevisions: 20 } });
  try {
    const ws = t.store.watchStream({ queueSize: 4 });
    ws.watch({ key: b('k'), rangeEnd: b('l') });
    ws.watch({ key: b('k5') });
    const writes = 500;
    for (let i = 0; i < writes; i++) {
      t.apply((w) => w.put({ key: b(`k${i % 10}`), value: Buffer.alloc(1024, i % 256) }));
      // nobody reads: memory held for this stream is its queue plus one batch per watcher
      assert.ok((ws as unknown as { pending: number }).pending <= 4);
    }
    assert.deepEqual(t.store.watcherCounts(), { synced: 0, unsynced: 0, victims: 2 });
    const got = await readUntil(ws, (all) => eventCount(all) === writes + writes / 10);
    const byWatcher = (id: number) => got.filter((r) => r.watchId === id).flatMap((r) => r.events.map((e) => e.kv.modRevision));
    assert.deepEqual(byWatcher(0), Array.from({ length: writes }, (_, i) => i + 2));
    assert.deepEqual(byWatcher(1), Array.from({ length: writes / 10 }, (_, i) => i * 10 + 5 + 2));
    assert.deepEqual(t.store.watcherCounts(), { synced: 2, unsynced: 0, victims: 0 });
    ws.close();
  } finally {
    await t.cleanup();
  }
});

test('a watch on a future start revision waits for it', async () => {
  const t = openTestStore();
  try {
    const ws = t.store.watchStream();
    ws.watch({ key: b('k'), startRevision: 4 });
    for (let i = 0; i < 4; i++) t.apply((w) => w.put({ key: b('k'), value: b(String(i)) }));
    const got = await readUntil(ws, (all) => eventCount(all) === 2);
    assert.deepEqual(eventLines(got), ['PUT k=2@4', 'PUT k=3@5']);
    ws.close();
  } finally {
    await t.cleanup();
  }
});

test('the store counts events queued for the streams and handed to their consumers', async () => {
  const t = openTestStore();
  try {
    const ws = t.store.watchStream();
    const first = ws.watch({ key: b('a') });
    const second = ws.watch({ key: b('b') });
    t.apply((w) => w.put({ key: b('a'), value: b('1') }));
    t.apply((w) => w.txn({ compare: [], success: [{ put: { key: b('a'), value: b('2') } }, { put: { key: b('b'), value: b('2') } }], failure: [] }));
    // Three responses wait: a (1 event), then a and b of the txn (1 each).
    assert.deepEqual(t.store.eventCounts, { sent: 0, pending: 3 });
    await nextWithin(ws);
    assert.deepEqual(t.store.eventCounts, { sent: 1, pending: 2 });
    // Canceling drops what was queued for that watcher; it was never sent.
    ws.cancel(second);
    assert.deepEqual(t.store.eventCounts, { sent: 1, pending: 1 });
    assert.equal((await nextWithin(ws)).watchId, first);
    assert.deepEqual(t.store.eventCounts, { sent: 2, pending: 0 });
    // A consumer already waiting gets the response at once.
    const waiting = nextWithin(ws);
    t.apply((w) => w.put({ key: b('a'), value: b('3') }));
    await waiting;
    assert.deepEqual(t.store.eventCounts, { sent: 3, pending: 0 });
    t.apply((w) => w.put({ key: b('a'), value: b('4') }));
    ws.close();
    assert.deepEqual(t.store.eventCounts, { sent: 3, pending: 0 }, 'a closed stream drops its queue');
  } finally {
    await t.cleanup();
  }
});
