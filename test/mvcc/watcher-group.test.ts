import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WatcherGroup } from '../../src/mvcc/watcher-group';
import type { Watcher } from '../../src/mvcc/watcher';
import { toIndexRange, type IndexRange } from '../../src/mvcc/tree-index';

// The group reads a watcher's range and asks it whether it covers a key; that is all these stand-ins have.
function watcher(id: number, range: IndexRange): Watcher {
  const covers = (key: string) => (range.single ? key === range.start : key >= range.start && (range.end === null || key < range.end));
  return { id, range, covers } as unknown as Watcher;
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const alphabet = ['a', 'b', '/', '\u00ff', '\u0000'];

function randomKey(random: () => number, max = 4): Buffer {
  const n = 1 + Math.floor(random() * max);
  return Buffer.from(Array.from({ length: n }, () => alphabet[Math.floor(random() * alphabet.length)]).join(''), 'latin1');
}

/** etcd's prefix end: the last byte below 0xff incremented, what follows it dropped; none when every byte is 0xff. */
function prefixEnd(key: Buffer): Buffer {
  for (let i = key.length - 1; i >= 0; i--) {
    if (key[i] < 0xff) return Buffer.concat([key.subarray(0, i), Buffer.of(key[i] + 1)]);
  }
  return Buffer.of(0);
}

function randomRange(random: () => number): IndexRange {
  const key = randomKey(random);
  const kind = Math.floor(random() * 4);
  if (kind === 0) return toIndexRange(key, undefined); // one key
  if (kind === 1) return toIndexRange(key, prefixEnd(key)); // --prefix
  if (kind === 2) return toIndexRange(key, Buffer.of(0)); // --from-key
  const end = Buffer.concat([key, randomKey(random, 2)]); // any other range
  return toIndexRange(key, end);
}

test('a group finds exactly the watchers whose range holds a key, as watchers come and go (many seeds)', () => {
  for (let seed = 1; seed <= 40; seed++) {
    const random = rng(seed);
    const group = new WatcherGroup();
    const live = new Set<Watcher>();
    for (let step = 0; step < 300; step++) {
      if (live.size > 0 && random() < 0.3) {
        const gone = [...live][Math.floor(random() * live.size)];
        live.delete(gone);
        assert.equal(group.delete(gone), true);
        assert.equal(group.delete(gone), false, 'a second delete finds nothing');
      } else {
        const w = watcher(step, randomRange(random));
        live.add(w);
        group.add(w);
      }
      const key = randomKey(random, 5).toString('latin1');
      const found: Watcher[] = [];
      group.forEachMatch(key, (w) => found.push(w));
      const expected = [...live].filter((w) => w.covers(key));
      assert.deepEqual(new Set(found), new Set(expected), `seed ${seed} step ${step} key ${JSON.stringify(key)}`);
      assert.equal(found.length, expected.length, 'no watcher twice');
      assert.equal(group.contains(key), expected.length > 0);
      assert.equal(group.size, live.size);
    }
  }
});

test('prefix watchers of one prefix share an entry that goes once the last of them does', () => {
  const group = new WatcherGroup();
  const a = watcher(1, toIndexRange(Buffer.from('/registry/pods/'), Buffer.from('/registry/pods0')));
  const b = watcher(2, toIndexRange(Buffer.from('/registry/pods/'), Buffer.from('/registry/pods0')));
  group.add(a);
  group.add(b);
  const hits = (key: string) => {
    const found: number[] = [];
    group.forEachMatch(key, (w) => found.push(w.id));
    return found.sort();
  };
  assert.deepEqual(hits('/registry/pods/ns/p1'), [1, 2]);
  assert.deepEqual(hits('/registry/pods'), []);
  group.delete(a);
  assert.deepEqual(hits('/registry/pods/ns/p1'), [2]);
  group.delete(b);
  assert.deepEqual(hits('/registry/pods/ns/p1'), []);
  assert.equal(group.size, 0);
});
