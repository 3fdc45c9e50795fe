import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyIndex } from '../../src/mvcc/key-index';

function history(): KeyIndex {
  // the worked example at the top of key-index.ts
  const ki = new KeyIndex();
  ki.put({ main: 1, sub: 0 });
  ki.put({ main: 2, sub: 0 });
  ki.tombstone({ main: 3, sub: 0 });
  ki.put({ main: 4, sub: 0 });
  ki.put({ main: 5, sub: 0 });
  ki.tombstone({ main: 6, sub: 0 });
  ki.put({ main: 7, sub: 0 });
  return ki;
}

test('key index: generations and reads at a revision (the worked example)', () => {
  const ki = history();
  assert.equal(ki.describe(), '{1.0 2.0 3.0} {4.0 5.0 6.0} {7.0}');
  assert.deepEqual(ki.get(2), { modified: { main: 2, sub: 0 }, created: { main: 1, sub: 0 }, version: 2 });
  assert.equal(ki.get(3), undefined);
  assert.deepEqual(ki.get(5), { modified: { main: 5, sub: 0 }, created: { main: 4, sub: 0 }, version: 2 });
  assert.equal(ki.get(6), undefined);
  assert.deepEqual(ki.get(7), { modified: { main: 7, sub: 0 }, created: { main: 7, sub: 0 }, version: 1 });
  assert.equal(ki.get(0), undefined);
  for (let rev = 0; rev <= 8; rev++) assert.equal(ki.existsAt(rev), ki.get(rev) !== undefined, `existsAt(${rev})`);
});

test('key index: compaction keeps the newest revision at or below it, drops dead generations', () => {
  const steps: [number, string, string][] = [
    [2, '{2.0 3.0} {4.0 5.0 6.0} {7.0}', '2.0'],
    [4, '{4.0 5.0 6.0} {7.0}', '4.0'],
    [6, '{7.0}', '-'],
    [7, '{7.0}', '7.0'],
  ];
  const ki = history();
  for (const [at, want, keptWant] of steps) {
    const kept: string[] = [];
    assert.equal(history().keep(at) === undefined ? '-' : `${history().keep(at)?.main}.0`, keptWant);
    const empty = ki.compact(at, (r) => kept.push(`${r.main}.${r.sub}`));
    assert.equal(ki.describe(), want, `compact(${at})`);
    assert.deepEqual(kept, keptWant === '-' ? [] : [keptWant]);
    assert.equal(empty, false);
  }
  const gone = new KeyIndex();
  gone.put({ main: 1, sub: 0 });
  gone.tombstone({ main: 2, sub: 0 });
  assert.equal(gone.compact(2), true, 'a key deleted at or before the compaction leaves the index');
  assert.equal(gone.tombstone({ main: 3, sub: 0 }), false, 'deleting a dead key records nothing');
});

test('key index: a restored key starts from its first surviving revision', () => {
  const ki = KeyIndex.restored({ main: 3, sub: 0 }, { main: 9, sub: 1 }, 4);
  ki.put({ main: 10, sub: 0 });
  assert.deepEqual(ki.get(10), { modified: { main: 10, sub: 0 }, created: { main: 3, sub: 0 }, version: 5 });
  assert.equal(ki.hasRevision({ main: 9, sub: 1 }), true);
  assert.equal(ki.hasRevision({ main: 9, sub: 0 }), false);
});

test('key index: a long generation reads, compacts and tombstones like a short one', () => {
  const ki = new KeyIndex();
  for (let rev = 2; rev <= 21; rev++) ki.put({ main: rev, sub: rev % 3 });
  for (let rev = 2; rev <= 21; rev++) {
    assert.deepEqual(ki.get(rev), { modified: { main: rev, sub: rev % 3 }, created: { main: 2, sub: 2 }, version: rev - 1 });
  }
  assert.equal(ki.compact(15), false);
  assert.equal(ki.describe(), '{15.0 16.1 17.2 18.0 19.1 20.2 21.0}');
  assert.deepEqual(ki.get(16), { modified: { main: 16, sub: 1 }, created: { main: 2, sub: 2 }, version: 15 });
  assert.equal(ki.hasRevision({ main: 14, sub: 2 }), false);
  assert.equal(ki.hasRevision({ main: 20, sub: 2 }), true);
  assert.equal(ki.tombstone({ main: 22, sub: 0 }), true);
  ki.put({ main: 23, sub: 0 });
  assert.equal(ki.describe(), '{15.0 16.1 17.2 18.0 19.1 20.2 21.0 22.0} {23.0}');
  assert.equal(ki.compact(22), false);
  assert.equal(ki.describe(), '{23.0}');
  assert.equal(ki.get(22), undefined);
  assert.equal(ki.tombstone({ main: 24, sub: 0 }), true);
  assert.equal(ki.compact(24), true, 'deleted at the compaction: nothing left');
});
