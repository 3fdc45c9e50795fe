import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStorage, isRaftError, Entry, EntryType } from '../../src/raft';
import { RaftLog } from '../../src/raft/raft-log';
import { Unstable } from '../../src/raft/unstable';

const ent = (index: number, term: number, data = ''): Entry => ({ index, term, type: EntryType.EntryNormal, data: new TextEncoder().encode(data) });
const ids = (es: Entry[]) => es.map((e) => `${e.index}/${e.term}`);

function logWith(stable: Entry[], unstable: Entry[] = []): RaftLog {
  const s = new MemoryStorage();
  s.append(stable);
  const l = new RaftLog(s, Infinity);
  if (unstable.length > 0) l.append(unstable);
  return l;
}

test('MemoryStorage: term, entries, compaction and errors at the edges', () => {
  const s = new MemoryStorage();
  s.append([ent(1, 1), ent(2, 1), ent(3, 2), ent(4, 3)]);
  assert.equal(s.firstIndex(), 1);
  assert.equal(s.lastIndex(), 4);
  assert.equal(s.term(3), 2);
  assert.equal(s.term(0), 0);
  assert.deepEqual(ids(s.entries(2, 4, Infinity)), ['2/1', '3/2']);
  s.compact(2);
  assert.equal(s.firstIndex(), 3);
  assert.equal(s.term(2), 1, 'the term of the last compacted entry stays known');
  assert.throws(() => s.term(1), (e: unknown) => isRaftError(e, 'compacted'));
  assert.throws(() => s.entries(2, 4, Infinity), (e: unknown) => isRaftError(e, 'compacted'));
  assert.throws(() => s.term(5), (e: unknown) => isRaftError(e, 'unavailable'));
  assert.throws(() => s.compact(2), (e: unknown) => isRaftError(e, 'compacted'));
});

test('MemoryStorage: entries honours maxSize but returns at least one entry', () => {
  const s = new MemoryStorage();
  s.append([ent(1, 1, 'aaaa'), ent(2, 1, 'bbbb'), ent(3, 1, 'cccc')]);
  assert.equal(s.entries(1, 4, 0).length, 1);
  assert.equal(s.entries(1, 4, 24).length, 2); // each entry is 12 bytes encoded
  assert.equal(s.entries(1, 4, Infinity).length, 3);
});

test('MemoryStorage: append truncates a conflicting suffix and ignores compacted entries', () => {
  const s = new MemoryStorage();
  s.append([ent(1, 1), ent(2, 1), ent(3, 1)]);
  s.append([ent(2, 2), ent(3, 2), ent(4, 2)]);
  assert.deepEqual(ids(s.entries(1, 5, Infinity)), ['1/1', '2/2', '3/2', '4/2']);
  s.compact(3);
  s.append([ent(2, 2), ent(3, 2), ent(4, 2), ent(5, 2)]);
  assert.deepEqual(ids(s.entries(4, 6, Infinity)), ['4/2', '5/2']);
  assert.throws(() => s.append([ent(9, 2)]), /missing log entry/);
});

test('MemoryStorage: snapshots replace the log and stale ones are refused', () => {
  const s = new MemoryStorage();
  s.append([ent(1, 1), ent(2, 1), ent(3, 2)]);
  const cs = { voters: [1n, 2n], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false };
  const snap = s.createSnapshot(2, { confState: cs, data: new Uint8Array([7]) });
  assert.equal(snap.metadata.term, 1);
  assert.throws(() => s.createSnapshot(2, { data: new Uint8Array(0) }), (e: unknown) => isRaftError(e, 'snap-out-of-date'));
  const other = new MemoryStorage();
  other.applySnapshot({ data: new Uint8Array(0), metadata: { index: 10, term: 4, confState: cs } });
  assert.equal(other.firstIndex(), 11);
  assert.equal(other.lastIndex(), 10);
  assert.equal(other.term(10), 4);
  assert.deepEqual(other.initialState().confState, cs);
  assert.throws(
    () => other.applySnapshot({ data: new Uint8Array(0), metadata: { index: 9, term: 4, confState: cs } }),
    (e: unknown) => isRaftError(e, 'snap-out-of-date'),
  );
});

test('unstable: truncateAndAppend in the three positions', () => {
  const u = new Unstable(5);
  u.truncateAndAppend([ent(5, 1), ent(6, 1)]);
  u.acceptInProgress();
  assert.equal(u.offsetInProgress, 7);
  u.truncateAndAppend([ent(7, 1)]); // append after the end
  assert.deepEqual(ids(u.entries), ['5/1', '6/1', '7/1']);
  u.truncateAndAppend([ent(6, 2)]); // truncate within
  assert.deepEqual(ids(u.entries), ['5/1', '6/2']);
  assert.equal(u.offsetInProgress, 6, 'the replaced entry must be persisted again');
  u.truncateAndAppend([ent(4, 3)]); // replace everything
  assert.equal(u.offset, 4);
  assert.deepEqual(ids(u.entries), ['4/3']);
});

test('unstable: stableTo ignores an entry that was overwritten by another term', () => {
  const u = new Unstable(5);
  u.truncateAndAppend([ent(5, 1), ent(6, 1)]);
  u.stableTo(6, 2);
  assert.equal(u.entries.length, 2);
  u.stableTo(5, 1);
  assert.deepEqual(ids(u.entries), ['6/1']);
  assert.equal(u.offset, 6);
});

test('raftLog: findConflict finds the first mismatch', () => {
  const l = logWith([ent(1, 1), ent(2, 2), ent(3, 3)]);
  assert.equal(l.findConflict([]), 0);
  assert.equal(l.findConflict([ent(1, 1), ent(2, 2)]), 0);
  assert.equal(l.findConflict([ent(2, 2), ent(3, 3), ent(4, 4)]), 4, 'new entries start after the end');
  assert.equal(l.findConflict([ent(2, 1), ent(3, 4)]), 2);
});

test('raftLog: maybeAppend checks the previous entry, truncates conflicts and commits', () => {
  const l = logWith([ent(1, 1), ent(2, 2), ent(3, 3)]);
  l.commitTo(1);
  assert.equal(l.maybeAppend(3, 2, [ent(4, 4)], 3), undefined, 'prev term mismatch');
  assert.equal(l.maybeAppend(4, 3, [ent(5, 4)], 3), undefined, 'prev index beyond the log');
  assert.equal(l.maybeAppend(2, 2, [ent(3, 4), ent(4, 4)], 3), 4);
  assert.deepEqual(ids(l.allEntries()), ['1/1', '2/2', '3/4', '4/4']);
  assert.equal(l.committed, 3);
  assert.equal(l.maybeAppend(4, 4, [], 10), 4);
  assert.equal(l.committed, 4, 'commit is capped at the last new entry');
  assert.throws(() => l.maybeAppend(1, 1, [ent(2, 9)], 4), /conflicts with committed entry/);
});

test('raftLog: findConflictByTerm skips a follower tail of higher terms', () => {
  // term (F) 1 3 3 4 4 5 5 5 6 at indexes 1..9
  const l = logWith([1, 3, 3, 4, 4, 5, 5, 5, 6].map((t, i) => ent(i + 1, t)));
  assert.deepEqual(l.findConflictByTerm(8, 3), { index: 3, term: 3 });
  assert.deepEqual(l.findConflictByTerm(9, 6), { index: 9, term: 6 });
  assert.deepEqual(l.findConflictByTerm(9, 0), { index: 0, term: 0 });
});

test('raftLog: isUpToDate compares last term first, then length', () => {
  const l = logWith([ent(1, 1), ent(2, 2), ent(3, 3)]);
  assert.equal(l.isUpToDate(2, 4), true);
  assert.equal(l.isUpToDate(4, 2), false);
  assert.equal(l.isUpToDate(3, 3), true);
  assert.equal(l.isUpToDate(2, 3), false);
});

test('raftLog: slice spans stable and unstable entries and reports compaction', () => {
  const l = logWith([ent(1, 1), ent(2, 1), ent(3, 1)], [ent(4, 2), ent(5, 2)]);
  assert.deepEqual(ids(l.slice(2, 6, Infinity)), ['2/1', '3/1', '4/2', '5/2']);
  assert.deepEqual(ids(l.slice(2, 6, 10)), ['2/1']); // 6 bytes per entry
  assert.deepEqual(ids(l.slice(2, 6, 18)), ['2/1', '3/1', '4/2']);
  (l.storage as MemoryStorage).compact(2);
  assert.throws(() => l.slice(2, 4, Infinity), (e: unknown) => isRaftError(e, 'compacted'));
  assert.equal(l.term(2), 1);
  assert.equal(l.term(1), undefined);
  assert.equal(l.term(6), undefined);
});

test('raftLog: cursor invariant applied <= applying <= committed is enforced', () => {
  const l = logWith([ent(1, 1), ent(2, 1), ent(3, 1)]);
  l.commitTo(2);
  assert.deepEqual(ids(l.nextCommittedEnts()), ['1/1', '2/1']);
  l.acceptApplying(2, 0);
  assert.deepEqual(l.nextCommittedEnts(), []);
  l.appliedTo(2, 0);
  assert.ok(l.applied <= l.applying && l.applying <= l.committed);
  assert.throws(() => l.appliedTo(3, 0), /out of range/);
  assert.throws(() => l.commitTo(9), /out of range/);
});
