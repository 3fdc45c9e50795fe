import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { etcdserverpb } from '../../src/api';
import { Running, api, removeDir, startCore, tempDataDir } from './harness';
import { TestWatch } from './watch-client';

const P = etcdserverpb;
const b = (s: string) => Buffer.from(s);
const PUT = 0;
const DELETE = 1;

describe('Watch service', () => {
  let dir: string;
  let running: Running;
  let c: ReturnType<typeof api>;
  const maxRequestBytes = 64 * 1024;

  before(async () => {
    dir = tempDataDir();
    running = await startCore(dir, { maxRequestBytes, watchProgressNotifyIntervalMs: 200 });
    c = api(running.clients);
  });
  after(async () => {
    await running.stop();
    removeDir(dir);
  });

  test('a key watch sees puts and deletes with prev_kv, in order', async () => {
    const w = new TestWatch(running.clients.watch);
    try {
      w.create({ key: b('wk'), prevKv: true });
      const created = await w.next();
      assert.equal(created.created, true);
      await c.put('wk', '1');
      await c.put('other', 'x');
      await c.put('wk', '2');
      await c.del('wk');
      const got = (await w.events(3)).flatMap((r) => r.events);
      assert.deepEqual(got.map((e) => [e.type, e.kv?.value.toString() ?? '']), [[PUT, '1'], [PUT, '2'], [DELETE, '']]);
      assert.equal(got[0].prevKv, undefined);
      assert.equal(got[1].prevKv?.value.toString(), '1');
      assert.equal(got[2].prevKv?.value.toString(), '2');
    } finally {
      w.close();
    }
  });

  test('a prefix watch from an old revision catches up from history; NOPUT leaves only deletes', async () => {
    const first = await c.put('hist/a', '1');
    await c.put('hist/b', '2');
    await c.del('hist/a');
    const w = new TestWatch(running.clients.watch);
    try {
      w.create({ key: b('hist/'), rangeEnd: b('hist0'), startRevision: first.header?.revision });
      assert.equal((await w.next()).created, true);
      const got = (await w.events(3)).flatMap((r) => r.events);
      assert.deepEqual(got.map((e) => [e.type, e.kv?.key.toString()]), [[PUT, 'hist/a'], [PUT, 'hist/b'], [DELETE, 'hist/a']]);
      w.create({ key: b('hist/'), rangeEnd: b('hist0'), filters: [P.WatchCreateRequest_FilterType.NOPUT], watchId: 77n });
      const created = await w.next();
      assert.equal(created.watchId, 77n);
      await c.put('hist/c', '3');
      await c.del('hist/c');
      // The first watcher sees both, the NOPUT one only the delete.
      const rest = await w.events(3);
      const noPut = rest.filter((r) => r.watchId === 77n).flatMap((r) => r.events);
      assert.deepEqual(noPut.map((e) => e.type), [DELETE]);
    } finally {
      w.close();
    }
  });

  test('cancel, a duplicate watch ID, and a compacted start revision', async () => {
    const w = new TestWatch(running.clients.watch);
    try {
      w.create({ key: b('x'), watchId: 5n });
      assert.equal((await w.next()).watchId, 5n);
      w.create({ key: b('y'), watchId: 5n });
      const dup = await w.next();
      assert.equal(dup.created, true);
      assert.equal(dup.canceled, true);
      assert.equal(dup.watchId, -1n);
      assert.match(dup.cancelReason, /duplicate watch ID/);
      w.cancel(5n);
      const canceled = await w.next();
      assert.equal(canceled.canceled, true);
      assert.equal(canceled.watchId, 5n);

      const old = await c.put('cw', '1');
      const newer = await c.put('cw', '2');
      await c.compact(newer.header?.revision ?? 0n);
      w.create({ key: b('cw'), startRevision: old.header?.revision });
      const created = await w.next();
      assert.equal(created.created, true);
      const compacted = await w.next();
      assert.equal(compacted.canceled, true);
      assert.equal(compacted.compactRevision, newer.header?.revision);
    } finally {
      w.close();
    }
  });

  test('a progress request is answered with the current revision under watch ID -1', async () => {
    const w = new TestWatch(running.clients.watch);
    try {
      w.create({ key: b('prog') });
      await w.next();
      const put = await c.put('elsewhere', 'v');
      w.requestProgress();
      const progress = await w.next();
      assert.equal(progress.watchId, -1n);
      assert.equal(progress.events.length, 0);
      assert.ok((progress.header?.revision ?? 0n) >= (put.header?.revision ?? 0n));
    } finally {
      w.close();
    }
  });

  test('a progress request waits until a catching-up watcher is synced (etcd 3.4.31 behaviour)', async () => {
    const start = await c.put('catch/start', 'v');
    const total = 2500;
    let next = 0;
    await Promise.all(Array.from({ length: 32 }, async () => {
      while (next < total) await c.put(`catch/${next++}`, 'v');
    }));
    const w = new TestWatch(running.clients.watch);
    try {
      w.create({ key: b('catch/'), rangeEnd: b('catch0'), startRevision: start.header?.revision });
      assert.equal((await w.next()).created, true);
      w.requestProgress();
      let events = 0;
      let lastEventRevision = 0n;
      let progress: etcdserverpb.WatchResponse | undefined;
      for (let i = 0; i < 10_000 && progress === undefined; i++) {
        const r = await w.next();
        if (r.watchId === -1n) progress = r;
        events += r.events.length;
        for (const e of r.events) lastEventRevision = e.kv?.modRevision ?? lastEventRevision;
      }
      assert.equal(events, total + 1, 'every catch-up event came before the progress response');
      assert.ok((progress?.header?.revision ?? 0n) >= lastEventRevision);
    } finally {
      w.close();
    }
  });

  test('progress_notify watchers hear of the revision without events', async () => {
    const w = new TestWatch(running.clients.watch);
    try {
      w.create({ key: b('quiet'), progressNotify: true });
      const created = await w.next();
      const notify = await w.next();
      assert.equal(notify.watchId, created.watchId);
      assert.equal(notify.events.length, 0);
      assert.equal(notify.canceled, false);
    } finally {
      w.close();
    }
  });

  test('a response over max-request-bytes is fragmented for watchers that ask', async () => {
    const w = new TestWatch(running.clients.watch);
    try {
      w.create({ key: b('frag/'), rangeEnd: b('frag0'), fragment: true, prevKv: true });
      await w.next();
      const value = 'v'.repeat(12 * 1024);
      for (let i = 0; i < 8; i++) await c.put(`frag/${i}`, value);
      await w.events(8);
      // One delete revision whose events carry 8 x 12 KiB of previous values: over the 64 KiB limit.
      await c.del('frag/', { rangeEnd: b('frag0') });
      const parts = await w.events(8);
      assert.ok(parts.length >= 2, `expected fragments, got ${parts.length} responses`);
      assert.deepEqual(parts.map((p) => p.fragment), [...parts.slice(1).map(() => true), false]);
      assert.deepEqual(parts.flatMap((p) => p.events).map((e) => e.kv?.key.toString()), Array.from({ length: 8 }, (_, i) => `frag/${i}`));
    } finally {
      w.close();
    }
  });

  test('etcd\'s watch gauges count the open streams and their watchers', async () => {
    const gauges = async () => {
      const text = await running.server.metrics.metrics();
      const read = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
      return [read('etcd_debugging_mvcc_watch_stream_total'), read('etcd_debugging_mvcc_watcher_total'), read('etcd_debugging_mvcc_slow_watcher_total')];
    };
    // Streams of earlier tests close asynchronously: settle first (a bounded wait, not a timing assertion).
    const settled = async (expected?: number[]) => {
      let last: number[] = [];
      for (let i = 0; i < 250; i++) {
        const now = await gauges();
        if (expected ? now.join() === expected.join() : now.join() === last.join()) return now;
        last = now;
        await new Promise((r) => setTimeout(r, 20));
      }
      return last;
    };
    const [streams, watchers, slow] = await settled();
    const w = new TestWatch(running.clients.watch);
    try {
      w.create({ key: b('gauge/a') });
      await w.next();
      w.create({ key: b('gauge/'), rangeEnd: b('gauge0') });
      await w.next();
      assert.deepEqual(await settled([streams + 1, watchers + 2, slow]), [streams + 1, watchers + 2, slow]);
      w.cancel(0n);
      await w.next();
      assert.deepEqual(await settled([streams + 1, watchers + 1, slow]), [streams + 1, watchers + 1, slow]);
    } finally {
      w.close();
    }
    assert.deepEqual(await settled([streams, watchers, slow]), [streams, watchers, slow]);
  });

  test('a client that stops reading gets every event in order once it reads again', async () => {
    const w = new TestWatch(running.clients.watch);
    try {
      w.create({ key: b('slow/'), rangeEnd: b('slow0') });
      await w.next();
      w.stream.pause();
      const total = 600;
      const value = 'x'.repeat(8 * 1024);
      for (let i = 0; i < total; i += 6) {
        const ops = Array.from({ length: 6 }, (_, j) => ({ requestPut: P.PutRequest.fromPartial({ key: b(`slow/${String(i + j).padStart(4, '0')}`), value: b(value) }) }));
        await c.txn(P.TxnRequest.fromPartial({ success: ops }));
      }
      w.stream.resume();
      const keys = (await w.events(total, 30_000)).flatMap((r) => r.events).map((e) => e.kv?.key.toString());
      assert.deepEqual(keys, Array.from({ length: total }, (_, i) => `slow/${String(i).padStart(4, '0')}`));
    } finally {
      w.close();
    }
  });
});
