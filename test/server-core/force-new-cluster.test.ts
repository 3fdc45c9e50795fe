// The log --force-new-cluster restarts from (src/server/force-new-cluster.ts): conf changes after the
// last entry removing every other member, itself added first when the log had removed it, and the
// commit index moved past them; entries past the WAL's commit index are kept (committed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfChangeType, EntryType, decodeConfChange, encodeConfChange, emptySnapshot } from '../../src/raft';
import { forceNewCluster } from '../../src/server/force-new-cluster';
import { decodeMember } from '../../src/server/member-store';

const self = { id: 0xaan, name: 'a', peerUrls: ['https://10.0.0.1:2380'], clientUrls: ['https://10.0.0.1:2379'], isLearner: false };

function confEntry(index: number, type: ConfChangeType, nodeId: bigint) {
  return { term: 2, index, type: EntryType.EntryConfChange, data: encodeConfChange({ id: 0n, type, nodeId, context: new Uint8Array(0) }) };
}

const normal = (index: number) => ({ term: 2, index, type: EntryType.EntryNormal, data: Buffer.from(`put ${index}`) });

function changes(entries: { type: number; data: Uint8Array }[]) {
  return entries.map((e) => {
    const cc = decodeConfChange(e.data);
    return [ConfChangeType[cc.type], cc.nodeId];
  });
}

test('every other member of the snapshot and the conf changes is removed after the last entry', () => {
  const snapshot = emptySnapshot();
  snapshot.metadata = { index: 10, term: 2, confState: { ...snapshot.metadata.confState, voters: [0xaan, 0xbbn, 0xccn] } };
  const entries = [
    normal(11),
    confEntry(12, ConfChangeType.ConfChangeAddLearnerNode, 0xddn),
    confEntry(13, ConfChangeType.ConfChangeRemoveNode, 0xbbn),
    normal(14),
    confEntry(15, ConfChangeType.ConfChangeAddNode, 0xeen), // past the WAL's commit index: kept, and counted
    normal(16),
  ];
  const forced = forceNewCluster({ snapshot, entries, hardState: { term: 3, vote: 0xaan, commit: 14 } }, self);
  assert.equal(forced.pastCommit, 2);
  assert.deepEqual(forced.removed, [0xccn, 0xddn, 0xeen]);
  assert.deepEqual(changes(forced.appended), [['ConfChangeRemoveNode', 0xccn], ['ConfChangeRemoveNode', 0xddn], ['ConfChangeRemoveNode', 0xeen]]);
  assert.deepEqual(forced.appended.map((e) => [e.index, e.term]), [[17, 3], [18, 3], [19, 3]]);
  assert.deepEqual(forced.entries.map((e) => e.index), [11, 12, 13, 14, 15, 16, 17, 18, 19]);
  assert.deepEqual(forced.hardState, { term: 3, vote: 0xaan, commit: 19 });
});

test('a member the log removed adds itself back first, with its own record', () => {
  const entries = [confEntry(1, ConfChangeType.ConfChangeAddNode, 0xbbn), confEntry(2, ConfChangeType.ConfChangeAddNode, 0xaan), confEntry(3, ConfChangeType.ConfChangeRemoveNode, 0xaan)];
  const forced = forceNewCluster({ snapshot: undefined, entries, hardState: { term: 1, vote: 0n, commit: 3 } }, self);
  assert.deepEqual(changes(forced.appended), [['ConfChangeAddNode', 0xaan], ['ConfChangeRemoveNode', 0xbbn]]);
  assert.deepEqual(decodeMember(decodeConfChange(forced.appended[0].data).context).peerUrls, self.peerUrls);
  assert.equal(forced.hardState.commit, 5);
});

test('a member alone already appends nothing; a commit behind the snapshot moves to it', () => {
  const snapshot = emptySnapshot();
  snapshot.metadata = { index: 20, term: 4, confState: { ...snapshot.metadata.confState, voters: [0xaan] } };
  const none = forceNewCluster({ snapshot, entries: [], hardState: { term: 4, vote: 0n, commit: 18 } }, self);
  assert.deepEqual(none.appended, []);
  assert.equal(none.hardState.commit, 20);
  const more = forceNewCluster({ snapshot, entries: [normal(21)], hardState: { term: 4, vote: 0n, commit: 18 } }, self);
  assert.equal(more.hardState.commit, 21);
});
