// Invariant 4 of DESIGN.md against a model: many watchers (random ranges and start revisions,
// some on tiny queues, read at random times) under a random stream of puts, deletes, txns and
// compactions. Each watcher must see exactly the model's events after its start revision, in
// order, each revision whole, or a compacted notice when its start is below the compaction.
import { test } from 'node:test';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import assert from 'node:assert/strict';
import type { WatchResponse, WatchStream } from '../../src/mvcc';
import { b, openTestStore } from './helpers';
import { nextWithin } from './watch-helpers';

/** mulberry32: a small seeded generator, so a failure can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

interface ModelEvent {
  rev: number;
  line: string;
}

interface WatchCase {
  stream: WatchStream;
  id: number;
  start: string;
  end: string | undefined;
  startRev: number;
  got: WatchResponse[];
}

const KEYS = ['a', 'b', 'c', 'd', 'e', 'f'];

test('watchers see exactly the history after their start revision (seeded random runs)', async () => {
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    const rand = rng(seed);
    const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
    const t = openTestStore({ watch: { syncChunkRecords: 5, batchMaxRevisions: 3 } });
    const history: ModelEvent[] = [];
    const alive = new Set<string>();
    const watches: WatchCase[] = [];
    const streams = [t.store.watchStream({ queueSize: 1 }), t.store.watchStream({ queueSize: 4 }), t.store.watchStream()];
    const inRange = (w: WatchCase, key: string) => (w.end === undefined ? key === w.start : key >= w.start && key < w.end);
    let compactedTo = -1;
    try {
      for (let step = 0; step < 300; step++) {
        await yieldToEventLoop(); // a server turns the event loop between requests
        const r = rand();
        if (r < 0.45) {
          const key = pick(KEYS);
          const rev = t.apply((w) => w.put({ key: b(key), value: b(`v${step}`) })).revision;
          alive.add(key);
          history.push({ rev, line: `PUT ${key}=v${step}` });
        } else if (r < 0.55) {
          const key = pick(KEYS);
          const resp = t.apply((w) => w.deleteRange({ key: b(key), rangeEnd: b(`${key}z`) }));
          if (resp.deleted > 0) {
            for (const k of [...alive].filter((k) => k >= key && k < `${key}z`).sort()) {
              alive.delete(k);
              history.push({ rev: resp.revision, line: `DELETE ${k}` });
            }
          }
        } else if (r < 0.65) {
          const [k1, k2] = [pick(KEYS), pick(KEYS)].sort();
          if (k1 === k2) continue;
          const rev = t.apply((w) =>
            w.txn({ compare: [], success: [{ put: { key: b(k1), value: b(`t${step}`) } }, { put: { key: b(k2), value: b(`u${step}`) } }], failure: [] }),
          ).revision;
          alive.add(k1);
          alive.add(k2);
          history.push({ rev, line: `PUT ${k1}=t${step}` }, { rev, line: `PUT ${k2}=u${step}` });
        } else if (r < 0.67 && t.store.currentRevision > compactedTo + 80) {
          compactedTo = t.store.currentRevision - 60;
          t.apply((w) => w.compact(compactedTo));
        } else if (r < 0.75) {
          const stream = pick(streams);
          const start = pick(KEYS);
          const end = rand() < 0.5 ? undefined : `${pick(KEYS)}z`;
          if (end !== undefined && end <= start) continue;
          const startRev = rand() < 0.3 ? 0 : Math.max(1, t.store.currentRevision - Math.floor(rand() * 20));
          const id = stream.watch({ key: b(start), rangeEnd: end === undefined ? undefined : b(end), startRevision: startRev });
          watches.push({ stream, id, start, end, startRev: startRev === 0 ? t.store.currentRevision + 1 : startRev, got: [] });
        } else {
          // read a little from one stream, as a slow client would
          const stream = pick(streams);
          for (let i = 0; i < 20; i++) {
            const pending = (stream as unknown as { pending: number }).pending;
            if (pending === 0) break;
            const resp = await nextWithin(stream);
            watches.find((w) => w.stream === stream && w.id === resp.watchId)?.got.push(resp);
          }
        }
      }
      // drain: read until every watcher has its full history or its compacted notice
      const finalRev = t.store.currentRevision;
      const expected = (w: WatchCase) =>
        history.filter((e) => e.rev >= w.startRev && inRange(w, e.line.split(' ')[1].split('=')[0]));
      const complete = (w: WatchCase) => {
        if (w.got.some((r) => r.compactRevision > 0)) return true;
        return w.got.reduce((n, r) => n + r.events.length, 0) >= expected(w).length;
      };
      for (let reads = 0; !watches.every(complete); reads++) {
        assert.ok(reads < 20000, `seed ${seed}: watchers never completed`);
        for (const stream of streams) {
          if (watches.filter((w) => w.stream === stream).every(complete)) continue;
          const resp = await nextWithin(stream);
          watches.find((w) => w.stream === stream && w.id === resp.watchId)?.got.push(resp);
        }
      }
      const compactedCount = watches.filter((w) => w.got.some((r) => r.compactRevision > 0)).length;
      const eventsSeen = watches.reduce((n, w) => n + w.got.reduce((m, r) => m + r.events.length, 0), 0);
      // the run must exercise both outcomes and move real traffic
      assert.ok(compactedCount > 0 && compactedCount < watches.length / 2 && eventsSeen > 100, `seed ${seed}: ${compactedCount}/${watches.length} compacted, ${eventsSeen} events`);
      for (const w of watches) {
        const compacted = w.got.find((r) => r.compactRevision > 0);
        const lines = w.got.flatMap((r) => r.events.map((ev) => ({ rev: ev.kv.modRevision, line: ev.type === 0 ? `PUT ${ev.kv.key}=${ev.kv.value}` : `DELETE ${ev.kv.key}` })));
        if (compacted !== undefined) {
          // a watcher that fell behind a compaction (even after some events) is told so, as in
          // etcd; what it got before is an exact prefix of its history, all below the compaction
          const prefix = expected(w).slice(0, lines.length);
          assert.deepEqual(lines, prefix, `seed ${seed}: events before the compacted notice`);
          // (etcd judges by the watcher's position, not by whether the compacted span held its keys)
          const last = lines[lines.length - 1];
          assert.ok(last === undefined || last.rev < compacted.compactRevision, `seed ${seed}: compacted notice after passing the compaction`);
          assert.equal(w.got[w.got.length - 1], compacted, 'nothing after the compacted notice');
          continue;
        }
        assert.deepEqual(lines, expected(w), `seed ${seed}: watcher ${w.start}..${w.end ?? ''} from ${w.startRev}`);
        // each revision arrives whole: no revision is split across responses
        const revsPerResponse = w.got.map((r) => new Set(r.events.map((e) => e.kv.modRevision)));
        for (let i = 1; i < revsPerResponse.length; i++) {
          for (const rev of revsPerResponse[i]) assert.ok(!revsPerResponse[i - 1].has(rev), `revision ${rev} split`);
        }
        assert.ok(w.got.every((r) => r.revision <= finalRev));
      }
    } finally {
      for (const s of streams) s.close();
      await t.cleanup();
    }
  }
});
