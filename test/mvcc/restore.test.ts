// Restore on open rebuilds exactly the index the live store had: a random history with keys
// written out of order, rewritten, deleted and recreated, in txns, with leases, large values
// (LMDB keeps those on overflow pages) and a compaction; every revision still readable reads
// the same before and after a restart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BatchWriter } from '../../src/mvcc';
import { openTestStore, show } from './helpers';

/** A deterministic generator (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KEYS = 60;
const BATCHES = 200;

test('restart rebuilds the index the live store had (random history, compaction, leases)', async () => {
  const rnd = random(9);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)];
  // names in no particular byte order, with bytes a latin1 string must carry (0x00, >= 0x80)
  const names = Array.from({ length: KEYS }, (_, i) => Buffer.from([(i * 37) % 256, 0x00, 0xc3 + (i % 3), 0x41 + (i % 26)]));
  const values = [Buffer.from('v'), Buffer.alloc(300, 0x61), Buffer.alloc(5000, 0x62), Buffer.alloc(70000, 0x63)];
  const leases = [0n, 0n, 5n, 0x694d7a8b2c3e4f10n];
  const attached = new Map<string, bigint>();
  const lease = {
    exists: () => true,
    attach: (id: bigint, key: Buffer) => void attached.set(key.toString('hex'), id),
    detach: (_id: bigint, key: Buffer) => void attached.delete(key.toString('hex')),
    leaseOf: (key: Buffer) => attached.get(key.toString('hex')) ?? 0n,
  };
  const write = (w: BatchWriter) => {
    const roll = rnd();
    const key = pick(names);
    if (roll < 0.6) w.put({ key, value: pick(values), lease: pick(leases) });
    else if (roll < 0.8) w.deleteRange({ key });
    else {
      const other = pick(names.filter((n) => !n.equals(key)));
      w.txn({ compare: [], success: [{ put: { key, value: pick(values) } }, { deleteRange: { key: other } }], failure: [] });
    }
  };
  const t = openTestStore({ lease });
  try {
    for (let i = 0; i < BATCHES; i++) {
      t.apply((w) => {
        for (let j = 1 + Math.floor(rnd() * 3); j > 0; j--) write(w);
      });
      if (i === BATCHES / 2) await t.apply((w) => w.compact(Math.floor(t.store.currentRevision / 2))).physical;
    }
    const everything = (rev: number): string[] => t.store.range({ key: Buffer.of(0), rangeEnd: Buffer.of(0), revision: rev }).kvs.map(show);
    const before = new Map<number, string[]>();
    for (let rev = t.store.compactRevision; rev <= t.store.currentRevision; rev++) before.set(rev, everything(rev));
    const hashBefore = t.store.hashKV();
    const leasesBefore = [...attached].sort();
    const indexSize = t.store.index.size;
    assert.ok(leasesBefore.length > 0 && before.get(t.store.currentRevision)?.length, 'the history leaves leased keys alive');

    attached.clear();
    await t.reopen({ lease });
    assert.deepEqual([...before.keys()].at(-1), t.store.currentRevision);
    for (const [rev, kvs] of before) assert.deepEqual(everything(rev), kvs, `range at ${rev}`);
    assert.deepEqual(t.store.hashKV(), hashBefore);
    assert.deepEqual([...attached].sort(), leasesBefore);
    assert.equal(t.store.index.size, indexSize, 'deleted keys stay in the index until a compaction');
  } finally {
    await t.cleanup();
  }
});
