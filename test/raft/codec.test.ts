import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ConfChangeTransition,
  ConfChangeType,
  EntryType,
  MessageType,
  decodeConfChange,
  decodeConfChangeV2,
  decodeConfState,
  decodeEntry,
  decodeHardState,
  decodeMessage,
  decodeSnapshot,
  encodeConfChange,
  encodeConfChangeV2,
  encodeConfState,
  encodeEntry,
  encodeHardState,
  encodeMessage,
  encodeSnapshot,
  entrySize,
  isRaftError,
  newMessage,
} from '../../src/raft';

const bytes = (s: string) => new TextEncoder().encode(s);
const BIG = 0xfedcba9876543210n; // a member ID above 2^63

test('message round trip keeps every field, including 64-bit IDs and a snapshot', () => {
  const m = newMessage({
    type: MessageType.MsgApp,
    to: BIG,
    from: 2n,
    term: 7,
    logTerm: 6,
    index: 2 ** 40,
    entries: [
      { term: 6, index: 2 ** 40 + 1, type: EntryType.EntryNormal, data: bytes('put a') },
      { term: 7, index: 2 ** 40 + 2, type: EntryType.EntryConfChangeV2, data: new Uint8Array(0) },
    ],
    commit: 99,
    vote: 3n,
    snapshot: {
      data: bytes('state'),
      metadata: {
        index: 5,
        term: 2,
        confState: { voters: [1n, BIG], learners: [4n], votersOutgoing: [1n], learnersNext: [5n], autoLeave: true },
      },
    },
    reject: true,
    rejectHint: 12,
    context: bytes('ctx'),
  });
  assert.deepEqual(decodeMessage(encodeMessage(m)), m);
});

test('a default message round-trips to the same defaults', () => {
  const m = newMessage({ type: MessageType.MsgHeartbeat, to: 1n, from: 2n, term: 3 });
  assert.deepEqual(decodeMessage(encodeMessage(m)), m);
});

test('entry, hard state, conf state and snapshot round trip', () => {
  const e = { term: 3, index: 9, type: EntryType.EntryConfChange, data: bytes('x') };
  assert.deepEqual(decodeEntry(encodeEntry(e)), e);
  assert.equal(entrySize(e), encodeEntry(e).length);
  const hs = { term: 5, vote: BIG, commit: 2 ** 50 };
  assert.deepEqual(decodeHardState(encodeHardState(hs)), hs);
  const cs = { voters: [1n, 2n], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false };
  assert.deepEqual(decodeConfState(encodeConfState(cs)), cs);
  const snap = { data: bytes('d'), metadata: { index: 4, term: 1, confState: cs } };
  assert.deepEqual(decodeSnapshot(encodeSnapshot(snap)), snap);
});

test('conf change v1 and v2 round trip', () => {
  const cc = { id: BIG, type: ConfChangeType.ConfChangeAddLearnerNode, nodeId: 4n, context: bytes('peer-url') };
  assert.deepEqual(decodeConfChange(encodeConfChange(cc)), cc);
  const v2 = {
    transition: ConfChangeTransition.ConfChangeTransitionJointExplicit,
    changes: [
      { type: ConfChangeType.ConfChangeAddNode, nodeId: 4n },
      { type: ConfChangeType.ConfChangeRemoveNode, nodeId: 1n },
    ],
    context: bytes('c'),
  };
  assert.deepEqual(decodeConfChangeV2(encodeConfChangeV2(v2)), v2);
  // An empty v2 change (leave joint) encodes to nothing at all, as in raftpb.
  assert.equal(encodeConfChangeV2({ transition: 0, changes: [], context: new Uint8Array(0) }).length, 0);
});

test('field numbers match raftpb: a HardState{term:1,vote:2,commit:3} is 08 01 10 02 18 03', () => {
  assert.deepEqual([...encodeHardState({ term: 1, vote: 2n, commit: 3 })], [0x08, 1, 0x10, 2, 0x18, 3]);
  // Entry: Type=1, Term=2, Index=3, Data=4.
  assert.deepEqual([...encodeEntry({ term: 1, index: 2, type: EntryType.EntryNormal, data: bytes('a') })], [0x08, 0, 0x10, 1, 0x18, 2, 0x22, 1, 0x61]);
});

test('packed repeated IDs decode like unpacked ones', () => {
  // field 1, wire type 2, length 2, values 1 and 2
  assert.deepEqual(decodeConfState(new Uint8Array([0x0a, 2, 1, 2])).voters, [1n, 2n]);
});

test('unknown fields are skipped', () => {
  const withExtra = new Uint8Array([...encodeHardState({ term: 1, vote: 0n, commit: 0 }), 0x78, 5]); // field 15 varint
  assert.deepEqual(decodeHardState(withExtra), { term: 1, vote: 0n, commit: 0 });
});

test('truncated input gives a clear decode error, not a crash', () => {
  const buf = encodeMessage(newMessage({ type: MessageType.MsgApp, entries: [{ term: 1, index: 1, type: 0, data: bytes('hello') }] }));
  assert.throws(
    () => decodeMessage(buf.subarray(0, buf.length - 3)),
    (err: unknown) => isRaftError(err, 'decode') && /^raft: cannot decode/.test((err as Error).message),
  );
});

test('a term beyond 2^53 is refused', () => {
  const buf = new Uint8Array([0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]);
  assert.throws(() => decodeHardState(buf), (err: unknown) => isRaftError(err, 'decode') && /exceeds 2\^53/.test((err as Error).message));
});
